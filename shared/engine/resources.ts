import type { DeliveryError, ResourceView } from '../policy/types.js';
import {
  type AdvancedEventSelector,
  asAdvanced,
  type DecisionOptions,
  partitionOf,
  type SelectorConfig,
} from '../selectors/index.js';
import { type EventDataStoreEntry, type Snapshot, selectorProblem, type TrailEntry } from './snapshot.js';

/** Decisions about a resource are taken over ARNs of its own partition (read from its ARN). */
export const within = (r: Pick<ResourceView, 'arn'>): DecisionOptions => ({ partition: partitionOf(r.arn) });

/** arn:partition:service:region:account:resource → its parts. */
export function parseArn(arn: string): { partition: string; region: string; account: string } | undefined {
  const parts = arn.split(':');
  if (parts.length < 6 || parts[0] !== 'arn') return undefined;
  return { partition: parts[1] as string, region: parts[3] as string, account: parts[4] as string };
}

/** GetEventSelectors returns one list; an emulator may send both with one empty, so prefer the one in use. */
function selectorConfigOf(response: TrailEntry['eventSelectors']): SelectorConfig | undefined {
  if (!response) return undefined;
  const advanced = response.AdvancedEventSelectors;
  const basic = response.EventSelectors;
  if (advanced && advanced.length > 0) return { AdvancedEventSelectors: advanced as never };
  if (basic) return { EventSelectors: basic as never };
  return { AdvancedEventSelectors: (advanced ?? []) as never };
}

const tagsOf = (tags: TrailEntry['tags']) =>
  tags ? Object.fromEntries(tags.map((t) => [t.Key, t.Value ?? ''])) : undefined;

/** The selectors as the engine reads them, or why they cannot be read. */
function readSelectors(
  config: SelectorConfig | undefined,
  path: string,
): Pick<ResourceView, 'selectorConfig' | 'selectors' | 'selectorProblem'> {
  if (!config) return { selectorConfig: undefined, selectors: undefined, selectorProblem: undefined };
  const problem = selectorProblem(config as never, path);
  if (problem)
    return {
      selectorConfig: undefined,
      selectors: undefined,
      selectorProblem: `its event selectors are malformed: ${problem}`,
    };
  return { selectorConfig: config, selectors: asAdvanced(config), selectorProblem: undefined };
}

/** Where each GetTrailStatus error field delivers, and when it applies to the trail's configuration. */
const DELIVERY: readonly {
  field:
    | 'LatestDeliveryError'
    | 'LatestDigestDeliveryError'
    | 'LatestCloudWatchLogsDeliveryError'
    | 'LatestNotificationError';
  applies: (t: TrailEntry['trail']) => boolean;
  destination: (t: TrailEntry['trail']) => string;
}[] = [
  {
    field: 'LatestDeliveryError',
    applies: () => true,
    destination: (t) => `log files to S3 bucket ${t.S3BucketName ?? '(unknown)'}`,
  },
  {
    field: 'LatestDigestDeliveryError',
    applies: (t) => t.LogFileValidationEnabled === true,
    destination: (t) => `digest files to S3 bucket ${t.S3BucketName ?? '(unknown)'}`,
  },
  {
    field: 'LatestCloudWatchLogsDeliveryError',
    applies: (t) => Boolean(t.CloudWatchLogsLogGroupArn),
    destination: (t) => `events to CloudWatch Logs group ${t.CloudWatchLogsLogGroupArn}`,
  },
  {
    field: 'LatestNotificationError',
    applies: (t) => Boolean(t.SnsTopicARN || t.SnsTopicName),
    destination: (t) => `notifications to SNS topic ${t.SnsTopicARN ?? t.SnsTopicName}`,
  },
];

/**
 * The delivery errors that matter for this trail: an error of a destination the trail no longer
 * uses (a log group since removed, validation turned off) says nothing about what it delivers now.
 */
function deliveryErrorsOf(entry: TrailEntry): DeliveryError[] | undefined {
  const status = entry.status;
  if (!status) return undefined;
  return DELIVERY.flatMap((d) => {
    const error = status[d.field];
    return typeof error === 'string' && error.length > 0 && d.applies(entry.trail)
      ? [{ field: d.field, destination: d.destination(entry.trail), error }]
      : [];
  });
}

/** `path` is where the entry sits in its snapshot, to name a malformed selector precisely. */
function trailView(entry: TrailEntry, path = '$.trails[0]'): ResourceView {
  const t = entry.trail;
  const arn = parseArn(t.TrailARN);
  return {
    kind: 'trail',
    arn: t.TrailARN,
    name: t.Name,
    homeRegion: t.HomeRegion ?? arn?.region,
    owner: arn?.account,
    isOrganization: t.IsOrganizationTrail === true,
    ...readSelectors(selectorConfigOf(entry.eventSelectors), `${path}.eventSelectors`),
    active: entry.status?.IsLogging,
    tags: tagsOf(entry.tags),
    insightSelectors: entry.insightSelectors,
    insightsDestination: undefined,
    eventConfiguration: entry.eventConfiguration,
    settings: t,
    deliveryErrors: deliveryErrorsOf(entry),
    loadErrors: entry.errors ?? [],
  };
}

function eventDataStoreView(entry: EventDataStoreEntry, path = '$.eventDataStores[0]'): ResourceView {
  const e = entry.eventDataStore;
  const arn = parseArn(e.EventDataStoreArn);
  const selectorConfig = e.AdvancedEventSelectors
    ? ({ AdvancedEventSelectors: e.AdvancedEventSelectors as AdvancedEventSelector[] } as SelectorConfig)
    : undefined;
  return {
    kind: 'eventDataStore',
    arn: e.EventDataStoreArn,
    name: e.Name ?? e.EventDataStoreArn.split('/').pop() ?? e.EventDataStoreArn,
    homeRegion: arn?.region,
    owner: arn?.account,
    isOrganization: e.OrganizationEnabled === true,
    ...readSelectors(selectorConfig, `${path}.eventDataStore`),
    active: e.Status === undefined ? undefined : e.Status === 'ENABLED',
    tags: tagsOf(entry.tags),
    insightSelectors: entry.insightSelectors,
    insightsDestination: entry.insightsDestination,
    eventConfiguration: entry.eventConfiguration,
    settings: e,
    deliveryErrors: [],
    loadErrors: entry.errors ?? [],
  };
}

export function resourceViews(snapshot: Snapshot): ResourceView[] {
  return [
    ...snapshot.trails.map((t, i) => trailView(t, `$.trails[${i}]`)),
    ...snapshot.eventDataStores.map((e, i) => eventDataStoreView(e, `$.eventDataStores[${i}]`)),
  ];
}

/** Does the resource record events made in `region`? */
export function appliesToRegion(r: ResourceView, region: string): boolean {
  const multi =
    r.kind === 'trail' ? r.settings.IsMultiRegionTrail === true : r.settings.MultiRegionEnabled === true;
  return multi || r.homeRegion === region;
}
