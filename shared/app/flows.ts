import { createHash, randomUUID } from 'node:crypto';
import { ListTagsCommand } from '@aws-sdk/client-cloudtrail';
import { z } from 'zod';
import { applyAndVerify, type StepGuard } from '../aws/apply.js';
import {
  type ClientProvider,
  loadRegion,
  loadRegions,
  reloadEventDataStore,
  reloadTrail,
} from '../aws/loader.js';
import type { RuleReport } from '../aws/watcher.js';
import {
  combineEvaluations,
  type Evaluation,
  evaluate,
  findingId,
  type PlanStep,
  type Snapshot,
} from '../engine/index.js';
import { type ConfigurationPart, changedParts, PART_WRITTEN_BY } from '../engine/parts.js';
import type { EventDataStoreEntry, TrailEntry } from '../engine/snapshot.js';
import {
  accountsOf,
  type ChangedResource,
  type CloudTrailApiCallEvent,
  changedResource,
  MalformedEventError,
  madeBy,
  parseTrailChangeEvent,
} from '../events/cloudtrailEvent.js';
import type { Notification } from '../notify/message.js';
import type { Channel } from '../notify/notifier.js';
import type { LiveFinding } from '../notify/transitions.js';
import type { Policy } from '../policy/loader.js';
import { type BreakerSettings, breakerTripped, recordRepair } from '../state/breaker.js';
import type {
  NewOutboxEntry,
  RecentWrite,
  RemediationRecord,
  Scope,
  StateStore,
  StoredFinding,
} from '../state/types.js';
import { type Delivery, deliver, deliverable, held, newEntry } from './delivery.js';
import { isOpen, type Observation, reconcile } from './reconcile.js';

/** A request to the remediating function: one resource, planned from a fresh read. */
export const RemediationRequest = z.object({
  /** Unique per request and the same on every retry of it: remediate runs a request once. */
  id: z.string().min(1).optional(),
  account: z.string().regex(/^\d{12}$/),
  region: z.string().min(1),
  resource: z.string().startsWith('arn:'),
  steps: z.array(z.looseObject({ operation: z.string() })).default([]),
  requestedAt: z.string(),
  actor: z.string().optional(),
});
export type RemediationRequest = Omit<z.input<typeof RemediationRequest>, 'steps'> & {
  readonly steps: readonly PlanStep[];
};

export interface Metrics {
  count(name: string, value?: number): void;
  milliseconds(name: string, value: number): void;
}

export interface Log {
  info(message: string, extra?: Record<string, unknown>): void;
  warn(message: string, extra?: Record<string, unknown>): void;
  error(message: string, extra?: Record<string, unknown>): void;
}

/** Everything a flow needs, injected: handlers build it once per cold start. */
export interface FlowDeps {
  readonly policies: readonly Policy[];
  readonly clients: ClientProvider;
  readonly account: string;
  /** The account's partition (aws, aws-us-gov, aws-cn…), from the function's own ARN. */
  readonly partition: string;
  readonly store: StateStore;
  readonly channels: readonly Channel[];
  readonly remediationEnabled: boolean;
  readonly remediationRoleArn?: string;
  readonly requestRemediation: (request: RemediationRequest) => Promise<void>;
  readonly breaker: BreakerSettings;
  /** The sweep's check of the rule feeding onTrailChange (absent: not checked). */
  readonly watcher?: () => Promise<RuleReport>;
  readonly now: () => Date;
  readonly log: Log;
  readonly metrics: Metrics;
}

export type TrailChangeOutcome =
  | { readonly outcome: 'dropped'; readonly reason: string }
  | { readonly outcome: 'skipped'; readonly reason: string }
  | {
      readonly outcome: 'evaluated';
      readonly findings: number;
      readonly notifications: number;
      readonly remediation: RemediationDecision;
    };

export type RemediationDecision = 'requested' | 'none' | 'breaker' | 'disabled' | 'pending';

/** A request still unfinished after this long is presumed lost: a new one may be made. */
export const PENDING_STALE_MS = 15 * 60_000;
/** How long a remediate run holds its resource: past the function's timeout, short of Lambda's third attempt. */
export const RUN_LEASE_MS = 90_000;

