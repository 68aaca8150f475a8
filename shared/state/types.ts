import type { Finding } from '../engine/index.js';
import { TrailwardenError } from '../errors.js';

/**
 * Whose state: one resource of one account. The account is part of every key, so findings of
 * several accounts (an organization's) can share one table.
 */
export interface Scope {
  readonly account: string;
  /** A trail or event data store ARN, an account-level `…:trail/*`, or another watched resource. */
  readonly resource: string;
}

/**
 * A finding's stored status: the live ones, and two that close it: its policy no longer selects
 * the resource, or the resource was deleted. Both are "never seen" for the next transition.
 */
export type StoredStatus = Finding['status'] | 'REMEDIATED' | 'OUT_OF_SCOPE' | 'DELETED';

/** A finding's last recorded state. `version` counts its writes; every write is conditional on it. */
export interface StoredFinding {
  readonly id: string;
  readonly status: StoredStatus;
  readonly version: number;
  /** When the state this status was computed from was read (ISO): older results never overwrite newer. */
  readonly observedAt: string;
  readonly policyId: string;
  readonly check: string;
  readonly severity: string;
  readonly resourceName: string;
  readonly region: string;
}

/**
 * A notification waiting for channels to take it (the outbox). It is written in the same item,
 * by the same conditional write, as the state change it reports: recorded only with its
 * notification, and the notification only with it. The store keeps the notification (`N`, what the
 * flows send) as the JSON its `encode` gives, and never looks inside it.
 */
export interface OutboxEntry<N> {
  /** Where it is kept; unique within the resource, and orders deliveries of one finding. */
  readonly key: string;
  readonly notification: N;
  /** Channels that have not taken it yet. */
  readonly pending: readonly string[];
  /** The invocation delivering it (an EventBridge event id, a remediation request…); retries share it. */
  readonly owner: string;
  /** Until when (epoch ms) `owner` holds it; afterwards any invocation may deliver it. */
  readonly leaseUntil: number;
}

/** A notification to record; `notification.id` is what subscribers see and may dedupe on. */
export interface NewOutboxEntry<N> {
  readonly notification: N;
  readonly channels: readonly string[];
  readonly owner: string;
  readonly leaseUntil: number;
}

/** Repairs of one resource: the breaker's window of past repairs, the request in flight, the run in progress. */
export interface RemediationRecord {
  readonly version: number;
  /** When each repair in the breaker window was written (epoch ms), and who had changed it before. */
  readonly times: readonly number[];
  readonly actors: readonly string[];
  /** The request asked for and not finished yet: at most one per resource. */
  readonly pendingId?: string;
  readonly pendingAt?: number;
  /** The remediate run writing now, and until when its lease holds. */
  readonly runningId?: string;
  readonly runningUntil?: number;
  /** When the breaker last tripped (and said so). */
  readonly trippedAt?: number;
  /**
   * Recent writes that replace a whole part (selectors, Insights, event configuration): from the
   * re-read before the write to the end of the run (epoch ms). A person's call of the same kind
   * inside that window may have been overwritten, and its own event says so.
   */
  readonly writes?: readonly RecentWrite[];
}

export interface RecentWrite {
  readonly part: string;
  readonly from: number;
  readonly to: number;
}

export interface ResourceState<N> {
  readonly findings: ReadonlyMap<string, StoredFinding>;
  /** Entries some channel has not taken yet. */
  readonly outbox: readonly OutboxEntry<N>[];
  readonly remediation: RemediationRecord;
}

export type RequestState = 'new' | 'repeat' | 'completed';

/**
 * One sweep of the central stack: how many account-Regions it sent out, how many have not reported
 * yet, and the invocation that took its digest (exactly one, when the last one reports).
 */
export interface SweepRecord {
  readonly id: string;
  readonly total: number;
  readonly remaining: number;
  /** When the planner opened it (epoch ms). */
  readonly startedAt: number;
  /** The Regions it covers, for the digest. */
  readonly regions: readonly string[];
  readonly digestBy?: string;
}

