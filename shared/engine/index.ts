/** Evaluation core: pure, no AWS SDK, no environment, no clock. */

export {
  combineEvaluations,
  dedupeById,
  evaluate,
  evaluateAll,
  evaluateRegions,
  findingId,
  inventoryOf,
  summarize,
} from './evaluate.js';
export { EXISTS_CHECK, existsFindingId } from './findingId.js';
export type { KnownOrganization } from './organization.js';
export { unresolvedUnitFindings } from './organization.js';
export { resourceViews } from './resources.js';
export { ASSUME_ROLE_PART, accountScope, pathUnits } from './scope.js';
export { simulatePlan } from './simulate.js';
export type { EventDataStoreEntry, OrganizationSection, Snapshot, TrailEntry } from './snapshot.js';
export { parseSnapshot, parseSnapshotFile, SnapshotError } from './snapshot.js';
export type {
  EvaluateOptions,
  Evaluation,
  Finding,
  Inventory,
  LiveFinding,
  LiveStatus,
  PlanStep,
  PolicyConflict,
  Remediation,
  ReportFinding,
  SourceLocation,
} from './types.js';
