/**
 * What the account-Regions of a central sweep report, and the one digest made of their reports.
 * Each report is kept small (counts and a few lines), so the digest of a thousand accounts ×
 * seventeen Regions is read in a few pages.
 */
import type { Notification } from '../notify/message.js';
import type { LiveFinding } from '../notify/transitions.js';
import type { PairReport, Scope, SweepRecord } from '../state/types.js';

const SEVERITIES = ['critical', 'high', 'medium', 'low', 'info'];
const rank = (severity: string) => {
  const i = SEVERITIES.indexOf(severity);
  return i === -1 ? SEVERITIES.length : i;
};
const bySeverity = <T extends { severity: string }>(a: T, b: T) => rank(a.severity) - rank(b.severity);

/** Lines each account-Region keeps for the digest: its worst findings. */
export const REPORT_LINES = 10;
/** Lines the digest shows. */
export const DIGEST_LINES = 40;

/** Where a sweep's counter, reports and digest are kept: in the central account. */
export const sweepScope = (account: string, sweepId: string): Scope => ({
  account,
  resource: `trailwarden:sweep/${sweepId}`,
});

const isOpen = (f: Pick<LiveFinding, 'status'>) => f.status === 'FAIL' || f.status === 'ERROR';

/** One account-Region's report: its open findings by severity, and the worst of them. */
export function pairReport(account: string, region: string, findings: readonly LiveFinding[]): PairReport {
  const open = findings.filter(isOpen).sort(bySeverity);
  const counts: Record<string, number> = {};
  for (const f of open) counts[f.severity] = (counts[f.severity] ?? 0) + 1;
  return {
    account,
    region,
    open: counts,
    lines: open.slice(0, REPORT_LINES).map((f) => ({
      severity: f.severity,
      text: `${f.severity} ${f.policyId} ${f.resourceName} [${f.check}] (${account}, ${region})`,
    })),
  };
}

const total = (counts: Readonly<Record<string, number>>) => Object.values(counts).reduce((a, b) => a + b, 0);

/**
 * The sweep's digest: how many findings are open and where, the worst of them, and, for a sweep
 * closed before every account-Region reported, how many did not. Undefined when nothing is open
 * and nothing is missing (as a single-account sweep sends no digest then).
 */
export function sweepDigest(
  account: string,
  sweep: SweepRecord,
  reports: readonly PairReport[],
): Notification | undefined {
  const counts: Record<string, number> = {};
  for (const r of reports)
    for (const [severity, n] of Object.entries(r.open)) counts[severity] = (counts[severity] ?? 0) + n;
  const open = total(counts);
  const missing = Math.max(0, sweep.total - reports.length);
  if (open === 0 && missing === 0) return undefined;
  const accounts = new Set(reports.filter((r) => total(r.open) > 0).map((r) => r.account));
  const all = new Set(reports.map((r) => r.account));
  const worst = SEVERITIES.find((s) => counts[s]) ?? (missing > 0 ? 'high' : 'info');
  const lines = reports
    .flatMap((r) => r.lines)
    .sort(bySeverity)
    .slice(0, DIGEST_LINES)
    .map((l) => l.text);
  const head = [
    `${open} open findings in ${accounts.size} of ${all.size} accounts (${SEVERITIES.filter((s) => counts[s])
      .map((s) => `${counts[s]} ${s}`)
      .join(', ')})`,
    ...(missing > 0
      ? [
          `${missing} of ${sweep.total} account-Regions did not report before the next sweep began: their messages are in the sweep's dead-letter queue or still being retried`,
        ]
      : []),
  ];
  if (open > lines.length)
    lines.push(`…and ${open - lines.length} more: run \`trailwarden check --org\` for the full list`);
  const regions = sweep.regions.join(',');
  return {
    transition: 'opened',
    finding: {
      id: `digest:${sweep.id}`,
      policyId: 'trailwarden-digest',
      resource: `trailwarden:sweep/${sweep.id}`,
      resourceName: `${open} open findings`,
      account,
      region: regions,
      status: 'FAIL',
      check: 'digest',
      severity: worst as LiveFinding['severity'],
      message: [...head, ...lines].join('\n'),
    },
    account,
    region: regions,
  };
}
