import { z } from 'zod';
import { TrailwardenError } from '../errors.js';
import type { BreakerSettings } from '../state/breaker.js';

/** The handlers' settings, read from the environment once per cold start. */
export interface Config {
  readonly region: string;
  readonly table: string;
  readonly topicArn?: string;
  readonly policyPaths: string;
  /** Regions the scheduled sweep reads. */
  readonly regions: readonly string[];
  /** The global switch for repairs (policies still need `action: remediate`). */
  readonly remediation: boolean;
  /** SSM SecureString parameter holding the Slack webhook URL; absent: no Slack. */
  readonly slackParameter?: string;
  readonly securityHub: boolean;
  /** Publish every transition to the default event bus. */
  readonly eventBridgeFindings: boolean;
  readonly breaker: BreakerSettings;
  readonly remediateFunction?: string;
  readonly remediationRoleArn?: string;
  /** The EventBridge rule feeding onTrailChange, and that function's name: what the sweep watches. */
  readonly watchedRule?: string;
  readonly onTrailChangeFunction?: string;
  /** The central stack's settings (STACK_MODE=central): one stack for many accounts; absent: this account only. */
  readonly central?: CentralConfig;
}

/** What a central stack acts in, and how it enters member accounts. */
export interface CentralConfig {
  /** The accounts listed, or every ACTIVE account of the organization. */
  readonly accounts: readonly string[] | 'organization';
  readonly organizationId: string;
  /** One role entered for reading and repairing; absent: TrailwardenReader and TrailwardenRemediator. */
  readonly memberRoleName?: string;
  readonly externalId?: string;
  /** Where the sweep planner sends one message per account and Region. */
  readonly sweepQueueUrl?: string;
  /** The custom event bus the change rule listens on (the watcher reads the rule there). */
  readonly changeBus?: string;
}

