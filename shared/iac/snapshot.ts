/** Template resources → the snapshot model, so the exact selector semantics run unchanged on them. */
import type { Snapshot } from '../engine/snapshot.js';
import type { SourceLocation } from '../engine/types.js';
import { DEFAULT_TRAIL_EVENT_SELECTORS } from '../selectors/index.js';
import type { TemplateResource, UnknownProperty } from './model.js';

/** Templates name no account: findings use this one (their ARNs are placeholders, their names are real). */
const TEMPLATE_ACCOUNT = '000000000000';

export interface TemplateSnapshot {
  readonly snapshot: Snapshot;
  /** ARN → where the resource is written. */
  readonly locations: ReadonlyMap<string, SourceLocation>;
  /** ARN → its properties known only at deploy time. */
  readonly unknown: ReadonlyMap<
    string,
    { readonly resource: TemplateResource; readonly properties: readonly UnknownProperty[] }
  >;
}

const DEFAULT_EDS_SELECTORS = [
  { Name: 'Default management events', FieldSelectors: [{ Field: 'eventCategory', Equals: ['Management'] }] },
];

const isUnknown = (r: TemplateResource, ...properties: string[]) =>
  r.unknown.find((u) => properties.includes(u.property));

/**
 * Whether the selector properties are known before deploy; when not, the read that would give them
 * (`part`) becomes the resource's load error, so the checks that need them are ERRORs naming why.
 */
function selectorsKnown(r: TemplateResource, part: string, properties: string[]) {
  const selectorsUnknown = isUnknown(r, ...properties);
  const errors: { part: string; message: string }[] = selectorsUnknown
    ? [{ part, message: `${selectorsUnknown.written} is ${selectorsUnknown.reason}` }]
    : [];
  return { selectorsUnknown, errors };
}

/** Absent optional settings take the values CloudFormation and the API document as defaults. */
function trailEntry(r: TemplateResource, arn: string, name: string, region: string) {
  const p = r.properties;
  const { selectorsUnknown, errors } = selectorsKnown(r, 'GetEventSelectors', [
    'EventSelectors',
    'AdvancedEventSelectors',
  ]);
  const trail: Record<string, unknown> = {
    Name: name,
    TrailARN: arn,
    HomeRegion: region,
    ...(typeof p.S3BucketName === 'string' ? { S3BucketName: p.S3BucketName } : {}),
    IncludeGlobalServiceEvents: p.IncludeGlobalServiceEvents ?? true,
    IsMultiRegionTrail: p.IsMultiRegionTrail ?? false,
    IsOrganizationTrail: p.IsOrganizationTrail ?? false,
    LogFileValidationEnabled: p.EnableLogFileValidation ?? false,
    ...(typeof p.KMSKeyId === 'string' ? { KmsKeyId: p.KMSKeyId } : {}),
    ...(typeof p.CloudWatchLogsLogGroupArn === 'string'
      ? { CloudWatchLogsLogGroupArn: p.CloudWatchLogsLogGroupArn }
      : {}),
  };
  for (const [from, to] of [
    ['IncludeGlobalServiceEvents', 'IncludeGlobalServiceEvents'],
    ['IsMultiRegionTrail', 'IsMultiRegionTrail'],
    ['EnableLogFileValidation', 'LogFileValidationEnabled'],
  ] as const)
    if (isUnknown(r, from)) delete trail[to];
  return {
    trail,
    ...(typeof p.IsLogging === 'boolean' ? { status: { IsLogging: p.IsLogging } } : {}),
    ...(selectorsUnknown
      ? {}
      : {
          eventSelectors: p.AdvancedEventSelectors
            ? { AdvancedEventSelectors: p.AdvancedEventSelectors }
            : { EventSelectors: p.EventSelectors ?? DEFAULT_TRAIL_EVENT_SELECTORS },
        }),
    ...(isUnknown(r, 'InsightSelectors') ? {} : { insightSelectors: p.InsightSelectors ?? [] }),
    ...(isUnknown(r, 'AggregationConfigurations')
      ? {}
      : {
          eventConfiguration: p.AggregationConfigurations
            ? { AggregationConfigurations: p.AggregationConfigurations }
            : {},
        }),
    ...(isUnknown(r, 'Tags') ? {} : { tags: p.Tags ?? [] }),
    ...(errors.length ? { errors } : {}),
  };
}

