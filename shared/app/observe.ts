import { ListTagsCommand } from '@aws-sdk/client-cloudtrail';
import { loadRegion, reloadEventDataStore, reloadTrail } from '../aws/loader.js';
import { type Evaluation, evaluate, type Snapshot } from '../engine/index.js';
import type { EventDataStoreEntry, TrailEntry } from '../engine/snapshot.js';
import type { LiveFinding } from '../notify/transitions.js';
import { placed } from './central.js';
import type { FlowDeps } from './deps.js';

export type Kind = 'trail' | 'eventDataStore';
export const kindOf = (arn: string): Kind => (arn.includes(':eventdatastore/') ? 'eventDataStore' : 'trail');

export const toArn = (kind: Kind, id: string, region: string, account: string, partition: string) =>
  id.startsWith('arn:')
    ? id
    : `arn:${partition}:cloudtrail:${region}:${account}:${kind === 'trail' ? 'trail' : 'eventdatastore'}/${id}`;

/** One resource, read fresh, as a one-resource snapshot. */
export async function readOne(deps: FlowDeps, kind: Kind, arn: string, region: string): Promise<Snapshot> {
  const base: Snapshot = { version: 1, account: deps.account, region, trails: [], eventDataStores: [] };
  if (kind === 'eventDataStore') {
    const entry = await reloadEventDataStore(deps.clients, arn, region);
    return { ...base, eventDataStores: entry ? [entry] : [] };
  }
  const entry = await reloadTrail(deps.clients, arn, region);
  if (!entry) return base;
  const tags = await deps.clients.cloudTrail(region).send(new ListTagsCommand({ ResourceIdList: [arn] }));
  const list = tags.ResourceTagList?.find((t) => t.ResourceId === arn)?.TagsList ?? [];
  return {
    ...base,
    trails: [
      {
        ...entry,
        tags: list.map((t) => ({ Key: t.Key ?? '', ...(t.Value !== undefined ? { Value: t.Value } : {}) })),
      },
    ],
  };
}

export const entryOf = (snapshot: Snapshot, arn: string): TrailEntry | EventDataStoreEntry | undefined =>
  snapshot.trails.find((t) => t.trail.TrailARN === arn) ??
  snapshot.eventDataStores.find((e) => e.eventDataStore.EventDataStoreArn === arn);

/**
 * What a change to one resource can change: its own findings, and the findings of every `any` and
 * `union` policy of its kind in the Region (they judge the resources together). Those need the
 * whole Region, read once (the loader bounds how many reads run at once); without such policies
 * the resource alone is read.
 */
export async function observe(deps: FlowDeps, kind: Kind, arn: string, region: string) {
  const policies = deps.policies.filter((p) => p.resource === kind);
  const regionWide = policies.some((p) => p.quantifier !== 'every');
  const observedAt = deps.now();
  const snapshot = await placed(
    deps,
    regionWide
      ? await loadRegion(deps.clients, deps.account, region)
      : await readOne(deps, kind, arn, region),
  );
  // Without the Region's listing nothing can be decided: fail, so that Lambda retries the invocation.
  const listing = snapshot.errors?.find(
    (e) => e.part === (kind === 'trail' ? 'DescribeTrails' : 'ListEventDataStores'),
  );
  if (listing) throw new Error(`could not read ${region}: ${listing.part}: ${listing.message}`);
  const exists = entryOf(snapshot, arn) !== undefined;
  // One resource, or one Region: a policy's named resources elsewhere are not in it, not missing.
  const result = evaluate(snapshot, policies, observedAt, { partial: true });
  const quantifier = new Map(policies.map((p) => [p.id, p.quantifier]));
  const findings = result.findings.filter((f) =>
    f.resource === arn ? exists : quantifier.get(f.policyId) !== 'every',
  );
  const ids = new Set(findings.map((f) => f.id));
  const plan = result.plan.filter((s) => s.findings.some((id) => ids.has(id)));
  return {
    snapshot,
    exists,
    observedAt,
    policies,
    evaluation: { ...result, findings, plan } as Evaluation,
  };
}

/** The finding a notification about a resource is about: its first failing one, or a stand-in. */
export function subjectOf(result: Evaluation, resource: string): LiveFinding | undefined {
  const planned = new Set(result.plan.filter((s) => s.resource === resource).flatMap((s) => s.findings));
  return (
    result.findings.find((f) => planned.has(f.id) && f.status === 'FAIL') ??
    result.findings.find((f) => f.resource === resource && f.status === 'FAIL')
  );
}
