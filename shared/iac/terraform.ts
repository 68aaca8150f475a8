/**
 * Terraform plan JSON (`terraform show -json plan.out`) → template resources. Values come from each
 * resource change's `after`; what `after_unknown` marks is known only after apply. Attributes are
 * translated to CloudFormation's property names and shapes, so one mapping feeds the snapshot.
 */
import type { Kind, TemplateResource, UnknownProperty } from './model.js';
import type { SourceDocument } from './source.js';

const TYPES: Record<string, Kind> = {
  aws_cloudtrail: 'trail',
  aws_cloudtrail_event_data_store: 'eventDataStore',
};

export function isTerraformPlan(data: unknown): data is { resource_changes?: unknown[] } {
  return (
    data !== null &&
    typeof data === 'object' &&
    typeof (data as Record<string, unknown>).format_version === 'string' &&
    ('resource_changes' in (data as object) || 'planned_values' in (data as object))
  );
}

type Attrs = Record<string, unknown>;
const list = (v: unknown): Attrs[] => (Array.isArray(v) ? (v as Attrs[]) : []);
const strings = (v: unknown): string[] | undefined =>
  Array.isArray(v) && v.length > 0 ? (v as string[]) : undefined;

const FIELD_OPERATORS: [string, string][] = [
  ['equals', 'Equals'],
  ['not_equals', 'NotEquals'],
  ['starts_with', 'StartsWith'],
  ['not_starts_with', 'NotStartsWith'],
  ['ends_with', 'EndsWith'],
  ['not_ends_with', 'NotEndsWith'],
];

function advanced(v: unknown) {
  return list(v).map((s) => ({
    ...(s.name ? { Name: s.name } : {}),
    FieldSelectors: list(s.field_selector).map((f) => {
      const out: Record<string, unknown> = { Field: f.field };
      for (const [tf, cfn] of FIELD_OPERATORS) {
        const values = strings(f[tf]);
        if (values) out[cfn] = values;
      }
      return out;
    }),
  }));
}

function basic(v: unknown) {
  return list(v).map((s) => ({
    ReadWriteType: s.read_write_type ?? 'All',
    IncludeManagementEvents: s.include_management_events ?? true,
    ...(strings(s.exclude_management_event_sources)
      ? { ExcludeManagementEventSources: s.exclude_management_event_sources }
      : {}),
    DataResources: list(s.data_resource).map((d) => ({ Type: d.type, Values: d.values ?? [] })),
  }));
}

const tags = (v: unknown) =>
  v && typeof v === 'object'
    ? Object.entries(v as Record<string, string>).map(([Key, Value]) => ({ Key, Value }))
    : undefined;

/** Terraform attribute → CloudFormation property and value. */
const ATTRIBUTES: Record<Kind, Record<string, [string, (v: unknown) => unknown]>> = {
  trail: {
    name: ['TrailName', (v) => v],
    s3_bucket_name: ['S3BucketName', (v) => v],
    enable_logging: ['IsLogging', (v) => v],
    is_multi_region_trail: ['IsMultiRegionTrail', (v) => v],
    include_global_service_events: ['IncludeGlobalServiceEvents', (v) => v],
    is_organization_trail: ['IsOrganizationTrail', (v) => v],
    enable_log_file_validation: ['EnableLogFileValidation', (v) => v],
    kms_key_id: ['KMSKeyId', (v) => v],
    cloud_watch_logs_group_arn: ['CloudWatchLogsLogGroupArn', (v) => v],
    event_selector: ['EventSelectors', basic],
    advanced_event_selector: ['AdvancedEventSelectors', advanced],
    insight_selector: ['InsightSelectors', (v) => list(v).map((s) => ({ InsightType: s.insight_type }))],
    tags: ['Tags', tags],
  },
  eventDataStore: {
    name: ['Name', (v) => v],
    advanced_event_selector: ['AdvancedEventSelectors', advanced],
    multi_region_enabled: ['MultiRegionEnabled', (v) => v],
    organization_enabled: ['OrganizationEnabled', (v) => v],
    retention_period: ['RetentionPeriod', (v) => v],
    termination_protection_enabled: ['TerminationProtectionEnabled', (v) => v],
    kms_key_id: ['KmsKeyId', (v) => v],
    billing_mode: ['BillingMode', (v) => v],
    suspend: ['IngestionEnabled', (v) => (typeof v === 'boolean' ? !v : v)],
    tags: ['Tags', tags],
  },
};

/** Paths under `after_unknown` that are `true`, as `attr[0].nested`. */
function unknownPaths(node: unknown, path = ''): string[] {
  if (node === true) return [path];
  if (Array.isArray(node)) return node.flatMap((v, i) => unknownPaths(v, `${path}[${i}]`));
  if (node && typeof node === 'object')
    return Object.entries(node).flatMap(([k, v]) => unknownPaths(v, path ? `${path}.${k}` : k));
  return [];
}

export function terraformResources(doc: SourceDocument): TemplateResource[] {
  const plan = doc.data as { resource_changes?: Attrs[] };
  const out: TemplateResource[] = [];
  (plan.resource_changes ?? []).forEach((change, i) => {
    const kind = TYPES[String(change.type)];
    const c = change.change as
      | { actions?: string[]; after?: Attrs | null; after_unknown?: unknown }
      | undefined;
    if (
      !kind ||
      change.mode === 'data' ||
      !c ||
      !c.after ||
      (c.actions?.includes('delete') && !c.actions.includes('create'))
    )
      return;
    const table = ATTRIBUTES[kind];
    const unknown: UnknownProperty[] = [];
    const unknownAttrs = new Set<string>();
    for (const path of unknownPaths(c.after_unknown)) {
      const attr = path.split(/[.[]/)[0] as string;
      const mapped = table[attr];
      if (!mapped || unknownAttrs.has(attr)) continue;
      unknownAttrs.add(attr);
      unknown.push({ property: mapped[0], written: path, reason: 'known only after apply' });
    }
    const properties: Record<string, unknown> = {};
    for (const [attr, value] of Object.entries(c.after)) {
      const mapped = table[attr];
      if (!mapped || unknownAttrs.has(attr) || value === null || value === undefined) continue;
      if (Array.isArray(value) && value.length === 0) continue;
      properties[mapped[0]] = mapped[1](value);
    }
    // Terraform's own defaults, which a plan leaves out when the configuration does.
    if (kind === 'trail') properties.IsLogging ??= true;
    const name = properties[kind === 'trail' ? 'TrailName' : 'Name'];
    out.push({
      kind,
      logicalId: String(change.address),
      file: doc.file,
      line: doc.line(['resource_changes', i, 'address']),
      name: typeof name === 'string' ? name : undefined,
      properties,
      unknown,
    });
  });
  return out;
}
