import {
  type CloudTrailClient,
  DescribeTrailsCommand,
  GetEventConfigurationCommand,
  GetEventDataStoreCommand,
  GetEventSelectorsCommand,
  GetInsightSelectorsCommand,
  GetTrailStatusCommand,
  ListTagsCommand,
  paginateListEventDataStores,
  type Trail,
} from '@aws-sdk/client-cloudtrail';
import pLimit, { type LimitFunction } from 'p-limit';
import type { EventDataStoreEntry, Snapshot, TrailEntry } from '../engine/snapshot.js';
import type { CloudTrailRead } from '../policy/types.js';
import { translateAwsError } from './errors.js';
import { ALL_READS } from './reads.js';

/** What the loader needs: a CloudTrail client per Region (injected, so tests can mock it). */
export interface ClientProvider {
  cloudTrail(region: string): CloudTrailClient;
}

export interface LoadOptions {
  /** Resources read at once (default 5); a trail reads its four parts in parallel, so up to 4× calls. */
  concurrency?: number;
  /** Called as resources are loaded, for a progress line. */
  onProgress?: (loaded: number, total: number) => void;
  /** A limiter shared with other account-Regions read at the same time (instead of `concurrency`). */
  limit?: LimitFunction;
  /** Reads shared with the account's other Regions (see `AccountReads`). */
  accountReads?: AccountReads;
  /** Whether the account is CloudTrail's delegated administrator (organization.ts); kept in the snapshot. */
  delegatedAdministrator?: boolean;
  /**
   * The reads to make (`readsFor(policies)`); default: all of them. A read left out is listed in the
   * snapshot's `notRead`, so its part is "not read", never mistaken for "not known" or "none".
   */
  reads?: ReadonlySet<CloudTrailRead>;
}

type TagResult = { tags?: { Key: string; Value?: string }[]; error?: PartError };

/**
 * What the Regions of one account share, by ARN, read or being read: a multi-Region trail shows in
 * every Region (as a shadow) but is read once, in its home Region, whose per-account request rate
 * the other Regions would otherwise spend again.
 */
export interface AccountReads {
  readonly trails: Map<string, Promise<Omit<TrailEntry, 'tags'>>>;
  readonly tags: Map<string, Promise<TagResult | undefined>>;
}

export const newAccountReads = (): AccountReads => ({ trails: new Map(), tags: new Map() });

type PartError = { part: string; message: string };

/** Strips SDK envelope fields so the snapshot holds the API's response shape only. */
function body<T extends object>(response: T): Omit<T, '$metadata'> {
  const { $metadata: _, ...rest } = response as T & { $metadata?: unknown };
  return rest;
}

function withoutKeys<T extends object>(value: T, keys: readonly string[]): Partial<T> {
  return Object.fromEntries(
    Object.entries(value).filter(([k, v]) => !keys.includes(k) && v !== undefined),
  ) as Partial<T>;
}

/** Dates to ISO strings: the snapshot is JSON. */
function plain<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

/** Runs one read; a failure becomes a part error of the resource instead of failing the run. */
async function part<T>(errors: PartError[], name: string, fn: () => Promise<T>): Promise<T | undefined> {
  try {
    return await fn();
  } catch (error) {
    const e = translateAwsError(error, name);
    errors.push({ part: name, message: `${e.code}: ${e.detail}` });
    return undefined;
  }
}

/** Runs one read when `reads` asks for it; otherwise answers undefined without a call. */
function wanted<T>(
  reads: ReadonlySet<CloudTrailRead>,
  errors: PartError[],
  name: CloudTrailRead,
  fn: () => Promise<T>,
): Promise<T | undefined> {
  return reads.has(name) ? part(errors, name, fn) : Promise.resolve(undefined);
}

