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
  ListEventDataStoresCommand,
  ListTagsCommand,
  PutEventSelectorsCommand,
  StartLoggingCommand,
} from '@aws-sdk/client-cloudtrail';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  type FlowDeps,
  onTrailChange,
  RemediationBusyError,
  type RemediationRequest,
  remediate,
  scheduledSweep,
} from '../../shared/app/flows.js';
import { AwsClients } from '../../shared/aws/clients.js';
import type { RuleReport } from '../../shared/aws/watcher.js';
import { WATCHED_EVENT_NAMES } from '../../shared/events/cloudtrailEvent.js';
import type { Notification } from '../../shared/notify/message.js';
import { parsePolicyFiles } from '../../shared/policy/loader.js';
import { MemoryStore } from './memoryStore.js';

const fixture = (name: string) =>
  JSON.parse(readFileSync(join(import.meta.dirname, '..', 'events', 'fixtures', `${name}.json`), 'utf8'));
const TRAIL = 'arn:aws:cloudtrail:us-east-1:111122223333:trail/security';
const EDS = 'arn:aws:cloudtrail:us-east-1:111122223333:eventdatastore/0b8d6f2e-7c1a-4f3e-9a5b-2d4c6e8f0a1b';
const NOW = new Date('2026-11-21T06:00:00Z');

function fakeDeps(over: Partial<FlowDeps> = {}) {
  const sent: Notification[] = [];
  const counted: string[] = [];
  const reads: string[] = [];
  const requested: RemediationRequest[] = [];
  const store = new MemoryStore();
  const deps: FlowDeps = {
    policies: [],
    clients: {
      cloudTrail: () => {
        reads.push('cloudtrail');
        throw new Error('no AWS in this test');
      },
    },
    account: '111122223333',
    partition: 'aws',
    store,
    channels: [{ name: 'test', send: async (ns) => void sent.push(...ns) }],
    remediationEnabled: true,
    remediationRoleArn: 'arn:aws:iam::111122223333:role/trailwarden-prod-remediate',
    requestRemediation: async (r) => void requested.push(r),
    breaker: { maxRemediations: 3, windowMinutes: 60 },
    now: () => NOW,
    log: { info: () => {}, warn: () => {}, error: () => {} },
    metrics: { count: (name) => void counted.push(name), milliseconds: () => {} },
    ...over,
  };
  return { deps, sent, counted, reads, requested, store };
}

const policies = (text: string) =>
  parsePolicyFiles([{ file: 'p.yaml', text: `version: 1\npolicies:\n${text}` }]).policies;
const LOGGING = policies(
  '  - id: t\n    action: remediate\n    require: { logging: true }\n  - id: e\n    resource: eventDataStore\n    action: remediate\n    require: { ingestion: true }\n',
);

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

  it('skips failed calls, its own remediation role, and channels or dashboards, reading nothing', async () => {
    const { deps, reads } = fakeDeps();
    expect(await onTrailChange(fixture('failed-call'), deps)).toMatchObject({
      outcome: 'skipped',
      reason: 'the call failed (AccessDenied)',
    });
    expect(await onTrailChange(fixture('own-role'), deps)).toMatchObject({
      outcome: 'skipped',
      reason: expect.stringContaining('loop guard'),
    });
    expect(await onTrailChange(fixture('AddTags-channel'), deps)).toMatchObject({
      outcome: 'skipped',
      reason: expect.stringContaining('not a trail or event data store'),
    });
    expect(reads).toEqual([]);
  });

  it("drops another account's event with a metric and a log line, never judging this account's trail of that name", async () => {
    const warned: unknown[] = [];
    const { deps, reads, counted } = fakeDeps({
      log: { info: () => {}, warn: (m, e) => void warned.push([m, e]), error: () => {} },
    });
    expect(await onTrailChange(fixture('other-account'), deps)).toEqual({
      outcome: 'dropped',
      reason: 'the event is from account 444455556666, not 111122223333',
    });
    expect(counted).toEqual(['ForeignAccountEvents']);
    expect(warned).toEqual([
      ["dropping another account's event", expect.objectContaining({ accounts: ['444455556666'] })],
    ]);
    expect(reads).toEqual([]);
  });

  it('a DeleteTrail of a watched trail is a critical notification naming who did it, once', async () => {
    const { deps, sent, store } = fakeDeps();
    await store.saveFinding(
      { account: '111122223333', resource: TRAIL },
      {
        id: 'f1',
        status: 'PASS',
        version: 1,
        observedAt: '2026-11-21T05:00:00.000Z',
        policyId: 'cis-3.2-log-file-validation',
        check: 'logFileValidation',
        severity: 'medium',
        resourceName: 'security',
        region: 'us-east-1',
      },
      0,
    );
    await onTrailChange(fixture('DeleteTrail'), deps);
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({
      transition: 'trail-deleted',
      finding: { severity: 'critical', message: expect.stringContaining('cis-3.2-log-file-validation') },
      actors: ['arn:aws:iam::111122223333:role/Admin'],
    });
    // Delivered again by EventBridge, or retried: nothing more.
    await onTrailChange(fixture('DeleteTrail'), deps);
    expect(sent).toHaveLength(1);
    const unwatched = fakeDeps();
    await onTrailChange(fixture('DeleteTrail'), unwatched.deps);
    expect(unwatched.sent).toEqual([]);
  });
});

