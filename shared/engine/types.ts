/**
 * The engine's data: findings, plan steps and what a run read. Kept apart from the functions that
 * make them so that evaluation, planning, exceptions and organization scope import one place and
 * never each other in a circle.
 */
import type { Policy } from '../policy/document.js';
import type { FindingStatus, Fix, ResourceKind, ResourceView, Severity } from '../policy/types.js';
import type { CloudTrailEvent } from '../selectors/index.js';

export interface Finding {
  /** Stable: the same policy, resource and check always give the same id. */
  readonly id: string;
  readonly policyId: string;
  /** The resource's ARN, or for account-level findings `arn:…:cloudtrail:<region>:<account>:trail/*`. */
  readonly resource: string;
  readonly resourceName: string;
  /**
   * The account the resource was read in (an organization trail is seen from each member account).
   * `evaluate` always sets it; it is optional only for notices the event path makes by itself.
   */
  readonly account?: string;
  readonly region: string;
  readonly status: FindingStatus;
  readonly check: string;
  readonly severity: Severity;
  readonly message: string;
  readonly witness?: CloudTrailEvent;
  readonly remediation?: {
    readonly planned: boolean;
    readonly reason?: string;
    /** When policies contradict each other on the resource: which ones, and an example event. */
    readonly conflict?: PolicyConflict;
  };
  /** The exception that suppressed the finding, or (with `expired`) one that would have. */
  readonly exception?: {
    readonly reason: string;
    readonly expires: string;
    readonly source: string;
    readonly expired?: true;
  };
}

export interface Evaluation {
  readonly findings: Finding[];
  readonly plan: PlanStep[];
  readonly summary: { pass: number; fail: number; error: number; skipped: number; suppressed: number };
}

/** Fixes a finding asks for, on which resource, kept for the planner. */
export interface PendingFix {
  readonly findingIndex: number;
  readonly resource: ResourceView;
  readonly fixes: readonly Fix[];
  readonly remediate: boolean;
  /** The policy's quantifier: an any/union fix is placed on a resource by choice, not by requirement. */
  readonly quantifier: Policy['quantifier'];
}

/**
 * What a run read, beyond the snapshot being evaluated: tells a named resource that does not exist
 * from one that lives in another Region. Names are an account's own: a trail named in one account
 * says nothing about another.
 */
export interface Inventory {
  /** The Regions read, by account (an account whose role could not be assumed was not read). */
  readonly regions: ReadonlyMap<string, readonly string[]>;
  /** `<account>/<kind>:<name>` and `<kind>:<arn>` of every resource read, shadow trails included. */
  readonly keys: ReadonlySet<string>;
  /** Regions whose listing failed (DescribeTrails / ListEventDataStores, by kind): absence there proves nothing. */
  readonly unlisted: readonly {
    readonly account: string;
    readonly kind: ResourceKind;
    readonly region: string;
  }[];
}

export interface EvaluateOptions {
  /** Every account and Region read in the run (default: this snapshot alone). */
  readonly inventory?: Inventory;
  /**
   * The snapshot holds only some of its Region's resources (one resource read after a change): a
   * named resource absent from it is then not reported as missing.
   */
  readonly partial?: boolean;
}

/** One AWS call, with the exact input to send, in the resource's home region. */
export interface PlanStep {
  readonly resource: string;
  /** The account the step is sent in (through its member role when it is not the caller's). */
  readonly account: string;
  readonly region: string;
  readonly operation:
    | 'StartLogging'
    | 'UpdateTrail'
    | 'PutEventSelectors'
    | 'PutInsightSelectors'
    | 'PutEventConfiguration'
    | 'StartEventDataStoreIngestion'
    | 'UpdateEventDataStore';
  readonly input: Record<string, unknown>;
  /** Ids of the findings this step repairs. */
  readonly findings: readonly string[];
}

/** Two policies that cannot both hold on one resource; carried as data so nothing parses a message back. */
export interface PolicyConflict {
  /** The policy whose events are at stake. */
  readonly requiredBy: string;
  /** The policy that forbids them, or whose repair would take them away. */
  readonly forbiddenBy: string;
  /** An event the first needs logged and the second forbids, when there is one. */
  readonly witness?: CloudTrailEvent;
  /** What the planned change would break, when found by checking its result rather than by overlap. */
  readonly breaks?: string;
}

/** Whether a failed finding is repaired by the plan, and if not, why. */
export type Remediation = NonNullable<Finding['remediation']>;

/** A finding's status, including the one only a verified repair produces. */
export type LiveStatus = FindingStatus | 'REMEDIATED';

/** A finding as the live paths report it: after `apply`, a planned finding is REMEDIATED or ERROR. */
export interface LiveFinding extends Omit<Finding, 'status'> {
  readonly status: LiveStatus;
}

/** Where a finding's resource is defined when the input is a template (CloudFormation or Terraform). */
export interface SourceLocation {
  readonly file: string;
  readonly line: number;
  /** The CloudFormation logical id or the Terraform address. */
  readonly logicalId: string;
}

/** A finding with, for template input, where its resource is defined. */
export type ReportFinding = Finding & { readonly location?: SourceLocation };