async function loadTrail(
  clients: ClientProvider,
  trail: Trail,
  region: string,
  reads: ReadonlySet<CloudTrailRead> = ALL_READS,
): Promise<Omit<TrailEntry, 'tags'>> {
  const arn = trail.TrailARN as string;
  // Every read goes to the trail's home Region: shadow trails answer only there.
  const client = clients.cloudTrail(trail.HomeRegion ?? region);
  const errors: PartError[] = [];
  const [status, selectors, insights, configuration] = await Promise.all([
    wanted(reads, errors, 'GetTrailStatus', async () =>
      body(await client.send(new GetTrailStatusCommand({ Name: arn }))),
    ),
    wanted(reads, errors, 'GetEventSelectors', async () => {
      const r = body(await client.send(new GetEventSelectorsCommand({ TrailName: arn })));
      return withoutKeys(r, ['TrailARN']);
    }),
    wanted(reads, errors, 'GetInsightSelectors', async () => {
      try {
        return (
          body(await client.send(new GetInsightSelectorsCommand({ TrailName: arn }))).InsightSelectors ?? []
        );
      } catch (error) {
        // A trail that never had Insights answers with this exception: it means "none".
        if ((error as { name?: string }).name === 'InsightNotEnabledException') return [];
        throw error;
      }
    }),
    wanted(reads, errors, 'GetEventConfiguration', async () =>
      withoutKeys(body(await client.send(new GetEventConfigurationCommand({ TrailName: arn }))), [
        'TrailARN',
        'EventDataStoreArn',
      ]),
    ),
  ]);
  return plain({
    trail: trail as TrailEntry['trail'],
    ...(status ? { status: withoutKeys(status, []) } : {}),
    ...(selectors ? { eventSelectors: selectors as TrailEntry['eventSelectors'] } : {}),
    ...(insights ? { insightSelectors: insights as TrailEntry['insightSelectors'] } : {}),
    ...(configuration ? { eventConfiguration: configuration as TrailEntry['eventConfiguration'] } : {}),
    ...(errors.length ? { errors } : {}),
  });
}

/** ListTags takes at most 20 ARNs per call, in the resources' home Region. */
async function loadTags(
  clients: ClientProvider,
  arns: readonly { arn: string; region: string }[],
  limit: ReturnType<typeof pLimit>,
): Promise<Map<string, TagResult>> {
  const out = new Map<string, TagResult>();
  const byRegion = new Map<string, string[]>();
  for (const { arn, region } of arns) byRegion.set(region, [...(byRegion.get(region) ?? []), arn]);
  const batches: { region: string; ids: string[] }[] = [];
  for (const [region, ids] of byRegion)
    for (let i = 0; i < ids.length; i += 20) batches.push({ region, ids: ids.slice(i, i + 20) });
  await Promise.all(
    batches.map((batch) =>
      limit(async () => {
        try {
          let NextToken: string | undefined;
          do {
            const r = await clients
              .cloudTrail(batch.region)
              .send(new ListTagsCommand({ ResourceIdList: batch.ids, NextToken }));
            for (const item of r.ResourceTagList ?? []) {
              if (item.ResourceId)
                out.set(item.ResourceId, {
                  tags: plain(item.TagsList ?? []) as { Key: string; Value?: string }[],
                });
            }
            NextToken = r.NextToken;
          } while (NextToken);
        } catch (error) {
          const e = translateAwsError(error, 'ListTags');
          for (const id of batch.ids)
            out.set(id, { error: { part: 'ListTags', message: `${e.code}: ${e.detail}` } });
        }
      }),
    ),
  );
  return out;
}

/** Tags of the ARNs, asking only for those no other Region of the account has asked for. */
async function loadTagsOnce(
  clients: ClientProvider,
  arns: readonly { arn: string; region: string }[],
  limit: ReturnType<typeof pLimit>,
  shared: AccountReads['tags'] | undefined,
): Promise<Map<string, TagResult>> {
  if (!shared) return loadTags(clients, arns, limit);
  const fresh = arns.filter((a) => !shared.has(a.arn));
  if (fresh.length > 0) {
    const loading = loadTags(clients, fresh, limit);
    for (const { arn } of fresh)
      shared.set(
        arn,
        loading.then((m) => m.get(arn)),
      );
  }
  const out = new Map<string, TagResult>();
  for (const { arn } of arns) {
    const result = await shared.get(arn);
    if (result) out.set(arn, result);
  }
  return out;
}

