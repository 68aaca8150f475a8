import { describe, expect, it } from 'vitest';
import { applyAndVerify } from '../../shared/aws/apply.js';
import type { ClientProvider } from '../../shared/aws/loader.js';
import { evaluate, evaluateAll, evaluateRegions, type Snapshot } from '../../shared/engine/index.js';
import { parsePolicyData } from '../../shared/policy/document.js';

const ARN = 'arn:aws:cloudtrail:us-east-1:111122223333:trail/legacy';
const snapshot: Snapshot = {
  version: 1,
  account: '111122223333',
  region: 'us-east-1',
  trails: [
    { trail: { Name: 'legacy', TrailARN: ARN, HomeRegion: 'us-east-1', LogFileValidationEnabled: false } },
  ],
  eventDataStores: [],
};
const { policies, exceptions } = parsePolicyData(
  {
    version: 1,
    policies: [{ id: 'lfv', resource: 'trail', action: 'remediate', require: { logFileValidation: true } }],
    exceptions: [{ resources: ['legacy'], checks: ['lfv'], reason: 'replaced in Q3', expires: '2026-07-01' }],
  },
  'p.yaml',
);
const withExceptions = policies.map((p) => ({ ...p, exceptions: exceptions ?? [] }));

describe('the run’s clock is required', () => {
  it('decides whether an exception is in force: before its expiry it suppresses, after it no longer does', () => {
    const before = evaluate(snapshot, withExceptions, new Date('2026-06-30T00:00:00Z'));
    const after = evaluate(snapshot, withExceptions, new Date('2026-11-22T00:00:00Z'));
    expect(before.findings.map((f) => f.status)).toEqual(['SUPPRESSED']);
    expect(after.findings.map((f) => f.status)).toEqual(['FAIL']);
    expect(after.plan).toHaveLength(1);
  });

  it('has no default anywhere a caller could forget it', () => {
    const never = () => {
      // @ts-expect-error evaluate takes the run's clock
      evaluate(snapshot, withExceptions);
      // @ts-expect-error evaluateRegions takes the run's clock
      evaluateRegions([snapshot], withExceptions);
      // @ts-expect-error evaluateAll takes the run's clock
      evaluateAll([snapshot], withExceptions);
      const clients = {} as ClientProvider;
      const evaluation = evaluate(snapshot, withExceptions, new Date());
      // @ts-expect-error applyAndVerify's read-back is evaluated at the run's clock
      void applyAndVerify(clients, snapshot, withExceptions, evaluation);
      // @ts-expect-error the options carry it
      void applyAndVerify(clients, snapshot, withExceptions, evaluation, {});
    };
    expect(typeof never).toBe('function');
  });
});
