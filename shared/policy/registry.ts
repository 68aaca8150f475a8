import type { EventConfiguration, InsightSelector } from './awsShapes.js';
import {
  eventConfigurationChecks,
  eventConfigurationProblem,
  mergeEventConfiguration,
} from './checks/eventConfiguration.js';
import { insightChecks, mergeInsights } from './checks/insights.js';
import { selectorChecks } from './checks/selectors.js';
import { settingChecks } from './checks/settings.js';
import { tagChecks } from './checks/tags.js';
import type { Check, ResourceKind, ResourceView } from './types.js';

/** Every check Trailwarden knows, by resource kind, section and key. */
export const CHECKS: readonly Check[] = [
  ...settingChecks,
  ...selectorChecks,
  ...insightChecks,
  ...eventConfigurationChecks,
  ...tagChecks,
];

export function checksFor(resource: ResourceKind, section: 'require' | 'forbid'): Check[] {
  return CHECKS.filter((c) => c.resource === resource && c.section === section);
}

export function findCheck(
  resource: ResourceKind,
  section: 'require' | 'forbid',
  key: string,
): Check | undefined {
  return CHECKS.find((c) => c.resource === resource && c.section === section && c.key === key);
}

/**
 * How the fixes of a kind whose request replaces a whole part combine on one resource: the part to
 * send (what the resource has plus every fix), or why no valid request carries them. Each lives
 * with the checks that make such fixes; the planner reaches them only here.
 */
export const REPAIR_REQUESTS = {
  insights: (r: ResourceView, add: readonly InsightSelector[]): InsightSelector[] =>
    mergeInsights(r.insightSelectors ?? [], add),
  eventConfiguration(
    r: ResourceView,
    wants: readonly EventConfiguration[],
  ): { readonly input: EventConfiguration } | { readonly problem: string } {
    const input = mergeEventConfiguration(r.kind, r.eventConfiguration ?? {}, wants);
    const problem = eventConfigurationProblem(r.kind, input);
    return problem ? { problem } : { input };
  },
};