/** Calls that replace a whole part of the configuration: AWS takes them unconditionally. */
const REPLACING = new Set<string>([
  'PutEventSelectors',
  'PutInsightSelectors',
  'PutEventConfiguration',
  'UpdateEventDataStore',
]);
/** How long a write is remembered for the overwrite check (CloudTrail events arrive within minutes). */
const WRITE_MEMORY_MS = 60 * 60_000;
const recentWrites = (writes: readonly RecentWrite[], now: Date) =>
  writes.filter((w) => w.to >= now.getTime() - WRITE_MEMORY_MS).slice(-20);

const hash = (...parts: string[]) =>
  createHash('sha256').update(parts.join('\u0000')).digest('hex').slice(0, 24);

type Kind = 'trail' | 'eventDataStore';
const kindOf = (arn: string): Kind => (arn.includes(':eventdatastore/') ? 'eventDataStore' : 'trail');

const toArn = (kind: Kind, id: string, region: string, account: string, partition: string) =>
  id.startsWith('arn:')
    ? id
    : `arn:${partition}:cloudtrail:${region}:${account}:${kind === 'trail' ? 'trail' : 'eventdatastore'}/${id}`;

/** One resource, read fresh, as a one-resource snapshot. */
async function readOne(deps: FlowDeps, kind: Kind, arn: string, region: string): Promise<Snapshot> {
  const base: Snapshot = { version: 1, account: deps.account, region, trails: [], eventDataStores: [] };
  if (kind === 'eventDataStore') {
    const entry = await reloadEventDataStore(deps.clients, arn, region);
    return { ...base, eventDataStores: entry ? [entry] : [] };
  }
  const entry = await reloadTrail(deps.clients, arn, region);
  if (!entry) return base;
  const tags = await deps.clients.cloudTrail(region).send(new ListTagsCommand({ ResourceIdList: [arn] }));
  const list = tags.ResourceTagList?.find((t) => t.ResourceId === arn)?.TagsList ?? [];
  return {
    ...base,
    trails: [
      {
        ...entry,
        tags: list.map((t) => ({ Key: t.Key ?? '', ...(t.Value !== undefined ? { Value: t.Value } : {}) })),
      },
    ],
  };
}

const entryOf = (snapshot: Snapshot, arn: string): TrailEntry | EventDataStoreEntry | undefined =>
  snapshot.trails.find((t) => t.trail.TrailARN === arn) ??
  snapshot.eventDataStores.find((e) => e.eventDataStore.EventDataStoreArn === arn);

/**
 * What a change to one resource can change: its own findings, and the findings of every `any` and
 * `union` policy of its kind in the Region (they judge the resources together). Those need the
 * whole Region, read once (the loader bounds how many reads run at once); without such policies
 * the resource alone is read.
 */
async function observe(deps: FlowDeps, kind: Kind, arn: string, region: string) {
  const policies = deps.policies.filter((p) => p.resource === kind);
  const regionWide = policies.some((p) => p.quantifier !== 'every');
  const observedAt = deps.now();
  const snapshot = regionWide
    ? await loadRegion(deps.clients, deps.account, region)
    : await readOne(deps, kind, arn, region);
  // Without the Region's listing nothing can be decided: fail, so that Lambda retries the invocation.
  const listing = snapshot.errors?.find(
    (e) => e.part === (kind === 'trail' ? 'DescribeTrails' : 'ListEventDataStores'),
  );
  if (listing) throw new Error(`could not read ${region}: ${listing.part}: ${listing.message}`);
  const exists = entryOf(snapshot, arn) !== undefined;
  const result = evaluate(snapshot, policies, observedAt);
  const quantifier = new Map(policies.map((p) => [p.id, p.quantifier]));
  const findings = result.findings.filter((f) =>
    f.resource === arn ? exists : quantifier.get(f.policyId) !== 'every',
  );
  const ids = new Set(findings.map((f) => f.id));
  const plan = result.plan.filter((s) => s.findings.some((id) => ids.has(id)));
  return {
    snapshot,
    exists,
    observedAt,
    policies,
    evaluation: { ...result, findings, plan } as Evaluation,
  };
}

