import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { evaluate, parseSnapshot, resourceViews } from '../../shared/engine/index.js';
import { decideOnTemplate, readTemplates } from '../../shared/iac/index.js';
import { parsePolicyFiles } from '../../shared/policy/loader.js';
import { matches } from '../../shared/selectors/index.js';

/**
 * Golden template cases: test/iac/golden/<case>/{a template or plan, policies.yaml, intent.json,
 * expected.json}. intent.json is written by hand (non-PASS findings, plan operations, the properties
 * a verdict cannot rest on); expected.json is recorded with UPDATE_GOLDEN=1 once the intent holds.
 */
const root = join(import.meta.dirname, 'golden');
const cases = readdirSync(root)
  .filter((d) => statSync(join(root, d)).isDirectory())
  .sort();
const update = process.env.UPDATE_GOLDEN === '1';

describe('golden template cases', () => {
  for (const name of cases) {
    const dir = join(root, name);
    const intent = JSON.parse(readFileSync(join(dir, 'intent.json'), 'utf8')) as {
      description: string;
      nonPass: string[][];
      operations: string[][];
      undecided: string[];
    };
    it(`${name}: ${intent.description}`, () => {
      const files = readdirSync(dir)
        .filter((f) => !['policies.yaml', 'intent.json', 'expected.json'].includes(f))
        .map((f) => ({ file: f, text: readFileSync(join(dir, f), 'utf8') }));
      const { policies } = parsePolicyFiles([
        { file: 'policies.yaml', text: readFileSync(join(dir, 'policies.yaml'), 'utf8') },
      ]);
      const template = readTemplates(files, 'us-east-1');
      const snapshot = parseSnapshot(template.snapshot);
      const result = decideOnTemplate(evaluate(snapshot, policies, new Date(0)), template, policies);
      const views = resourceViews(snapshot);
      const nameOf = (arn: string) => views.find((r) => r.arn === arn)?.name ?? arn;

      const nonPass = result.findings
        .filter((f) => f.status !== 'PASS')
        .map((f) => [f.policyId, f.resourceName, f.check, f.status].join(' '));
      expect(nonPass.sort()).toEqual(intent.nonPass.map((x) => x.join(' ')).sort());
      expect(result.plan.map((s) => [nameOf(s.resource), s.operation])).toEqual(intent.operations);

      // Every undecided verdict names the property and why; nothing else is undecided.
      const messages = result.findings.filter((f) => f.status === 'ERROR').map((f) => f.message);
      for (const u of intent.undecided)
        expect(
          messages.some((m) => m.includes(u)),
          u,
        ).toBe(true);
      for (const m of messages)
        expect(
          intent.undecided.some((u) => m.includes(u)),
          m,
        ).toBe(true);

      // Each resource's finding names its file, line and logical id (or address), and the line says so.
      for (const f of result.findings) {
        if (f.resource.endsWith('/*')) continue;
        expect(f.location, f.resourceName).toBeDefined();
        const at = f.location as NonNullable<typeof f.location>;
        const line = readFileSync(join(dir, at.file), 'utf8').split('\n')[at.line - 1] ?? '';
        expect(line, `${at.file}:${at.line}`).toContain(at.logicalId);
      }
      // Witnesses prove their verdicts with the exact selector semantics.
      for (const f of result.findings) {
        const r = views.find((x) => x.arn === f.resource);
        if (!f.witness || !r?.selectors) continue;
        expect(matches(r.selectors, f.witness)).toBe(f.check === 'forbid.logEvents');
      }

      const expectedFile = join(dir, 'expected.json');
      const actual = JSON.parse(
        JSON.stringify({ findings: result.findings, plan: result.plan, summary: result.summary }),
      );
      if (update || !existsSync(expectedFile))
        writeFileSync(expectedFile, `${JSON.stringify(actual, null, 2)}\n`);
      else expect(actual).toEqual(JSON.parse(readFileSync(expectedFile, 'utf8')));
    });
  }
});
