import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { evaluate, type Snapshot, simulatePlan } from '../../shared/engine/index.js';
import { parsePolicyData } from '../../shared/policy/document.js';
import { type AdvancedEventSelector, overlaps } from '../../shared/selectors/index.js';
import { basicSelector, SEED, validList } from '../selectors/arbitraries.js';

/**
 * Differential property of the planner (docs/semantics.md, "6. Changing a trail safely"): plan, apply the plan to a copy of the
 * snapshot, evaluate again. No policy that passed before fails after, every planned finding
 * passes after, and a resource on which one policy requires what another forbids gets no step.
 * FC_SEED / FC_RUNS explore further; FC_REPORT=1 prints how often a second plan was needed.
 */

const ACCOUNT = '111122223333';
const REGION = 'us-east-1';
const RUNS = process.env.FC_RUNS ? Number(process.env.FC_RUNS) : 400;

const M = { Field: 'eventCategory', Equals: ['Management'] };
const D = { Field: 'eventCategory', Equals: ['Data'] };
const S3 = { Field: 'resources.type', Equals: ['AWS::S3::Object'] };
const ro = (v: string) => ({ Field: 'readOnly', Equals: [v] });
const sel = (...FieldSelectors: object[]) => ({ FieldSelectors }) as AdvancedEventSelector;

/** Requirements and forbids people write: management read/write, KMS events, S3 prefixes. */
const concern = fc.constantFrom(
  sel(M),
  sel(M, ro('true')),
  sel(M, ro('false')),
  sel(M, { Field: 'eventSource', NotEquals: ['kms.amazonaws.com'] }),
  sel(M, ro('false'), { Field: 'eventSource', NotEquals: ['kms.amazonaws.com'] }),
  sel(D, S3),
  sel(D, S3, ro('false')),
  sel(D, S3, { Field: 'resources.ARN', StartsWith: ['arn:aws:s3:::payroll/'] }),
  sel(D, S3, ro('true'), { Field: 'resources.ARN', StartsWith: ['arn:aws:s3:::app/'] }),
);
const forbidConcern = fc.oneof(
  concern,
  fc.constant(sel(M, { Field: 'eventSource', Equals: ['kms.amazonaws.com'] })),
);

const policy = fc.record({
  require: fc.uniqueArray(concern, { maxLength: 2 }),
  forbid: fc.uniqueArray(forbidConcern, { maxLength: 1 }),
  /** ApiCallRateInsight on management events, which needs write management events logged. */
  insights: fc.boolean(),
  remediate: fc.boolean(),
  quantifier: fc.constantFrom('every', 'every', 'union', 'any'),
  onlyFirst: fc.boolean(),
});

const trailSelectors = fc.oneof(
  fc.array(basicSelector, { minLength: 1, maxLength: 2 }).map((EventSelectors) => ({ EventSelectors })),
  validList(3).map((AdvancedEventSelectors) => ({ AdvancedEventSelectors })),
);

function snapshotOf(trails: readonly { selectors: object; insights: boolean }[]): Snapshot {
  return {
    version: 1,
    account: ACCOUNT,
    region: REGION,
    trails: trails.map(({ selectors: eventSelectors, insights }, i) => ({
      trail: {
        Name: `t${i}`,
        TrailARN: `arn:aws:cloudtrail:${REGION}:${ACCOUNT}:trail/t${i}`,
        HomeRegion: REGION,
        IsMultiRegionTrail: true,
        IncludeGlobalServiceEvents: true,
      },
      status: { IsLogging: true },
      eventSelectors: eventSelectors as never,
      insightSelectors: insights ? [{ InsightType: 'ApiCallRateInsight' }] : [],
      eventConfiguration: {},
      tags: [],
    })),
    eventDataStores: [],
  };
}

