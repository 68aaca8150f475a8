import pLimit from 'p-limit';
import { findingId } from '../engine/index.js';
import type { Notification } from '../notify/message.js';
import { type LiveFinding, transitionOf } from '../notify/transitions.js';
import type { Policy } from '../policy/loader.js';
import {
  type NewOutboxEntry,
  type ResourceState,
  type Scope,
  StateConflictError,
  type StateStore,
  type StoredFinding,
} from '../state/types.js';
import { type Delivery, deliverable, held, newEntry } from './delivery.js';

export interface ReconcileDeps {
  readonly account: string;
  readonly policies: readonly Policy[];
  readonly store: StateStore<Notification>;
  readonly channels: readonly { readonly name: string }[];
  readonly now: () => Date;
  readonly metrics: { count(name: string, value?: number): void };
  readonly log: { warn(message: string, extra?: Record<string, unknown>): void };
}

/** What one invocation saw, to be compared with what the store holds. */
export interface Observation {
  readonly findings: readonly LiveFinding[];
  /**
   * Resources whose findings this observation holds in full, for every policy in `policies`: a
   * finding stored for one of them that the observation lacks means its policy no longer selects
   * the resource.
   */
  readonly complete: readonly string[];
  /** The policies that were evaluated. */
  readonly policies: ReadonlySet<string>;
  /** When the state was read, before any of it was: an older observation never overwrites a newer one. */
  readonly observedAt: Date;
  readonly region: string;
  readonly actors?: readonly string[];
  readonly remediation?: string;
}

/**
 * Closes a stored finding (its policy no longer selects the resource, or the resource is gone) if
 * its version is still the one read, with the notification that says so, if any.
 */
export const closeFinding = (
  store: Pick<StateStore<Notification>, 'saveFinding'>,
  scope: Scope,
  f: StoredFinding,
  status: 'OUT_OF_SCOPE' | 'DELETED',
  observedAt: string,
  entry?: NewOutboxEntry<Notification>,
) => store.saveFinding(scope, { ...f, status, version: f.version + 1, observedAt }, f.version, entry);

/** A stored finding still open: not closed by its policy leaving the resource, nor by the resource's deletion. */
export const isOpen = (f: StoredFinding) => f.status !== 'OUT_OF_SCOPE' && f.status !== 'DELETED';
const metricName = (transition: string) =>
  `Findings${transition.replace(/(^|-)(\w)/g, (_, __, c: string) => c.toUpperCase())}`;

/**
 * Records what changed, exactly once per transition: each finding is written only if its stored
 * version is still the one its transition was computed from, together with the notification
 * (one transaction), so of two invocations seeing the same change one records and notifies,
 * the other finds nothing new. A result older than what is stored is dropped. Returns what this
 * invocation must deliver: the notifications it raised, and those of its earlier attempts or of
 * invocations that gave up.
 */
export async function reconcile(deps: ReconcileDeps, owner: string, seen: Observation): Promise<Delivery[]> {
  const byResource = new Map<string, LiveFinding[]>();
  for (const r of seen.complete) byResource.set(r, []);
  for (const f of seen.findings) byResource.set(f.resource, [...(byResource.get(f.resource) ?? []), f]);
  // Resources side by side, and the findings of each: every write is conditional on its own item.
  const limit = pLimit(8);
  const perResource = await Promise.all(
    [...byResource].map(([resource, findings]) =>
      limit(async () => {
        const scope: Scope = { account: deps.account, resource };
        const state = await deps.store.load(scope);
        const out = deliverable(scope, state.outbox, owner, deps.now());
        const saved = await Promise.all(findings.map((f) => save(deps, owner, seen, scope, f, state)));
        out.push(...saved.flat());
        // The findings left behind are not among those just written: the state read holds their versions.
        if (seen.complete.includes(resource))
          out.push(...(await leftScope(deps, owner, seen, scope, findings, state)));
        return out;
      }),
    ),
  );
  return perResource.flat();
}

