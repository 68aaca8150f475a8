import { describe, expect, it } from 'vitest';
import type { PolicyScope } from '../../shared/engine/conflicts.js';
import { buildPlan } from '../../shared/engine/plan.js';
import { resourceViews } from '../../shared/engine/resources.js';
import { parseSnapshot } from '../../shared/engine/snapshot.js';
import type { Finding, PendingFix } from '../../shared/engine/types.js';
import { parsePolicyData } from '../../shared/policy/document.js';

const ARN = 'arn:aws:cloudtrail:us-east-1:111122223333:trail/main';
const snapshot = parseSnapshot({
  version: 1,
  account: '111122223333',
  region: 'us-east-1',
  trails: [
    {
      trail: { Name: 'main', TrailARN: ARN, HomeRegion: 'us-east-1', IsMultiRegionTrail: true },
      status: { IsLogging: false },
      eventSelectors: { EventSelectors: [{ ReadWriteType: 'All', IncludeManagementEvents: true }] },
    },
  ],
});
const { policies } = parsePolicyData(
  {
    version: 1,
    policies: [{ id: 'on', resource: 'trail', action: 'remediate', require: { logging: true } }],
  },
  'policies.yaml',
);

describe('buildPlan', () => {
  it('returns the steps and each finding’s remediation, and never changes the findings it is given', () => {
    const policy = policies[0];
    const r = resourceViews(snapshot)[0];
    if (!policy || !r) throw new Error('fixture');
    const check = policy.checks[0];
    if (!check) throw new Error('fixture');
    const outcome = check.definition.evaluate(r, check.params as never);
    expect(outcome.status).toBe('FAIL');
    const finding: Finding = {
      id: 'f-1',
      policyId: 'on',
      resource: ARN,
      resourceName: 'main',
      account: '111122223333',
      region: 'us-east-1',
      status: 'FAIL',
      check: 'logging',
      severity: 'medium',
      message: outcome.message,
    };
    const findings = Object.freeze([Object.freeze(finding)]);
    const pending: PendingFix[] = [
      { findingIndex: 0, resource: r, fixes: outcome.fixes ?? [], remediate: true, quantifier: 'every' },
    ];
    const scopes: PolicyScope[] = [
      { policy, selected: [r], undecided: [], inScope: [r], passed: false, waived: new Set() },
    ];
    const result = buildPlan(snapshot, findings, pending, scopes, 'aws');
    expect(result.steps).toEqual([
      {
        resource: ARN,
        account: '111122223333',
        region: 'us-east-1',
        operation: 'StartLogging',
        input: { Name: 'main' },
        findings: ['f-1'],
      },
    ]);
    expect([...result.remediation]).toEqual([[0, { planned: true }]]);
    expect(findings[0]).toBe(finding);
    expect(finding.remediation).toBeUndefined();
  });
});
