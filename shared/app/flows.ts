import { ListTagsCommand } from '@aws-sdk/client-cloudtrail';
import { applyAndVerify } from '../aws/apply.js';
import { type ClientProvider, loadRegions, reloadEventDataStore, reloadTrail } from '../aws/loader.js';
import {
  combineEvaluations,
  type Evaluation,
  evaluate,
  evaluateRegions,
  type PlanStep,
  type Snapshot,
} from '../engine/index.js';
import {
  type CloudTrailApiCallEvent,
  changedResource,
  MalformedEventError,
  madeBy,
  parseTrailChangeEvent,
} from '../events/cloudtrailEvent.js';
import type { Notification } from '../notify/message.js';
import { type Channel, notifyAll } from '../notify/notifier.js';
import { type LiveFinding, transitionOf } from '../notify/transitions.js';
import type { Policy } from '../policy/loader.js';
import { type BreakerSettings, breakerTripped } from '../state/breaker.js';
import type { FindingStore } from '../state/findingStore.js';

/** A request to the remediating function: the steps for one resource, planned from a fresh read. */
export interface RemediationRequest {
  readonly account: string;
  readonly region: string;
  readonly resource: string;
  readonly steps: readonly PlanStep[];
  readonly requestedAt: string;
  readonly actor?: string;
}

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
  readonly store: Pick<
    FindingStore,
    'previous' | 'record' | 'watched' | 'remediations' | 'recordRemediation'
  >;
  readonly channels: readonly Channel[];
  readonly remediationEnabled: boolean;
  readonly remediationRoleArn?: string;
  readonly requestRemediation: (request: RemediationRequest) => Promise<void>;
  readonly breaker: BreakerSettings;
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
      readonly remediation: 'requested' | 'none' | 'breaker' | 'disabled';
    };

/** Notifications for the findings whose status changed since the store last saw them. */
async function changes(
  deps: FlowDeps,
  findings: readonly LiveFinding[],
  region: string,
  extra: Partial<Notification> = {},
) {
  const previous = await deps.store.previous(findings.map((f) => f.id));
  const out: Notification[] = [];
  for (const f of findings) {
    const transition = transitionOf(previous.get(f.id), f);
    if (transition) out.push({ transition, finding: f, account: deps.account, region, ...extra });
  }
  for (const n of out)
    deps.metrics.count(
      `Findings${n.transition.replace(/(^|-)(\w)/g, (_, __, c: string) => c.toUpperCase())}`,
    );
  return out;
}

