import { z } from 'zod';
import type { OrganizationTree } from '../aws/organization.js';
import { organizationSection } from '../aws/organization.js';
import { unresolvedUnitFindings } from '../engine/index.js';
import type { LiveFinding } from '../notify/transitions.js';
import { type Delivery, deliver, deliverable, held, newEntry } from './delivery.js';
import { type FlowDeps, type FlowInput, stableId } from './deps.js';
import { reconcile } from './reconcile.js';
import { watcherFinding } from './sweep.js';
import { sweepDigest, sweepScope } from './sweepReport.js';

const Part = z.object({ part: z.string(), message: z.string() });

/** One account-Region of a sweep: what the planner sends and a sweep worker evaluates. */
export const SweepMessage = z.object({
  sweepId: z.string().min(1).max(200),
  account: z.string().regex(/^\d{12}$/),
  region: z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d$/),
  /** Every Region of the sweep: which worker records a multi-Region trail homed in none of them. */
  regions: z.array(z.string()).optional(),
  /** Where the account sits in the organization, read once by the planner (for `select.ous`). */
  organization: z.object({ id: z.string(), managementAccount: z.string(), path: z.string() }).optional(),
  /** Why the organization's structure could not be read. */
  organizationError: Part.optional(),
});
export type SweepMessage = z.infer<typeof SweepMessage>;

export const SWEEP_MESSAGE: FlowInput<typeof SweepMessage> = {
  schema: SweepMessage,
  what: 'message',
  label: 'sweep message',
  metric: 'MalformedSweepMessages',
};

/** What the planner needs besides the flows' dependencies: where to look, and where to send. */
export interface SweepPlan {
  readonly regions: readonly string[];
  /** The accounts to sweep: those configured, or the organization's ACTIVE accounts. */
  readonly accounts: () => Promise<readonly string[]>;
  /** The organization's structure, read when a policy selects by OU. */
  readonly organization?: () => Promise<OrganizationTree>;
  /** Sends every message (to the sweep queue, in batches), or fails. */
  readonly send: (messages: readonly SweepMessage[]) => Promise<void>;
}

export interface PlannedSweep {
  readonly sweepId: string;
  readonly accounts: number;
  readonly messages: number;
  /** An earlier sweep that had not finished, closed with what it had. */
  readonly closedPrevious?: string;
}

/**
 * The central sweep's planner: one message per account and Region on the sweep queue, where
 * sweepWorker evaluates each (Lambda's SQS scaling, partial batch failures and the queue's
 * dead-letter queue do the scheduling; there is no scheduler of our own). It opens the sweep's
 * counter first, so the last worker to report sends the one digest; checks the change rule and the
 * organizational units policies name; and closes an earlier sweep that never finished (a message
 * in the dead-letter queue), so that its digest still goes out, once. A retry (same scheduled
 * event) is the same sweep: it opens nothing new, and the messages it sends again are counted once.
 */