describe('onTrailChange on every watched event name (aws-sdk-client-mock)', () => {
  const ct = mockClient(CloudTrailClient);

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
    ct.on(ListEventDataStoresCommand).resolves({ EventDataStores: [{ EventDataStoreArn: EDS }] });
    ct.on(GetEventDataStoreCommand).resolves({
      EventDataStoreArn: EDS,
      Name: 'audit-lake',
      Status: 'STOPPED_INGESTION',
      AdvancedEventSelectors: [],
    });
  });

  const names = [
    ...WATCHED_EVENT_NAMES.filter((n) => !['DeleteTrail', 'DeleteEventDataStore'].includes(n)),
    'PutEventConfiguration-eventDataStore',
    'PutInsightSelectors-eventDataStore',
  ];
  it.each(names)('%s: reads the changed resource and requests its repair', async (name) => {
    const { deps, requested } = fakeDeps({ policies: LOGGING, clients: new AwsClients() });
    const outcome = await onTrailChange(fixture(name), deps);
    expect(outcome).toMatchObject({ outcome: 'evaluated', remediation: 'requested' });
    const store = /eventdatastore|resourcepolicy/i.test(name);
    if (store) {
      expect(ct).toHaveReceivedCommandWith(GetEventDataStoreCommand, { EventDataStore: EDS });
      expect(requested[0]?.steps.map((s) => s.operation)).toEqual(['StartEventDataStoreIngestion']);
    } else {
      expect(ct).toHaveReceivedCommandWith(DescribeTrailsCommand, {
        trailNameList: [TRAIL],
        includeShadowTrails: false,
      });
      expect(requested[0]?.steps.map((s) => s.operation)).toEqual(['StartLogging']);
    }
  });

  it('an any-policy re-evaluates the whole Region from one read of it', async () => {
    const { deps, sent } = fakeDeps({
      policies: policies('  - id: cloudtrail-1\n    quantifier: any\n    require: { logging: true }\n'),
      clients: new AwsClients(),
    });
    await onTrailChange(fixture('StopLogging'), deps);
    expect(ct).toHaveReceivedCommandWith(DescribeTrailsCommand, { includeShadowTrails: true });
    expect(sent.map((n) => `${n.transition} ${n.finding.policyId}`)).toEqual(['opened cloudtrail-1']);
  });

  it("a policy's named trails outside the one Region read are not reported missing", async () => {
    const { deps, sent } = fakeDeps({
      policies: policies(
        '  - id: named\n    quantifier: any\n    select: { names: [security, eu-audit] }\n    require: { logging: true }\n',
      ),
      clients: new AwsClients(),
    });
    await onTrailChange(fixture('StopLogging'), deps);
    // eu-audit may well live in eu-west-1: only a sweep over every Region can say it is gone.
    expect(sent.map((n) => `${n.transition} ${n.finding.policyId} ${n.finding.check}`)).toEqual([
      'opened named logging',
    ]);
  });

  it('derives ARNs in the partition of the account (GovCloud), not aws', async () => {
    const gov = 'arn:aws-us-gov:cloudtrail:us-gov-west-1:111122223333:trail/security';
    ct.on(DescribeTrailsCommand).resolves({
      trailList: [{ Name: 'security', TrailARN: gov, HomeRegion: 'us-gov-west-1' }],
    });
    ct.on(ListTagsCommand).resolves({ ResourceTagList: [{ ResourceId: gov, TagsList: [] }] });
    const { deps, requested } = fakeDeps({
      policies: LOGGING,
      clients: new AwsClients(),
      partition: 'aws-us-gov',
    });
    await onTrailChange(fixture('StopLogging-govcloud'), deps);
    expect(ct).toHaveReceivedCommandWith(DescribeTrailsCommand, { trailNameList: [gov] });
    expect(requested[0]?.resource).toBe(gov);
  });
});

