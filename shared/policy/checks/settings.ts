import { z } from 'zod';
import { label } from '../describe.js';
import type {
  Check,
  CheckDefinition,
  CheckOutcome,
  CloudTrailRead,
  DeliveryError,
  Fix,
  ResourceKind,
  ResourceView,
} from '../types.js';

const READ_TRAIL = ['cloudtrail:DescribeTrails'];
const READ_EDS = ['cloudtrail:GetEventDataStore', 'cloudtrail:ListEventDataStores'];
/** A setting is in the listing itself: DescribeTrails, or ListEventDataStores + GetEventDataStore. */
const SETTINGS_OF: Record<ResourceKind, readonly CloudTrailRead[]> = {
  trail: ['DescribeTrails'],
  eventDataStore: ['ListEventDataStores', 'GetEventDataStore'],
};

interface BooleanSetting {
  key: string;
  resource: ResourceKind;
  description: string;
  /** The setting in DescribeTrails / GetEventDataStore. */
  field: string;
  /** What the value means, for messages: [when true, when false]. */
  says: [string, string];
  fix?: (value: boolean, r: ResourceView) => Fix | string;
  remediate: string[];
}

function booleanSetting(def: BooleanSetting): CheckDefinition<boolean> {
  return {
    key: def.key,
    section: 'require',
    resource: def.resource,
    check: def.key,
    description: def.description,
    params: z.boolean(),
    iam: { evaluate: def.resource === 'trail' ? READ_TRAIL : READ_EDS, remediate: def.remediate },
    reads: SETTINGS_OF[def.resource],
    example: true,
    evaluate(r, want): CheckOutcome {
      // An absent boolean setting reads as false, as the AWS consoles and CLIs show it.
      const have = r.settings[def.field];
      const value = have === true;
      const says = (v: boolean) => (v ? def.says[0] : def.says[1]);
      if (value === want) return { status: 'PASS', message: `${label(r)}: ${says(value)}` };
      const message = `${label(r)}: ${says(value)}, required ${says(want)}`;
      const fix = def.fix?.(want, r);
      if (fix === undefined)
        return { status: 'FAIL', message, manual: 'no automatic repair for this setting' };
      if (typeof fix === 'string') return { status: 'FAIL', message, manual: fix };
      return { status: 'FAIL', message, fixes: [fix] };
    },
  };
}

const trailSettingChecks: Check[] = [
  booleanSetting({
    key: 'multiRegion',
    resource: 'trail',
    description: 'The trail is (or is not) a multi-Region trail.',
    field: 'IsMultiRegionTrail',
    says: ['multi-Region', 'single-Region'],
    // A multi-Region trail must include global service events; setting both is a superset of today.
    fix: (v) => ({
      kind: 'updateSettings',
      set: v ? { IsMultiRegionTrail: true, IncludeGlobalServiceEvents: true } : { IsMultiRegionTrail: false },
    }),
    remediate: ['cloudtrail:UpdateTrail'],
  }),
  booleanSetting({
    key: 'logFileValidation',
    resource: 'trail',
    description: 'Log file integrity validation is enabled (CIS 3.2/4.2, CloudTrail.4).',
    field: 'LogFileValidationEnabled',
    says: ['log file validation on', 'log file validation off'],
    fix: (v) => ({ kind: 'updateSettings', set: { EnableLogFileValidation: v } }),
    remediate: ['cloudtrail:UpdateTrail'],
  }),
  booleanSetting({
    key: 'includeGlobalServiceEvents',
    resource: 'trail',
    description: 'The trail includes events from global services such as IAM.',
    field: 'IncludeGlobalServiceEvents',
    says: ['global service events included', 'global service events excluded'],
    fix: (v, r) =>
      !v && r.settings.IsMultiRegionTrail === true
        ? 'a multi-Region trail must include global service events'
        : { kind: 'updateSettings', set: { IncludeGlobalServiceEvents: v } },
    remediate: ['cloudtrail:UpdateTrail'],
  }),
];

/** A boolean of an event data store that UpdateEventDataStore sets under the name GetEventDataStore reads. */
const storeBoolean = (key: string, field: string, description: string, says: [string, string]) =>
  booleanSetting({
    key,
    resource: 'eventDataStore',
    description,
    field,
    says,
    fix: (v) => ({ kind: 'updateSettings', set: { [field]: v } }),
    remediate: ['cloudtrail:UpdateEventDataStore'],
  });

const eventDataStoreSettingChecks: Check[] = [
  storeBoolean(
    'terminationProtection',
    'TerminationProtectionEnabled',
    'Termination protection is enabled on the event data store.',
    ['termination protection on', 'termination protection off'],
  ),
  storeBoolean(
    'multiRegion',
    'MultiRegionEnabled',
    'The event data store collects events from all Regions.',
    ['multi-Region', 'single-Region'],
  ),
  storeBoolean(
    'organization',
    'OrganizationEnabled',
    'The event data store collects events for the whole organization.',
    ['organization-wide', 'single-account'],
  ),
];

