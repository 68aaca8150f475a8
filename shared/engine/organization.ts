import type { Policy } from '../policy/document.js';
import { findingId } from './findingId.js';
import { parseArn } from './resources.js';
import { pathUnits } from './scope.js';
import type { Snapshot } from './snapshot.js';
import type { Finding } from './types.js';

/** What was learned live of the organization: its ids and every root and OU under its root. */
export interface KnownOrganization {
  readonly id: string;
  readonly managementAccount: string;
  readonly units: ReadonlySet<string>;
}

/**
 * ERROR findings for the organizational units policies name that cannot be resolved: never a
 * silent skip, since a mistyped OU would otherwise select nothing and pass. Live, an OU is
 * resolved when it is found under the organization's root (`known`). From a file, which records
 * each account's own path only, an OU on no account's path cannot be told apart from one that does
 * not exist, so it is reported as not decidable. One finding per policy and OU, for the organization.
 * The findings' ARNs are in `partition`, or that of the snapshots' resources.
 */
export function unresolvedUnitFindings(
  policies: readonly Policy[],
  snapshots: readonly Snapshot[],
  known?: KnownOrganization,
  partitionOf?: string,
): Finding[] {
  const named = policies.flatMap((p) => (p.select?.ous ?? []).map((ou) => ({ policy: p, ou })));
  if (named.length === 0) return [];
  const section = snapshots.find((s) => s.organization)?.organization;
  const org = known ?? section;
  // Without any organization section every account says so itself (see accountScope).
  if (!org) return [];
  const onPaths = new Set(snapshots.flatMap((s) => (s.organization ? pathUnits(s.organization.path) : [])));
  const partition =
    partitionOf ??
    snapshots
      .flatMap((s) => [
        ...s.trails.map((t) => t.trail.TrailARN),
        ...s.eventDataStores.map((e) => e.eventDataStore.EventDataStoreArn),
      ])
      .map((arn) => parseArn(arn)?.partition)
      .find(Boolean) ??
    'aws';
  const region = snapshots[0]?.region ?? 'us-east-1';
  const out: Finding[] = [];
  for (const { policy, ou } of named) {
    const resolved = known ? known.units.has(ou) : onPaths.has(ou);
    if (resolved) continue;
    const resource = `arn:${partition}:organizations::${org.managementAccount}:${ou.startsWith('r-') ? 'root' : 'ou'}/${org.id}/${ou}`;
    const message = known
      ? `organizational unit ${ou} is not in organization ${org.id}: it was not found under the organization's root, so the policy selects no account through it`
      : `organizational unit ${ou} is on no account's organization path in this snapshot: whether it does not exist or holds none of these accounts cannot be decided from the file`;
    out.push({
      id: findingId(policy.id, resource, 'select'),
      policyId: policy.id,
      resource,
      resourceName: ou,
      account: org.managementAccount,
      region,
      status: 'ERROR',
      check: 'select',
      severity: policy.severity,
      message,
    });
  }
  return out;
}
