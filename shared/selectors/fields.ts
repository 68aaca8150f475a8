import { EVENT_FIELDS, type EventField } from './types.js';

/** The value domain of one event field (docs/semantics.md, "1. Events"). */
interface FieldDomain {
  /** Finite set of allowed values, or undefined for "any non-empty string". */
  readonly values?: readonly string[];
  /** Whether the field may be absent from an event. */
  readonly optional: boolean;
}

export const EVENT_CATEGORIES = [
  'Management',
  'Data',
  'NetworkActivity',
  'Insight',
  'ConfigurationItem',
  'Evidence',
  'ActivityAuditLog',
] as const;

export const FIELD_DOMAINS: Readonly<Record<EventField, FieldDomain>> = {
  eventCategory: { values: EVENT_CATEGORIES, optional: false },
  readOnly: { values: ['true', 'false'], optional: false },
  eventSource: { optional: false },
  eventName: { optional: false },
  eventType: { optional: false },
  'resources.type': { optional: false },
  'resources.ARN': { optional: false },
  'userIdentity.arn': { optional: false },
  sessionCredentialFromConsole: { values: ['true', 'false'], optional: true },
  errorCode: { optional: true },
  vpcEndpointId: { optional: true },
};

export function isEventField(name: string): name is EventField {
  return eventField(name) !== undefined;
}

/**
 * The field's own name string, or undefined for no field. Compiled constraints carry it, so that
 * the engine's many comparisons and lookups by field meet one string and not a copy from the input.
 */
export function eventField(name: string): EventField | undefined {
  const i = (EVENT_FIELDS as readonly string[]).indexOf(name);
  return i < 0 ? undefined : EVENT_FIELDS[i];
}
