import type { Evaluation } from '../engine/index.js';
import type { Notification } from '../notify/message.js';
import type { LiveFinding } from '../notify/transitions.js';
import { breakerTripped } from '../state/breaker.js';
import type { RemediationRecord, Scope } from '../state/types.js';
import { type Delivery, held, newEntry } from './delivery.js';
import { type FlowDeps, type RemediationDecision, stableId } from './deps.js';
import { subjectOf } from './observe.js';

/** A request still unfinished after this long is presumed lost: a new one may be made. */
export const PENDING_STALE_MS = 15 * 60_000;
/** The breaker's notification: the resource keeps being changed back, and by whom. */
export function tamperNotification(
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
export async function maybeRemediate(
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
    const id = stableId(owner, resource);
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
