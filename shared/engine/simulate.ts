import type { ResourceView } from '../policy/types.js';
import { asAdvanced, type SelectorConfig } from '../selectors/index.js';
import type { Snapshot } from './snapshot.js';
import type { PlanStep } from './types.js';

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

/**
 * One resource's view as it would read after its steps: how the planner checks a plan against
 * every policy on the resource before proposing it.
 */
export function viewAfter(r: ResourceView, steps: readonly PlanStep[]): ResourceView {
  const settings: Record<string, unknown> = { ...r.settings };
  let next: ResourceView = r;
  const selectorsFrom = (input: Record<string, unknown>): Partial<ResourceView> => {
    const config = (
      input.AdvancedEventSelectors
        ? { AdvancedEventSelectors: input.AdvancedEventSelectors }
        : { EventSelectors: input.EventSelectors }
    ) as SelectorConfig;
    return { selectorConfig: config, selectors: asAdvanced(config), selectorProblem: undefined };
  };
  for (const { operation, input } of steps) {
    if (operation === 'StartLogging') next = { ...next, active: true };
    if (operation === 'StartEventDataStoreIngestion') {
      settings.Status = 'ENABLED';
      next = { ...next, active: true };
    }
    if (operation === 'UpdateTrail')
      for (const [k, v] of Object.entries(input)) if (TRAIL_SETTINGS[k]) settings[TRAIL_SETTINGS[k]] = v;
    if (operation === 'PutEventSelectors') next = { ...next, ...selectorsFrom(input) };
    if (operation === 'UpdateEventDataStore') {
      const { EventDataStore: _, ...changes } = input;
      Object.assign(settings, changes);
      if (changes.AdvancedEventSelectors) next = { ...next, ...selectorsFrom(changes) };
    }
    if (operation === 'PutInsightSelectors')
      next = {
        ...next,
        insightSelectors: input.InsightSelectors as never,
        ...(typeof input.InsightsDestination === 'string'
          ? { insightsDestination: input.InsightsDestination }
          : {}),
      };
    if (operation === 'PutEventConfiguration') {
      const { TrailName: _, EventDataStore: __, ...config } = input;
      next = { ...next, eventConfiguration: config as never };
    }
  }
  return { ...next, settings };
}