/** The finding a notification about a resource is about: its first failing one, or a stand-in. */
function subjectOf(result: Evaluation, resource: string): LiveFinding | undefined {
  const planned = new Set(result.plan.filter((s) => s.resource === resource).flatMap((s) => s.findings));
  return (
    result.findings.find((f) => planned.has(f.id) && f.status === 'FAIL') ??
    result.findings.find((f) => f.resource === resource && f.status === 'FAIL')
  );
}

function tamperNotification(
  deps: FlowDeps,
  finding: LiveFinding,
  record: RemediationRecord,
  region: string,
  actor: string | undefined,
): Notification {
  return {
    transition: 'possible-tampering',
    finding: {
      ...finding,
      severity: 'critical',
      message: `remediated ${record.times.length} times within ${deps.breaker.windowMinutes} minutes and changed back each time; automatic repair is halted. ${finding.message}`,
    },
    account: deps.account,
    region,
    actors: [...new Set([...record.actors, ...(actor ? [actor] : [])])].filter((a) => a !== 'unknown'),
  };
}

/**
 * Asks for each resource's repair unless repairs are off, a request for it is already in flight
 * (one per resource: concurrent events do not ask twice), or the resource keeps being changed back
 * (circuit breaker, said once per window). The request id is derived from the invocation, so a
 * retry asks again with the same id and remediate runs it once.
 */
async function maybeRemediate(
  deps: FlowDeps,
  owner: string,
  result: Evaluation,
  region: string,
  actor: string | undefined,
  queue: Delivery[],
): Promise<RemediationDecision> {
  if (result.plan.length === 0) return 'none';
  if (!deps.remediationEnabled) return 'disabled';
  let outcome: RemediationDecision = 'none';
  for (const resource of new Set(result.plan.map((s) => s.resource))) {
    const scope: Scope = { account: deps.account, resource };
    const id = hash(owner, resource);
    const now = deps.now();
    let decision = 'request' as 'request' | 'pending' | 'breaker';
    const written = await deps.store.updateRemediation(scope, (current) => {
      const { version: _, ...record } = current;
      if (breakerTripped(current.times, now, deps.breaker)) {
        decision = 'breaker';
        const since = now.getTime() - deps.breaker.windowMinutes * 60_000;
        const finding = subjectOf(result, resource);
        if ((current.trippedAt ?? 0) >= since || !finding) return undefined;
        const outbox = newEntry(
          deps,
          owner,
          `tamper:${resource}:${now.toISOString()}`,
          tamperNotification(deps, finding, current, region, actor),
        );
        return { record: { ...record, trippedAt: now.getTime() }, outbox };
      }
      if (
        current.pendingId &&
        current.pendingId !== id &&
        (current.pendingAt ?? 0) > now.getTime() - PENDING_STALE_MS
      ) {
        decision = 'pending';
        return undefined;
      }
      decision = 'request';
      return { record: { ...record, pendingId: id, pendingAt: now.getTime() } };
    });
    if (decision === 'breaker') {
      deps.metrics.count('RemediationsHalted');
      if (written?.entry) queue.push(held(scope, written.entry));
      outcome = 'breaker';
      continue;
    }
    if (decision === 'pending') {
      deps.metrics.count('RemediationsAlreadyPending');
      if (outcome === 'none') outcome = 'pending';
      continue;
    }
    await deps.requestRemediation({
      id,
      account: deps.account,
      region,
      resource,
      steps: result.plan.filter((s) => s.resource === resource),
      requestedAt: now.toISOString(),
      ...(actor ? { actor } : {}),
    });
    if (outcome !== 'breaker') outcome = 'requested';
  }
  return outcome;
}

/** The invocation's identity, the same on each retry: EventBridge's event id, else the CloudTrail event id. */
const ownerOf = (event: CloudTrailApiCallEvent, raw: unknown) =>
  `event:${event.id ?? event.detail.eventID ?? hash(JSON.stringify(raw))}`;

