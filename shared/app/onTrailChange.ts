import { memberRoleArn } from '../aws/credentials.js';
import { findingId, type PlanStep } from '../engine/index.js';
import { PART_WRITTEN_BY, REPLACING_OPERATIONS } from '../engine/parts.js';
import {
  accountsOf,
  type ChangedResource,
  type CloudTrailApiCallEvent,
  callerAccountOf,
  changedResource,
  MalformedEventError,
  madeBy,
  parseTrailChangeEvent,
} from '../events/cloudtrailEvent.js';
import type { Notification } from '../notify/message.js';
import type { NewOutboxEntry, Scope, StoredFinding } from '../state/types.js';
import { inAccount } from './central.js';
import { type Delivery, deliver, deliverable, held, newEntry } from './delivery.js';
import { type FlowDeps, type RemediationDecision, stableId } from './deps.js';
import { asRecorded } from './namedResources.js';
import { type Kind, observe, toArn } from './observe.js';
import { closeFinding, isOpen, reconcile } from './reconcile.js';
import { maybeRemediate } from './requestRepair.js';

export type TrailChangeOutcome =
  | { readonly outcome: 'dropped'; readonly reason: string }
  | { readonly outcome: 'skipped'; readonly reason: string }
  | {
      readonly outcome: 'evaluated';
      readonly findings: number;
      readonly notifications: number;
      readonly remediation: RemediationDecision;
    };

/** The invocation's identity, the same on each retry: EventBridge's event id, else the CloudTrail event id. */
const ownerOf = (event: CloudTrailApiCallEvent, raw: unknown) =>
  `event:${event.id ?? event.detail.eventID ?? stableId(JSON.stringify(raw))}`;

/**
 * onTrailChange: one CloudTrail configuration change. Malformed events are dropped (with a metric,
 * never retried forever), failed calls and Trailwarden's own changes are skipped. A single-account
 * stack drops events of another account (never judged against this account's resource of the same
 * name); a central stack evaluates them in their own account, through its member role. The change
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
  if (ownChange(event, deps)) return { outcome: 'skipped', reason: "Trailwarden's own change (loop guard)" };
  if (deps.members) {
    const account = ownerAccount(event, change);
    if (!deps.members.admits(account)) {
      deps.log.warn('dropping an event of an account this stack does not watch', {
        account,
        eventName: change.eventName,
        resource: change.id,
      });
      deps.metrics.count('ForeignAccountEvents');
      return {
        outcome: 'dropped',
        reason: `the event is from account ${account}, which is not among the accounts this stack watches`,
      };
    }
    return evaluateChange(inAccount(deps, account), raw, event, change);
  }
  const foreign = accountsOf(event, change).filter((a) => a !== deps.account);
  if (foreign.length > 0) {
    // A single-account stack keeps findings of its own account only: another's is not its to judge.
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
  return evaluateChange(deps, raw, event, change);
}

/**
 * The loop guard: the stack's own remediate role, and in a central stack the remediator role's
 * Trailwarden session in whichever member account the call was made.
 */
function ownChange(event: CloudTrailApiCallEvent, deps: FlowDeps): boolean {
  if (madeBy(event, deps.remediationRoleArn)) return true;
  const caller = callerAccountOf(event);
  if (!deps.members || !caller) return false;
  const { roleName, sessionName } = deps.members.remediator;
  return madeBy(event, memberRoleArn(deps.partition, caller, roleName), sessionName);
}

/**
 * The account whose resource changed: the one in the resource's ARN (an organization trail belongs
 * to the management account, whoever changed it), else the account that received the call.
 */
function ownerAccount(event: CloudTrailApiCallEvent, change: ChangedResource): string {
  const fromArn = change.id.startsWith('arn:') ? change.id.split(':')[4] : undefined;
  return fromArn || event.detail.recipientAccountId || event.account;
}

/** The change, read and evaluated in the account it was made in. */
async function evaluateChange(
  deps: FlowDeps,
  raw: unknown,
  event: CloudTrailApiCallEvent,
  change: ChangedResource,
): Promise<TrailChangeOutcome> {
  const owner = ownerOf(event, raw);
  const arn = toArn(change.kind, change.id, change.region, deps.account, deps.partition);
  const actors = change.actor ? [change.actor] : [];
  const queue: Delivery[] = [];
  if (REPLACING_OPERATIONS.has(change.eventName))
    queue.push(...(await overwritten(deps, owner, event, change, arn)));
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
      findings: asRecorded(deps, seen.evaluation.findings, [seen.snapshot]),
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
  const close = (f: StoredFinding, entry?: NewOutboxEntry<Notification>) =>
    closeFinding(deps.store, scope, f, 'DELETED', observedAt, entry);
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