async function loadEventDataStores(
  clients: ClientProvider,
  region: string,
  limit: ReturnType<typeof pLimit>,
  errors: PartError[],
  reads: ReadonlySet<CloudTrailRead>,
) {
  if (!reads.has('ListEventDataStores')) return [];
  const client = clients.cloudTrail(region);
  const arns: string[] = [];
  try {
    for await (const page of paginateListEventDataStores({ client }, {})) {
      for (const e of page.EventDataStores ?? []) if (e.EventDataStoreArn) arns.push(e.EventDataStoreArn);
    }
  } catch (error) {
    const e = translateAwsError(error, 'ListEventDataStores');
    errors.push({ part: 'ListEventDataStores', message: `${e.code}: ${e.detail}` });
    return [];
  }
  return Promise.all(arns.map((arn) => limit(() => loadEventDataStore(client, arn, reads))));
}

async function loadEventDataStore(
  client: CloudTrailClient,
  arn: string,
  reads: ReadonlySet<CloudTrailRead> = ALL_READS,
): Promise<EventDataStoreEntry | undefined> {
  const partErrors: PartError[] = [];
  const store = await part(partErrors, 'GetEventDataStore', async () =>
    body(await client.send(new GetEventDataStoreCommand({ EventDataStore: arn }))),
  );
  const insights = await wanted(reads, partErrors, 'GetInsightSelectors', async () => {
    try {
      return body(await client.send(new GetInsightSelectorsCommand({ EventDataStore: arn })));
    } catch (error) {
      if ((error as { name?: string }).name === 'InsightNotEnabledException') return { InsightSelectors: [] };
      throw error;
    }
  });
  const configuration = await wanted(reads, partErrors, 'GetEventConfiguration', async () =>
    withoutKeys(body(await client.send(new GetEventConfigurationCommand({ EventDataStore: arn }))), [
      'TrailARN',
      'EventDataStoreArn',
    ]),
  );
  if (!store) {
    // Deleted between listing and reading, or not readable: keep it, with the reason.
    return plain({ eventDataStore: { EventDataStoreArn: arn }, errors: partErrors });
  }
  return plain({
    eventDataStore: store as EventDataStoreEntry['eventDataStore'],
    ...(insights
      ? { insightSelectors: (insights.InsightSelectors ?? []) as EventDataStoreEntry['insightSelectors'] }
      : {}),
    ...(insights && 'InsightsDestination' in insights && insights.InsightsDestination
      ? { insightsDestination: insights.InsightsDestination }
      : {}),
    ...(configuration
      ? { eventConfiguration: configuration as EventDataStoreEntry['eventConfiguration'] }
      : {}),
    ...(partErrors.length ? { errors: partErrors } : {}),
  });
}

/** Re-reads one event data store (after a change). */
export async function reloadEventDataStore(clients: ClientProvider, arn: string, region: string) {
  return loadEventDataStore(clients.cloudTrail(region), arn);
}

/**
 * Reads one Region into a snapshot file's shape: trails (with shadow trails, each read in its home
 * Region), their status, selectors, Insights, event configuration and tags, and the Region's event
 * data stores. A failure on one resource is recorded on it and the run goes on.
 */
