/**
 * A plan step as a change to the template that defines the resource: the same repair, written
 * where it belongs before deploy (CloudFormation property names, or Terraform attribute names).
 */
import type { PlanStep } from '../engine/types.js';

const CFN_SETTINGS: Record<string, string> = {
  EnableLogFileValidation: 'EnableLogFileValidation',
  IsMultiRegionTrail: 'IsMultiRegionTrail',
  IncludeGlobalServiceEvents: 'IncludeGlobalServiceEvents',
  KmsKeyId: 'KMSKeyId',
};
const TF_NAMES: Record<string, string> = {
  IsLogging: 'enable_logging',
  EnableLogFileValidation: 'enable_log_file_validation',
  IsMultiRegionTrail: 'is_multi_region_trail',
  IncludeGlobalServiceEvents: 'include_global_service_events',
  KMSKeyId: 'kms_key_id',
  KmsKeyId: 'kms_key_id',
  EventSelectors: 'event_selector',
  AdvancedEventSelectors: 'advanced_event_selector',
  InsightSelectors: 'insight_selector',
  RetentionPeriod: 'retention_period',
  TerminationProtectionEnabled: 'termination_protection_enabled',
  MultiRegionEnabled: 'multi_region_enabled',
  OrganizationEnabled: 'organization_enabled',
  IngestionEnabled: 'suspend',
};

/** The CloudFormation properties a step sets. */
export function cloudFormationChange(step: PlanStep): Record<string, unknown> {
  const { Name: _n, TrailName: _t, EventDataStore: _e, ...input } = step.input as Record<string, unknown>;
  switch (step.operation) {
    case 'StartLogging':
      return { IsLogging: true };
    case 'StartEventDataStoreIngestion':
      return { IngestionEnabled: true };
    case 'UpdateTrail':
      return Object.fromEntries(Object.entries(input).map(([k, v]) => [CFN_SETTINGS[k] ?? k, v]));
    default:
      return input;
  }
}

type Obj = Record<string, unknown>;
const OPERATORS: Record<string, string> = {
  Equals: 'equals',
  NotEquals: 'not_equals',
  StartsWith: 'starts_with',
  NotStartsWith: 'not_starts_with',
  EndsWith: 'ends_with',
  NotEndsWith: 'not_ends_with',
};
/** Selector lists in Terraform's block shapes. */
const TF_BLOCKS: Record<string, (v: Obj[]) => Obj[]> = {
  EventSelectors: (v) =>
    v.map((s) => ({
      read_write_type: s.ReadWriteType ?? 'All',
      include_management_events: s.IncludeManagementEvents ?? true,
      ...(s.ExcludeManagementEventSources
        ? { exclude_management_event_sources: s.ExcludeManagementEventSources }
        : {}),
      data_resource: ((s.DataResources as Obj[] | undefined) ?? []).map((d) => ({
        type: d.Type,
        values: d.Values,
      })),
    })),
  AdvancedEventSelectors: (v) =>
    v.map((s) => ({
      ...(s.Name ? { name: s.Name } : {}),
      field_selector: (s.FieldSelectors as Obj[]).map((f) =>
        Object.fromEntries(
          Object.entries(f).map(([k, x]) => [k === 'Field' ? 'field' : (OPERATORS[k] ?? k), x]),
        ),
      ),
    })),
  InsightSelectors: (v) => v.map((s) => ({ insight_type: s.InsightType })),
};

/** The same change in Terraform's attribute names and block shapes (`suspend` is the inverse of ingestion). */
export function terraformChange(step: PlanStep): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(cloudFormationChange(step)).map(([k, v]) => {
      if (k === 'IngestionEnabled') return ['suspend', !v];
      const blocks = TF_BLOCKS[k];
      return [TF_NAMES[k] ?? k, blocks && Array.isArray(v) ? blocks(v as Obj[]) : v];
    }),
  );
}
