import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { policyFiles } from '../../shared/cli/io.js';
import { policyJsonSchema } from '../../shared/policy/jsonSchema.js';
import { parsePolicyFiles } from '../../shared/policy/loader.js';
import { CHECKS } from '../../shared/policy/registry.js';
import type { ResourceView } from '../../shared/policy/types.js';

const root = join(import.meta.dirname, '..', '..');

const view = (kind: 'trail' | 'eventDataStore'): ResourceView => ({
  kind,
  arn: `arn:aws:cloudtrail:us-east-1:111122223333:${kind === 'trail' ? 'trail/t' : 'eventdatastore/e'}`,
  name: 't',
  homeRegion: 'us-east-1',
  owner: '111122223333',
  isOrganization: false,
  selectorConfig: { EventSelectors: [{}] },
  selectors: [{ FieldSelectors: [{ Field: 'eventCategory', Equals: ['Management'] }] }],
  active: true,
  tags: {},
  insightSelectors: [],
  insightsDestination: undefined,
  eventConfiguration: {},
  settings: { Name: 't', EventDataStoreArn: 'e', RetentionPeriod: 30, Status: 'ENABLED' },
  deliveryErrors: [],
  selectorProblem: undefined,
  loadErrors: [],
});

describe('checks registry', () => {
  it('has one entry per resource, section and key', () => {
    const keys = CHECKS.map((c) => `${c.resource}/${c.section}/${c.key}`);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it.each(CHECKS.map((c) => [`${c.resource} ${c.section}.${c.key}`, c] as const))(
    '%s declares its schema, IAM actions and a valid documented example',
    (_, check) => {
      expect(check.description.length).toBeGreaterThan(10);
      expect(check.iam.evaluate.length).toBeGreaterThan(0);
      for (const action of [...check.iam.evaluate, ...check.iam.remediate])
        expect(action).toMatch(/^cloudtrail:[A-Z][A-Za-z]+$/);
      const parsed = (check.params as z.ZodType).safeParse(check.example);
      expect(parsed.success, JSON.stringify(parsed.error?.issues)).toBe(true);
      expect((check.validateParams?.(check.example) ?? []).filter((p) => p.severity === 'error')).toEqual([]);
      // Every check decides something for a plain resource, without throwing.
      const outcome = check.evaluate(view(check.resource), check.example);
      expect(['PASS', 'FAIL', 'ERROR']).toContain(outcome.status);
      expect(outcome.message.length).toBeGreaterThan(0);
    },
  );

  it('covers the checks the product promises', () => {
    const trail = CHECKS.filter((c) => c.resource === 'trail').map((c) => c.check);
    expect(trail).toEqual(
      expect.arrayContaining([
        'logging',
        'deliveryHealth',
        'multiRegion',
        'logFileValidation',
        'includeGlobalServiceEvents',
        'kmsEncrypted',
        'tags',
        'logEvents',
        'forbid.logEvents',
        'insights',
        'eventConfiguration',
      ]),
    );
    const store = CHECKS.filter((c) => c.resource === 'eventDataStore').map((c) => c.check);
    expect(store).toEqual(
      expect.arrayContaining([
        'retentionPeriod',
        'terminationProtection',
        'multiRegion',
        'organization',
        'kmsEncrypted',
        'ingestion',
        'logEvents',
        'insights',
      ]),
    );
  });
});

describe('published artefacts', () => {
  it('policies/schema.json is up to date (run npm run schema)', () => {
    const committed = JSON.parse(readFileSync(join(root, 'policies', 'schema.json'), 'utf8'));
    expect(committed).toEqual(JSON.parse(JSON.stringify(policyJsonSchema())));
  });

  it('every policy pack loads without errors, with unique ids', () => {
    const files = policyFiles([join(root, 'policies')]);
    expect(files.length).toBeGreaterThanOrEqual(8);
    const { policies, warnings } = parsePolicyFiles(
      files.map((file) => ({ file, text: readFileSync(file, 'utf8') })),
    );
    expect(warnings).toEqual([]);
    expect(policies.map((p) => p.id)).toEqual(
      expect.arrayContaining(['cis-3.1-multi-region-management', 'securityhub-cloudtrail.10']),
    );
  });
});
