import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { evaluate, parseSnapshot, resourceViews, simulatePlan } from '../../shared/engine/index.js';
import { formatProblem, PolicyLoadError, parsePolicyFiles } from '../../shared/policy/loader.js';
import { FIELD_DOMAINS, hasArnShape, matches, partitionOf } from '../../shared/selectors/index.js';

/**
 * Golden cases (OPA-style): test/golden/<case>/{snapshot.json, policies.yaml, expected.json}.
 * intent.json holds what a reviewer expects (non-PASS findings, plan operations), written by hand in
 * cases.py; expected.json is the engine's full output, recorded with UPDATE_GOLDEN=1 only when it
 * agrees with the intent. A case whose intent lists `rejected` load errors checks that the policy
 * file is refused with exactly those messages, and evaluates nothing.
 */
const root = join(import.meta.dirname, '..', 'golden');
const cases = readdirSync(root)
  .filter((d) => statSync(join(root, d)).isDirectory())
  .sort();
const update = process.env.UPDATE_GOLDEN === '1';

describe('golden evaluation cases', () => {
  it('has at least 40 cases', () => expect(cases.length).toBeGreaterThanOrEqual(40));

  for (const name of cases) {
    const dir = join(root, name);
    const intent = JSON.parse(readFileSync(join(dir, 'intent.json'), 'utf8')) as {
      description: string;
      nonPass: string[][];
      operations: string[][];
      rejected?: string[];
      now?: string;
    };
    it(`${name}: ${intent.description}`, () => {
      const snapshot = parseSnapshot(JSON.parse(readFileSync(join(dir, 'snapshot.json'), 'utf8')));
      const files = [{ file: 'policies.yaml', text: readFileSync(join(dir, 'policies.yaml'), 'utf8') }];
      if (intent.rejected) {
        const error = (() => {
          try {
            parsePolicyFiles(files);
          } catch (e) {
            return e;
          }
          return undefined;
        })();
        expect(error).toBeInstanceOf(PolicyLoadError);
        expect((error as PolicyLoadError).problems.map(formatProblem)).toEqual(intent.rejected);
        return;
      }
      const { policies } = parsePolicyFiles(files);
      const now = new Date(intent.now ?? 0);
      const result = evaluate(snapshot, policies, now);
      const views = resourceViews(snapshot);
      const nameOf = (arn: string) => views.find((r) => r.arn === arn)?.name ?? arn;

      // 1. What a reviewer expects.
      const nonPass = result.findings
        .filter((f) => f.status !== 'PASS')
        .map((f) => [f.policyId, f.resourceName, f.check, f.status]);
      expect(nonPass.map((x) => x.join(' ')).sort()).toEqual(intent.nonPass.map((x) => x.join(' ')).sort());
      expect(result.plan.map((s) => [nameOf(s.resource), s.operation])).toEqual(intent.operations);

      // 2. Witnesses are valid events that prove the verdict.
      for (const f of result.findings) {
        if (!f.witness) continue;
        for (const [field, domain] of Object.entries(FIELD_DOMAINS)) {
          const v = f.witness[field as keyof typeof f.witness];
          if (v === undefined) expect(domain.optional).toBe(true);
          else if (domain.values) expect(domain.values).toContain(v);
        }
        const r = views.find((x) => x.arn === f.resource);
        // A resource a user could meet: an ARN of its type's shape, in the partition of the resource.
        const type = f.witness['resources.type'] as string;
        const arn = f.witness['resources.ARN'] as string;
        expect(hasArnShape(type, arn, partitionOf(f.resource)) ?? true, `${type} ${arn}`).toBe(true);
        if (r?.selectors && f.check === 'logEvents') expect(matches(r.selectors, f.witness)).toBe(false);
        if (r?.selectors && f.check === 'forbid.logEvents')
          expect(matches(r.selectors, f.witness)).toBe(true);
      }
      // A conflict's example event is one a user could meet on that resource too.
      for (const f of result.findings) {
        const w = f.remediation?.conflict?.witness;
        if (!w) continue;
        for (const [field, domain] of Object.entries(FIELD_DOMAINS)) {
          const v = w[field as keyof typeof w];
          if (v === undefined) expect(domain.optional).toBe(true);
          else if (domain.values) expect(domain.values).toContain(v);
        }
        const type = w['resources.type'] as string;
        const arn = w['resources.ARN'] as string;
        expect(hasArnShape(type, arn, partitionOf(f.resource)) ?? true, `${type} ${arn}`).toBe(true);
      }

      // 3. The plan repairs what it claims, breaks nothing, and re-planning plans nothing.
      const after = evaluate(simulatePlan(snapshot, result.plan), policies, now);
      const byId = new Map(after.findings.map((f) => [f.id, f]));
      for (const f of result.findings) {
        if (f.remediation?.planned || f.status === 'PASS')
          expect(byId.get(f.id)?.status, `${f.policyId} ${f.resourceName} ${f.check}`).toBe('PASS');
      }
      expect(after.plan).toEqual([]);

      // 4. The full output, recorded.
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