export class ConfigError extends TrailwardenError {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

const REGION = /^[a-z]{2}(-[a-z]+)+-\d$/;
/** Unset and empty are the same (the stack sets optional variables to ''). */
const optional = <T extends z.ZodType>(schema: T) =>
  z.preprocess((v) => (v === '' ? undefined : v), schema.optional());
const flag = (fallback: boolean) =>
  optional(z.enum(['true', 'false'], { error: 'expected true or false' })).transform((v) =>
    v === undefined ? fallback : v === 'true',
  );
const whole = (fallback: number, min: number, max: number) =>
  optional(
    z
      .string()
      .regex(/^\d+$/, { error: `expected a whole number from ${min} to ${max}` })
      .transform(Number)
      .pipe(
        z
          .number()
          .min(min, { error: `expected at least ${min}` })
          .max(max, { error: `expected at most ${max}` }),
      ),
  ).transform((v) => v ?? fallback);
const name = (what: string, pattern: RegExp) =>
  optional(z.string().regex(pattern, { error: `expected ${what}` }));
const arn = (service: string) =>
  name(`an ${service} ARN (arn:PARTITION:${service}:…)`, new RegExp(`^arn:aws[a-z-]*:${service}:`));

const splitList = (v: string) =>
  v
    .split(',')
    .map((r) => r.trim())
    .filter(Boolean);
const ACCOUNT_ID = /^\d{12}$/;
const accountInList = z.string().regex(ACCOUNT_ID, {
  error: 'expected comma-separated 12-digit account ids such as 111111111111,222222222222',
});
const regionInList = z
  .string()
  .regex(REGION, { error: 'expected comma-separated Region names such as us-east-1,eu-west-1' });

const Environment = z
  .object({
    AWS_REGION: optional(z.string().regex(REGION, { error: 'expected a Region name such as us-east-1' })),
    TABLE_NAME: z.string({ error: 'is required (the findings table)' }).min(1, { error: 'is required' }),
    TOPIC_ARN: arn('sns'),
    POLICY_PATHS: optional(z.string()),
    REGIONS: optional(
      z
        .string()
        .transform(splitList)
        .pipe(z.array(regionInList).min(1, { error: 'expected at least one Region' })),
    ),
    REMEDIATION: flag(false),
    SLACK_WEBHOOK_PARAMETER: name('an SSM parameter name starting with /', /^\/[\w.\-/]+$/),
    SECURITY_HUB: flag(false),
    EVENTBRIDGE_FINDINGS: flag(true),
    BREAKER_MAX: whole(3, 1, 1000),
    BREAKER_WINDOW_MINUTES: whole(60, 1, 10_080),
    REMEDIATE_FUNCTION: name('a Lambda function name', /^[\w-]{1,64}$/),
    REMEDIATION_ROLE_ARN: arn('iam'),
    WATCHED_RULE_NAME: name('an EventBridge rule name', /^[\w.-]{1,64}$/),
    ON_TRAIL_CHANGE_FUNCTION: name('a Lambda function name', /^[\w-]{1,64}$/),
    STACK_MODE: optional(z.enum(['single', 'central'], { error: 'expected single or central' })).transform(
      (v) => v ?? 'single',
    ),
    ACCOUNTS: optional(
      z
        .string()
        .transform(splitList)
        .pipe(z.array(accountInList).min(1, { error: 'expected at least one account id' })),
    ),
    ORGANIZATION: flag(false),
    ORGANIZATION_ID: name('an organization id such as o-a1b2c3d4e5', /^o-[a-z0-9]{10,32}$/),
    MEMBER_ROLE_NAME: name(
      'an IAM role name (letters, digits and +=,.@_-, at most 64), optionally after a path',
      /^([\w+=,.@-]+\/)*[\w+=,.@-]{1,64}$/,
    ),
    EXTERNAL_ID: name('2 to 1224 characters of letters, digits and +=,.@:/_-', /^[\w+=,.@:/-]{2,1224}$/),
    SWEEP_QUEUE_URL: name(
      'an SQS queue URL (https://sqs.REGION.amazonaws.com/ACCOUNT/NAME)',
      // http too, for an emulator.
      /^https?:\/\/\S+\/\d{12}\/[\w-]{1,80}$/,
    ),
    CHANGE_BUS_NAME: name('an EventBridge event bus name', /^[\w.\-/]{1,256}$/),
  })
  .superRefine((env, ctx) => {
    if (env.REMEDIATION && !env.REMEDIATE_FUNCTION)
      ctx.addIssue({
        code: 'custom',
        path: ['REMEDIATE_FUNCTION'],
        message: 'is required when REMEDIATION=true',
      });
    if (Boolean(env.WATCHED_RULE_NAME) !== Boolean(env.ON_TRAIL_CHANGE_FUNCTION))
      ctx.addIssue({
        code: 'custom',
        path: [env.WATCHED_RULE_NAME ? 'ON_TRAIL_CHANGE_FUNCTION' : 'WATCHED_RULE_NAME'],
        message: 'is required with WATCHED_RULE_NAME and ON_TRAIL_CHANGE_FUNCTION together',
      });
    if (env.STACK_MODE === 'central') {
      if (Boolean(env.ACCOUNTS) === env.ORGANIZATION)
        ctx.addIssue({
          code: 'custom',
          path: ['ACCOUNTS'],
          message: env.ORGANIZATION
            ? 'must be empty with ORGANIZATION=true (STACK_MODE=central takes one or the other)'
            : 'or ORGANIZATION=true is required with STACK_MODE=central',
        });
      if (!env.ORGANIZATION_ID)
        ctx.addIssue({
          code: 'custom',
          path: ['ORGANIZATION_ID'],
          message: 'is required with STACK_MODE=central (the organization member accounts are in)',
        });
    } else {
      // A single-account stack given central settings was most likely deployed without mode=central.
      const central = {
        ACCOUNTS: env.ACCOUNTS,
        ORGANIZATION: env.ORGANIZATION || undefined,
        ORGANIZATION_ID: env.ORGANIZATION_ID,
        MEMBER_ROLE_NAME: env.MEMBER_ROLE_NAME,
        EXTERNAL_ID: env.EXTERNAL_ID,
        SWEEP_QUEUE_URL: env.SWEEP_QUEUE_URL,
      };
      for (const [variable, value] of Object.entries(central))
        if (value !== undefined)
          ctx.addIssue({ code: 'custom', path: [variable], message: 'is only used with STACK_MODE=central' });
    }
  });

/** A value as given, for the message: short, on one line, and never where a secret may have been pasted. */
const NEVER_SHOWN = new Set(['SLACK_WEBHOOK_PARAMETER', 'EXTERNAL_ID']);
const shown = (variable: string, v: unknown) =>
  typeof v === 'string' && !NEVER_SHOWN.has(variable) ? ` (got ${JSON.stringify(v.slice(0, 80))})` : '';

/**
 * Parses the settings once, at cold start. A bad value fails the cold start with one message
 * naming each variable and what it expects, instead of a NaN that silently disables a safeguard.
 */
export function loadConfig(env: Readonly<Record<string, string | undefined>> = process.env): Config {
  const result = Environment.safeParse(env);
  if (!result.success) {
    const problems = result.error.issues.map((i) => {
      const variable = String(i.path[0] ?? '(environment)');
      return `${variable} ${i.message.replace(/^Invalid input: /, '')}${shown(variable, env[variable])}`;
    });
    throw new ConfigError(`invalid configuration: ${problems.join('; ')}`);
  }
  const e = result.data;
  const region = e.AWS_REGION ?? 'us-east-1';
  return {
    region,
    table: e.TABLE_NAME,
    ...(e.TOPIC_ARN ? { topicArn: e.TOPIC_ARN } : {}),
    policyPaths: e.POLICY_PATHS ?? 'policies',
    regions: e.REGIONS ?? [region],
    remediation: e.REMEDIATION,
    ...(e.SLACK_WEBHOOK_PARAMETER ? { slackParameter: e.SLACK_WEBHOOK_PARAMETER } : {}),
    securityHub: e.SECURITY_HUB,
    eventBridgeFindings: e.EVENTBRIDGE_FINDINGS,
    breaker: { maxRemediations: e.BREAKER_MAX, windowMinutes: e.BREAKER_WINDOW_MINUTES },
    ...(e.REMEDIATE_FUNCTION ? { remediateFunction: e.REMEDIATE_FUNCTION } : {}),
    ...(e.REMEDIATION_ROLE_ARN ? { remediationRoleArn: e.REMEDIATION_ROLE_ARN } : {}),
    ...(e.WATCHED_RULE_NAME ? { watchedRule: e.WATCHED_RULE_NAME } : {}),
    ...(e.ON_TRAIL_CHANGE_FUNCTION ? { onTrailChangeFunction: e.ON_TRAIL_CHANGE_FUNCTION } : {}),
    ...(e.STACK_MODE === 'central'
      ? {
          central: {
            accounts: e.ACCOUNTS ? [...new Set(e.ACCOUNTS)] : 'organization',
            organizationId: e.ORGANIZATION_ID as string,
            ...(e.MEMBER_ROLE_NAME ? { memberRoleName: e.MEMBER_ROLE_NAME } : {}),
            ...(e.EXTERNAL_ID ? { externalId: e.EXTERNAL_ID } : {}),
            ...(e.SWEEP_QUEUE_URL ? { sweepQueueUrl: e.SWEEP_QUEUE_URL } : {}),
            ...(e.CHANGE_BUS_NAME ? { changeBus: e.CHANGE_BUS_NAME } : {}),
          },
        }
      : {}),
  };
}
