import type { PlanStep } from './plan.js';
import type { Snapshot } from './snapshot.js';

const TRAIL_SETTINGS: Record<string, string> = {
  IsMultiRegionTrail: 'IsMultiRegionTrail',
  IncludeGlobalServiceEvents: 'IncludeGlobalServiceEvents',
  EnableLogFileValidation: 'LogFileValidationEnabled',
  KmsKeyId: 'KmsKeyId',
};

/**
 * The snapshot as it would read after `plan` is applied: how the plan is proved to repair what it
 * claims (every golden case re-evaluates this), and what `apply` verifies against.
 */
export function simulatePlan(snapshot: Snapshot, plan: readonly PlanStep[]): Snapshot {
  const next = structuredClone(snapshot);
  for (const step of plan) {
    const { operation, input } = step;
    const trail = next.trails.find((t) => t.trail.TrailARN === step.resource);
    const store = next.eventDataStores.find((e) => e.eventDataStore.EventDataStoreArn === step.resource);
    if (trail) {
      if (operation === 'StartLogging') trail.status = { ...(trail.status ?? {}), IsLogging: true };
      if (operation === 'UpdateTrail') {
        for (const [k, v] of Object.entries(input))
          if (TRAIL_SETTINGS[k]) (trail.trail as Record<string, unknown>)[TRAIL_SETTINGS[k]] = v;
      }
      if (operation === 'PutEventSelectors') {
        trail.eventSelectors = input.AdvancedEventSelectors
          ? { AdvancedEventSelectors: input.AdvancedEventSelectors as never }
          : { EventSelectors: input.EventSelectors as never };
      }
      if (operation === 'PutInsightSelectors') trail.insightSelectors = input.InsightSelectors as never;
      if (operation === 'PutEventConfiguration') {
        const { TrailName: _, ...config } = input;
        trail.eventConfiguration = config as never;
      }
    } else if (store) {
      const eds = store.eventDataStore as Record<string, unknown>;
      if (operation === 'StartEventDataStoreIngestion') eds.Status = 'ENABLED';
      if (operation === 'UpdateEventDataStore') {
        const { EventDataStore: _, ...changes } = input;
        Object.assign(eds, changes);
      }
      if (operation === 'PutInsightSelectors') {
        store.insightSelectors = input.InsightSelectors as never;
        if (typeof input.InsightsDestination === 'string')
          store.insightsDestination = input.InsightsDestination;
      }
      if (operation === 'PutEventConfiguration') {
        const { EventDataStore: _, ...config } = input;
        store.eventConfiguration = config as never;
      }
    }
  }
  return next;
}
