/**
 * OCSF 1.8.0 Compliance Finding events (class_uid 2003, cloud profile), one per finding, as a JSON
 * array (Amazon Security Lake custom sources, Splunk, any OCSF pipeline). The example event that
 * proves a verdict travels in the finding's evidence data.
 */

import { describeEvent } from '../policy/describe.js';
import { CHECKS } from '../policy/registry.js';
import { type Report, type ReportFinding, ruleId } from './types.js';

/** Whether the check that made a finding is a forbid check: its example event is logged, not missing. */
const forbids = (check: string) => CHECKS.some((c) => c.check === check && c.section === 'forbid');

const OCSF_VERSION = '1.8.0';
const CLASS_UID = 2003;
const CATEGORY_UID = 2;
const ACTIVITY_CREATE = 1;

const SEVERITY_ID: Record<string, [number, string]> = {
  info: [1, 'Informational'],
  low: [2, 'Low'],
  medium: [3, 'Medium'],
  high: [4, 'High'],
  critical: [5, 'Critical'],
};
/** compliance.status_id: 1 Pass, 2 Warning, 3 Fail, 0 Unknown. */
const COMPLIANCE: Record<string, [number, string]> = {
  PASS: [1, 'Pass'],
  FAIL: [3, 'Fail'],
  ERROR: [0, 'Unknown'],
  SKIPPED: [0, 'Unknown'],
  SUPPRESSED: [3, 'Fail'],
};
/** The finding's workflow status_id: 1 New, 3 Suppressed, 4 Resolved. */
const STATUS: Record<string, [number, string]> = {
  PASS: [4, 'Resolved'],
  FAIL: [1, 'New'],
  ERROR: [1, 'New'],
  SKIPPED: [4, 'Resolved'],
  SUPPRESSED: [3, 'Suppressed'],
};

const arnPart = (arn: string, i: number) => arn.split(':')[i] ?? '';

function event(f: ReportFinding, report: Report) {
  const time = report.generatedAt.getTime();
  const [severityId, severity] = SEVERITY_ID[f.severity] ?? [0, 'Unknown'];
  const [complianceId, compliance] = COMPLIANCE[f.status] ?? [0, 'Unknown'];
  const [statusId, status] = STATUS[f.status] ?? [1, 'New'];
  // A template's resources have no account yet (their ARNs carry a placeholder).
  const account = f.location ? '' : arnPart(f.resource, 4);
  const policy = report.policies.find((p) => p.id === f.policyId);
  return {
    class_uid: CLASS_UID,
    class_name: 'Compliance Finding',
    category_uid: CATEGORY_UID,
    category_name: 'Findings',
    activity_id: ACTIVITY_CREATE,
    activity_name: 'Create',
    type_uid: CLASS_UID * 100 + ACTIVITY_CREATE,
    type_name: 'Compliance Finding: Create',
    time,
    severity_id: severityId,
    severity,
    status_id: statusId,
    status,
    message: f.message,
    metadata: {
      version: OCSF_VERSION,
      profiles: ['cloud'],
      product: { name: report.tool.name, vendor_name: report.tool.name, version: report.tool.version },
      uid: f.id,
    },
    cloud: {
      provider: 'AWS',
      region: f.region,
      ...(/^\d{12}$/.test(account) ? { account: { uid: account, type: 'AWS Account', type_id: 10 } } : {}),
    },
    finding_info: {
      uid: f.id,
      title: `${f.policyId}: ${f.check}`,
      desc: f.message,
      types: ['Software and Configuration Checks/AWS Security Best Practices'],
      created_time: time,
      ...(f.witness ? { data_sources: ['CloudTrail event selectors'] } : {}),
    },
    compliance: {
      control: ruleId(f),
      ...(policy?.description ? { desc: policy.description } : {}),
      standards: ['Trailwarden policies'],
      status_id: complianceId,
      status: compliance,
      ...(f.exception
        ? {
            status_detail: `exception (${f.exception.source}): ${f.exception.reason}; expires ${f.exception.expires}${f.exception.expired ? ' (expired)' : ''}`,
          }
        : {}),
    },
    resources: [
      {
        uid: f.resource,
        name: f.location?.logicalId ?? f.resourceName,
        type: f.resource.includes(':eventdatastore/')
          ? 'AWS::CloudTrail::EventDataStore'
          : 'AWS::CloudTrail::Trail',
        region: f.region,
        cloud_partition: arnPart(f.resource, 1) || 'aws',
        ...(/^\d{12}$/.test(account) ? { owner: { account: { uid: account, type_id: 10 } } } : {}),
      },
    ],
    ...(f.witness
      ? {
          evidences: [
            {
              data: {
                exampleEvent: f.witness,
                summary: describeEvent(f.witness),
                why: forbids(f.check)
                  ? 'logged, but a policy forbids it'
                  : 'required by the policy, but not logged',
              },
            },
          ],
        }
      : {}),
    ...(f.remediation
      ? {
          remediation: {
            desc: f.remediation.planned
              ? 'A repair is planned: run trailwarden plan for the exact requests.'
              : `Not repaired automatically: ${f.remediation.reason}`,
          },
        }
      : {}),
    unmapped: {
      trailwarden_status: f.status,
      ...(f.location ? { source: f.location } : {}),
    },
  };
}

/** Every finding, PASS included: a compliance record is as much a pass as a failure. */
export function toOcsf(report: Report): object[] {
  return report.findings.map((f) => event(f, report));
}
