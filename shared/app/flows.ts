/**
 * The flows the handlers run, each with its dependencies injected (FlowDeps): onTrailChange for one
 * CloudTrail change, scheduledSweep for the Regions on a schedule, remediate for one repair; and for
 * a central stack planSweep (one message per account and Region) and sweepPair (one of them).
 */
export { inAccount, type Members } from './central.js';
export {
  type FlowDeps,
  type Log,
  type Metrics,
  type RemediationDecision,
  RemediationRequest,
} from './deps.js';
export { onTrailChange, type TrailChangeOutcome } from './onTrailChange.js';
export { type RemediateOutcome, RemediationBusyError, RUN_LEASE_MS, remediate } from './remediate.js';
export { PENDING_STALE_MS } from './requestRepair.js';
export { scheduledSweep } from './sweep.js';
export { type PlannedSweep, planSweep, SweepMessage, type SweepPlan } from './sweepPlanner.js';
export { type SweepPairOutcome, sweepPair } from './sweepWorker.js';
