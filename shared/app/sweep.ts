import { loadRegions } from '../aws/loader.js';
import { readsFor } from '../aws/reads.js';
import type { RuleReport } from '../aws/watcher.js';
import { combineEvaluations, evaluateRegions, findingId } from '../engine/index.js';
import type { Notification } from '../notify/message.js';
import type { LiveFinding } from '../notify/transitions.js';
import type { Scope } from '../state/types.js';
import { deliver, deliverable, held, newEntry } from './delivery.js';
import type { FlowDeps } from './deps.js';
import { asRecorded } from './namedResources.js';
import { reconcile } from './reconcile.js';
import { maybeRemediate } from './requestRepair.js';

/** Where the digest and other account-wide notifications are kept. */
const accountScope = (deps: FlowDeps): Scope => ({ account: deps.account, resource: 'trailwarden:account' });

/** The rule feeding onTrailChange, as a finding: opened when it stops doing its job, resolved when it does again. */
export function watcherFinding(report: RuleReport, region: string): LiveFinding {
  const base = {
    id: findingId('trailwarden-watcher', report.ruleArn, 'eventRule'),
    policyId: 'trailwarden-watcher',
    resource: report.ruleArn,
    resourceName: report.ruleName,
    region,
    check: 'eventRule',
    severity: 'critical' as const,
  };
  if (report.error)
    return {
      ...base,
      status: 'ERROR',
      message: `could not check the rule ${report.ruleName}: ${report.error}`,
    };
  return report.problems.length
    ? {
        ...base,
        status: 'FAIL',
        message: `CloudTrail changes are no longer seen within seconds: ${report.problems.join('; ')}. Only the scheduled sweep still runs.`,
      }
    : {
        ...base,
        status: 'PASS',
        message: `the rule ${report.ruleName} is enabled and targets onTrailChange`,
      };
}

/** scheduledSweep: every configured Region, transitions as they happen, and one digest of what is still open. */
export async function scheduledSweep(
  regions: readonly string[],
  deps: FlowDeps,
  invocation: { id?: string } = {},
) {
  const observedAt = deps.now();
  const owner = `sweep:${invocation.id ?? observedAt.toISOString()}`;
  // Only the parts the loaded policies' checks look at (a trail's Insights, say, only for an Insights check).
  const snapshots = await loadRegions(deps.clients, regions, {
    account: deps.account,
    reads: readsFor(deps.policies),
  });
  // Each Region knowing the others: a named trail of another Region is not reported missing.
  const results = evaluateRegions(snapshots, deps.policies, observedAt);
  const all = combineEvaluations(results);
  const findings: LiveFinding[] = [...all.findings];
  if (deps.watcher) {
    const report = await deps.watcher();
    const finding = watcherFinding(report, regions[0] ?? '');
    if (finding.status === 'FAIL') deps.metrics.count('WatcherBroken');
    findings.push(finding);
  }
  const resources = new Set(
    snapshots.flatMap((s) => [
      ...s.trails.map((t) => t.trail.TrailARN),
      ...s.eventDataStores.map((e) => e.eventDataStore.EventDataStoreArn),
    ]),
  );
  const queue = await reconcile(deps, owner, {
    findings: asRecorded(deps, findings, snapshots),
    complete: [...resources],
    policies: new Set(deps.policies.map((p) => p.id)),
    observedAt,
    region: regions.join(','),
  });
  for (const [i, result] of results.entries())
    await maybeRemediate(deps, owner, result, snapshots[i]?.region ?? '', undefined, queue);

  const open = findings.filter((f) => f.status === 'FAIL' || f.status === 'ERROR');
  const scope = accountScope(deps);
  const state = await deps.store.load(scope);
  queue.push(...deliverable(scope, state.outbox, owner, deps.now()));
  if (open.length > 0) {
    const key = `digest#${owner}`;
    const written = await deps.store.enqueue(
      scope,
      key,
      newEntry(deps, owner, key, digest(deps, open, regions)),
    );
    if (written.ok && written.entry) queue.push(held(scope, written.entry));
  }
  await deliver(deps, owner, queue);
  return {
    findings: findings.length,
    open: open.length,
    notifications: new Set(queue.map((d) => d.entry.key)).size,
    plan: results.flatMap((r) => r.plan).length,
  };
}

const DIGEST_LINES = 40;

function digest(deps: FlowDeps, open: readonly LiveFinding[], regions: readonly string[]): Notification {
  const worst =
    open.find((f) => f.severity === 'critical') ??
    open.find((f) => f.severity === 'high') ??
    (open[0] as LiveFinding);
  const lines = open
    .slice(0, DIGEST_LINES)
    .map((f) => `${f.severity} ${f.policyId} ${f.resourceName} [${f.check}]`);
  if (open.length > DIGEST_LINES)
    lines.push(`…and ${open.length - DIGEST_LINES} more: run \`trailwarden check\` for the full list`);
  return {
    transition: 'opened',
    finding: {
      ...worst,
      id: `digest:${deps.account}`,
      policyId: 'trailwarden-digest',
      resourceName: `${open.length} open findings`,
      message: lines.join('\n'),
    },
    account: deps.account,
    region: regions.join(','),
  };
}