/** What one account-Region reported to its sweep: enough for the digest, kept small. */
export interface PairReport {
  readonly account: string;
  readonly region: string;
  /** Open (FAIL or ERROR) findings, by severity. */
  readonly open: Readonly<Record<string, number>>;
  /** The worst open findings, one line each (a few, not all: the digest shows the worst overall). */
  readonly lines: readonly { readonly severity: string; readonly text: string }[];
}

/** A report counted once: the first time, or a retry's repeat (not counted again), or no such sweep. */
export type PairOutcome = 'counted' | 'repeat' | 'unknown-sweep';

/** A conditional write: done (with the outbox entry written along, if any), or someone else came first. */
export type Written<N> = { readonly ok: false } | { readonly ok: true; readonly entry?: OutboxEntry<N> };

/**
 * What the flows need from finding state. Every write is a single-item conditional write: on the
 * finding's version, on the remediation record's version, on an outbox entry's lease. So of two
 * concurrent invocations only one takes a transition, and a retry never repeats what was done.
 * `N` is the notification an outbox entry carries.
 */
export interface StateStore<N> {
  /** Everything recorded for a resource (strongly consistent). */
  load(scope: Scope): Promise<ResourceState<N>>;
  /**
   * Writes a finding's new state if its version is still `expectedVersion` (0: never written),
   * with its notification when it is a transition.
   */
  saveFinding(
    scope: Scope,
    next: StoredFinding,
    expectedVersion: number,
    outbox?: NewOutboxEntry<N>,
  ): Promise<Written<N>>;
  /** Records a notification of its own (keyed by `key`) unless it exists: a retry raises it once. */
  enqueue(scope: Scope, key: string, entry: NewOutboxEntry<N>): Promise<Written<N>>;
  /** Takes the lease of an entry for `owner` if it is free, expired or already owner's. */
  claim(scope: Scope, key: string, owner: string, now: number, leaseUntil: number): Promise<boolean>;
  /** Records that these channels took the entry; once none is pending it is done. */
  acknowledge(scope: Scope, key: string, channels: readonly string[]): Promise<void>;
  /**
   * Compare-and-set of the resource's remediation record: `change` sees the current record and
   * returns the next one (and a notification to record with it), or undefined to write nothing.
   */
  updateRemediation(
    scope: Scope,
    change: (
      current: RemediationRecord,
    ) => { record: Omit<RemediationRecord, 'version'>; outbox?: NewOutboxEntry<N> } | undefined,
  ): Promise<{ record: RemediationRecord; entry?: OutboxEntry<N> } | undefined>;
  /** Registers a remediation request: new, seen before and unfinished (a retry), or completed. */
  beginRequest(scope: Scope, requestId: string, now: number): Promise<RequestState>;
  completeRequest(scope: Scope, requestId: string, now: number): Promise<void>;

  /**
   * Opens a sweep of `total` account-Regions unless it exists (a retried planner), and records it as
   * the latest; returns whether it was new and the sweep that was the latest before it.
   */
  openSweep(
    scope: Scope,
    sweep: Omit<SweepRecord, 'remaining' | 'digestBy'>,
  ): Promise<{ opened: boolean; previous?: string }>;
  /**
   * Records one account-Region's report and counts it down, both or neither (one transaction): a
   * retried worker finds its report there and counts nothing.
   */
  reportPair(scope: Scope, report: PairReport): Promise<PairOutcome>;
  /**
   * The sweep and, with `reports`, the reports received so far (strongly consistent). Without them
   * it is one item: what every worker reads to learn whether it was the last.
   */
  loadSweep(scope: Scope, reports?: boolean): Promise<{ sweep?: SweepRecord; reports: PairReport[] }>;
  /**
   * Takes the sweep's digest for `owner`, with its notification in the same write, if nobody has
   * (and, unless `early`, only once every account-Region has reported).
   */
  closeSweep(scope: Scope, owner: string, entry?: NewOutboxEntry<N>, early?: boolean): Promise<Written<N>>;
}

export class StateConflictError extends TrailwardenError {
  constructor(message: string) {
    super(message);
    this.name = 'StateConflictError';
  }
}