function eventDataStoreEntry(r: TemplateResource, arn: string, name: string) {
  const p = r.properties;
  const { selectorsUnknown, errors } = selectorsKnown(r, 'GetEventDataStore', ['AdvancedEventSelectors']);
  const store: Record<string, unknown> = {
    EventDataStoreArn: arn,
    Name: name,
    ...(isUnknown(r, 'IngestionEnabled')
      ? {}
      : { Status: p.IngestionEnabled === false ? 'STOPPED_INGESTION' : 'ENABLED' }),
    ...(selectorsUnknown
      ? {}
      : { AdvancedEventSelectors: p.AdvancedEventSelectors ?? DEFAULT_EDS_SELECTORS }),
    ...(isUnknown(r, 'MultiRegionEnabled') ? {} : { MultiRegionEnabled: p.MultiRegionEnabled ?? true }),
    ...(isUnknown(r, 'OrganizationEnabled') ? {} : { OrganizationEnabled: p.OrganizationEnabled ?? false }),
    ...(typeof p.RetentionPeriod === 'number' ? { RetentionPeriod: p.RetentionPeriod } : {}),
    ...(isUnknown(r, 'TerminationProtectionEnabled')
      ? {}
      : { TerminationProtectionEnabled: p.TerminationProtectionEnabled ?? true }),
    ...(typeof p.KmsKeyId === 'string' ? { KmsKeyId: p.KmsKeyId } : {}),
    ...(typeof p.BillingMode === 'string' ? { BillingMode: p.BillingMode } : {}),
  };
  return {
    eventDataStore: store,
    ...(isUnknown(r, 'InsightSelectors') ? {} : { insightSelectors: p.InsightSelectors ?? [] }),
    ...(typeof p.InsightsDestination === 'string' ? { insightsDestination: p.InsightsDestination } : {}),
    ...(isUnknown(r, 'MaxEventSize', 'ContextKeySelectors')
      ? {}
      : {
          eventConfiguration: {
            MaxEventSize: p.MaxEventSize ?? 'Standard',
            ...(p.ContextKeySelectors ? { ContextKeySelectors: p.ContextKeySelectors } : {}),
          },
        }),
    ...(isUnknown(r, 'Tags') ? {} : { tags: p.Tags ?? [] }),
    ...(errors.length ? { errors } : {}),
  };
}

export function templateSnapshot(
  resources: readonly TemplateResource[],
  region: string,
  partition: string,
): TemplateSnapshot {
  const locations = new Map<string, SourceLocation>();
  const unknown = new Map<string, { resource: TemplateResource; properties: UnknownProperty[] }>();
  const trails: unknown[] = [];
  const eventDataStores: unknown[] = [];
  const used = new Set<string>();
  for (const r of resources) {
    const base = r.name ?? r.logicalId.replace(/[^A-Za-z0-9._-]/g, '-');
    let name = base;
    for (let i = 2; used.has(`${r.kind}/${name}`); i++) name = `${base}-${i}`;
    used.add(`${r.kind}/${name}`);
    const arn = `arn:${partition}:cloudtrail:${region}:${TEMPLATE_ACCOUNT}:${r.kind === 'trail' ? 'trail' : 'eventdatastore'}/${name}`;
    locations.set(arn, { file: r.file, line: r.line, logicalId: r.logicalId });
    // A retention left to the service default depends on the billing mode: not decided here.
    const properties = [...r.unknown];
    if (
      r.kind === 'eventDataStore' &&
      r.properties.RetentionPeriod === undefined &&
      !isUnknown(r, 'RetentionPeriod')
    )
      properties.push({
        property: 'RetentionPeriod',
        written: 'RetentionPeriod',
        reason: 'not set: the service default depends on the billing mode',
      });
    if (r.kind === 'trail' && r.properties.IsLogging === undefined && !isUnknown(r, 'IsLogging'))
      properties.push({
        property: 'IsLogging',
        written: 'IsLogging',
        reason: 'missing (CloudFormation requires it)',
      });
    if (properties.length > 0) unknown.set(arn, { resource: r, properties });
    if (r.kind === 'trail') trails.push(trailEntry(r, arn, name, region));
    else eventDataStores.push(eventDataStoreEntry(r, arn, name));
  }
  return {
    snapshot: { version: 1, account: TEMPLATE_ACCOUNT, region, trails, eventDataStores } as Snapshot,
    locations,
    unknown,
  };
}
