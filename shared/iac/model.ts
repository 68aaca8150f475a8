/** What a template says about one trail or event data store, before it is put in the snapshot model. */

export type Kind = 'trail' | 'eventDataStore';

/** A property whose value is known only at deploy time. */
export interface UnknownProperty {
  /** The property in CloudFormation's spelling (`IsLogging`), the key the checks table uses. */
  readonly property: string;
  /** As written in the source: `IsLogging`, or Terraform's `enable_logging`, with the path inside. */
  readonly written: string;
  /** Why: `!Ref LoggingEnabled`, `unknown until apply`, … */
  readonly reason: string;
}

export interface TemplateResource {
  readonly kind: Kind;
  /** CloudFormation logical id, or Terraform address. */
  readonly logicalId: string;
  readonly file: string;
  readonly line: number;
  /** The physical name when the template fixes it, else undefined (it is generated at deploy). */
  readonly name: string | undefined;
  /** Known properties in CloudFormation's spelling and shapes (Terraform is translated to it). */
  readonly properties: Readonly<Record<string, unknown>>;
  readonly unknown: readonly UnknownProperty[];
}

/**
 * The template properties each check reads. A finding whose check reads a property that is not known
 * is an ERROR naming it: the engine's verdict would rest on a guess.
 */
export const PROPERTIES_READ: Record<Kind, Record<string, readonly string[]>> = {
  trail: {
    logging: ['IsLogging'],
    multiRegion: ['IsMultiRegionTrail'],
    logFileValidation: ['EnableLogFileValidation'],
    includeGlobalServiceEvents: ['IncludeGlobalServiceEvents', 'IsMultiRegionTrail'],
    kmsEncrypted: ['KMSKeyId'],
    tags: ['Tags'],
    logEvents: ['EventSelectors', 'AdvancedEventSelectors'],
    'forbid.logEvents': ['EventSelectors', 'AdvancedEventSelectors'],
    insights: ['InsightSelectors', 'EventSelectors', 'AdvancedEventSelectors'],
    eventConfiguration: ['AggregationConfigurations'],
  },
  eventDataStore: {
    retentionPeriod: ['RetentionPeriod', 'BillingMode'],
    terminationProtection: ['TerminationProtectionEnabled'],
    multiRegion: ['MultiRegionEnabled'],
    organization: ['OrganizationEnabled'],
    kmsEncrypted: ['KmsKeyId'],
    ingestion: ['IngestionEnabled'],
    tags: ['Tags'],
    logEvents: ['AdvancedEventSelectors'],
    'forbid.logEvents': ['AdvancedEventSelectors'],
    insights: ['InsightSelectors', 'InsightsDestination', 'AdvancedEventSelectors'],
    eventConfiguration: ['MaxEventSize', 'ContextKeySelectors'],
  },
};

/** Whether a resource records events at all, and from which Regions: read by any/union policies. */
export const SCOPE_PROPERTIES: Record<Kind, readonly string[]> = {
  trail: ['IsLogging', 'IsMultiRegionTrail'],
  eventDataStore: ['IngestionEnabled', 'MultiRegionEnabled'],
};
