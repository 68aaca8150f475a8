import { DescribeTrailsCommand, paginateListEventDataStores } from '@aws-sdk/client-cloudtrail';
import type { ClientProvider } from '../aws/loader.js';
import { type Inventory, inventoryOf, type Snapshot } from '../engine/index.js';

/**
 * The account's names and ARNs in every Region of the sweep, for deciding a policy's `select.names`
 * from one worker. A name is missing only when no Region of the account has it, but a central
 * sweep's worker reads one account-Region: the worker of the sweep's first Region therefore lists
 * the others (names and ARNs only, two calls per Region) and decides the account's names, while the
 * other workers leave them undecided. A Region whose listing fails is recorded as such, so a name
 * that might be there is an ERROR, never a guessed FAIL.
 */
export async function accountInventory(
  clients: ClientProvider,
  snapshot: Snapshot,
  regions: readonly string[],
): Promise<Inventory> {
  const own = inventoryOf([snapshot]);
  // An account that could not be entered has nothing to decide names with.
  if (!own.regions.has(snapshot.account)) return own;
  const { account } = snapshot;
  const keys = new Set(own.keys);
  const unlisted = [...own.unlisted];
  const others = regions.filter((r) => r !== snapshot.region);
  const add = (kind: 'trail' | 'eventDataStore', name: string | undefined, arn: string | undefined) => {
    if (name) keys.add(`${account}/${kind}:${name}`);
    if (arn) keys.add(`${kind}:${arn}`);
  };
  await Promise.all(
    others.map(async (region) => {
      const client = clients.cloudTrail(region);
      try {
        const { trailList } = await client.send(new DescribeTrailsCommand({ includeShadowTrails: true }));
        for (const t of trailList ?? []) add('trail', t.Name, t.TrailARN);
      } catch {
        unlisted.push({ account, kind: 'trail', region });
      }
      try {
        for await (const page of paginateListEventDataStores({ client }, {}))
          for (const e of page.EventDataStores ?? []) add('eventDataStore', e.Name, e.EventDataStoreArn);
      } catch {
        unlisted.push({ account, kind: 'eventDataStore', region });
      }
    }),
  );
  return { keys, unlisted, regions: new Map([[account, [snapshot.region, ...others]]]) };
}
