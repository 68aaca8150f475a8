import { TrailwardenError } from '../errors.js';
import type { Notification } from '../notify/message.js';
import type { LiveStatus } from '../notify/transitions.js';

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
export type StoredStatus = LiveStatus | 'OUT_OF_SCOPE' | 'DELETED';

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
 * notification, and the notification only with it.
 */
export interface OutboxEntry {
  /** Where it is kept; unique within the resource, and orders deliveries of one finding. */
  readonly key: string;
  readonly notification: Notification;
  /** Channels that have not taken it yet. */
  readonly pending: readonly string[];
  /** The invocation delivering it (an EventBridge event id, a remediation request…); retries share it. */
  readonly owner: string;
  /** Until when (epoch ms) `owner` holds it; afterwards any invocation may deliver it. */
  readonly leaseUntil: number;
}

/** A notification to record; `notification.id` is what subscribers see and may dedupe on. */
export interface NewOutboxEntry {
  readonly notification: Notification;
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

export interface ResourceState {
  readonly findings: ReadonlyMap<string, StoredFinding>;
  /** Entries some channel has not taken yet. */
  readonly outbox: readonly OutboxEntry[];
  readonly remediation: RemediationRecord;
}

export type RequestState = 'new' | 'repeat' | 'completed';

/** A conditional write: done (with the outbox entry written along, if any), or someone else came first. */
export type Written = { readonly ok: false } | { readonly ok: true; readonly entry?: OutboxEntry };

/**
 * What the flows need from finding state. Every write is a single-item conditional write: on the
 * finding's version, on the remediation record's version, on an outbox entry's lease. So of two
 * concurrent invocations only one takes a transition, and a retry never repeats what was done.
 */
export interface StateStore {
  /** Everything recorded for a resource (strongly consistent). */
  load(scope: Scope): Promise<ResourceState>;
  /**
   * Writes a finding's new state if its version is still `expectedVersion` (0: never written),
   * with its notification when it is a transition.
   */
  saveFinding(
    scope: Scope,
    next: StoredFinding,
    expectedVersion: number,
    outbox?: NewOutboxEntry,
  ): Promise<Written>;
  /** Records a notification of its own (keyed by `key`) unless it exists: a retry raises it once. */
  enqueue(scope: Scope, key: string, entry: NewOutboxEntry): Promise<Written>;
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
    ) => { record: Omit<RemediationRecord, 'version'>; outbox?: NewOutboxEntry } | undefined,
  ): Promise<{ record: RemediationRecord; entry?: OutboxEntry } | undefined>;
  /** Registers a remediation request: new, seen before and unfinished (a retry), or completed. */
  beginRequest(scope: Scope, requestId: string, now: number): Promise<RequestState>;
  completeRequest(scope: Scope, requestId: string, now: number): Promise<void>;
}

export class StateConflictError extends TrailwardenError {
  constructor(message: string) {
    super(message);
    this.name = 'StateConflictError';
  }
}