export async function loadRegion(
  clients: ClientProvider,
  account: string,
  region: string,
  options: LoadOptions = {},
): Promise<Snapshot> {
  const limit = options.limit ?? pLimit(options.concurrency ?? 5);
  const reads = options.reads ? completeReads(options.reads) : ALL_READS;
  const errors: PartError[] = [];
  let trails: Trail[] = [];
  try {
    trails =
      (await clients.cloudTrail(region).send(new DescribeTrailsCommand({ includeShadowTrails: true })))
        .trailList ?? [];
  } catch (error) {
    const e = translateAwsError(error, 'DescribeTrails');
    errors.push({ part: 'DescribeTrails', message: `${e.code}: ${e.detail}` });
  }
  let loaded = 0;
  const total = trails.length;
  const progress = () => options.onProgress?.(++loaded, total);
  const [entries, stores] = await Promise.all([
    Promise.all(
      trails.map((t) =>
        limit(async () => {
          const entry = await readOnce(options.accountReads?.trails, t, () =>
            loadTrail(clients, t, region, reads),
          );
          progress();
          return entry;
        }),
      ),
    ),
    loadEventDataStores(clients, region, limit, errors, reads),
  ]);
  const presentStores = stores.filter((s): s is EventDataStoreEntry => s !== undefined);
  const tags = !reads.has('ListTags')
    ? new Map<string, TagResult>()
    : await loadTagsOnce(
        clients,
        [
          ...trails.map((t) => ({ arn: t.TrailARN as string, region: t.HomeRegion ?? region })),
          ...presentStores.map((s) => ({ arn: s.eventDataStore.EventDataStoreArn, region })),
        ],
        limit,
        options.accountReads?.tags,
      );
  const withTags = <E extends { errors?: PartError[] }>(entry: E, arn: string): E => {
    const t = tags.get(arn);
    if (t?.tags) return { ...entry, tags: t.tags };
    if (t?.error) return { ...entry, errors: [...(entry.errors ?? []), t.error] };
    return entry;
  };
  const notRead = [...ALL_READS].filter((r) => !reads.has(r)).sort();
  return {
    version: 1,
    account,
    region,
    ...(options.delegatedAdministrator !== undefined
      ? { delegatedAdministrator: options.delegatedAdministrator }
      : {}),
    trails: entries.map((e) => withTags(e, e.trail.TrailARN)),
    eventDataStores: presentStores.map((s) => withTags(s, s.eventDataStore.EventDataStoreArn)),
    ...(errors.length ? { errors } : {}),
    ...(notRead.length ? { notRead } : {}),
  };
}

/**
 * Trails are always listed (DescribeTrails is the listing), and an event data store is listed and
 * read together (ListEventDataStores, then GetEventDataStore for each).
 */
function completeReads(reads: ReadonlySet<CloudTrailRead>): ReadonlySet<CloudTrailRead> {
  const out = new Set(reads);
  out.add('DescribeTrails');
  if (out.has('ListEventDataStores') || out.has('GetEventDataStore')) {
    out.add('ListEventDataStores');
    out.add('GetEventDataStore');
  }
  return out;
}

/** The trail's read, shared with the other Regions of the account that list it. */
function readOnce(
  reads: AccountReads['trails'] | undefined,
  trail: Trail,
  read: () => Promise<Omit<TrailEntry, 'tags'>>,
): Promise<Omit<TrailEntry, 'tags'>> {
  const arn = trail.TrailARN as string;
  if (!reads) return read();
  let pending = reads.get(arn);
  if (!pending) {
    pending = read();
    reads.set(arn, pending);
  }
  return pending;
}

/** Reads several Regions of one account (one snapshot each); a multi-Region trail is read once. */
export async function loadRegions(
  clients: ClientProvider,
  regions: readonly string[],
  options: LoadOptions & { account: string },
): Promise<Snapshot[]> {
  const { account } = options;
  const accountReads = options.accountReads ?? newAccountReads();
  const out: Snapshot[] = [];
  for (const region of regions)
    out.push(await loadRegion(clients, account, region, { ...options, accountReads }));
  return out;
}

/** Re-reads one trail (after a change) in its home Region. */
export async function reloadTrail(
  clients: ClientProvider,
  arn: string,
  homeRegion: string,
): Promise<Omit<TrailEntry, 'tags'> | undefined> {
  const described = await clients
    .cloudTrail(homeRegion)
    .send(new DescribeTrailsCommand({ trailNameList: [arn], includeShadowTrails: false }));
  const trail = described.trailList?.find((t) => t.TrailARN === arn);
  return trail ? loadTrail(clients, trail, homeRegion) : undefined;
}
