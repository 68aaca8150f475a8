/**
 * Which fields an advanced event selector may use, per event category and per target (trail or
 * event data store), and the operators and values each field takes. This is the one table that
 * `validate`, the policy loader and `merge` consult, so no code path writes a selector AWS rejects.
 *
 * Source: the CloudTrail API reference of AdvancedEventSelector and AdvancedFieldSelector, which
 * lists the supported fields per category and the ones "additionally available" for event data
 * stores or for trails. The PutEventSelectors and CreateEventDataStore texts predate network
 * activity events and the identity fields, so where they list fewer fields the newer reference wins;
 * each line below says where it comes from when that is not the plain list.
 */
import { EVENT_CATEGORIES } from './fields.js';
import type { EventField, ResourceKind } from './types.js';

export type EventCategory = (typeof EVENT_CATEGORIES)[number];

/** What a selector of one category may contain on one target. */
export interface CategoryRule {
  /** Every field the selector may use, `eventCategory` included. */
  readonly allowed: readonly EventField[];
  /** The fields it must use. */
  readonly required: readonly EventField[];
}

/** Management events on a trail: eventCategory (required), eventSource and readOnly, no more. */
const MANAGEMENT_ON_TRAIL: CategoryRule = {
  allowed: ['eventCategory', 'eventSource', 'readOnly'],
  required: ['eventCategory'],
};

/**
 * Data events, the same on both targets. Older texts list only readOnly, eventCategory, eventName,
 * resources.type and resources.ARN; eventSource, eventType, sessionCredentialFromConsole and
 * userIdentity.arn came with the identity filters.
 */
const DATA: CategoryRule = {
  allowed: [
    'eventCategory',
    'resources.type',
    'eventName',
    'eventSource',
    'eventType',
    'resources.ARN',
    'readOnly',
    'sessionCredentialFromConsole',
    'userIdentity.arn',
  ],
  required: ['eventCategory', 'resources.type'],
};

/**
 * Network activity events (VPC endpoint calls): eventSource names the service and is required.
 * The reference adds `userIdentity.arn` "for trails" only; `readOnly` is "only used for management
 * events and data events", so never here.
 */
const NETWORK_ACTIVITY_ON_STORE: CategoryRule = {
  allowed: ['eventCategory', 'eventSource', 'eventName', 'errorCode', 'vpcEndpointId'],
  required: ['eventCategory', 'eventSource'],
};

/**
 * Insights, Config configuration items, Audit Manager evidence and events from outside AWS: "the
 * only supported field is eventCategory" (CreateEventDataStore), on event data stores only; a
 * trail's selectors take Management, Data and NetworkActivity.
 */
const CATEGORY_ONLY: CategoryRule = { allowed: ['eventCategory'], required: ['eventCategory'] };

/** The table: a missing entry means the category is not allowed on that target at all. */
export const CATEGORY_RULES: Readonly<
  Record<ResourceKind, Readonly<Partial<Record<EventCategory, CategoryRule>>>>
> = {
  trail: {
    Management: MANAGEMENT_ON_TRAIL,
    Data: DATA,
    NetworkActivity: {
      allowed: [...NETWORK_ACTIVITY_ON_STORE.allowed, 'userIdentity.arn'],
      required: NETWORK_ACTIVITY_ON_STORE.required,
    },
  },
  eventDataStore: {
    // "The following additional fields are available for event data stores" (AdvancedFieldSelector).
    Management: {
      allowed: [
        ...MANAGEMENT_ON_TRAIL.allowed,
        'eventName',
        'eventType',
        'sessionCredentialFromConsole',
        'userIdentity.arn',
      ],
      required: MANAGEMENT_ON_TRAIL.required,
    },
    Data: DATA,
    NetworkActivity: NETWORK_ACTIVITY_ON_STORE,
    Insight: CATEGORY_ONLY,
    ConfigurationItem: CATEGORY_ONLY,
    Evidence: CATEGORY_ONLY,
    ActivityAuditLog: CATEGORY_ONLY,
  },
};

/** How one field may be written, whatever the category (AdvancedFieldSelector). */
export interface FieldRule {
  /** Only the `Equals` operator is accepted. */
  readonly equalsOnly: boolean;
  /** The only values accepted, when the API restricts them. */
  readonly values?: readonly string[];
}

export const FIELD_RULES: Readonly<Partial<Record<EventField, FieldRule>>> = {
  // "This is the only valid operator that you can use with the readOnly, eventCategory, and
  // resources.type fields" (PutEventSelectors, Equals).
  eventCategory: { equalsOnly: true, values: EVENT_CATEGORIES },
  readOnly: { equalsOnly: true, values: ['true', 'false'] },
  'resources.type': { equalsOnly: true },
  // Network activity only: the one error code selectors filter on is a VPC endpoint policy denial
  // (AdvancedFieldSelector, errorCode).
  errorCode: { equalsOnly: true, values: ['VpceAccessDenied'] },
};

/** Fields on which AWS accepts only the Equals operator. */
export const EQUALS_ONLY_FIELDS: ReadonlySet<string> = new Set(
  Object.entries(FIELD_RULES)
    .filter(([, rule]) => rule?.equalsOnly)
    .map(([field]) => field),
);

/**
 * Management events on a trail: eventSource may only exclude these sources, with NotEquals, in
 * what is written (PutEventSelectors, ExcludeManagementEventSources; AdvancedFieldSelector).
 */
export const EXCLUDABLE_MANAGEMENT_SOURCES = ['kms.amazonaws.com', 'rdsdata.amazonaws.com'] as const;

export const isEventCategory = (value: unknown): value is EventCategory =>
  (EVENT_CATEGORIES as readonly unknown[]).includes(value);

/** The rule for a category on a target, or undefined when the target does not take that category. */
export const categoryRule = (target: ResourceKind, category: EventCategory): CategoryRule | undefined =>
  CATEGORY_RULES[target][category];

/** The categories a target takes, in the table's order. */
export const categoriesOn = (target: ResourceKind): EventCategory[] =>
  EVENT_CATEGORIES.filter((c) => CATEGORY_RULES[target][c] !== undefined);

/** Whether `field` may be written in a selector of `category` on `target`. */
export const fieldAllowed = (target: ResourceKind, category: EventCategory, field: string): boolean =>
  (categoryRule(target, category)?.allowed as readonly string[] | undefined)?.includes(field) ?? false;

export const otherTarget = (target: ResourceKind): ResourceKind =>
  target === 'trail' ? 'eventDataStore' : 'trail';

/** "a trail" / "an event data store", for messages. */
export const targetPhrase = (target: ResourceKind): string =>
  target === 'trail' ? 'a trail' : 'an event data store';

/** "trails" / "event data stores", for messages. */
export const targetPlural = (target: ResourceKind): string =>
  target === 'trail' ? 'trails' : 'event data stores';