/** One finding: its transition against the stored state, written if that state is still current. */
async function save(
  deps: ReconcileDeps,
  owner: string,
  seen: Observation,
  scope: Scope,
  f: LiveFinding,
  loaded: ResourceState<Notification>,
): Promise<Delivery[]> {
  const observedAt = seen.observedAt.toISOString();
  let stored = loaded.findings.get(f.id);
  for (let attempt = 0; attempt < 6; attempt++) {
    if (stored && stored.observedAt > observedAt) {
      deps.metrics.count('StaleResults');
      deps.log.warn('dropping a result older than the stored one', {
        finding: f.id,
        stored: stored.observedAt,
        observed: observedAt,
      });
      return [];
    }
    const previous = stored && isOpen(stored) ? (stored.status as LiveFinding['status']) : undefined;
    const transition = transitionOf(previous, f);
    const version = stored?.version ?? 0;
    const entry = transition
      ? newEntry(deps, owner, `${f.id}:${version + 1}`, notification(deps, seen, transition, f))
      : undefined;
    const next: StoredFinding = {
      id: f.id,
      status: f.status,
      version: version + 1,
      observedAt,
      policyId: f.policyId,
      check: f.check,
      severity: f.severity,
      resourceName: f.resourceName,
      region: f.region,
    };
    const written = await deps.store.saveFinding(scope, next, version, entry);
    if (written.ok) {
      if (transition) deps.metrics.count(metricName(transition));
      return written.entry ? [held(scope, written.entry)] : [];
    }
    // Another invocation wrote it first: decide again against what it wrote.
    stored = (await deps.store.load(scope)).findings.get(f.id);
  }
  throw new StateConflictError(`finding ${f.id} of ${scope.resource} kept changing; try again`);
}

function notification(
  deps: Pick<ReconcileDeps, 'account'>,
  seen: Observation,
  transition: Notification['transition'],
  finding: LiveFinding,
): Notification {
  return {
    transition,
    finding,
    account: deps.account,
    // The finding's own Region (a sweep observes several): subscribers filter on it.
    region: finding.region || seen.region,
    ...(seen.actors?.length ? { actors: seen.actors } : {}),
    ...(seen.remediation ? { remediation: seen.remediation } : {}),
  };
}

/**
 * Findings stored for a resource that a policy no longer produces: the resource left the policy's
 * selection (a tag removed, say). That is a transition people must hear about, once: the first
 * finding is closed (OUT_OF_SCOPE) with the notification in one conditional write, the others
 * after it. Findings of policies no longer deployed are closed quietly.
 */
async function leftScope(
  deps: ReconcileDeps,
  owner: string,
  seen: Observation,
  scope: Scope,
  findings: readonly LiveFinding[],
  state: ResourceState<Notification>,
): Promise<Delivery[]> {
  const current = new Set(findings.map((f) => f.id));
  const deciding = new Set(findings.map((f) => f.policyId));
  const observedAt = seen.observedAt.toISOString();
  const byPolicy = new Map<string, StoredFinding[]>();
  for (const stored of state.findings.values()) {
    if (!isOpen(stored) || current.has(stored.id) || deciding.has(stored.policyId)) continue;
    if (stored.observedAt > observedAt) continue;
    if (!seen.policies.has(stored.policyId) && deps.policies.some((p) => p.id === stored.policyId)) continue;
    byPolicy.set(stored.policyId, [...(byPolicy.get(stored.policyId) ?? []), stored]);
  }
  const out: Delivery[] = [];
  const close = (f: StoredFinding, entry?: NewOutboxEntry<Notification>) =>
    closeFinding(deps.store, scope, f, 'OUT_OF_SCOPE', observedAt, entry);
  for (const [policyId, gone] of byPolicy) {
    const policy = deps.policies.find((p) => p.id === policyId);
    const [first, ...rest] = gone as [StoredFinding, ...StoredFinding[]];
    if (!policy) {
      for (const f of gone) await close(f);
      continue;
    }
    const open = gone.filter((g) => g.status === 'FAIL' || g.status === 'ERROR');
    const finding: LiveFinding = {
      id: findingId(policyId, scope.resource, 'select'),
      policyId,
      resource: scope.resource,
      resourceName: first.resourceName,
      region: first.region,
      status: 'SKIPPED',
      check: 'select',
      severity: policy.severity,
      message: `${first.resourceName} left the scope of policy ${policyId}: it no longer matches the policy's selection${describeSelect(policy)}, so the policy no longer checks it.${open.length ? ` It was failing ${open.map((g) => g.check).join(', ')}.` : ''}`,
    };
    const entry = newEntry(
      deps,
      owner,
      `${first.id}:${first.version + 1}`,
      notification(deps, seen, 'left-scope', finding),
    );
    const written = await close(first, entry);
    if (!written.ok) continue;
    if (written.entry) out.push(held(scope, written.entry));
    deps.metrics.count('FindingsLeftScope');
    for (const f of rest) await close(f);
  }
  return out;
}

function describeSelect(policy: Policy): string {
  const select = policy.select;
  if (!select) return '';
  const parts = [
    ...(select.names?.length ? [`names ${select.names.join(', ')}`] : []),
    ...(select.tags && Object.keys(select.tags).length
      ? [
          `tags ${Object.entries(select.tags)
            .map(([k, v]) => `${k}=${v}`)
            .join(', ')}`,
        ]
      : []),
    ...(select.homeRegions?.length ? [`home Regions ${select.homeRegions.join(', ')}`] : []),
  ];
  return parts.length ? ` (${parts.join('; ')})` : '';
}