describe('planner differential property (fixed seed)', () => {
  it('never breaks a passing policy, repairs what it plans, and plans nothing on a conflict', () => {
    let planned = 0;
    let conflicts = 0;
    let secondRounds = 0;
    fc.assert(
      fc.property(
        fc.array(fc.record({ selectors: trailSelectors, insights: fc.boolean() }), {
          minLength: 1,
          maxLength: 3,
        }),
        fc.array(policy, { minLength: 2, maxLength: 3 }),
        (trails, specs) => {
          const raw = specs
            .filter((p) => p.require.length + p.forbid.length > 0 || p.insights)
            .map((p, i) => {
              // Insights cannot be decided for a union; forbids keep their per-resource meaning.
              const union = p.quantifier === 'union' && p.forbid.length === 0 && !p.insights;
              const require = {
                ...(p.require.length ? { logEvents: p.require } : {}),
                ...(p.insights ? { insights: [{ InsightType: 'ApiCallRateInsight' }] } : {}),
              };
              return {
                id: `p${i}`,
                resource: 'trail',
                action: p.remediate ? 'remediate' : 'report',
                quantifier: union ? 'union' : p.quantifier === 'any' ? 'any' : 'every',
                ...(p.onlyFirst ? { select: { names: ['t0'] } } : {}),
                ...(Object.keys(require).length ? { require } : {}),
                ...(p.forbid.length ? { forbid: { logEvents: p.forbid } } : {}),
              };
            });
          const { policies, problems } = parsePolicyData({ version: 1, policies: raw }, 'gen.yaml');
          // A policy that contradicts itself is rejected at load; those inputs say nothing here.
          fc.pre(problems.every((p) => p.severity !== 'error'));
          const snapshot = snapshotOf(trails);
          const before = evaluate(snapshot, policies, new Date(0));
          const after = evaluate(simulatePlan(snapshot, before.plan), policies, new Date(0));
          const afterById = new Map(after.findings.map((f) => [f.id, f]));
          planned += before.plan.length;

          for (const f of before.findings) {
            const now = afterById.get(f.id);
            if (f.status === 'PASS') expect(now?.status, `${f.policyId} ${f.check} broke`).toBe('PASS');
            if (f.remediation?.planned)
              expect(now?.status, `${f.policyId} ${f.check} not repaired`).toBe('PASS');
          }

          // Oracle for conflicts: an every-policy's requirement overlapping the forbid of another
          // every or union policy on a trail (an any-policy binds only the trail it is satisfied on).
          for (const t of snapshot.trails) {
            const name = t.trail.Name;
            const selecting = raw.filter((p) => !p.select || p.select.names.includes(name));
            const everyRequires = selecting.filter((p) => p.quantifier === 'every' && p.require?.logEvents);
            const conflict = everyRequires.some((p) =>
              selecting.some(
                (q) =>
                  q.forbid &&
                  q.quantifier !== 'any' &&
                  overlaps(p.require?.logEvents as AdvancedEventSelector[], q.forbid.logEvents).overlaps,
              ),
            );
            const steps = before.plan.filter((s) => s.resource === t.trail.TrailARN);
            if (conflict) {
              conflicts++;
              expect(steps, `conflict on ${name} but steps planned`).toEqual([]);
            }
            const reasons = before.findings
              .filter((f) => f.resource === t.trail.TrailARN)
              .map((f) => f.remediation?.reason ?? '');
            if (reasons.some((r) => r.startsWith('policy conflict'))) expect(steps).toEqual([]);
          }
          // The plan is a fixed point, or the next plan is, and breaks nothing either. A second plan
          // is needed about 1 input in 400 with this generator, every one of them (27 of 10,000
          // runs) an any-policy that wants Insights and forbids KMS management events, a forbid
          // that is valid since forbids are checked as sets of events: the Insights prerequisite is
          // planned as all write management events, which that forbid contradicts on the trail
          // first chosen, so the first plan gives the repair up and the second places it on the
          // trail the first plan gave Insights to.
          if (after.plan.length > 0) {
            secondRounds++;
            const again = evaluate(
              simulatePlan(simulatePlan(snapshot, before.plan), after.plan),
              policies,
              new Date(0),
            );
            const againById = new Map(again.findings.map((f) => [f.id, f]));
            for (const f of after.findings)
              if (f.status === 'PASS') expect(againById.get(f.id)?.status).toBe('PASS');
            expect(again.plan).toEqual([]);
          }
        },
      ),
      { seed: SEED, numRuns: RUNS },
    );
    expect(planned).toBeGreaterThan(0);
    expect(conflicts).toBeGreaterThan(0);
    expect(secondRounds / RUNS).toBeLessThan(0.005);
    if (process.env.FC_REPORT) console.log(`second rounds: ${secondRounds} of ${RUNS}`);
  });
});