/**
 * onTrailChange: one CloudTrail configuration change. Malformed events are dropped (with a metric,
 * never retried forever), failed calls and Trailwarden's own changes are skipped, events of another
 * account are dropped (never judged against this account's resource of the same name). The change
 * is read and evaluated against every policy it can affect, the transitions recorded and notified
 * exactly once, and a repair requested where policies say so.
 */
export async function onTrailChange(raw: unknown, deps: FlowDeps): Promise<TrailChangeOutcome> {
  let event: CloudTrailApiCallEvent;
  let change: ReturnType<typeof changedResource>;
  try {
    event = parseTrailChangeEvent(raw);
    change = changedResource(event);
  } catch (error) {
    if (!(error instanceof MalformedEventError)) throw error;
    deps.log.warn('dropping a malformed event', { reason: error.message });
    deps.metrics.count('MalformedEvents');
    return { outcome: 'dropped', reason: error.message };
  }
  if ('unwatched' in change) return { outcome: 'skipped', reason: change.unwatched };
  if (event.detail.errorCode)
    return { outcome: 'skipped', reason: `the call failed (${event.detail.errorCode})` };
  if (madeBy(event, deps.remediationRoleArn))
    return { outcome: 'skipped', reason: "Trailwarden's own change (loop guard)" };
  const foreign = accountsOf(event, change).filter((a) => a !== deps.account);
  if (foreign.length > 0) {
    // Until findings are kept per account (organizations), another account's change is not ours to judge.
    deps.log.warn("dropping another account's event", {
      accounts: foreign,
      eventName: change.eventName,
      resource: change.id,
    });
    deps.metrics.count('ForeignAccountEvents');
    return {
      outcome: 'dropped',
      reason: `the event is from account ${foreign.join(', ')}, not ${deps.account}`,
    };
  }

  const owner = ownerOf(event, raw);
  const arn = toArn(change.kind, change.id, change.region, deps.account, deps.partition);
  const actors = change.actor ? [change.actor] : [];
  const queue: Delivery[] = [];
  if (REPLACING.has(change.eventName)) queue.push(...(await overwritten(deps, owner, event, change, arn)));
  if (change.deleted)
    queue.push(...(await retireDeleted(deps, owner, arn, change.kind, change.region, actors)));

  const regionWide = deps.policies.some((p) => p.resource === change.kind && p.quantifier !== 'every');
  if (change.deleted && !regionWide) {
    await deliver(deps, owner, queue);
    return { outcome: 'evaluated', findings: 0, notifications: queue.length, remediation: 'none' };
  }
  const seen = await observe(deps, change.kind, arn, change.region);
  if (!seen.exists && !change.deleted && seen.evaluation.findings.length === 0) {
    await deliver(deps, owner, queue);
    return { outcome: 'skipped', reason: `${arn} no longer exists` };
  }
  queue.push(
    ...(await reconcile(deps, owner, {
      findings: seen.evaluation.findings,
      complete: seen.exists ? [arn] : [],
      policies: new Set(seen.policies.map((p) => p.id)),
      observedAt: seen.observedAt,
      region: change.region,
      actors,
    })),
  );
  const remediation = await maybeRemediate(deps, owner, seen.evaluation, change.region, change.actor, queue);
  await deliver(deps, owner, queue);
  deps.log.info('evaluated a change', {
    resource: arn,
    eventName: change.eventName,
    findings: seen.evaluation.findings.length,
    remediation,
  });
  return {
    outcome: 'evaluated',
    findings: seen.evaluation.findings.length,
    notifications: new Set(queue.map((d) => d.entry.key)).size,
    remediation,
  };
}

/**
 * The one window re-reading cannot close: AWS has no conditional PutEventSelectors, so a person's
 * call landing between remediate's last re-read and its write is overwritten. That call has its
 * own CloudTrail event: when its time falls inside a recorded write of the same part, say so,
 * naming who made it, so the change can be restored (CloudTrail keeps its request parameters).
 */