describe('remediate (aws-sdk-client-mock)', () => {
  const ct = mockClient(CloudTrailClient);
  const request: RemediationRequest = {
    id: 'req-1',
    account: '111122223333',
    region: 'us-east-1',
    resource: TRAIL,
    steps: [],
    requestedAt: NOW.toISOString(),
    actor: 'arn:aws:iam::111122223333:role/Admin',
  };

  beforeEach(() => {
    ct.reset();
    ct.on(DescribeTrailsCommand).resolves({
      trailList: [{ Name: 'security', TrailARN: TRAIL, HomeRegion: 'us-east-1' }],
    });
    ct.on(GetTrailStatusCommand).resolves({ IsLogging: false });
    ct.on(GetEventSelectorsCommand).resolves({ EventSelectors: [{ ReadWriteType: 'WriteOnly' }] });
    ct.on(GetInsightSelectorsCommand).resolves({ InsightSelectors: [] });
    ct.on(GetEventConfigurationCommand).resolves({});
    ct.on(ListTagsCommand).resolves({ ResourceTagList: [{ ResourceId: TRAIL, TagsList: [] }] });
    ct.on(StartLoggingCommand).resolves({});
    ct.on(PutEventSelectorsCommand).resolves({});
  });

  it('row 9: with REMEDIATION=false it writes nothing, whoever invokes it', async () => {
    const { deps, counted } = fakeDeps({
      policies: LOGGING,
      clients: new AwsClients(),
      remediationEnabled: false,
    });
    expect(await remediate(request, deps)).toEqual({
      outcome: 'skipped',
      reason: 'remediation is switched off (REMEDIATION=false)',
    });
    expect(ct).not.toHaveReceivedCommand(StartLoggingCommand);
    expect(counted).toContain('RemediationsDisabled');
  });

  it('row 9: past the circuit breaker it writes nothing, and says so once', async () => {
    const { deps, sent, store } = fakeDeps({ policies: LOGGING, clients: new AwsClients() });
    const recent = [1, 2, 3].map((m) => NOW.getTime() - m * 60_000);
    await store.updateRemediation({ account: '111122223333', resource: TRAIL }, (r) => ({
      record: { ...r, times: recent, actors: ['arn:aws:iam::111122223333:role/Mallory', 'b', 'c'] },
    }));
    expect(await remediate(request, deps)).toMatchObject({ outcome: 'halted' });
    expect(await remediate({ ...request, id: 'req-2' }, deps)).toMatchObject({ outcome: 'halted' });
    expect(ct).not.toHaveReceivedCommand(StartLoggingCommand);
    expect(sent.map((n) => n.transition)).toEqual(['possible-tampering']);
    expect(sent[0]?.actors).toContain('arn:aws:iam::111122223333:role/Mallory');
  });

  it('runs a request once: a second delivery of it writes nothing', async () => {
    ct.on(GetTrailStatusCommand)
      .resolvesOnce({ IsLogging: false })
      .resolvesOnce({ IsLogging: false })
      .resolves({
        IsLogging: true,
      });
    const { deps, sent } = fakeDeps({ policies: LOGGING, clients: new AwsClients() });
    expect(await remediate(request, deps)).toMatchObject({ outcome: 'applied' });
    expect(await remediate(request, deps)).toMatchObject({
      outcome: 'skipped',
      reason: expect.stringContaining('already carried out'),
    });
    expect(ct.commandCalls(StartLoggingCommand)).toHaveLength(1);
    expect(sent.map((n) => n.transition)).toEqual(['remediated']);
  });

  it('one run per resource at a time: a second run meanwhile fails, to be retried', async () => {
    const { deps, store } = fakeDeps({ policies: LOGGING, clients: new AwsClients() });
    await store.updateRemediation({ account: '111122223333', resource: TRAIL }, (r) => ({
      record: { ...r, runningId: 'other/1', runningUntil: NOW.getTime() + 60_000 },
    }));
    await expect(remediate(request, deps)).rejects.toThrow(RemediationBusyError);
    expect(ct).not.toHaveReceivedCommand(StartLoggingCommand);
  });

  it('row 5: a change between the plan read and the write stops the run: nothing is overwritten', async () => {
    const security = policies(
      '  - id: s\n    action: remediate\n    require:\n      logEvents:\n        - FieldSelectors: [{ Field: eventCategory, Equals: [Management] }]\n',
    );
    ct.on(GetEventSelectorsCommand)
      .resolvesOnce({ EventSelectors: [{ ReadWriteType: 'WriteOnly' }] })
      .resolves({ AdvancedEventSelectors: [{ Name: 'a person added this', FieldSelectors: [] }] });
    const { deps, sent } = fakeDeps({ policies: security, clients: new AwsClients() });
    const outcome = await remediate(request, deps);
    expect(outcome).toMatchObject({ outcome: 'aborted', reason: expect.stringContaining('selectors') });
    expect(ct).not.toHaveReceivedCommand(PutEventSelectorsCommand);
    expect(sent.map((n) => n.transition)).toEqual(['changed-during-remediation']);
    expect(sent[0]?.finding.message).toContain('PutEventSelectors and what follows were not sent');
  });

  it('re-reads before every write and goes on when nothing changed but its own steps', async () => {
    const both = policies(
      '  - id: s\n    action: remediate\n    require:\n      logging: true\n      logEvents:\n        - FieldSelectors: [{ Field: eventCategory, Equals: [Management] }]\n',
    );
    // After StartLogging the trail logs: its own step, not a change to stop for.
    ct.on(GetTrailStatusCommand)
      .resolvesOnce({ IsLogging: false })
      .resolvesOnce({ IsLogging: false })
      .resolves({
        IsLogging: true,
      });
    const { deps } = fakeDeps({ policies: both, clients: new AwsClients() });
    expect(await remediate(request, deps)).toMatchObject({ outcome: 'applied' });
    expect(ct.commandCalls(StartLoggingCommand)).toHaveLength(1);
    expect(ct.commandCalls(PutEventSelectorsCommand)).toHaveLength(1);
    // One plan read, one re-read before each of the two writes, one read-back.
    expect(ct.commandCalls(DescribeTrailsCommand)).toHaveLength(4);
  });

  it('drops a malformed request instead of retrying it forever', async () => {
    const { deps, counted } = fakeDeps();
    expect(await remediate({ resource: 42 }, deps)).toMatchObject({ outcome: 'dropped' });
    expect(await remediate({ ...request, account: '444455556666' }, deps)).toMatchObject({
      outcome: 'dropped',
    });
    expect(counted).toEqual(['MalformedRequests', 'ForeignAccountRequests']);
  });
});

