import { BatchImportFindingsCommand, type SecurityHubClient } from '@aws-sdk/client-securityhub';
import type { LiveFinding } from './transitions.js';

const SEVERITY: Record<string, string> = {
  info: 'INFORMATIONAL',
  low: 'LOW',
  medium: 'MEDIUM',
  high: 'HIGH',
  critical: 'CRITICAL',
};

/** A finding in the AWS Security Finding Format, for BatchImportFindings (and `--format asff`). */
export function toAsff(
  f: LiveFinding,
  account: string,
  region: string,
  partition = 'aws',
  now = new Date(0),
) {
  const resolved = f.status === 'PASS' || f.status === 'REMEDIATED';
  const time = now.toISOString();
  return {
    SchemaVersion: '2018-10-08',
    Id: `trailwarden/${f.id}`,
    ProductArn: `arn:${partition}:securityhub:${region}:${account}:product/${account}/default`,
    GeneratorId: `trailwarden/${f.policyId}/${f.check}`,
    AwsAccountId: account,
    Types: ['Software and Configuration Checks/AWS Security Best Practices'],
    CreatedAt: time,
    UpdatedAt: time,
    Severity: {
      Label: resolved ? 'INFORMATIONAL' : (SEVERITY[f.severity] ?? 'MEDIUM'),
      Original: f.severity,
    },
    Title: `${f.policyId}: ${f.check}`.slice(0, 256),
    Description: f.message.slice(0, 1024),
    Resources: [
      {
        Type: f.resource.includes(':eventdatastore/') ? 'Other' : 'AwsCloudTrailTrail',
        Id: f.resource,
        Partition: partition,
        Region: f.region,
      },
    ],
    Compliance: {
      Status: resolved
        ? 'PASSED'
        : f.status === 'FAIL'
          ? 'FAILED'
          : f.status === 'ERROR'
            ? 'WARNING'
            : 'NOT_AVAILABLE',
    },
    Workflow: { Status: resolved ? 'RESOLVED' : 'NEW' },
    RecordState: 'ACTIVE',
    ...(f.witness
      ? { ProductFields: { 'trailwarden/exampleEvent': JSON.stringify(f.witness).slice(0, 2048) } }
      : {}),
  };
}

/** BatchImportFindings takes at most 100 findings per call. */
export async function importToSecurityHub(
  client: SecurityHubClient,
  findings: readonly ReturnType<typeof toAsff>[],
): Promise<number> {
  let failed = 0;
  for (let i = 0; i < findings.length; i += 100) {
    const r = await client.send(
      new BatchImportFindingsCommand({ Findings: findings.slice(i, i + 100) as never }),
    );
    failed += r.FailedCount ?? 0;
  }
  return failed;
}
