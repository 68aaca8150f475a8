import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv as Ajv7 } from 'ajv';
import AjvDraft04 from 'ajv-draft-04';
import addFormats from 'ajv-formats';
import { evaluate, parseSnapshotFile } from '../../shared/engine/index.js';
import { parsePolicyFiles } from '../../shared/policy/loader.js';
import type { Report } from '../../shared/report/index.js';

const root = join(import.meta.dirname, '..', '..');
const schemas = join(root, 'test', 'schemas');

/** Validators for the vendored schemas (see test/schemas/README.md). */
export function sarifValidator() {
  const ajv = new AjvDraft04.default({ allErrors: true, strict: false, unicodeRegExp: false });
  addFormats.default(ajv);
  return ajv.compile(JSON.parse(readFileSync(join(schemas, 'sarif-2.1.0-rtm.5.json'), 'utf8')));
}
export function ocsfValidator() {
  const ajv = new Ajv7({ allErrors: true, strict: false });
  addFormats.default(ajv);
  return ajv.compile(
    JSON.parse(readFileSync(join(schemas, 'ocsf-1.8.0-compliance_finding.schema.json'), 'utf8')),
  );
}

/** The demo account against the CIS pack and the examples, as a report. */
export function demoReport(): Report {
  const [snapshot] = parseSnapshotFile(
    JSON.parse(readFileSync(join(root, 'examples', 'demo-account', 'snapshot.json'), 'utf8')),
  );
  const files = [
    'policies/cis-aws-foundations.yaml',
    'policies/examples/security-trail.yaml',
    'policies/examples/critical-buckets.yaml',
  ];
  const { policies } = parsePolicyFiles(
    files.map((file) => ({ file, text: readFileSync(join(root, file), 'utf8') })),
  );
  const generatedAt = new Date('2026-06-01T12:00:00Z');
  const result = evaluate(snapshot as never, policies, generatedAt);
  return { ...result, policies, generatedAt, tool: { name: 'Trailwarden', version: '0.1.0' } };
}
