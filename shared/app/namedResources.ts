import { EXISTS_CHECK, existsFindingId, type Snapshot } from '../engine/index.js';
import type { LiveFinding } from '../notify/transitions.js';
import type { Policy } from '../policy/loader.js';

type Kind = Policy['resource'];

/**
 * Where the existence of a policy's named resource is recorded: one key per account, kind and
 * name. The engine reports a missing name on the ARN of the Region that evaluated it (an event data
 * store, whose ARN ends in an id, on `…:eventdatastore/*`), but the resource may come back in any
 * Region, with an ARN nobody could predict: a key without a Region is the only one both the FAIL
 * and the resource's return can find. A name that is an ARN names one Region already: it is its
 * own key, the one the resource's other findings are kept under.
 */
export function nameKey(partition: string, account: string, kind: Kind, name: string): string {
  if (name.startsWith('arn:')) return name;
  return `arn:${partition}:cloudtrail::${account}:${kind === 'trail' ? 'trail' : 'eventdatastore'}/${name}`;
}

interface Context {
  readonly policies: readonly Policy[];
  readonly partition: string;
  readonly account: string;
}

/**
 * The findings of one observation as the stack records them: a missing name's finding under its
 * name's key, and, for every named resource the observation saw, that same finding as PASS, so the
 * FAIL recorded while no Region had it is resolved (once: the writes are conditional) by whichever
 * observation sees it first, in whichever Region. `keeps` says which resources this observation
 * records (a central sweep's worker records a trail in its home Region only).
 */
export function asRecorded(
  context: Context,
  findings: readonly LiveFinding[],
  snapshots: readonly Snapshot[],
  keeps: (arn: string) => boolean = () => true,
): LiveFinding[] {
  const named = context.policies.filter((p) => (p.select?.names?.length ?? 0) > 0);
  if (named.length === 0) return [...findings];
  const out = findings.map((f) => {
    const policy = named.find((p) => p.id === f.policyId);
    if (f.check !== EXISTS_CHECK || !policy?.select?.names?.includes(f.resourceName)) return f;
    return {
      ...f,
      resource: nameKey(context.partition, f.account ?? context.account, policy.resource, f.resourceName),
    };
  });
  const ids = new Set(out.map((f) => f.id));
  for (const snapshot of snapshots) {
    const resources = [
      ...snapshot.trails.map((t) => ({
        kind: 'trail' as const,
        name: t.trail.Name,
        arn: t.trail.TrailARN,
        region: t.trail.HomeRegion ?? snapshot.region,
      })),
      ...snapshot.eventDataStores.map((e) => ({
        kind: 'eventDataStore' as const,
        name: e.eventDataStore.Name,
        arn: e.eventDataStore.EventDataStoreArn,
        region: snapshot.region,
      })),
    ];
    for (const policy of named)
      for (const name of policy.select?.names ?? []) {
        // As the engine decides it: a resource of the policy's kind with that name or ARN.
        const found = resources.find(
          (r) => r.kind === policy.resource && (r.name === name || r.arn === name) && keeps(r.arn),
        );
        const id = existsFindingId(policy.id, policy.resource, snapshot.account, name);
        if (!found || ids.has(id)) continue;
        ids.add(id);
        out.push({
          id,
          policyId: policy.id,
          resource: nameKey(context.partition, snapshot.account, policy.resource, name),
          resourceName: name,
          account: snapshot.account,
          region: found.region,
          status: 'PASS',
          check: EXISTS_CHECK,
          severity: policy.severity,
          message: `${policy.resource === 'trail' ? 'trail' : 'event data store'} ${name} exists: ${found.arn}`,
        });
      }
  }
  return out;
}
