import { exceptionsOf, exceptionWarnings } from '../engine/exceptions.js';
import { evaluateAll, resourceViews, type Snapshot } from '../engine/index.js';
import type { Policy } from '../policy/loader.js';

/** `validate`'s lines about exceptions: expired or expiring soon, and (with a snapshot) stale ones. */
export function exceptionLines(
  policies: readonly Policy[],
  now: Date,
  snapshots?: readonly Snapshot[],
): string[] {
  const exceptions = exceptionsOf(policies);
  if (exceptions.length === 0) return [];
  const run = snapshots
    ? {
        findings: evaluateAll(snapshots, policies, now).findings,
        resources: snapshots.flatMap(resourceViews),
      }
    : undefined;
  return exceptionWarnings(exceptions, now, run).map((w) => `${w.source}: warning: ${w.message}`);
}
