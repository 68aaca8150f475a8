import { eventConfigurationChecks } from './checks/eventConfiguration.js';
import { insightChecks } from './checks/insights.js';
import { selectorChecks } from './checks/selectors.js';
import { settingChecks } from './checks/settings.js';
import { tagChecks } from './checks/tags.js';
import type { CheckDefinition, ResourceKind } from './types.js';

/** Every check Trailwarden knows, by resource kind, section and key. */
export const CHECKS: readonly CheckDefinition<never>[] = [
  ...settingChecks,
  ...selectorChecks,
  ...insightChecks,
  ...eventConfigurationChecks,
  ...(tagChecks as CheckDefinition<never>[]),
];

export function checksFor(resource: ResourceKind, section: 'require' | 'forbid'): CheckDefinition<never>[] {
  return CHECKS.filter((c) => c.resource === resource && c.section === section);
}

export function findCheck(
  resource: ResourceKind,
  section: 'require' | 'forbid',
  key: string,
): CheckDefinition<never> | undefined {
  return CHECKS.find((c) => c.resource === resource && c.section === section && c.key === key);
}