async function overwritten(
  deps: FlowDeps,
  owner: string,
  event: CloudTrailApiCallEvent,
  change: ChangedResource,
  arn: string,
): Promise<Delivery[]> {
  const at = Date.parse(event.detail.eventTime ?? '');
  if (Number.isNaN(at)) return [];
  const scope: Scope = { account: deps.account, resource: arn };
  const { remediation } = await deps.store.load(scope);
  const part = PART_WRITTEN_BY[change.eventName as PlanStep['operation']];
  // eventTime has whole seconds: the call happened within the second after it.
  const write = remediation.writes?.find((w) => w.part === part && at >= w.from - 1000 && at <= w.to);
  if (!write) return [];
  deps.metrics.count('PossiblyOverwritten');
  const name = arn.split('/').pop() ?? arn;
  const key = `overwritten#${owner}`;
  const written = await deps.store.enqueue(
    scope,
    key,
    newEntry(deps, owner, key, {
      transition: 'changed-during-remediation',
      finding: {
        id: findingId('trailwarden', arn, `overwritten:${part}`),
        policyId: 'trailwarden',
        resource: arn,
        resourceName: name,
        region: change.region,
        status: 'FAIL',
        check: part,
        severity: 'high',
        message: `${change.actor ?? 'someone'} called ${change.eventName} on ${name} at ${event.detail.eventTime} while Trailwarden was repairing it (re-read at ${new Date(write.from).toISOString()}, wrote by ${new Date(write.to).toISOString()}). AWS applies ${change.eventName} unconditionally, so that change may have been overwritten: compare its request parameters (CloudTrail event ${event.detail.eventID ?? 'id unknown'}) with the ${part} of ${name} now.`,
      },
      account: deps.account,
      region: change.region,
      ...(change.actor ? { actors: [change.actor] } : {}),
    }),
  );
  return written.ok && written.entry ? [held(scope, written.entry)] : [];
}

/**
 * A deleted resource that policies evaluated: a critical notification naming who did it, recorded
 * with the removal of its findings (exactly once, however often the event is delivered).
 */
async function retireDeleted(
  deps: FlowDeps,
  owner: string,
  arn: string,
  kind: Kind,
  region: string,
  actors: readonly string[],
): Promise<Delivery[]> {
  const scope: Scope = { account: deps.account, resource: arn };
  const state = await deps.store.load(scope);
  const out = deliverable(scope, state.outbox, owner, deps.now());
  const watched = [...state.findings.values()].filter(isOpen);
  if (watched.length === 0) return out;
  const worst = watched.find((f) => f.severity === 'critical') ?? (watched[0] as StoredFinding);
  const observedAt = deps.now().toISOString();
  const close = (f: StoredFinding, entry?: NewOutboxEntry) =>
    deps.store.saveFinding(
      scope,
      { ...f, status: 'DELETED', version: f.version + 1, observedAt },
      f.version,
      entry,
    );
  const [first, ...rest] = watched as [StoredFinding, ...StoredFinding[]];
  const written = await close(
    first,
    newEntry(deps, owner, `${first.id}:${first.version + 1}`, {
      transition: 'trail-deleted',
      finding: {
        id: `deleted:${arn}`,
        policyId: worst.policyId,
        resource: arn,
        resourceName: arn.split('/').pop() ?? arn,
        region,
        status: 'FAIL',
        check: 'exists',
        severity: 'critical',
        message: `${kind === 'trail' ? 'trail' : 'event data store'} ${arn} was deleted; policies required it (${[...new Set(watched.map((f) => f.policyId))].join(', ')})`,
      },
      account: deps.account,
      region,
      ...(actors.length ? { actors } : {}),
    }),
  );
  if (!written.ok) return out;
  if (written.entry) out.push(held(scope, written.entry));
  deps.metrics.count('ResourcesDeleted');
  for (const f of rest) await close(f);
  return out;
}

/** Where the digest and other account-wide notifications are kept. */
const accountScope = (deps: FlowDeps): Scope => ({ account: deps.account, resource: 'trailwarden:account' });