const KmsParams = z.union([z.boolean(), z.strictObject({ kmsKeyId: z.string().min(1) })]);
type KmsParams = z.infer<typeof KmsParams>;

const KEY_ARN = /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/([^/]+)$/;
const KEY_ID = /^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|mrk-[0-9a-f]{32})$/;
const isAlias = (key: string) =>
  key.startsWith('alias/') || /^arn:aws[a-z-]*:kms:[^:]*:\d{12}:alias\//.test(key);

/** Whether the policy's key is a form that can be compared with what CloudTrail reports. */
function kmsKeyProblem(key: string): string | undefined {
  if (KEY_ARN.test(key) || KEY_ID.test(key)) return undefined;
  if (isAlias(key))
    return `"${key}" is an alias; CloudTrail reports the key ARN, and which key an alias points to is known only to KMS (and can change), so give the key id or key ARN (aws kms describe-key --key-id ${key})`;
  return `"${key}" is not a KMS key id (1234abcd-12ab-34cd-56ef-1234567890ab or mrk-…) or key ARN (arn:aws:kms:<region>:<account>:key/<key id>)`;
}

/**
 * Does the configured key `have` (a key ARN, as DescribeTrails and GetEventDataStore report it) name
 * the policy's key `want`? Exact: two ARNs must be equal; a bare key id matches the ARN that ends in
 * `:key/<id>` (multi-Region replicas share their id). `undefined` when `have` is an alias.
 */
function sameKmsKey(have: string, want: string): boolean | undefined {
  if (isAlias(have)) return undefined;
  const idOf = (k: string) => KEY_ARN.exec(k)?.[1] ?? k;
  if (KEY_ARN.test(have) && KEY_ARN.test(want)) return have === want;
  return idOf(have) === idOf(want);
}

function kmsCheck(resource: ResourceKind): CheckDefinition<KmsParams> {
  const what = resource === 'trail' ? 'trail' : 'event data store';
  return {
    key: 'kmsEncrypted',
    section: 'require',
    resource,
    check: 'kmsEncrypted',
    description:
      resource === 'trail'
        ? 'Log files are encrypted with a KMS key (CIS 3.7/4.5, CloudTrail.2); with kmsKeyId (a key id or key ARN, not an alias), with that key, which Trailwarden can set.'
        : 'The event data store is encrypted with a customer managed KMS key (CloudTrail.10); with kmsKeyId (a key id or key ARN), with that key.',
    params: KmsParams,
    iam: {
      evaluate: resource === 'trail' ? READ_TRAIL : READ_EDS,
      remediate: [resource === 'trail' ? 'cloudtrail:UpdateTrail' : 'cloudtrail:UpdateEventDataStore'],
    },
    reads: SETTINGS_OF[resource],
    example: { kmsKeyId: 'arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab' },
    validateParams(params) {
      const problem = typeof params === 'object' ? kmsKeyProblem(params.kmsKeyId) : undefined;
      return problem ? [{ path: 'kmsKeyId', message: problem, severity: 'error' }] : [];
    },
    evaluate(r, params) {
      const key = r.settings.KmsKeyId;
      const want = params !== false;
      const has = typeof key === 'string' && key.length > 0;
      if (!want) {
        return has
          ? {
              status: 'FAIL',
              message: `${label(r)} is encrypted with ${key}`,
              manual: 'a KMS key is not removed automatically',
            }
          : { status: 'PASS', message: `${label(r)} uses no KMS key` };
      }
      const wanted = typeof params === 'object' ? params.kmsKeyId : undefined;
      const setKey: Fix[] = wanted ? [{ kind: 'updateSettings', set: { KmsKeyId: wanted } }] : [];
      if (!has) {
        const message = `${label(r)} is not encrypted with a KMS key`;
        return wanted
          ? { status: 'FAIL', message, fixes: setKey }
          : {
              status: 'FAIL',
              message,
              manual: 'set kmsEncrypted.kmsKeyId in the policy to let Trailwarden apply a key',
            };
      }
      if (!wanted) return { status: 'PASS', message: `${label(r)} is encrypted with ${key}` };
      const same = sameKmsKey(key, wanted);
      if (same === undefined)
        return {
          status: 'ERROR',
          message: `${label(r)} reports its key as the alias ${key}, which cannot be compared with ${wanted} without KMS`,
        };
      if (same) return { status: 'PASS', message: `${label(r)} is encrypted with ${key}` };
      const message = `${label(r)} is encrypted with ${key}, not with the required key ${wanted}`;
      // CloudTrail Lake binds a store to its key for good (create_event_data_store: "cannot be removed or changed").
      return resource === 'trail'
        ? { status: 'FAIL', message, fixes: setKey }
        : {
            status: 'FAIL',
            message,
            manual: `the KMS key of an ${what} cannot be changed once set; create a new ${what} with the required key`,
          };
    },
  };
}

