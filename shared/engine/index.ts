/** Evaluation core: pure, no AWS SDK, no environment, no clock. */
export type { Evaluation, Finding } from './evaluate.js';
export { combineEvaluations, dedupeById, evaluate, evaluateAll, findingId, summarize } from './evaluate.js';
export type { PlanStep } from './plan.js';
export { resourceViews } from './resources.js';
export { simulatePlan } from './simulate.js';
export type { EventDataStoreEntry, Snapshot, TrailEntry } from './snapshot.js';
export { parseSnapshot, parseSnapshotFile, SnapshotError } from './snapshot.js';
