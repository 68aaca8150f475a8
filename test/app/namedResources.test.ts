/**
 * A policy's named resource that does not exist is a FAIL on the name: it must be resolved, exactly
 * once, when the resource comes back, whichever flow sees it first (its CreateTrail or
 * CreateEventDataStore event, the single-account sweep, a central sweep's worker), and in whichever
 * Region it comes back.
 */
import { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import { describe, expect, it } from 'vitest';
import {
  type FlowDeps,
  onTrailChange,
  planSweep,
  type SweepMessage,
  scheduledSweep,
  sweepPair,
} from '../../shared/app/flows.js';
import type { ClientProvider } from '../../shared/aws/loader.js';
import type { Notification } from '../../shared/notify/message.js';
import { parsePolicyFiles } from '../../shared/policy/loader.js';
import { MemoryStore } from './memoryStore.js';

const ACCOUNT = '111122223333';
const CENTRAL = '999999999999';
const REGIONS = ['us-east-1', 'eu-west-1'];
const NOW = new Date('2026-11-21T06:00:00Z');
const trailArn = (name: string, region: string, account = ACCOUNT) =>
  `arn:aws:cloudtrail:${region}:${account}:trail/${name}`;
const storeArn = (id: string, region: string, account = ACCOUNT) =>
  `arn:aws:cloudtrail:${region}:${account}:eventdatastore/${id}`;

interface World {
  trails: Record<string, { home: string }>;
  stores: Record<string, { region: string; id: string }>;
}

/** One account's CloudTrail in every Region, faked from `world` (changed by the tests as they go). */
function cloudTrailOf(account: string, world: World): ClientProvider {
  return {
    // A CloudTrailClient (the SDK's paginators accept no other) whose calls the world answers.
    cloudTrail: (region: string) =>
      Object.assign(Object.create(CloudTrailClient.prototype) as CloudTrailClient, {
        send: async (command: { input: Record<string, unknown>; constructor: { name: string } }) => {
          const name = command.constructor.name.replace(/Command$/, '');
          const { input } = command;
          const trails = Object.entries(world.trails)
            .filter(([, t]) => t.home === region)
            .map(([n, t]) => ({
              Name: n,
              TrailARN: trailArn(n, t.home, account),
              HomeRegion: t.home,
              S3BucketName: 'logs',
              IsMultiRegionTrail: false,
            }));
          const stores = Object.entries(world.stores)
            .filter(([, s]) => s.region === region)
            .map(([n, s]) => ({ Name: n, EventDataStoreArn: storeArn(s.id, s.region, account) }));
          switch (name) {
            case 'DescribeTrails': {
              const only = input.trailNameList as string[] | undefined;
              return {
                trailList: only
                  ? trails.filter((t) => only.includes(t.TrailARN) || only.includes(t.Name))
                  : trails,
              };
            }
            case 'GetTrailStatus':
              return { IsLogging: true };
            case 'GetEventSelectors':
              return { EventSelectors: [{ ReadWriteType: 'All', IncludeManagementEvents: true }] };
            case 'GetInsightSelectors':
              return { InsightSelectors: [] };
            case 'GetEventConfiguration':
              return {};
            case 'ListEventDataStores':
              return { EventDataStores: stores };
            case 'GetEventDataStore': {
              const found = stores.find((s) => s.EventDataStoreArn === input.EventDataStore);
              if (!found)
                throw Object.assign(new Error('no such event data store'), {
                  name: 'EventDataStoreNotFoundException',
                });
              return { ...found, Status: 'ENABLED', AdvancedEventSelectors: [] };
            }
            case 'ListTags':
              return { ResourceTagList: [] };
            default:
              throw new Error(`unexpected ${name}`);
          }
        },
      }),
  };
}

const POLICIES = parsePolicyFiles([
  {
    file: 'named.yaml',
    text: [
      'version: 1',
      'policies:',
      '  - id: named-trail',
      '    severity: high',
      '    select: { names: [audit] }',
      '    require: { logging: true }',
      '  - id: named-lake',
      '    resource: eventDataStore',
      '    severity: high',
      '    select: { names: [lake] }',
      '    require: { ingestion: true }',
      '',
    ].join('\n'),
  },
]).policies;

function stack(mode: 'single' | 'central', policies = POLICIES) {
  const world: World = { trails: {}, stores: {} };
  const sent: Notification[] = [];
  const store = new MemoryStore();
  const clients = cloudTrailOf(ACCOUNT, world);
  const deps: FlowDeps = {
    policies,
    clients: mode === 'single' ? clients : cloudTrailOf(CENTRAL, { trails: {}, stores: {} }),
    account: mode === 'single' ? ACCOUNT : CENTRAL,
    partition: 'aws',
    store,
    channels: [{ name: 'sns', send: async (ns) => void sent.push(...ns) }],
    remediationEnabled: true,
    remediationRoleArn: `arn:aws:iam::${ACCOUNT}:role/trailwarden-prod-remediate`,
    requestRemediation: async () => {},
    breaker: { maxRemediations: 3, windowMinutes: 60 },
    now: () => NOW,
    log: { info: () => {}, warn: () => {}, error: () => {} },
    metrics: { count: () => {}, milliseconds: () => {} },
    ...(mode === 'central'
      ? {
          members: {
            admits: (account: string) => account === ACCOUNT,
            access: (account: string) => ({ account, clients }),
            remediator: { roleName: 'TrailwardenRemediator', sessionName: 'trailwarden-remediate' },
          },
        }
      : {}),
  };
  const sweep = async (id: string) => {
    if (mode === 'single') return void (await scheduledSweep(REGIONS, deps, { id }));
    const messages: SweepMessage[] = [];
    await planSweep(
      deps,
      { regions: REGIONS, accounts: async () => [ACCOUNT], send: async (m) => void messages.push(...m) },
      { id },
    );
    for (const m of messages) await sweepPair(m, deps);
  };
  /** What was said about the named resources' existence, in order. */
  const existence = () =>
    sent
      .filter((n) => n.finding.check === 'exists' && n.finding.policyId !== 'trailwarden-digest')
      .map((n) => `${n.transition} ${n.finding.policyId} ${n.finding.resourceName} ${n.finding.status}`);
  return { world, deps, sent, store, sweep, existence };
}

let n = 0;
function created(kind: 'trail' | 'eventDataStore', name: string, arn: string, region: string) {
  n++;
  return {
    id: `event-${n}`,
    'detail-type': 'AWS API Call via CloudTrail',
    source: 'aws.cloudtrail',
    account: ACCOUNT,
    region,
    detail: {
      eventSource: 'cloudtrail.amazonaws.com',
      eventName: kind === 'trail' ? 'CreateTrail' : 'CreateEventDataStore',
      awsRegion: region,
      eventID: `ct-${n}`,
      eventTime: NOW.toISOString(),
      recipientAccountId: ACCOUNT,
      userIdentity: { type: 'AssumedRole', arn: `arn:aws:sts::${ACCOUNT}:assumed-role/Admin/alice` },
      requestParameters: { name },
      responseElements: kind === 'trail' ? { name, trailARN: arn } : { name, eventDataStoreArn: arn },
    },
  };
}

const OPENED = ['opened named-trail audit FAIL', 'opened named-lake lake FAIL'];
const RESOLVED = ['resolved named-trail audit PASS', 'resolved named-lake lake PASS'];

describe.each(['single', 'central'] as const)('a missing named resource comes back (%s stack)', (mode) => {
  // The sweep's first Region decides the names; the second is where a resource may come back.
  for (const region of REGIONS) {
    it(`in ${region}: its Create event resolves the FAIL, once`, async () => {
      const { world, deps, sweep, existence, sent } = stack(mode);
      await sweep('s1');
      expect(existence()).toEqual(OPENED);
      // Kept under the name, not under the ARN of the Region that found it missing.
      expect(
        sent
          .filter((m) => m.finding.check === 'exists' && m.finding.policyId !== 'trailwarden-digest')
          .map((m) => m.finding.resource),
      ).toEqual([
        `arn:aws:cloudtrail::${ACCOUNT}:trail/audit`,
        `arn:aws:cloudtrail::${ACCOUNT}:eventdatastore/lake`,
      ]);

      world.trails.audit = { home: region };
      world.stores.lake = { region, id: 'f00d' };
      const trail = created('trail', 'audit', trailArn('audit', region), region);
      const lake = created('eventDataStore', 'lake', storeArn('f00d', region), region);
      expect(await onTrailChange(trail, deps)).toMatchObject({ outcome: 'evaluated' });
      expect(await onTrailChange(lake, deps)).toMatchObject({ outcome: 'evaluated' });
      expect(existence()).toEqual([...OPENED, ...RESOLVED]);
      // The same events again (EventBridge is at-least-once), and the next sweeps: nothing more.
      await onTrailChange(trail, deps);
      await onTrailChange(lake, deps);
      await sweep('s2');
      await sweep('s3');
      expect(existence()).toEqual([...OPENED, ...RESOLVED]);
    });

    it(`in ${region}, without its event: the next sweep resolves the FAIL, once; gone again, it opens again`, async () => {
      const { world, sweep, existence } = stack(mode);
      await sweep('s1');
      await sweep('s2');
      expect(existence()).toEqual(OPENED);

      world.trails.audit = { home: region };
      world.stores.lake = { region, id: 'f00d' };
      await sweep('s3');
      expect(existence()).toEqual([...OPENED, ...RESOLVED]);
      await sweep('s4');
      expect(existence()).toEqual([...OPENED, ...RESOLVED]);

      world.trails = {};
      world.stores = {};
      await sweep('s5');
      await sweep('s6');
      expect(existence()).toEqual([...OPENED, ...RESOLVED, ...OPENED]);
    });
  }

  it('a name that is an ARN: the FAIL on that ARN is resolved once the trail is back, by its event or the sweep', async () => {
    const pinned = trailArn('pinned', 'eu-west-1');
    const byArn = parsePolicyFiles([
      {
        file: 'pinned.yaml',
        text: `version: 1\npolicies:\n  - id: pinned\n    select: { names: ['${pinned}'] }\n    require: { logging: true }\n`,
      },
    ]).policies;
    for (const via of ['event', 'sweep'] as const) {
      const { world, deps, sweep, sent } = stack(mode, byArn);
      const said = () =>
        sent
          .filter((m) => m.finding.check === 'exists' && m.finding.policyId === 'pinned')
          .map((m) => `${m.transition} ${m.finding.resource} ${m.finding.status}`);
      await sweep('s1');
      expect(said(), via).toEqual([`opened ${pinned} FAIL`]);
      world.trails.pinned = { home: 'eu-west-1' };
      if (via === 'event') await onTrailChange(created('trail', 'pinned', pinned, 'eu-west-1'), deps);
      await sweep('s2');
      await sweep('s3');
      expect(said(), via).toEqual([`opened ${pinned} FAIL`, `resolved ${pinned} PASS`]);
    }
  });

  it('a resource that was never missing says nothing about its existence', async () => {
    const { world, sweep, existence } = stack(mode);
    world.trails.audit = { home: 'eu-west-1' };
    world.stores.lake = { region: 'us-east-1', id: 'f00d' };
    await sweep('s1');
    await sweep('s2');
    expect(existence()).toEqual([]);
  });
});