/**
 * The longest retention each billing mode allows, in days (UpdateEventDataStore, BillingMode):
 * seven years with fixed pricing, ten with extendable pricing (the default for new stores).
 */
const RETENTION_DAYS_BY_BILLING_MODE: Readonly<Record<string, number>> = {
  EXTENDABLE_RETENTION_PRICING: 3653,
  FIXED_RETENTION_PRICING: 2557,
};
const RETENTION_MIN_DAYS = 7;
const RETENTION_MAX_DAYS = Math.max(...Object.values(RETENTION_DAYS_BY_BILLING_MODE));
/** What every billing mode allows: the cap used when a store's mode is not known. */
const RETENTION_SAFE_DAYS = Math.min(...Object.values(RETENTION_DAYS_BY_BILLING_MODE));

const Retention = z
  .strictObject({
    minDays: z.number().int().min(RETENTION_MIN_DAYS).max(RETENTION_MAX_DAYS).optional(),
    maxDays: z.number().int().min(RETENTION_MIN_DAYS).max(RETENTION_MAX_DAYS).optional(),
  })
  .refine((v) => v.minDays !== undefined || v.maxDays !== undefined, {
    message: 'expected minDays or maxDays',
  })
  .superRefine((v, ctx) => {
    if (v.minDays !== undefined && v.maxDays !== undefined && v.minDays > v.maxDays)
      ctx.addIssue({
        code: 'custom',
        path: ['minDays'],
        message: `minDays (${v.minDays}) is above maxDays (${v.maxDays}); no retention period satisfies both`,
      });
  });

/** Why the retention cannot be raised to `days` on this store, when its billing mode forbids it (or is not known). */
function retentionCapReason(r: ResourceView, days: number): string | undefined {
  const mode = r.settings.BillingMode;
  const cap = typeof mode === 'string' ? RETENTION_DAYS_BY_BILLING_MODE[mode] : undefined;
  if (cap !== undefined)
    return days > cap
      ? `its billing mode ${mode} allows at most ${cap} days; more needs EXTENDABLE_RETENTION_PRICING, a pricing change made by hand`
      : undefined;
  return days > RETENTION_SAFE_DAYS
    ? `its billing mode is not known${typeof mode === 'string' ? ` (${mode})` : ''}, and FIXED_RETENTION_PRICING allows at most ${RETENTION_SAFE_DAYS} days; raise it by hand`
    : undefined;
}

const retentionCheck: CheckDefinition<z.infer<typeof Retention>> = {
  key: 'retentionPeriod',
  section: 'require',
  resource: 'eventDataStore',
  check: 'retentionPeriod',
  description:
    'The retention period, in days, is within bounds. Raising it is automatic up to what the billing mode allows (2557 days with FIXED_RETENTION_PRICING, 3653 with EXTENDABLE_RETENTION_PRICING); lowering it would delete events, so it never is.',
  params: Retention,
  iam: { evaluate: READ_EDS, remediate: ['cloudtrail:UpdateEventDataStore'] },
  reads: SETTINGS_OF.eventDataStore,
  example: { minDays: 365 },
  evaluate(r, { minDays, maxDays }) {
    const days = r.settings.RetentionPeriod;
    if (typeof days !== 'number')
      return { status: 'ERROR', message: `${label(r)}: RetentionPeriod is not known` };
    if (minDays !== undefined && days < minDays) {
      const message = `${label(r)} keeps events ${days} days; the policy requires at least ${minDays}`;
      const capped = retentionCapReason(r, minDays);
      if (capped) return { status: 'FAIL', message, manual: `not raised to ${minDays} days: ${capped}` };
      return {
        status: 'FAIL',
        message,
        fixes: [{ kind: 'updateSettings', set: { RetentionPeriod: minDays } }],
      };
    }
    if (maxDays !== undefined && days > maxDays) {
      return {
        status: 'FAIL',
        message: `${label(r)} keeps events ${days} days; the policy allows at most ${maxDays}`,
        manual: 'lowering the retention period deletes events; change it by hand',
      };
    }
    return { status: 'PASS', message: `${label(r)} keeps events ${days} days` };
  },
};

const describeDelivery = (e: DeliveryError) => `${e.field} (${e.destination}): ${e.error}`;

