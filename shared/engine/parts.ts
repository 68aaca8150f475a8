import type { EventDataStoreEntry, TrailEntry } from './snapshot.js';
import type { PlanStep } from './types.js';

/**
 * The parts of a resource's configuration that a write replaces. A repair re-reads the resource
 * before each write and compares these parts with what it planned from, so it never overwrites a
 * change it did not see.
 */
export type ConfigurationPart = 'logging' | 'settings' | 'selectors' | 'insights' | 'configuration';

/** The part each plan operation writes (PutEventSelectors replaces all selectors, etc.). */
export const PART_WRITTEN_BY: Record<PlanStep['operation'], ConfigurationPart> = {
  StartLogging: 'logging',
  StartEventDataStoreIngestion: 'logging',
  UpdateTrail: 'settings',
  UpdateEventDataStore: 'settings',
  PutEventSelectors: 'selectors',
  PutInsightSelectors: 'insights',
  PutEventConfiguration: 'configuration',
};

/** Operations that replace a whole part: AWS applies them unconditionally (no version, no ETag). */
export const REPLACING_OPERATIONS: ReadonlySet<string> = new Set<PlanStep['operation']>([
  'PutEventSelectors',
  'PutInsightSelectors',
  'PutEventConfiguration',
  'UpdateEventDataStore',
]);

/** JSON with sorted keys: two reads of the same state compare equal whatever the key order. */
function canonical(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  return JSON.stringify(value, (_, v) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => a.localeCompare(b)))
      : v,
  );
}

const without = (value: Record<string, unknown>, drop: readonly string[]) =>
  Object.fromEntries(Object.entries(value).filter(([k]) => !drop.includes(k)));

/**
 * Each part of a trail or event data store, as comparable text (undefined: not known). Fields
 * that change without anyone changing the configuration (delivery times, timestamps, the
 * Has…Selectors flags our own writes flip) are left out.
 */
export function configurationParts(
  entry: TrailEntry | EventDataStoreEntry,
): Record<ConfigurationPart, string | undefined> {
  if ('trail' in entry) {
    return {
      logging: canonical(entry.status?.IsLogging),
      settings: canonical(without(entry.trail, ['HasCustomEventSelectors', 'HasInsightSelectors'])),
      selectors: canonical(entry.eventSelectors),
      insights: canonical(entry.insightSelectors),
      configuration: canonical(entry.eventConfiguration),
    };
  }
  const store = entry.eventDataStore as Record<string, unknown>;
  return {
    logging: canonical(store.Status),
    // UpdateEventDataStore writes the selectors with the other settings: they are one part here.
    settings: canonical(without(store, ['Status', 'CreatedTimestamp', 'UpdatedTimestamp'])),
    selectors: undefined,
    insights: canonical({ selectors: entry.insightSelectors, destination: entry.insightsDestination }),
    configuration: canonical(entry.eventConfiguration),
  };
}

/** The parts that differ between two reads, leaving out those we changed ourselves since the first. */
export function changedParts(
  planned: TrailEntry | EventDataStoreEntry,
  now: TrailEntry | EventDataStoreEntry,
  ours: ReadonlySet<ConfigurationPart>,
): ConfigurationPart[] {
  const a = configurationParts(planned);
  const b = configurationParts(now);
  return (Object.keys(a) as ConfigurationPart[]).filter((p) => !ours.has(p) && a[p] !== b[p]);
}
