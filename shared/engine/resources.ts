import type { ResourceView } from '../policy/types.js';
import { asAdvanced, type SelectorConfig } from '../selectors/index.js';
import type { EventDataStoreEntry, Snapshot, TrailEntry } from './snapshot.js';

/** arn:partition:service:region:account:resource → its parts. */
export function parseArn(arn: string): { partition: string; region: string; account: string } | undefined {
  const parts = arn.split(':');
  if (parts.length < 6 || parts[0] !== 'arn') return undefined;
  return { partition: parts[1] as string, region: parts[3] as string, account: parts[4] as string };
}

/** GetEventSelectors returns one list; an emulator may send both with one empty, so prefer the one in use. */
export function selectorConfigOf(response: TrailEntry['eventSelectors']): SelectorConfig | undefined {
  if (!response) return undefined;
  const advanced = response.AdvancedEventSelectors;
  const basic = response.EventSelectors;
  if (advanced && advanced.length > 0) return { AdvancedEventSelectors: advanced as never };
  if (basic) return { EventSelectors: basic as never };
  return { AdvancedEventSelectors: (advanced ?? []) as never };
}

const tagsOf = (tags: TrailEntry['tags']) =>
  tags ? Object.fromEntries(tags.map((t) => [t.Key, t.Value ?? ''])) : undefined;

export function trailView(entry: TrailEntry): ResourceView {
  const t = entry.trail;
  const arn = parseArn(t.TrailARN);
  const selectorConfig = selectorConfigOf(entry.eventSelectors);
  return {
    kind: 'trail',
    arn: t.TrailARN,
    name: t.Name,
    homeRegion: t.HomeRegion ?? arn?.region,
    owner: arn?.account,
    isOrganization: t.IsOrganizationTrail === true,
    selectorConfig,
    selectors: selectorConfig ? asAdvanced(selectorConfig) : undefined,
    active: entry.status?.IsLogging,
    tags: tagsOf(entry.tags),
    insightSelectors: entry.insightSelectors,
    insightsDestination: undefined,
    eventConfiguration: entry.eventConfiguration,
    settings: t,
    deliveryError: entry.status?.LatestDeliveryError || undefined,
    loadErrors: entry.errors ?? [],
  };
}

export function eventDataStoreView(entry: EventDataStoreEntry): ResourceView {
  const e = entry.eventDataStore;
  const arn = parseArn(e.EventDataStoreArn);
  const selectorConfig = e.AdvancedEventSelectors
    ? ({ AdvancedEventSelectors: e.AdvancedEventSelectors } as unknown as SelectorConfig)
    : undefined;
  return {
    kind: 'eventDataStore',
    arn: e.EventDataStoreArn,
    name: e.Name ?? e.EventDataStoreArn.split('/').pop() ?? e.EventDataStoreArn,
    homeRegion: arn?.region,
    owner: arn?.account,
    isOrganization: e.OrganizationEnabled === true,
    selectorConfig,
    selectors: selectorConfig ? asAdvanced(selectorConfig) : undefined,
    active: e.Status === undefined ? undefined : e.Status === 'ENABLED',
    tags: tagsOf(entry.tags),
    insightSelectors: entry.insightSelectors,
    insightsDestination: entry.insightsDestination,
    eventConfiguration: entry.eventConfiguration,
    settings: e,
    deliveryError: undefined,
    loadErrors: entry.errors ?? [],
  };
}

export function resourceViews(snapshot: Snapshot): ResourceView[] {
  return [...snapshot.trails.map(trailView), ...snapshot.eventDataStores.map(eventDataStoreView)];
}

/** Does the resource record events made in `region`? */
export function appliesToRegion(r: ResourceView, region: string): boolean {
  const multi =
    r.kind === 'trail' ? r.settings.IsMultiRegionTrail === true : r.settings.MultiRegionEnabled === true;
  return multi || r.homeRegion === region;
}