describe('scheduledSweep reads only what its policies need (aws-sdk-client-mock)', () => {
  const ct = mockClient(CloudTrailClient);
  beforeEach(() => {
    ct.reset();
    ct.on(DescribeTrailsCommand).resolves({
      trailList: [{ Name: 'security', TrailARN: TRAIL, HomeRegion: 'us-east-1', IsMultiRegionTrail: true }],
    });
    ct.on(GetTrailStatusCommand).resolves({ IsLogging: true });
    ct.on(GetEventSelectorsCommand).resolves({ EventSelectors: [{ ReadWriteType: 'All' }] });
    ct.on(GetInsightSelectorsCommand).resolves({ InsightSelectors: [] });
    ct.on(GetEventConfigurationCommand).resolves({});
    ct.on(ListTagsCommand).resolves({ ResourceTagList: [{ ResourceId: TRAIL, TagsList: [] }] });
    ct.on(ListEventDataStoresCommand).resolves({ EventDataStores: [] });
  });

  it('no Insights, event configuration, tags or event data stores for logging and management events', async () => {
    const { deps, sent } = fakeDeps({
      clients: new AwsClients(),
      policies: policies(
        '  - id: mgmt\n    require:\n      logging: true\n      logEvents:\n        - FieldSelectors:\n            - { Field: eventCategory, Equals: [Management] }\n',
      ),
    });
    await scheduledSweep(['us-east-1'], deps, { id: 's1' });
    expect(ct.commandCalls(DescribeTrailsCommand)).toHaveLength(1);
    expect(ct.commandCalls(GetTrailStatusCommand)).toHaveLength(1);
    expect(ct.commandCalls(GetEventSelectorsCommand)).toHaveLength(1);
    expect(ct.commandCalls(GetInsightSelectorsCommand)).toHaveLength(0);
    expect(ct.commandCalls(GetEventConfigurationCommand)).toHaveLength(0);
    expect(ct.commandCalls(ListTagsCommand)).toHaveLength(0);
    expect(ct.commandCalls(ListEventDataStoresCommand)).toHaveLength(0);
    // Nothing unread is taken for unknown: the trail passes and nothing is opened.
    expect(sent.filter((n) => n.transition === 'opened')).toEqual([]);
  });
});

