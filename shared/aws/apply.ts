import {
  PutEventConfigurationCommand,
  PutEventSelectorsCommand,
  PutInsightSelectorsCommand,
  StartEventDataStoreIngestionCommand,
  StartLoggingCommand,
  UpdateEventDataStoreCommand,
  UpdateTrailCommand,
} from '@aws-sdk/client-cloudtrail';
import {
  type EvaluateOptions,
  type Evaluation,
  evaluate,
  type LiveFinding,
  type PlanStep,
  type Snapshot,
} from '../engine/index.js';
import type { Policy } from '../policy/document.js';
import { type AwsCallError, translateAwsError } from './errors.js';
import { type ClientProvider, reloadEventDataStore, reloadTrail } from './loader.js';

// biome-ignore lint/suspicious/noExplicitAny: each command takes its own input shape, checked by the planner.
const COMMANDS: Record<PlanStep['operation'], new (input: any) => any> = {
  StartLogging: StartLoggingCommand,
  UpdateTrail: UpdateTrailCommand,
  PutEventSelectors: PutEventSelectorsCommand,
  PutInsightSelectors: PutInsightSelectorsCommand,
  PutEventConfiguration: PutEventConfigurationCommand,
  StartEventDataStoreIngestion: StartEventDataStoreIngestionCommand,
  UpdateEventDataStore: UpdateEventDataStoreCommand,
};

export interface StepResult {
  readonly step: PlanStep;
  readonly status: 'ok' | 'failed' | 'skipped';
  readonly error?: AwsCallError;
  /** Why a skipped step was not sent, when a guard stopped its resource's steps. */
  readonly reason?: string;
}

/**
 * Asked before each write: a reason to stop that resource's steps (e.g. it changed since the plan
 * was made), or undefined to go on. `done` holds the steps already sent.
 */
export type StepGuard = (step: PlanStep, done: readonly StepResult[]) => Promise<string | undefined>;

export interface ApplyOutcome {
  readonly steps: readonly StepResult[];
  /** The findings before, with planned ones now REMEDIATED (read-back state passes) or ERROR. */
  readonly findings: readonly LiveFinding[];
  /** The evaluation of the state read back after the changes. */
  readonly after: Evaluation;
  /** The first step a guard stopped (its resource's steps were not sent), and why. */
  readonly aborted?: { readonly step: PlanStep; readonly reason: string };
}

/**
 * Sends the plan's steps in order, each in its resource's home Region. When a step fails, or the
 * guard gives a reason not to write, the remaining steps of that resource are skipped (they build
 * on it); other resources go on.
 */
export async function executePlan(
  clients: ClientProvider,
  plan: readonly PlanStep[],
  guard?: StepGuard,
): Promise<StepResult[]> {
  const failed = new Set<string>();
  const results: StepResult[] = [];
  const stopped = new Map<string, string>();
  for (const step of plan) {
    if (!stopped.has(step.resource) && !failed.has(step.resource) && guard) {
      const reason = await guard(step, results);
      if (reason !== undefined) stopped.set(step.resource, reason);
    }
    const reason = stopped.get(step.resource);
    if (reason !== undefined) {
      results.push({ step, status: 'skipped', reason });
      continue;
    }
    if (failed.has(step.resource)) {
      results.push({ step, status: 'skipped' });
      continue;
    }
    const Command = COMMANDS[step.operation];
    try {
      await clients.cloudTrail(step.region).send(new Command(step.input));
      results.push({ step, status: 'ok' });
    } catch (error) {
      failed.add(step.resource);
      results.push({ step, status: 'failed', error: translateAwsError(error, step.operation, step.input) });
    }
  }
  return results;
}

/** Reads the changed resources back into a copy of their snapshot. */
async function readBack(
  clients: ClientProvider,
  snapshot: Snapshot,
  arns: ReadonlySet<string>,
): Promise<Snapshot> {
  const next = structuredClone(snapshot);
  for (const [i, entry] of next.trails.entries()) {
    const arn = entry.trail.TrailARN;
    if (!arns.has(arn)) continue;
    const home = entry.trail.HomeRegion ?? snapshot.region;
    try {
      const fresh = await reloadTrail(clients, arn, home);
      next.trails[i] = fresh
        ? { ...fresh, ...(entry.tags ? { tags: entry.tags } : {}) }
        : { trail: entry.trail, errors: [{ part: 'DescribeTrails', message: 'the trail no longer exists' }] };
    } catch (error) {
      const e = translateAwsError(error, 'DescribeTrails');
      next.trails[i] = {
        trail: entry.trail,
        errors: [{ part: 'DescribeTrails', message: `${e.code}: ${e.detail}` }],
      };
    }
  }
  for (const [i, entry] of next.eventDataStores.entries()) {
    const arn = entry.eventDataStore.EventDataStoreArn;
    if (!arns.has(arn)) continue;
    const fresh = await reloadEventDataStore(clients, arn, snapshot.region);
    if (fresh) next.eventDataStores[i] = { ...fresh, ...(entry.tags ? { tags: entry.tags } : {}) };
  }
  return next;
}

export interface VerifyOptions {
  /** Asked before each step is sent: a reason stops that resource's steps there. */
  readonly guard?: StepGuard;
  /** The options `before` was evaluated with (the other Regions read, or a partial snapshot). */
  readonly evaluation?: EvaluateOptions;
  /** The clock `before` was evaluated at: it decides which exceptions are in force (no default). */
  readonly now: Date;
}

/**
 * Applies a plan and proves it: executes the steps, reads every touched resource back, evaluates
 * again, and marks a finding REMEDIATED only when the read-back state passes; otherwise ERROR with
 * the step's error or what still differs.
 */
export async function applyAndVerify(
  clients: ClientProvider,
  snapshot: Snapshot,
  policies: readonly Policy[],
  before: Evaluation,
  options: VerifyOptions,
): Promise<ApplyOutcome> {
  const steps = await executePlan(clients, before.plan, options.guard);
  const stop = steps.find((s) => s.reason !== undefined);
  const touched = new Set(before.plan.map((s) => s.resource));
  const after = evaluate(
    await readBack(clients, snapshot, touched),
    policies,
    options.now,
    options.evaluation,
  );
  const afterById = new Map(after.findings.map((f) => [f.id, f]));
  const findings = before.findings.map((f): LiveFinding => {
    if (!f.remediation?.planned) return f;
    const mine = steps.filter((s) => s.step.findings.includes(f.id));
    const stepError = mine.find((s) => s.status !== 'ok');
    const now = afterById.get(f.id);
    if (!stepError && now?.status === 'PASS')
      return { ...f, status: 'REMEDIATED', message: `repaired and verified: ${now.message}` };
    const why = stepError
      ? stepError.status === 'failed'
        ? `${stepError.step.operation} failed: ${stepError.error?.message}`
        : stepError.reason !== undefined
          ? `${stepError.step.operation} was not sent: ${stepError.reason}`
          : `${stepError.step.operation} was skipped after an earlier step on the resource failed`
      : `still failing after the change: ${now?.message ?? 'the resource could not be read back'}`;
    return { ...f, status: 'ERROR', message: why };
  });
  return {
    steps,
    findings,
    after,
    ...(stop?.reason !== undefined ? { aborted: { step: stop.step, reason: stop.reason } } : {}),
  };
}