/** The rule feeding onTrailChange, as a finding: opened when it stops doing its job, resolved when it does again. */
function watcherFinding(report: RuleReport, region: string): LiveFinding {
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
  const snapshots = await loadRegions(deps.clients, regions, { account: deps.account });
  const results = snapshots.map((s) => evaluate(s, deps.policies, observedAt));
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
    findings,
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

export type RemediateOutcome =
  | { readonly outcome: 'dropped' | 'skipped' | 'halted'; readonly reason: string }
  | {
      readonly outcome: 'applied' | 'aborted';
      readonly remediated: number;
      readonly failed: number;
      readonly steps: string;
      readonly reason?: string;
    };

/** Another run is repairing the resource: this one fails, and Lambda retries it later. */
export class RemediationBusyError extends Error {
  constructor(resource: string) {
    super(`another remediation of ${resource} is running; retry later`);
    this.name = 'RemediationBusyError';
  }
}

/**
 * The remediating function: the only one that writes. It honours the remediation switch and the
 * circuit breaker itself (a dead-letter redrive or any other invoker gets no writes otherwise),
 * runs each request once, one run per resource at a time, re-plans from a fresh read (never a
 * stale plan), re-reads before every write and stops when the resource changed since it planned
 * (a person's change is never overwritten: "changed during remediation"), then reads back,
 * verifies and reports.
 */
export async function remediate(raw: unknown, deps: FlowDeps): Promise<RemediateOutcome> {
  const parsed = RemediationRequest.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const reason = `request ${(issue?.path ?? []).join('.') || '(root)'}: ${issue?.message ?? 'invalid'}`;
    deps.log.warn('dropping a malformed remediation request', { reason });
    deps.metrics.count('MalformedRequests');
    return { outcome: 'dropped', reason };
  }
  const request = parsed.data;
  if (request.account !== deps.account) {
    deps.metrics.count('ForeignAccountRequests');
    return {
      outcome: 'dropped',
      reason: `the request is for account ${request.account}, not ${deps.account}`,
    };
  }
  const requestId = request.id ?? hash(request.resource, request.requestedAt);
  const scope: Scope = { account: deps.account, resource: request.resource };
  const owner = `remediate:${requestId}`;
  const release = (
    extra: (r: Omit<RemediationRecord, 'version'>) => Omit<RemediationRecord, 'version'> = (r) => r,
  ) =>
    deps.store.updateRemediation(scope, ({ version: _, ...r }) => {
      const next = extra(r);
      const { pendingId, pendingAt, runningId, runningUntil, ...rest } = next;
      return {
        record: {
          ...rest,
          ...(pendingId && pendingId !== requestId ? { pendingId, pendingAt } : {}),
          ...(runningId && !runningId.startsWith(`${requestId}/`) ? { runningId, runningUntil } : {}),
        },
      };
    });

  if (!deps.remediationEnabled) {
    deps.log.warn('remediation is switched off: nothing written', { resource: request.resource });
    deps.metrics.count('RemediationsDisabled');
    await release();
    return { outcome: 'skipped', reason: 'remediation is switched off (REMEDIATION=false)' };
  }
  const started = deps.now();
  const progress = await deps.store.beginRequest(scope, requestId, started.getTime());
  if (progress === 'completed') {
    // A repeat of a finished request (a redrive, a second delivery): deliver what is left, write nothing.
    deps.metrics.count('RepeatedRequests');
    const state = await deps.store.load(scope);
    await deliver(deps, owner, deliverable(scope, state.outbox, owner, deps.now()));
    return { outcome: 'skipped', reason: `request ${requestId} was already carried out` };
  }

  // Take the resource: not past the breaker, and one run at a time.
  const runId = `${requestId}/${randomUUID()}`;
  let verdict = 'run' as 'run' | 'busy' | 'breaker';
  const state = await deps.store.load(scope);
  const queue: Delivery[] = deliverable(scope, state.outbox, owner, deps.now());
  const taken = await deps.store.updateRemediation(scope, (current) => {
    const { version: _, ...record } = current;
    const now = deps.now().getTime();
    if (breakerTripped(current.times, deps.now(), deps.breaker)) {
      verdict = 'breaker';
      const since = now - deps.breaker.windowMinutes * 60_000;
      if ((current.trippedAt ?? 0) >= since) return undefined;
      const outbox = newEntry(
        deps,
        owner,
        `tamper:${request.resource}:${new Date(now).toISOString()}`,
        tamperNotification(deps, haltedFinding(request), current, request.region, request.actor),
      );
      return { record: { ...record, trippedAt: now }, outbox };
    }
    if (
      current.runningId &&
      (current.runningUntil ?? 0) > now &&
      !current.runningId.startsWith(`${requestId}/`)
    ) {
      verdict = 'busy';
      return undefined;
    }
    if (current.runningId?.startsWith(`${requestId}/`) && (current.runningUntil ?? 0) > now) {
      // The same request running now (a duplicate delivery): one of the two is enough.
      verdict = 'busy';
      return undefined;
    }
    verdict = 'run';
    return { record: { ...record, runningId: runId, runningUntil: now + RUN_LEASE_MS } };
  });
  if (verdict === 'busy') {
    deps.metrics.count('RemediationsBusy');
    throw new RemediationBusyError(request.resource);
  }
  if (verdict === 'breaker') {
    deps.metrics.count('RemediationsHalted');
    if (taken?.entry) queue.push(held(scope, taken.entry));
    await release();
    await deliver(deps, owner, queue);
    await deps.store.completeRequest(scope, requestId, deps.now().getTime());
    return {
      outcome: 'halted',
      reason: 'the circuit breaker has tripped for this resource: nothing written',
    };
  }

  let wrote = false;
  const writes: RecentWrite[] = [];
  let result: RemediateOutcome;
  try {
    result = await repair(deps, request, requestId, owner, queue, (recent) => {
      wrote = true;
      writes.push(...recent);
    });
  } finally {
    await release((r) =>
      wrote
        ? {
            ...r,
            ...recordRepair(r, deps.now(), request.actor, deps.breaker),
            writes: recentWrites([...(r.writes ?? []), ...writes], deps.now()),
          }
        : r,
    );
  }
  await deliver(deps, owner, queue);
  await deps.store.completeRequest(scope, requestId, deps.now().getTime());
  return result;
}

