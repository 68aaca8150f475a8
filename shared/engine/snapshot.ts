import { z } from 'zod';
import { TrailwardenError } from '../errors.js';
import { EventConfigurationSchema, InsightSelectorSchema } from '../policy/awsShapes.js';
import { compileSelectors, SelectorError } from '../selectors/index.js';

/*
 * The snapshot file contract (docs/architecture.md, "Snapshot file"): AWS response shapes, PascalCase. Unknown keys are
 * kept (AWS adds fields over time); a missing per-resource key means "not known", never "empty".
 */

const str = z.string();
/** Selectors are checked per resource (resources.ts): a malformed one is an ERROR for that resource only. */
const selectorList = z.array(z.unknown());

const TrailSchema = z.looseObject({
  Name: str,
  TrailARN: str,
  HomeRegion: str.optional(),
  S3BucketName: str.optional(),
  IncludeGlobalServiceEvents: z.boolean().optional(),
  IsMultiRegionTrail: z.boolean().optional(),
  IsOrganizationTrail: z.boolean().optional(),
  LogFileValidationEnabled: z.boolean().optional(),
  KmsKeyId: str.optional(),
  CloudWatchLogsLogGroupArn: str.optional(),
  SnsTopicName: str.optional(),
  SnsTopicARN: str.optional(),
  HasCustomEventSelectors: z.boolean().optional(),
  HasInsightSelectors: z.boolean().optional(),
});

/** GetTrailStatus: whether the trail logs, and the last error of each destination it delivers to. */
const TrailStatusSchema = z.looseObject({
  IsLogging: z.boolean().optional(),
  LatestDeliveryError: str.optional(),
  LatestDigestDeliveryError: str.optional(),
  LatestCloudWatchLogsDeliveryError: str.optional(),
  LatestNotificationError: str.optional(),
});

/** A GetEventSelectors response: one of the two lists is in use. */
const EventSelectorsSchema = z
  .looseObject({ EventSelectors: selectorList.optional(), AdvancedEventSelectors: selectorList.optional() })
  .refine((v) => v.EventSelectors !== undefined || v.AdvancedEventSelectors !== undefined, {
    message: 'expected EventSelectors or AdvancedEventSelectors',
  });

const TagSchema = z.object({ Key: str, Value: str.optional() });

const TrailEntrySchema = z.object({
  trail: TrailSchema,
  status: TrailStatusSchema.optional(),
  eventSelectors: EventSelectorsSchema.optional(),
  insightSelectors: z.array(InsightSelectorSchema).optional(),
  eventConfiguration: EventConfigurationSchema.optional(),
  tags: z.array(TagSchema).optional(),
  /** Why a part of this resource could not be read (set by the live loader). */
  errors: z.array(z.object({ part: str, message: str })).optional(),
});

const EventDataStoreSchema = z.looseObject({
  EventDataStoreArn: str,
  Name: str.optional(),
  Status: str.optional(),
  AdvancedEventSelectors: selectorList.optional(),
  MultiRegionEnabled: z.boolean().optional(),
  OrganizationEnabled: z.boolean().optional(),
  RetentionPeriod: z.number().int().optional(),
  /** EXTENDABLE_RETENTION_PRICING or FIXED_RETENTION_PRICING: bounds the retention a plan may ask for. */
  BillingMode: str.optional(),
  TerminationProtectionEnabled: z.boolean().optional(),
  KmsKeyId: str.optional(),
});

const EventDataStoreEntrySchema = z.object({
  eventDataStore: EventDataStoreSchema,
  insightSelectors: z.array(InsightSelectorSchema).optional(),
  /** The destination event data store of its Insights (GetInsightSelectors' InsightsDestination). */
  insightsDestination: str.optional(),
  eventConfiguration: EventConfigurationSchema.optional(),
  tags: z.array(TagSchema).optional(),
  errors: z.array(z.object({ part: str, message: str })).optional(),
});

/** An organization path as AWS writes it in `aws:PrincipalOrgPaths`: `o-…/r-…/ou-…/…/`. */
const ORGANIZATION_PATH = /^o-[a-z0-9]{10,32}\/r-[0-9a-z]{4,32}\/(ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}\/)*$/;

/**
 * Where the account sits in its organization, so that policies can select by organizational unit
 * (`select.ous`) from a file as well as live. Each per-account snapshot carries its own path: a file
 * cut down to some accounts stays complete for them.
 */
const OrganizationSchema = z
  .object({
    id: str.regex(/^o-[a-z0-9]{10,32}$/, 'expected an organization id, o-…'),
    managementAccount: str.regex(/^\d{12}$/, 'expected a 12-digit AWS account id'),
    /** The root and every organizational unit above the account, outermost first. */
    path: str.regex(
      ORGANIZATION_PATH,
      'expected an organization path, o-…/r-…/ou-…/ (as in aws:PrincipalOrgPaths)',
    ),
  })
  .refine((o) => o.path.startsWith(`${o.id}/`), {
    message: 'expected the path to start with the organization id',
    path: ['path'],
  });

