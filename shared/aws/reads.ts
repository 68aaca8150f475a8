import type { Policy } from '../policy/loader.js';
import type { CloudTrailRead } from '../policy/types.js';

/** Every read the snapshot loader can make: what `trailwarden snapshot` and the HTML report need. */
export const ALL_READS: ReadonlySet<CloudTrailRead> = new Set<CloudTrailRead>([
  'DescribeTrails',
  'GetTrailStatus',
  'GetEventSelectors',
  'GetInsightSelectors',
  'GetEventConfiguration',
  'ListTags',
  'ListEventDataStores',
  'GetEventDataStore',
]);

/**
 * The reads that judging `policies` needs: what their checks declare, tags when a policy or an
 * exception selects by tags, a trail's status when a `union` policy must know which trails deliver,
 * and each kind's listing when some policy is about that kind. Trails are always listed: a sweep
 * that lists nothing would find nothing.
 */
export function readsFor(policies: readonly Policy[]): Set<CloudTrailRead> {
  const reads = new Set<CloudTrailRead>(['DescribeTrails']);
  for (const policy of policies) {
    if (policy.resource === 'eventDataStore') {
      reads.add('ListEventDataStores');
      reads.add('GetEventDataStore');
    }
    for (const check of policy.checks) for (const read of check.definition.reads) reads.add(read);
    // The engine decides selection and exceptions on any `tags` given, even an empty one.
    if (policy.select?.tags || policy.exceptions?.some((e) => e.tags)) reads.add('ListTags');
    // A union counts only the trails that deliver (a stopped trail logs nothing), and repairs one.
    if (policy.quantifier === 'union' && policy.resource === 'trail') reads.add('GetTrailStatus');
  }
  return reads;
}