export async function planSweep(
  deps: FlowDeps,
  plan: SweepPlan,
  invocation: { id?: string } = {},
): Promise<PlannedSweep> {
  const startedAt = deps.now();
  const sweepId = invocation.id ?? stableId('sweep', startedAt.toISOString());
  const owner = `sweep:${sweepId}`;
  const accounts = [...new Set(await plan.accounts())].sort();
  const selectsByUnit = deps.policies.some((p) => p.select?.ous);
  let tree: OrganizationTree | undefined;
  let organizationError: SweepMessage['organizationError'];
  if (selectsByUnit && plan.organization) {
    try {
      tree = await plan.organization();
    } catch (error) {
      const e = error as { operation?: string; code?: string; message?: string };
      organizationError = {
        part: 'Organizations',
        message: `${e.operation ?? 'Organizations'}: ${e.code ?? 'Error'}: ${e.message ?? String(error)}`,
      };
    }
  }
  // Region by Region (every account's first Region, then every account's second…): an account's
  // Regions all read its multi-Region trails in their home Region, so they are evaluated apart in
  // time rather than side by side against that Region's per-account request rate.
  const sections = new Map(accounts.map((a) => [a, tree ? organizationSection(tree, a) : undefined]));
  const messages: SweepMessage[] = plan.regions.flatMap((region) =>
    accounts.map((account) => {
      const organization = sections.get(account);
      return {
        sweepId,
        account,
        region,
        regions: [...plan.regions],
        ...(organization ? { organization } : {}),
        ...(organizationError ? { organizationError } : {}),
      };
    }),
  );

  // What only the central account can say: the change rule, and OUs no account is under.
  const queue: Delivery[] = [];
  const findings: LiveFinding[] = [];
  if (deps.watcher) {
    const finding = watcherFinding(await deps.watcher(), plan.regions[0] ?? '');
    if (finding.status === 'FAIL') deps.metrics.count('WatcherBroken');
    findings.push(finding);
  }
  if (tree) findings.push(...unresolvedUnitFindings(deps.policies, [], tree, deps.partition));
  if (findings.length > 0)
    queue.push(
      ...(await reconcile(deps, owner, {
        findings,
        complete: [],
        policies: new Set(deps.policies.map((p) => p.id)),
        observedAt: startedAt,
        region: plan.regions.join(','),
      })),
    );

  const scope = sweepScope(deps.account, sweepId);
  const opened = await deps.store.openSweep(scope, {
    id: sweepId,
    total: messages.length,
    startedAt: startedAt.getTime(),
    regions: plan.regions,
  });
  const closedPrevious = opened.previous ? await closeUnfinished(deps, opened.previous, owner, queue) : false;
  if (messages.length === 0) await closeEmpty(deps, sweepId, owner, queue);
  // A retry of a planner that sent everything sends it all again: each account-Region counts once.
  await plan.send(messages);
  deps.metrics.count('SweepMessages', messages.length);
  deps.log.info('planned a sweep', { sweepId, accounts: accounts.length, messages: messages.length });
  await deliver(deps, owner, queue);
  return {
    sweepId,
    accounts: accounts.length,
    messages: messages.length,
    ...(closedPrevious && opened.previous ? { closedPrevious: opened.previous } : {}),
  };
}

/** An earlier sweep some account-Region never reported to: its digest, with what it has. */
async function closeUnfinished(
  deps: FlowDeps,
  sweepId: string,
  owner: string,
  queue: Delivery[],
): Promise<boolean> {
  const scope = sweepScope(deps.account, sweepId);
  const { sweep } = await deps.store.loadSweep(scope, false);
  if (!sweep || sweep.digestBy || sweep.remaining <= 0) {
    // Finished (or its last worker is taking the digest now): nothing to close. A digest this
    // planner took on an earlier attempt is still delivered.
    if (sweep?.digestBy === owner) {
      const state = await deps.store.load(scope);
      queue.push(...deliverable(scope, state.outbox, owner, deps.now()));
    }
    return false;
  }
  const { reports } = await deps.store.loadSweep(scope);
  const notification = sweepDigest(deps.account, sweep, reports);
  const written = await deps.store.closeSweep(
    scope,
    owner,
    notification ? newEntry(deps, owner, `digest:${sweepId}`, notification) : undefined,
    true,
  );
  if (!written.ok) return false;
  deps.metrics.count('SweepsUnfinished');
  deps.log.warn('closed a sweep that did not finish', { sweepId, missing: sweep.remaining });
  if (written.entry) queue.push(held(scope, written.entry));
  return true;
}

/** A sweep of nothing (no account, no Region) is finished as soon as it opens. */
async function closeEmpty(deps: FlowDeps, sweepId: string, owner: string, queue: Delivery[]) {
  const scope = sweepScope(deps.account, sweepId);
  const written = await deps.store.closeSweep(scope, owner);
  if (written.ok && written.entry) queue.push(held(scope, written.entry));
}
