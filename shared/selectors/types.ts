/** Selector and event shapes in the AWS API's own spelling (PascalCase), as PutEventSelectors takes them. */

export type ReadWriteType = 'ReadOnly' | 'WriteOnly' | 'All';

export interface DataResource {
  Type?: string;
  Values?: string[];
}

/** A basic (classic) event selector. */
export interface EventSelector {
  ReadWriteType?: ReadWriteType;
  IncludeManagementEvents?: boolean;
  DataResources?: DataResource[];
  ExcludeManagementEventSources?: string[];
}

export const OPERATORS = [
  'Equals',
  'StartsWith',
  'EndsWith',
  'NotEquals',
  'NotStartsWith',
  'NotEndsWith',
] as const;
export type Operator = (typeof OPERATORS)[number];

export interface AdvancedFieldSelector {
  Field: string;
  Equals?: string[];
  StartsWith?: string[];
  EndsWith?: string[];
  NotEquals?: string[];
  NotStartsWith?: string[];
  NotEndsWith?: string[];
}

export interface AdvancedEventSelector {
  Name?: string;
  FieldSelectors: AdvancedFieldSelector[];
}

/** What GetEventSelectors returns: one of the two lists is in use. */
export type SelectorConfig =
  | { EventSelectors: EventSelector[] }
  | { AdvancedEventSelectors: AdvancedEventSelector[] };

/**
 * An event as docs/semantics.md, "1. Events" models it: each field holds a string or is absent.
 * Keys are the selector field names (`resources.ARN`, `userIdentity.arn`, …).
 */
export type CloudTrailEvent = Partial<Record<EventField, string>>;

export const EVENT_FIELDS = [
  'eventCategory',
  'readOnly',
  'eventSource',
  'eventName',
  'eventType',
  'resources.type',
  'resources.ARN',
  'userIdentity.arn',
  'sessionCredentialFromConsole',
  'errorCode',
  'vpcEndpointId',
] as const;
export type EventField = (typeof EVENT_FIELDS)[number];

/** The two kinds of resource that hold selectors; AWS's rules differ between them. */
export type ResourceKind = 'trail' | 'eventDataStore';
