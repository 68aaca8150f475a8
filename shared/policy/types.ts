import type { z } from 'zod';
import type {
  AdvancedEventSelector,
  CloudTrailEvent,
  ResourceKind,
  SelectorConfig,
} from '../selectors/index.js';

export type { ResourceKind };

import type { EventConfiguration, InsightSelector } from './awsShapes.js';

export type Severity = 'info' | 'low' | 'medium' | 'high' | 'critical';
/** SUPPRESSED: a FAIL or ERROR that an exception in force covers (it does not count, notify or plan). */
export type FindingStatus = 'PASS' | 'FAIL' | 'ERROR' | 'SKIPPED' | 'SUPPRESSED';

/** What a check sees of one trail or event data store; `undefined` means "not known". */
export interface ResourceView {
  readonly kind: ResourceKind;
  readonly arn: string;
  readonly name: string;
  readonly homeRegion: string | undefined;
  /** The account that owns the resource (from its ARN). */
  readonly owner: string | undefined;
  readonly isOrganization: boolean;
  /** The selector configuration as AWS reports it, and its exact advanced form. */
  readonly selectorConfig: SelectorConfig | undefined;
  readonly selectors: readonly AdvancedEventSelector[] | undefined;
  /** Whether the resource is delivering events at all (trail logging / data store ingesting). */
  readonly active: boolean | undefined;
  readonly tags: Readonly<Record<string, string>> | undefined;
  readonly insightSelectors: readonly InsightSelector[] | undefined;
  readonly insightsDestination: string | undefined;
  readonly eventConfiguration: EventConfiguration | undefined;
  /** The raw DescribeTrails item or GetEventDataStore response. */
  readonly settings: Readonly<Record<string, unknown>>;
  /**
   * Delivery errors GetTrailStatus reports for the destinations the trail is configured with
   * (docs/semantics.md, "8. The other settings a policy can ask for", delivery health); `undefined` when the status is not known. Always `[]` for
   * event data stores, which deliver nowhere.
   */
  readonly deliveryErrors: readonly DeliveryError[] | undefined;
  /** Why the selectors in the snapshot could not be read (`selectors` is then undefined). */
  readonly selectorProblem: string | undefined;
  /** Parts the loader could not read, with the reason. */
  readonly loadErrors: readonly { part: string; message: string }[];
}

/** One `Latest*Error` of GetTrailStatus that applies to the trail's configuration. */
export interface DeliveryError {
  /** The GetTrailStatus field, e.g. `LatestDigestDeliveryError`. */
  readonly field: string;
  /** What failed to arrive where, e.g. `digest files to S3 bucket logs`. */
  readonly destination: string;
  readonly error: string;
}

/** A fragment of desired state that would repair one failed check; the planner combines them. */
export type Fix =
  | { readonly kind: 'startLogging' }
  | { readonly kind: 'startIngestion' }
  | { readonly kind: 'updateSettings'; readonly set: Readonly<Record<string, unknown>> }
  | {
      readonly kind: 'selectors';
      readonly require: readonly AdvancedEventSelector[];
      readonly forbid: readonly AdvancedEventSelector[];
    }
  | { readonly kind: 'insights'; readonly add: readonly InsightSelector[]; readonly destination?: string }
  | { readonly kind: 'eventConfiguration'; readonly require: EventConfiguration };

export interface CheckOutcome {
  readonly status: 'PASS' | 'FAIL' | 'ERROR';
  readonly message: string;
  readonly witness?: CloudTrailEvent;
  /** How to repair a FAIL; absent when it cannot be repaired automatically (then `manual` says why). */
  readonly fixes?: readonly Fix[];
  readonly manual?: string;
}

/** One entry of the checks registry: the engine never switches on a check's name. */
/**
 * A read call of the snapshot loader. A check names the ones whose answers it looks at, and the
 * loader makes only the reads some loaded policy needs: the rest are "not read", never "not known".
 */
export type CloudTrailRead =
  | 'DescribeTrails'
  | 'GetTrailStatus'
  | 'GetEventSelectors'
  | 'GetInsightSelectors'
  | 'GetEventConfiguration'
  | 'ListTags'
  | 'ListEventDataStores'
  | 'GetEventDataStore';

export interface CheckDefinition<P = unknown> {
  /** Key under `require` (or `forbid`) in a policy. */
  readonly key: string;
  readonly section: 'require' | 'forbid';
  readonly resource: ResourceKind;
  /** Name in findings, e.g. `logEvents` or `forbid.logEvents`. */
  readonly check: string;
  readonly description: string;
  readonly params: z.ZodType<P>;
  readonly iam: { readonly evaluate: readonly string[]; readonly remediate: readonly string[] };
  /** The loader's reads this check looks at (for evaluating and for planning its repair). */
  readonly reads: readonly CloudTrailRead[];
  /** A documented example value for the key, validated by a test. */
  readonly example: P;
  evaluate(resource: ResourceView, params: P): CheckOutcome;
  /** For `quantifier: union`: decide over the selected resources together. */
  evaluateUnion?(resources: readonly ResourceView[], params: P): CheckOutcome;
  /**
   * The events this check requires logged (a `require` check) or forbids (a `forbid` check), as
   * selectors: the loader cross-checks a policy's requirements against its forbids, the planner
   * keeps both through every selector merge, and a union's repair adds what no resource logs yet.
   */
  selectors?(params: P): readonly AdvancedEventSelector[];
  /**
   * Keys the parameter schema does not take for a documented reason (e.g. a setting of the other
   * resource kind), with that reason: the loader says it instead of "unknown key".
   */
  readonly keyRules?: Readonly<Record<string, string>>;
  /** Extra checks of the parameters beyond the schema (e.g. selector validation); paths are relative. */
  validateParams?(params: P): { path: string; message: string; severity: 'error' | 'warning' }[];
}

/**
 * A registry entry with its parameter type forgotten: the loader parses a policy's value with the
 * entry's own schema before any hook sees it, so each hook gets the type it was written for.
 */
export type Check = CheckDefinition<unknown>;