/** What a person should look at for each failing destination. */
function deliveryRepair(errors: readonly DeliveryError[]): string {
  const hints = new Set(
    errors.map((e) =>
      e.field === 'LatestCloudWatchLogsDeliveryError'
        ? 'the CloudWatch Logs role (CloudWatchLogsRoleArn) and its permissions on the log group'
        : e.field === 'LatestNotificationError'
          ? 'the SNS topic policy (and its KMS key policy, if encrypted)'
          : 'the S3 bucket policy (and the KMS key policy, if the trail uses a key)',
    ),
  );
  return `fix ${[...hints].join('; and ')}`;
}

const loggingCheck: CheckDefinition<boolean> = {
  key: 'logging',
  section: 'require',
  resource: 'trail',
  check: 'logging',
  description:
    'The trail is logging and delivers what it logs: no delivery error for its S3 bucket, digest files (with log file validation), CloudWatch Logs group or SNS topic.',
  params: z.boolean(),
  iam: { evaluate: ['cloudtrail:GetTrailStatus'], remediate: ['cloudtrail:StartLogging'] },
  reads: ['DescribeTrails', 'GetTrailStatus'],
  example: true,
  evaluate(r, want) {
    if (r.active === undefined)
      return { status: 'ERROR', message: `${label(r)}: logging status is not known` };
    if (!want) {
      return r.active
        ? { status: 'FAIL', message: `${label(r)} is logging`, manual: 'Trailwarden never stops logging' }
        : { status: 'PASS', message: `${label(r)} is not logging` };
    }
    if (!r.active)
      return { status: 'FAIL', message: `${label(r)} is not logging`, fixes: [{ kind: 'startLogging' }] };
    // Logging that does not arrive is not logging (docs/semantics.md, "8. The other settings a policy can ask for", delivery health).
    const errors = r.deliveryErrors ?? [];
    if (errors.length > 0) {
      return {
        status: 'FAIL',
        message: `${label(r)} is logging but does not deliver: ${errors.map(describeDelivery).join('; ')}`,
        manual: deliveryRepair(errors),
      };
    }
    return { status: 'PASS', message: `${label(r)} is logging` };
  },
};

const deliveryHealthCheck: CheckDefinition<true> = {
  key: 'deliveryHealth',
  section: 'require',
  resource: 'trail',
  check: 'deliveryHealth',
  description:
    'GetTrailStatus reports no delivery error for any destination the trail is configured with: LatestDeliveryError (S3), LatestDigestDeliveryError (with log file validation), LatestCloudWatchLogsDeliveryError (with a log group), LatestNotificationError (with an SNS topic).',
  params: z.literal(true),
  iam: { evaluate: ['cloudtrail:GetTrailStatus', 'cloudtrail:DescribeTrails'], remediate: [] },
  reads: ['DescribeTrails', 'GetTrailStatus'],
  example: true,
  evaluate(r) {
    if (r.deliveryErrors === undefined)
      return { status: 'ERROR', message: `${label(r)}: its delivery status (GetTrailStatus) is not known` };
    if (r.deliveryErrors.length > 0) {
      return {
        status: 'FAIL',
        message: `${label(r)} does not deliver: ${r.deliveryErrors.map(describeDelivery).join('; ')}`,
        manual: deliveryRepair(r.deliveryErrors),
      };
    }
    return { status: 'PASS', message: `${label(r)} reports no delivery error` };
  },
};

const ingestionCheck: CheckDefinition<boolean> = {
  key: 'ingestion',
  section: 'require',
  resource: 'eventDataStore',
  check: 'ingestion',
  description: 'The event data store is ingesting events (Status ENABLED).',
  params: z.boolean(),
  iam: { evaluate: READ_EDS, remediate: ['cloudtrail:StartEventDataStoreIngestion'] },
  reads: SETTINGS_OF.eventDataStore,
  example: true,
  evaluate(r, want) {
    const status = r.settings.Status;
    if (typeof status !== 'string') return { status: 'ERROR', message: `${label(r)}: Status is not known` };
    const on = status === 'ENABLED';
    if (on === want) return { status: 'PASS', message: `${label(r)} has status ${status}` };
    if (!want)
      return {
        status: 'FAIL',
        message: `${label(r)} is ingesting`,
        manual: 'Trailwarden never stops ingestion',
      };
    if (status === 'STOPPED_INGESTION') {
      return {
        status: 'FAIL',
        message: `${label(r)} has status ${status}`,
        fixes: [{ kind: 'startIngestion' }],
      };
    }
    return {
      status: 'FAIL',
      message: `${label(r)} has status ${status}`,
      manual: `ingestion cannot be started from status ${status}`,
    };
  },
};

export const settingChecks: Check[] = [
  loggingCheck,
  deliveryHealthCheck,
  ...trailSettingChecks,
  kmsCheck('trail'),
  ingestionCheck,
  retentionCheck,
  ...eventDataStoreSettingChecks,
  kmsCheck('eventDataStore'),
];