function haltedFinding(request: { resource: string; region: string }): LiveFinding {
  return {
    id: findingId('trailwarden', request.resource, 'breaker'),
    policyId: 'trailwarden',
    resource: request.resource,
    resourceName: request.resource.split('/').pop() ?? request.resource,
    region: request.region,
    status: 'FAIL',
    check: 'breaker',
    severity: 'critical',
    message: 'a remediation request arrived while the circuit breaker holds.',
  };
}

/** The repair itself: plan from a fresh read, write with a re-read before each step, verify, record. */
async function repair(
  deps: FlowDeps,
  request: z.output<typeof RemediationRequest>,
  requestId: string,
  owner: string,
  queue: Delivery[],
  onWrite: (writes: RecentWrite[]) => void,
): Promise<RemediateOutcome> {
  const arn = request.resource;
  const kind = kindOf(arn);
  const seen = await observe(deps, kind, arn, request.region);
  const planned = entryOf(seen.snapshot, arn);
  const policyIds = new Set(seen.policies.map((p) => p.id));
  const record = (observation: Omit<Observation, 'policies' | 'region'>) =>
    reconcile(deps, owner, { ...observation, policies: policyIds, region: request.region });
  if (!planned) return { outcome: 'skipped', reason: `${arn} no longer exists` };
  const before = seen.evaluation;
  const plan = before.plan.filter((s) => s.resource === arn);
  if (plan.length === 0) {
    queue.push(
      ...(await record({ findings: before.findings, complete: [arn], observedAt: seen.observedAt })),
    );
    return { outcome: 'skipped', reason: 'already compliant' };
  }

  const rereadAt = new Map<PlanStep, number>();
  const guard: StepGuard = async (step, done) => {
    rereadAt.set(step, deps.now().getTime());
    const fresh =
      kind === 'trail'
        ? await reloadTrail(deps.clients, arn, step.region)
        : await reloadEventDataStore(deps.clients, arn, step.region);
    if (!fresh) return `${arn} no longer exists`;
    const ours = new Set<ConfigurationPart>(
      done.filter((d) => d.status === 'ok').map((d) => PART_WRITTEN_BY[d.step.operation]),
    );
    const changed = changedParts(planned, fresh as TrailEntry | EventDataStoreEntry, ours);
    if (changed.length === 0) {
      onWrite([]);
      return undefined;
    }
    return `${arn.split('/').pop()} changed while it was being repaired (${changed.join(', ')} differ from what the repair was planned from)`;
  };
  // Only the findings this resource's steps repair are judged as repairs; the others are taken as
  // the read-back shows them (another resource's repair is another request's business).
  const repairs = new Set(plan.flatMap((s) => s.findings));
  const judged = {
    ...before,
    plan,
    findings: before.findings.map((f) =>
      f.remediation?.planned && !repairs.has(f.id) ? { ...f, remediation: { planned: false } } : f,
    ),
  };
  const applied = await applyAndVerify(deps.clients, seen.snapshot, seen.policies, judged, guard);
  const afterById = new Map(applied.after.findings.map((f) => [f.id, f]));
  const outcome = {
    ...applied,
    findings: applied.findings.map((f) => (repairs.has(f.id) ? f : (afterById.get(f.id) ?? f))),
  };
  const observedAt = deps.now();
  // Replacing writes, and when: a person's call of the same kind in that window is reported by its event.
  onWrite(
    applied.steps
      .filter((s) => s.status === 'ok' && REPLACING.has(s.step.operation))
      .map((s) => ({
        part: PART_WRITTEN_BY[s.step.operation],
        from: rereadAt.get(s.step) ?? observedAt.getTime(),
        to: observedAt.getTime(),
      })),
  );
  deps.metrics.milliseconds('RemediationLatency', observedAt.getTime() - Date.parse(request.requestedAt));
  const steps = outcome.steps
    .map((s) => `${s.step.operation} ${s.reason !== undefined ? 'not sent' : s.status}`)
    .join(', ');
  const remediated = outcome.findings.filter((f) => f.status === 'REMEDIATED');
  const failed = outcome.findings.filter((f) => f.status === 'ERROR' && f.remediation?.planned);
  deps.metrics.count('Remediated', remediated.length);

  if (outcome.aborted) {
    // Nothing more was written. The change that stopped us comes with its own CloudTrail event,
    // whose evaluation starts a fresh, safe repair if one is still needed.
    deps.metrics.count('RemediationsAborted');
    const subject = subjectOf(before, arn) ?? (before.findings[0] as LiveFinding);
    const key = `changed#${requestId}`;
    const entry = newEntry(deps, owner, key, {
      transition: 'changed-during-remediation',
      finding: {
        ...subject,
        message: `${outcome.aborted.reason}; ${outcome.aborted.step.operation} and what follows were not sent, so that change is kept. Sent: ${
          outcome.steps
            .filter((s) => s.status === 'ok')
            .map((s) => s.step.operation)
            .join(', ') || 'nothing'
        }. The change is evaluated again from its own CloudTrail event.`,
      },
      account: deps.account,
      region: request.region,
      remediation: steps,
      ...(request.actor ? { actors: [request.actor] } : {}),
    });
    const scope: Scope = { account: deps.account, resource: arn };
    const written = await deps.store.enqueue(scope, key, entry);
    if (written.ok && written.entry) queue.push(held(scope, written.entry));
    queue.push(
      ...(await record({
        findings: remediated as LiveFinding[],
        complete: [],
        observedAt,
        remediation: steps,
      })),
    );
    return {
      outcome: 'aborted',
      remediated: remediated.length,
      failed: 0,
      steps,
      reason: outcome.aborted.reason,
    };
  }
  deps.metrics.count('RemediationsFailed', failed.length);
  queue.push(
    ...(await record({
      findings: outcome.findings as LiveFinding[],
      complete: [arn],
      observedAt,
      remediation: steps,
    })),
  );
  return { outcome: 'applied', remediated: remediated.length, failed: failed.length, steps };
}
