/**
 * SARIF 2.1.0 for code scanning (GitHub, GitLab, Azure DevOps): one rule per policy and check, one
 * result per FAIL, ERROR or SUPPRESSED finding, fingerprinted by the finding's stable id so an alert
 * follows the resource from run to run.
 */
import { describeEvent } from '../policy/describe.js';
import { isResult, type Report, type ReportFinding, ruleId } from './types.js';

const LEVEL: Record<string, 'error' | 'warning' | 'note'> = {
  critical: 'error',
  high: 'error',
  medium: 'warning',
  low: 'note',
  info: 'note',
};

/** GitHub ranks code scanning alerts by this number (0-10): critical > 9, high 7-8.9, medium 4-6.9. */
const SECURITY_SEVERITY: Record<string, string> = {
  critical: '9.5',
  high: '8.0',
  medium: '5.5',
  low: '3.0',
  info: '0.0',
};

function location(f: ReportFinding, policySource: { file: string; line: number } | undefined) {
  const logical = {
    name: f.location?.logicalId ?? f.resourceName,
    fullyQualifiedName: f.resource,
    kind: 'resource',
  };
  // A template finding points at its resource's line; any other at the policy that asked for it, so
  // viewers that need a file (code scanning does) still have one.
  const at = f.location ?? policySource;
  return {
    ...(at
      ? {
          physicalLocation: {
            artifactLocation: { uri: at.file.split('\\').join('/'), uriBaseId: '%SRCROOT%' },
            region: { startLine: Math.max(1, at.line) },
          },
        }
      : {}),
    logicalLocations: [logical],
    message: { text: f.location ? `${f.location.logicalId} (${f.resourceName})` : f.resource },
  };
}

function resultText(f: ReportFinding): string {
  const prefix = f.status === 'ERROR' ? 'Could not be decided: ' : '';
  const witness = f.witness ? ` Example event not logged as required: ${describeEvent(f.witness)}.` : '';
  const fix = f.remediation?.planned
    ? ' A repair is planned (trailwarden plan).'
    : f.remediation?.reason
      ? ` Not repaired automatically: ${f.remediation.reason}.`
      : '';
  return `${prefix}${f.message}.${witness}${fix}`.replace(/\.\./g, '.');
}

export function toSarif(report: Report): object {
  const results = report.findings.filter(isResult);
  const policies = new Map(report.policies.map((p) => [p.id, p]));
  const ruleIds = [...new Set(results.map(ruleId))].sort();
  const rules = ruleIds.map((id) => {
    const f = results.find((x) => ruleId(x) === id) as ReportFinding;
    const p = policies.get(f.policyId);
    const severity = p?.severity ?? f.severity;
    return {
      id,
      name: id.replace(/[^A-Za-z0-9]+(.)?/g, (_, c: string | undefined) => (c ? c.toUpperCase() : '')),
      shortDescription: { text: `${f.policyId}: ${f.check}` },
      fullDescription: { text: p?.description ?? `Policy ${f.policyId}, check ${f.check}` },
      help: {
        text: `Trailwarden policy ${f.policyId}${p ? ` (${p.source.file}:${p.source.line})` : ''}, check ${f.check}. Run trailwarden plan for the exact repair.`,
      },
      defaultConfiguration: { level: LEVEL[severity] ?? 'warning' },
      properties: {
        'security-severity': SECURITY_SEVERITY[severity] ?? '5.5',
        precision: 'very-high',
        tags: ['security', 'cloudtrail', 'logging'],
      },
    };
  });
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: report.tool.name,
            version: report.tool.version,
            semanticVersion: report.tool.version,
            rules,
          },
        },
        originalUriBaseIds: { '%SRCROOT%': { description: { text: 'The working directory of the run' } } },
        results: results.map((f) => {
          const severity = policies.get(f.policyId)?.severity ?? f.severity;
          return {
            ruleId: ruleId(f),
            ruleIndex: ruleIds.indexOf(ruleId(f)),
            kind: 'fail',
            level: f.status === 'ERROR' ? 'warning' : (LEVEL[severity] ?? 'warning'),
            message: { text: resultText(f) },
            locations: [location(f, policies.get(f.policyId)?.source)],
            partialFingerprints: { 'trailwardenFindingId/v1': f.id },
            ...(f.status === 'SUPPRESSED' && f.exception
              ? {
                  suppressions: [
                    {
                      kind: 'external',
                      status: 'accepted',
                      justification: `${f.exception.reason} (expires ${f.exception.expires}; ${f.exception.source})`,
                    },
                  ],
                }
              : {}),
            properties: {
              status: f.status,
              severity: f.severity,
              resource: f.resource,
              region: f.region,
              ...(f.witness ? { exampleEvent: f.witness } : {}),
            },
          };
        }),
        invocations: [{ executionSuccessful: true, endTimeUtc: report.generatedAt.toISOString() }],
      },
    ],
  };
}