/** One resource, read fresh, as a one-resource snapshot. */
async function readOne(
  deps: FlowDeps,
  kind: 'trail' | 'eventDataStore',
  arn: string,
  region: string,
): Promise<Snapshot | undefined> {
  const base: Snapshot = { version: 1, account: deps.account, region, trails: [], eventDataStores: [] };
  if (kind === 'eventDataStore') {
    const entry = await reloadEventDataStore(deps.clients, arn, region);
    return entry ? { ...base, eventDataStores: [entry] } : undefined;
  }
  const entry = await reloadTrail(deps.clients, arn, region);
  if (!entry) return undefined;
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

/** Policies decidable on one resource: any/union policies need every resource, which the sweep reads. */
const singleResourcePolicies = (deps: FlowDeps) => deps.policies.filter((p) => p.quantifier === 'every');

const toArn = (kind: 'trail' | 'eventDataStore', id: string, region: string, account: string) =>
  id.startsWith('arn:')
    ? id
    : `arn:aws:cloudtrail:${region}:${account}:${kind === 'trail' ? 'trail' : 'eventdatastore'}/${id}`;

/** Asks for a repair unless repairs are off or the resource keeps being changed back (circuit breaker). */
async function maybeRemediate(
  deps: FlowDeps,
  result: Evaluation,
  region: string,
  actor: string | undefined,
  notes: Notification[],
) {
  if (result.plan.length === 0) return 'none' as const;
  if (!deps.remediationEnabled) return 'disabled' as const;
  let outcome: 'requested' | 'breaker' = 'requested';
  for (const resource of new Set(result.plan.map((s) => s.resource))) {
    const history = await deps.store.remediations(resource);
    if (breakerTripped(history.times, deps.now(), deps.breaker)) {
      outcome = 'breaker';
      deps.metrics.count('RemediationsHalted');
      const finding = result.findings.find((f) => f.resource === resource && f.status === 'FAIL');
      if (finding) {
        notes.push({
          transition: 'possible-tampering',
          finding: {
            ...finding,
            severity: 'critical',
            message: `remediated ${history.times.length} times within ${deps.breaker.windowMinutes} minutes and changed back each time; automatic repair is halted. ${finding.message}`,
          },
          account: deps.account,
          region,
          actors: [...new Set([...history.actors, ...(actor ? [actor] : [])])],
        });
      }
      continue;
    }
    await deps.requestRemediation({
      account: deps.account,
      region,
      resource,
      steps: result.plan.filter((s) => s.resource === resource),
      requestedAt: deps.now().toISOString(),
      ...(actor ? { actor } : {}),
    });
    await deps.store.recordRemediation(resource, deps.now(), actor);
  }
  return outcome;
}

/**
 * onTrailChange: one CloudTrail configuration change. Malformed events are dropped (with a metric,
 * never retried forever), failed calls and Trailwarden's own changes are skipped, and the changed
 * resource alone is read, evaluated, repaired if its policies say so, and reported on transitions.
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
  if (event.detail.errorCode)
    return { outcome: 'skipped', reason: `the call failed (${event.detail.errorCode})` };
  if (madeBy(event, deps.remediationRoleArn))
    return { outcome: 'skipped', reason: "Trailwarden's own change (loop guard)" };

  const arn = toArn(change.kind, change.id, change.region, deps.account);
  const notes: Notification[] = [];
  if (change.deleted) {
    if (await deps.store.watched(arn)) {
      notes.push({
        transition: 'trail-deleted',
        finding: {
          id: `deleted:${arn}`,
          policyId: 'trailwarden',
          resource: arn,
          resourceName: arn.split('/').pop() ?? arn,
          region: change.region,
          status: 'FAIL',
          check: 'exists',
          severity: 'critical',
          message: `${change.kind === 'trail' ? 'trail' : 'event data store'} ${arn} was deleted; policies required it`,
        },
        account: deps.account,
        region: change.region,
        ...(change.actor ? { actors: [change.actor] } : {}),
      });
      await notifyAll(deps.channels, notes);
    }
    return { outcome: 'evaluated', findings: 0, notifications: notes.length, remediation: 'none' };
  }

  const snapshot = await readOne(deps, change.kind, arn, change.region);
  if (!snapshot) return { outcome: 'skipped', reason: `${arn} no longer exists` };
  // One resource read: a policy's other named resources are simply not in it, not missing.
  const result = evaluate(snapshot, singleResourcePolicies(deps), deps.now(), { partial: true });
  notes.push(
    ...(await changes(deps, result.findings, change.region, change.actor ? { actors: [change.actor] } : {})),
  );
  const remediation = await maybeRemediate(deps, result, change.region, change.actor, notes);
  await deps.store.record(result.findings, deps.now());
  await notifyAll(deps.channels, notes);
  deps.log.info('evaluated a change', {
    resource: arn,
    eventName: change.eventName,
    findings: result.findings.length,
    remediation,
  });
  return { outcome: 'evaluated', findings: result.findings.length, notifications: notes.length, remediation };
}

/** scheduledSweep: every configured Region, transitions as they happen, and one digest of what is still open. */
export async function scheduledSweep(regions: readonly string[], deps: FlowDeps) {
  const snapshots = await loadRegions(deps.clients, regions, { account: deps.account });
  const notes: Notification[] = [];
  // Each Region knowing the others: a named trail of another Region is not reported missing.
  const results = evaluateRegions(snapshots, deps.policies, deps.now());
  for (const [i, snapshot] of snapshots.entries()) {
    const result = results[i] as Evaluation;
    notes.push(...(await changes(deps, result.findings, snapshot.region)));
    await maybeRemediate(deps, result, snapshot.region, undefined, notes);
    await deps.store.record(result.findings, deps.now());
  }
  const all = combineEvaluations(results);
  const open = all.findings.filter((f) => f.status === 'FAIL' || f.status === 'ERROR');
  if (open.length > 0) {
    const worst =
      open.find((f) => f.severity === 'critical') ??
      open.find((f) => f.severity === 'high') ??
      (open[0] as LiveFinding);
    notes.push({
      transition: 'opened',
      finding: {
        ...worst,
        id: `digest:${deps.account}`,
        policyId: 'trailwarden-digest',
        resourceName: `${open.length} open findings`,
        message: open
          .slice(0, 40)
          .map((f) => `${f.severity} ${f.policyId} ${f.resourceName} [${f.check}]`)
          .join('\n'),
      },
      account: deps.account,
      region: regions.join(','),
    });
  }
  await notifyAll(deps.channels, notes);
  return {
    findings: all.findings.length,
    open: open.length,
    notifications: notes.length,
    plan: results.flatMap((r) => r.plan).length,
  };
}

/** The remediating function: re-read, re-plan (never apply a stale plan), apply, verify, report. */
export async function remediate(request: RemediationRequest, deps: FlowDeps) {
  const kind = request.resource.includes(':eventdatastore/') ? 'eventDataStore' : 'trail';
  const snapshot = await readOne(deps, kind, request.resource, request.region);
  if (!snapshot) return { outcome: 'skipped' as const, reason: `${request.resource} no longer exists` };
  const policies = singleResourcePolicies(deps);
  const before = evaluate(snapshot, policies, deps.now(), { partial: true });
  if (before.plan.length === 0) return { outcome: 'skipped' as const, reason: 'already compliant' };
  const outcome = await applyAndVerify(deps.clients, snapshot, policies, before, { partial: true });
  deps.metrics.milliseconds('RemediationLatency', deps.now().getTime() - Date.parse(request.requestedAt));
  const remediated = outcome.findings.filter((f) => f.status === 'REMEDIATED');
  const failed = outcome.findings.filter((f) => f.status === 'ERROR' && f.remediation?.planned);
  deps.metrics.count('Remediated', remediated.length);
  deps.metrics.count('RemediationsFailed', failed.length);
  const steps = outcome.steps.map((s) => `${s.step.operation} ${s.status}`).join(', ');
  const notes = await changes(deps, outcome.findings as LiveFinding[], request.region, {
    remediation: steps,
  });
  await deps.store.record(outcome.findings as LiveFinding[], deps.now());
  await notifyAll(deps.channels, notes);
  return { outcome: 'applied' as const, remediated: remediated.length, failed: failed.length, steps };
}
