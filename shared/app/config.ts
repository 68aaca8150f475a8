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
  });

/** A value as given, for the message: short, on one line, and never where a secret may have been pasted. */
const NEVER_SHOWN = new Set(['SLACK_WEBHOOK_PARAMETER']);
const shown = (variable: string, v: unknown) =>
  typeof v === 'string' && !NEVER_SHOWN.has(variable) ? ` (got ${JSON.stringify(v.slice(0, 80))})` : '';

/**
 * Parses the settings once, at cold start. A bad value fails the cold start with one message
 * naming each variable and what it expects, instead of a NaN that silently disables a safeguard.
 */
export function loadConfig(env: Readonly<Record<string, string | undefined>>): Config {
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
  };
}
