import { loadAccounts } from '../aws/accounts.js';
import { readsFor } from '../aws/reads.js';
import { evaluate } from '../engine/index.js';
import { inAccount, placed } from './central.js';
import { type Delivery, deliver, deliverable, held, newEntry } from './delivery.js';
import { type FlowDeps, parseInput } from './deps.js';
import { asRecorded } from './namedResources.js';
import { reconcile } from './reconcile.js';
import { maybeRemediate } from './requestRepair.js';
import { accountInventory } from './sweepNames.js';
import { SWEEP_MESSAGE } from './sweepPlanner.js';
import { pairReport, sweepDigest, sweepScope } from './sweepReport.js';

export type SweepPairOutcome =
  | { readonly outcome: 'dropped'; readonly reason: string }
  | {
      readonly outcome: 'evaluated';
      readonly findings: number;
      readonly open: number;
      /** Whether this account-Region was counted now, or had been by an earlier attempt. */
      readonly counted: 'counted' | 'repeat' | 'unknown-sweep';
      /** Whether this worker sent the sweep's digest (it was the last to report). */
      readonly digest: boolean;
    };

/**
 * sweepWorker's flow for one SQS message: one account-Region of a sweep, with the guarantees of the
 * single-account sweep. The account is entered through its member role (a role that cannot be
 * assumed gives ERROR findings for the account, and the sweep goes on); transitions are recorded
 * and notified exactly once, repairs requested as policies say. Only then is the account-Region
 * counted down, in one transaction with its report, so a retried message (a channel was down, the
 * function timed out) records nothing twice and is counted once. The worker whose report finishes
 * the sweep takes the digest, in the same conditional write as its notification: one digest per
 * sweep, never one per worker. Any failure throws, so that the message alone is retried (a partial
 * batch failure) and, after the queue's retries, kept in its dead-letter queue.
 */
export async function sweepPair(raw: unknown, deps: FlowDeps): Promise<SweepPairOutcome> {
  const parsed = parseInput(raw, SWEEP_MESSAGE, deps);
  if ('reason' in parsed) return { outcome: 'dropped', reason: parsed.reason };
  const message = parsed.data;
  const { account, region } = message;
  if (account !== deps.account && !deps.members?.admits(account)) {
    deps.metrics.count('ForeignAccountRequests');
    return {
      outcome: 'dropped',
      reason: `account ${account} is not among the accounts this stack watches`,
    };
  }
  const here = inAccount(deps, account);
  const owner = `sweep:${message.sweepId}:${account}:${region}`;
  const observedAt = deps.now();
  const access = deps.members?.access(account) ?? { account, clients: deps.clients };
  const [read] = await loadAccounts(
    [{ ...access, ...(message.organization ? { organization: message.organization } : {}) }],
    [region],
    {
      concurrency: 5,
      // Only the parts the loaded policies' checks look at, as in the single-account sweep.
      reads: readsFor(deps.policies),
      ...(message.organizationError ? { organizationError: message.organizationError } : {}),
    },
  );
  const snapshot = await placed(
    here,
    read ?? { version: 1, account, region, trails: [], eventDataStores: [] },
  );
  // A multi-Region trail shows in every Region (as a shadow) with the same findings: the worker of
  // its home Region records them, so each finding has one writer per sweep (the others would only
  // contend for the same items). A trail homed outside the sweep's Regions is recorded by the
  // worker of the sweep's first Region, which also decides the names policies select (see
  // accountInventory); the other workers do not report a named resource missing.
  const sweepRegions = message.regions ?? [region];
  const decidesNames = region === sweepRegions[0];
  const byName = deps.policies.some((p) => (p.select?.names?.length ?? 0) > 0);
  const evaluated = evaluate(
    snapshot,
    deps.policies,
    observedAt,
    !decidesNames
      ? { partial: true }
      : byName && sweepRegions.length > 1
        ? { inventory: await accountInventory(access.clients, snapshot, sweepRegions) }
        : {},
  );
  const home = new Map(snapshot.trails.map((t) => [t.trail.TrailARN, t.trail.HomeRegion ?? region]));
  const recordsHere = (arn: string) => {
    const at = home.get(arn);
    return at === undefined || at === region || (!sweepRegions.includes(at) && region === sweepRegions[0]);
  };
  const result = { ...evaluated, findings: evaluated.findings.filter((f) => recordsHere(f.resource)) };
  // Resources whose findings this worker holds in full, for the left-scope check.
  const complete = [
    ...snapshot.trails.filter((t) => recordsHere(t.trail.TrailARN)).map((t) => t.trail.TrailARN),
    ...snapshot.eventDataStores.map((e) => e.eventDataStore.EventDataStoreArn),
  ];
  const queue: Delivery[] = await reconcile(here, owner, {
    findings: asRecorded(here, result.findings, [snapshot], recordsHere),
    complete,
    policies: new Set(deps.policies.map((p) => p.id)),
    observedAt,
    region,
  });
  await maybeRemediate(here, owner, result, region, undefined, queue);
  // The account-Region's own notifications first: it counts as done only once they are out.
  await deliver(here, owner, queue);

  const scope = sweepScope(deps.account, message.sweepId);
  const counted = await deps.store.reportPair(scope, pairReport(account, region, result.findings));
  if (counted === 'unknown-sweep') {
    deps.log.warn('a sweep message for a sweep that is not open', { sweepId: message.sweepId });
    deps.metrics.count('UnknownSweeps');
  }
  const digest = counted === 'unknown-sweep' ? false : await lastReport(deps, scope, owner);
  const open = result.findings.filter((f) => f.status === 'FAIL' || f.status === 'ERROR').length;
  return { outcome: 'evaluated', findings: result.findings.length, open, counted, digest };
}

/**
 * When every account-Region has reported, the digest: taken by one worker (a conditional write on
 * the sweep's counter, with the notification), and delivered by it; a retry of that worker
 * delivers what is still pending.
 */
async function lastReport(deps: FlowDeps, scope: ReturnType<typeof sweepScope>, owner: string) {
  const { sweep } = await deps.store.loadSweep(scope, false);
  if (!sweep || sweep.remaining > 0) return false;
  const queue: Delivery[] = [];
  if (sweep.digestBy === undefined) {
    const { reports } = await deps.store.loadSweep(scope);
    const notification = sweepDigest(deps.account, sweep, reports);
    const written = await deps.store.closeSweep(
      scope,
      owner,
      notification ? newEntry(deps, owner, `digest:${sweep.id}`, notification) : undefined,
    );
    if (!written.ok) return false;
    deps.metrics.count('SweepsFinished');
    deps.log.info('the sweep finished', { sweepId: sweep.id, accountRegions: sweep.total });
    if (written.entry) queue.push(held(scope, written.entry));
  } else if (sweep.digestBy === owner) {
    // This worker took the digest on an earlier attempt: deliver what is still pending.
    queue.push(...deliverable(scope, (await deps.store.load(scope)).outbox, owner, deps.now()));
  }
  if (queue.length === 0) return false;
  await deliver(deps, owner, queue);
  return true;
}
