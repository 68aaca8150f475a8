import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  CloudTrailClient,
  DescribeTrailsCommand,
  GetEventConfigurationCommand,
  GetEventDataStoreCommand,
  GetEventSelectorsCommand,
  GetInsightSelectorsCommand,
  GetTrailStatusCommand,
  ListTagsCommand,
} from '@aws-sdk/client-cloudtrail';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { beforeEach, describe, expect, it } from 'vitest';
import { type FlowDeps, onTrailChange, type RemediationRequest } from '../../shared/app/flows.js';
import { AwsClients } from '../../shared/aws/clients.js';
import { WATCHED_EVENT_NAMES } from '../../shared/events/cloudtrailEvent.js';
import type { Notification } from '../../shared/notify/message.js';
import { parsePolicyFiles } from '../../shared/policy/loader.js';

const fixture = (name: string) =>
  JSON.parse(readFileSync(join(import.meta.dirname, '..', 'events', 'fixtures', `${name}.json`), 'utf8'));

function fakeDeps(watched = false) {
  const sent: Notification[] = [];
  const counted: string[] = [];
  const reads: string[] = [];
  const deps: FlowDeps = {
    policies: [],
    clients: {
      cloudTrail: () => {
        reads.push('cloudtrail');
        throw new Error('no AWS in this test');
      },
    },
    account: '111122223333',
    store: {
      previous: async () => new Map(),
      record: async () => {},
      watched: async () => watched,
      remediations: async () => ({ times: [], actors: [] }),
      recordRemediation: async () => {},
    },
    channels: [{ name: 'test', send: async (ns) => void sent.push(...ns) }],
    remediationEnabled: true,
    remediationRoleArn: 'arn:aws:iam::111122223333:role/trailwarden-prod-remediate',
    requestRemediation: async () => {},
    breaker: { maxRemediations: 3, windowMinutes: 60 },
    now: () => new Date('2026-11-21T06:00:00Z'),
    log: { info: () => {}, warn: () => {}, error: () => {} },
    metrics: { count: (name) => void counted.push(name), milliseconds: () => {} },
  };
  return { deps, sent, counted, reads };
}

describe('onTrailChange flow', () => {
  it('drops a malformed event with a metric, without throwing (no endless retries)', async () => {
    const { deps, counted, reads } = fakeDeps();
    expect(await onTrailChange(fixture('malformed'), deps)).toMatchObject({
      outcome: 'dropped',
      reason: expect.stringContaining('detail.awsRegion'),
    });
    expect(await onTrailChange('not even an object', deps)).toMatchObject({ outcome: 'dropped' });
    expect(counted).toEqual(['MalformedEvents', 'MalformedEvents']);
    expect(reads).toEqual([]);
  });

  it('skips failed calls and its own remediation role, reading nothing', async () => {
    const { deps, reads } = fakeDeps();
    expect(await onTrailChange(fixture('failed-call'), deps)).toMatchObject({
      outcome: 'skipped',
      reason: 'the call failed (AccessDenied)',
    });
    expect(await onTrailChange(fixture('own-role'), deps)).toMatchObject({
      outcome: 'skipped',
      reason: expect.stringContaining('loop guard'),
    });
    expect(reads).toEqual([]);
  });

  it('a DeleteTrail of a watched trail is a critical notification naming who did it', async () => {
    const { deps, sent } = fakeDeps(true);
    await onTrailChange(fixture('DeleteTrail'), deps);
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({
      transition: 'trail-deleted',
      finding: { severity: 'critical' },
      actors: ['arn:aws:iam::111122223333:role/Admin'],
    });
    const unwatched = fakeDeps(false);
    await onTrailChange(fixture('DeleteTrail'), unwatched.deps);
    expect(unwatched.sent).toEqual([]);
  });
});

describe('onTrailChange on every watched event name (aws-sdk-client-mock)', () => {
  const TRAIL = 'arn:aws:cloudtrail:us-east-1:111122223333:trail/security';
  const EDS = 'arn:aws:cloudtrail:us-east-1:111122223333:eventdatastore/0b8d6f2e-7c1a-4f3e-9a5b-2d4c6e8f0a1b';
  const ct = mockClient(CloudTrailClient);
  const { policies } = parsePolicyFiles([
    {
      file: 'p.yaml',
      text: 'version: 1\npolicies:\n  - id: t\n    action: remediate\n    require: { logging: true }\n  - id: e\n    resource: eventDataStore\n    action: remediate\n    require: { ingestion: true }\n',
    },
  ]);

  beforeEach(() => {
    ct.reset();
    ct.on(DescribeTrailsCommand).resolves({
      trailList: [{ Name: 'security', TrailARN: TRAIL, HomeRegion: 'us-east-1' }],
    });
    ct.on(GetTrailStatusCommand).resolves({ IsLogging: false });
    ct.on(GetEventSelectorsCommand).resolves({ EventSelectors: [{ ReadWriteType: 'All' }] });
    ct.on(GetInsightSelectorsCommand).resolves({ InsightSelectors: [] });
    ct.on(GetEventConfigurationCommand).resolves({});
    ct.on(ListTagsCommand).resolves({ ResourceTagList: [{ ResourceId: TRAIL, TagsList: [] }] });
    ct.on(GetEventDataStoreCommand).resolves({
      EventDataStoreArn: EDS,
      Name: 'audit-lake',
      Status: 'STOPPED_INGESTION',
      AdvancedEventSelectors: [],
    });
  });

  it.each(WATCHED_EVENT_NAMES.filter((n) => !n.startsWith('Delete')))(
    '%s: reads the changed resource and requests its repair',
    async (name) => {
      const { deps } = fakeDeps();
      const requested: RemediationRequest[] = [];
      const outcome = await onTrailChange(fixture(name), {
        ...deps,
        policies,
        clients: new AwsClients(),
        requestRemediation: async (r) => void requested.push(r),
      });
      expect(outcome).toMatchObject({ outcome: 'evaluated', remediation: 'requested' });
      if (name.includes('EventDataStore')) {
        expect(ct).toHaveReceivedCommandWith(GetEventDataStoreCommand, { EventDataStore: EDS });
        expect(requested[0]?.steps.map((s) => s.operation)).toEqual(['StartEventDataStoreIngestion']);
      } else {
        expect(ct).toHaveReceivedCommandWith(DescribeTrailsCommand, {
          trailNameList: [TRAIL],
          includeShadowTrails: false,
        });
        expect(requested[0]?.steps.map((s) => s.operation)).toEqual(['StartLogging']);
      }
    },
  );
});
