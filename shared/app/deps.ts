import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { AccountAccess } from '../aws/accounts.js';
import type { ClientProvider } from '../aws/loader.js';
import type { RuleReport } from '../aws/watcher.js';
import type { OrganizationSection, PlanStep } from '../engine/index.js';
import type { Notification } from '../notify/message.js';
import type { Channel } from '../notify/notifier.js';
import type { Policy } from '../policy/document.js';
import type { BreakerSettings } from '../state/breaker.js';
import type { StateStore } from '../state/types.js';

/** How a central stack reaches member accounts. */
export interface Members {
  /** Whether the stack acts in the account: one of the accounts configured, or any of the organization's. */
  admits(account: string): boolean;
  /** How to enter the account: its member role's clients, or the function's own in its own account. */
  access(account: string): AccountAccess;
  /**
   * The role and session name Trailwarden's repairs carry in member accounts: the loop guard
   * recognises them in any account's events.
   */
  readonly remediator: { readonly roleName: string; readonly sessionName: string };
  /** Where the account sits in the organization (for policies that select by OU). */
  placement?(account: string): Promise<OrganizationSection>;
}

/** A request to the remediating function: one resource, planned from a fresh read. */
export const RemediationRequest = z.object({
  /** Unique per request and the same on every retry of it: remediate runs a request once. */
  id: z.string().min(1).optional(),
  account: z.string().regex(/^\d{12}$/),
  region: z.string().min(1),
  resource: z.string().startsWith('arn:'),
  steps: z.array(z.looseObject({ operation: z.string() })).default([]),
  requestedAt: z.string(),
  actor: z.string().optional(),
});
export type RemediationRequest = Omit<z.input<typeof RemediationRequest>, 'steps'> & {
  readonly steps: readonly PlanStep[];
};

export interface Metrics {
  count(name: string, value?: number): void;
  milliseconds(name: string, value: number): void;
}

export interface Log {
  info(message: string, extra?: Record<string, unknown>): void;
  warn(message: string, extra?: Record<string, unknown>): void;
  error(message: string, extra?: Record<string, unknown>): void;
}

/** Everything a flow needs, injected: handlers build it once per cold start. */
export interface FlowDeps {
  readonly policies: readonly Policy[];
  readonly clients: ClientProvider;
  readonly account: string;
  /** The account's partition (aws, aws-us-gov, aws-cn…), from the function's own ARN. */
  readonly partition: string;
  readonly store: StateStore<Notification>;
  readonly channels: readonly Channel[];
  readonly remediationEnabled: boolean;
  readonly remediationRoleArn?: string;
  readonly requestRemediation: (request: RemediationRequest) => Promise<void>;
  readonly breaker: BreakerSettings;
  /** The sweep's check of the rule feeding onTrailChange (absent: not checked). */
  readonly watcher?: () => Promise<RuleReport>;
  readonly now: () => Date;
  readonly log: Log;
  readonly metrics: Metrics;
  /** A central stack's reach into member accounts (mode=central); absent: this account only. */
  readonly members?: Members;
  /** Where this account sits in the organization, for policies that select by OU (central stack). */
  readonly placement?: () => Promise<OrganizationSection>;
}

export type RemediationDecision = 'requested' | 'none' | 'breaker' | 'disabled' | 'pending';

/** A flow's input: its schema, what the reason calls it, what the log calls it, and its metric. */
export interface FlowInput<T extends z.ZodType> {
  readonly schema: T;
  readonly what: string;
  readonly label: string;
  readonly metric: string;
}

export const REMEDIATION_REQUEST: FlowInput<typeof RemediationRequest> = {
  schema: RemediationRequest,
  what: 'request',
  label: 'remediation request',
  metric: 'MalformedRequests',
};

/**
 * Parses what a flow was handed. A malformed input is dropped, with a warning and a metric, rather
 * than failed: a retry would fail the same way, forever.
 */
export function parseInput<T extends z.ZodType>(
  raw: unknown,
  input: FlowInput<T>,
  deps: Pick<FlowDeps, 'log' | 'metrics'>,
): { readonly data: z.output<T> } | { readonly reason: string } {
  const parsed = input.schema.safeParse(raw);
  if (parsed.success) return { data: parsed.data };
  const issue = parsed.error.issues[0];
  const reason = `${input.what} ${(issue?.path ?? []).join('.') || '(root)'}: ${issue?.message ?? 'invalid'}`;
  deps.log.warn(`dropping a malformed ${input.label}`, { reason });
  deps.metrics.count(input.metric);
  return { reason };
}

/** A short id that is the same for the same parts: request ids, fallbacks for event ids. */
export const stableId = (...parts: string[]) =>
  createHash('sha256').update(parts.join('\u0000')).digest('hex').slice(0, 24);
