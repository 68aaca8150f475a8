import { randomUUID } from 'node:crypto';
import type { z } from 'zod';
import { applyAndVerify, type StepGuard } from '../aws/apply.js';
import { reloadEventDataStore, reloadTrail } from '../aws/loader.js';
import { findingId, type PlanStep } from '../engine/index.js';
import {
  type ConfigurationPart,
  changedParts,
  PART_WRITTEN_BY,
  REPLACING_OPERATIONS,
} from '../engine/parts.js';
import type { EventDataStoreEntry, TrailEntry } from '../engine/snapshot.js';
import { TrailwardenError } from '../errors.js';
import type { LiveFinding } from '../notify/transitions.js';
import { breakerTripped, recordRepair } from '../state/breaker.js';
import type { RecentWrite, RemediationRecord, Scope } from '../state/types.js';
import { inAccount } from './central.js';
import { type Delivery, deliver, deliverable, held, newEntry } from './delivery.js';
import { type FlowDeps, parseInput, REMEDIATION_REQUEST, type RemediationRequest, stableId } from './deps.js';
import { entryOf, kindOf, observe, subjectOf } from './observe.js';
import { type Observation, reconcile } from './reconcile.js';
import { tamperNotification } from './requestRepair.js';

/** How long a remediate run holds its resource: past the function's timeout, short of Lambda's third attempt. */
export const RUN_LEASE_MS = 90_000;

/** How long a write is remembered for the overwrite check (CloudTrail events arrive within minutes). */
const WRITE_MEMORY_MS = 60 * 60_000;
const recentWrites = (writes: readonly RecentWrite[], now: Date) =>
  writes.filter((w) => w.to >= now.getTime() - WRITE_MEMORY_MS).slice(-20);

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
export class RemediationBusyError extends TrailwardenError {
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
  const parsed = parseInput(raw, REMEDIATION_REQUEST, deps);
  if ('reason' in parsed) return { outcome: 'dropped', reason: parsed.reason };
  const request = parsed.data;
  if (request.account === deps.account) return run(request, deps);
  // A central stack repairs a member account through its remediator role; nothing else may ask.
  if (deps.members?.admits(request.account)) return run(request, inAccount(deps, request.account));
  deps.metrics.count('ForeignAccountRequests');
  return {
    outcome: 'dropped',
    reason: deps.members
      ? `the request is for account ${request.account}, which is not among the accounts this stack watches`
      : `the request is for account ${request.account}, not ${deps.account}`,
  };
}

/** One request, in its account. */
async function run(request: z.output<typeof RemediationRequest>, deps: FlowDeps): Promise<RemediateOutcome> {
  const requestId = request.id ?? stableId(request.resource, request.requestedAt);
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
    // Another run holds the resource, or this same request is running now (a duplicate delivery).
    if (current.runningId && (current.runningUntil ?? 0) > now) {
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
  const applied = await applyAndVerify(deps.clients, seen.snapshot, seen.policies, judged, {
    guard,
    evaluation: { partial: true },
    now: seen.observedAt,
  });
  const afterById = new Map(applied.after.findings.map((f) => [f.id, f]));
  const outcome = {
    ...applied,
    findings: applied.findings.map((f) => (repairs.has(f.id) ? f : (afterById.get(f.id) ?? f))),
  };
  const observedAt = deps.now();
  // Replacing writes, and when: a person's call of the same kind in that window is reported by its event.
  onWrite(
    applied.steps
      .filter((s) => s.status === 'ok' && REPLACING_OPERATIONS.has(s.step.operation))
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