export const SnapshotSchema = z.object({
  version: z.literal(1),
  account: z.string().regex(/^\d{12}$/, 'expected a 12-digit AWS account id'),
  region: str,
  organization: OrganizationSchema.optional(),
  /**
   * The caller's account is the organization's CloudTrail delegated administrator (read with
   * organizations:ListDelegatedAdministrators); absent when not known.
   */
  delegatedAdministrator: z.boolean().optional(),
  trails: z.array(TrailEntrySchema).default([]),
  eventDataStores: z.array(EventDataStoreEntrySchema).default([]),
  /** Region-wide reads that failed (e.g. DescribeTrails, ListEventDataStores), with the cause. */
  errors: z.array(z.object({ part: str, message: str })).optional(),
  /**
   * Reads the live loader left out because no loaded policy needed them (e.g. GetInsightSelectors):
   * those parts are not read, which is neither "not known" nor "none"; only policies that do not
   * need them may be judged on this snapshot.
   */
  notRead: z.array(str).optional(),
});

export type Snapshot = z.infer<typeof SnapshotSchema>;
export type OrganizationSection = z.infer<typeof OrganizationSchema>;
export type TrailEntry = z.infer<typeof TrailEntrySchema>;
export type EventDataStoreEntry = z.infer<typeof EventDataStoreEntrySchema>;
export type { EventConfiguration, InsightSelector } from '../policy/awsShapes.js';
export { EventConfigurationSchema, InsightSelectorSchema };

/**
 * A snapshot that does not match the contract: where (`at`, the keys and indices from the file's
 * top) and what is wrong (`problem`). `path` is `at` as a JSON path such as `$.trails[2].trail.Name`.
 */
export class SnapshotError extends TrailwardenError {
  readonly at: readonly PropertyKey[];
  readonly path: string;
  readonly problem: string;
  constructor(at: readonly PropertyKey[], problem: string) {
    const path = jsonPath(at);
    super(`${path}: ${problem}`);
    this.name = 'SnapshotError';
    this.at = at;
    this.path = path;
    this.problem = problem;
  }
}

function jsonPath(path: readonly PropertyKey[]): string {
  return `$${path.map((p) => (typeof p === 'number' ? `[${p}]` : /^[A-Za-z_$][\w$]*$/.test(String(p)) ? `.${String(p)}` : `[${JSON.stringify(String(p))}]`)).join('')}`;
}

/** A snapshot file holds one Region's snapshot, or a non-empty list of them (one per account and Region). */
export function parseSnapshotFile(data: unknown): Snapshot[] {
  if (!Array.isArray(data)) return [parseSnapshot(data)];
  // An empty list would evaluate nothing and pass: that is never what the file meant.
  if (data.length === 0)
    throw new SnapshotError(
      [],
      "an empty list holds no Region; expected one Region's snapshot or a list of them",
    );
  return data.map((item, i) => {
    try {
      return parseSnapshot(item);
    } catch (error) {
      if (error instanceof SnapshotError) throw new SnapshotError([i, ...error.at], error.problem);
      throw error;
    }
  });
}

/**
 * Parses an already-decoded snapshot object; throws SnapshotError naming the first problem's JSON
 * path. Malformed selectors are not such a problem: they make an ERROR for their resource only
 * (see `selectorProblem`), so one bad resource never hides the others.
 */
export function parseSnapshot(data: unknown): Snapshot {
  const result = SnapshotSchema.safeParse(data);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new SnapshotError(issue?.path ?? [], issue?.message ?? 'invalid snapshot');
  }
  return result.data;
}

/**
 * Why a selector configuration from a snapshot cannot be read, as `<JSON path>: <problem>`, or
 * undefined when it is well-formed. `path` is where the configuration sits in the snapshot.
 */
export function selectorProblem(
  config: { EventSelectors?: unknown[]; AdvancedEventSelectors?: unknown[] },
  path: string,
): string | undefined {
  try {
    if (config.AdvancedEventSelectors !== undefined)
      compileSelectors(config.AdvancedEventSelectors, `${path}.AdvancedEventSelectors`);
  } catch (error) {
    if (error instanceof SelectorError) return error.message;
    throw error;
  }
  for (const [j, sel] of (config.EventSelectors ?? []).entries()) {
    const parsed = BasicSelectorSchema.safeParse(sel);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      return `${path}.EventSelectors[${j}]${jsonPath(issue?.path ?? []).slice(1)}: ${issue?.message ?? 'invalid'}`;
    }
  }
  return undefined;
}

const BasicSelectorSchema = z.looseObject({
  ReadWriteType: z.enum(['ReadOnly', 'WriteOnly', 'All']).optional(),
  IncludeManagementEvents: z.boolean().optional(),
  DataResources: z
    .array(z.looseObject({ Type: z.string().optional(), Values: z.array(z.string()).optional() }))
    .optional(),
  ExcludeManagementEventSources: z.array(z.string()).optional(),
});