describe('scheduledSweep: watching the watcher', () => {
  const ct = mockClient(CloudTrailClient);
  beforeEach(() => {
    ct.reset();
    ct.on(DescribeTrailsCommand).resolves({ trailList: [] });
    ct.on(ListEventDataStoresCommand).resolves({ EventDataStores: [] });
    ct.on(ListTagsCommand).resolves({ ResourceTagList: [] });
  });

  it('a disabled or retargeted rule is a critical notification, once, and its repair resolves it', async () => {
    let report: RuleReport = {
      ruleName: 'trailwarden-prod-cloudtrail-changes',
      ruleArn: 'arn:aws:events:us-east-1:111122223333:rule/trailwarden-prod-cloudtrail-changes',
      problems: ['the rule trailwarden-prod-cloudtrail-changes is DISABLED'],
    };
    const { deps, sent, counted } = fakeDeps({ clients: new AwsClients(), watcher: async () => report });
    await scheduledSweep(['us-east-1'], deps, { id: 's1' });
    const alerts = sent.filter((n) => n.finding.policyId === 'trailwarden-watcher');
    expect(alerts).toMatchObject([
      {
        transition: 'opened',
        finding: { severity: 'critical', status: 'FAIL', message: expect.stringContaining('DISABLED') },
      },
    ]);
    expect(counted).toContain('WatcherBroken');
    await scheduledSweep(['us-east-1'], deps, { id: 's2' });
    expect(sent.filter((n) => n.finding.policyId === 'trailwarden-watcher')).toHaveLength(1);
    report = { ...report, problems: [] };
    await scheduledSweep(['us-east-1'], deps, { id: 's3' });
    expect(sent.filter((n) => n.finding.policyId === 'trailwarden-watcher').map((n) => n.transition)).toEqual(
      ['opened', 'resolved'],
    );
  });

  it('sends one digest per sweep, even when the sweep is retried', async () => {
    const report: RuleReport = {
      ruleName: 'r',
      ruleArn: 'arn:aws:events:us-east-1:111122223333:rule/r',
      problems: ['x'],
    };
    const { deps, sent } = fakeDeps({ clients: new AwsClients(), watcher: async () => report });
    await scheduledSweep(['us-east-1'], deps, { id: 's1' });
    await scheduledSweep(['us-east-1'], deps, { id: 's1' });
    expect(sent.filter((n) => n.finding.policyId === 'trailwarden-digest')).toHaveLength(1);
  });
});
