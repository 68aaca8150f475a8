import {
  CloudTrailClient,
  DescribeTrailsCommand,
  GetEventConfigurationCommand,
  GetEventDataStoreCommand,
  GetEventSelectorsCommand,
  GetInsightSelectorsCommand,
  GetTrailStatusCommand,
  InsightNotEnabledException,
  InvalidEventSelectorsException,
  InvalidHomeRegionException,
  ListEventDataStoresCommand,
  ListTagsCommand,
  PutEventConfigurationCommand,
  PutEventSelectorsCommand,
  PutInsightSelectorsCommand,
  StartEventDataStoreIngestionCommand,
  StartLoggingCommand,
  TrailNotFoundException,
  UpdateEventDataStoreCommand,
} from '@aws-sdk/client-cloudtrail';
import {
  AccessDeniedException,
  AWSOrganizationsNotInUseException,
  ListDelegatedAdministratorsCommand,
  OrganizationsClient,
} from '@aws-sdk/client-organizations';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { executePlan } from '../../shared/aws/apply.js';
import { AwsClients } from '../../shared/aws/clients.js';
import { AwsCallError, EndpointError, translateAwsError } from '../../shared/aws/errors.js';
import { loadRegion, loadRegions } from '../../shared/aws/loader.js';
import { isCloudTrailDelegatedAdministrator } from '../../shared/aws/organization.js';
import { CallCounter } from '../../shared/emulator/callCounter.js';
import { evaluate, type PlanStep } from '../../shared/engine/index.js';
import { parsePolicyFiles } from '../../shared/policy/loader.js';

const ct = mockClient(CloudTrailClient);
const sts = mockClient(STSClient);
const ACCOUNT = '111122223333';
const EDS = `arn:aws:cloudtrail:us-east-1:${ACCOUNT}:eventdatastore/lake-1`;
const TRAIL = `arn:aws:cloudtrail:us-east-1:${ACCOUNT}:trail/main`;
const meta = { $metadata: {} };

beforeEach(() => {
  ct.reset();
  sts.reset();
  sts.on(GetCallerIdentityCommand).resolves({ Account: ACCOUNT });
  ct.on(DescribeTrailsCommand).resolves({ trailList: [] });
  ct.on(ListTagsCommand).resolves({ ResourceTagList: [] });
});
afterEach(() => ct.reset());

const clients = () => new AwsClients({}, new CallCounter());

describe('snapshot loader (aws-sdk-client-mock)', () => {
  it('reads event data stores page by page, with Insights and event configuration', async () => {
    ct.on(ListEventDataStoresCommand)
      .resolvesOnce({ EventDataStores: [{ EventDataStoreArn: EDS }], NextToken: 'page2' })
      .resolvesOnce({ EventDataStores: [] });
    ct.on(GetEventDataStoreCommand, { EventDataStore: EDS }).resolves({
      EventDataStoreArn: EDS,
      Name: 'lake',
      Status: 'ENABLED',
      AdvancedEventSelectors: [{ FieldSelectors: [{ Field: 'eventCategory', Equals: ['Management'] }] }],
      RetentionPeriod: 90,
      CreatedTimestamp: new Date('2026-01-01T00:00:00Z'),
    });
    ct.on(GetInsightSelectorsCommand, { EventDataStore: EDS }).resolves({
      EventDataStoreArn: EDS,
      InsightSelectors: [{ InsightType: 'ApiCallRateInsight' }],
      InsightsDestination: `${EDS}-insights`,
    });
    ct.on(GetEventConfigurationCommand, { EventDataStore: EDS }).resolves({
      EventDataStoreArn: EDS,
      MaxEventSize: 'Large',
      ContextKeySelectors: [{ Type: 'TagContext', Equals: ['project'] }],
    });
    ct.on(ListTagsCommand, { ResourceIdList: [EDS] }).resolves({
      ResourceTagList: [{ ResourceId: EDS, TagsList: [{ Key: 'owner', Value: 'sec' }] }],
    });

    const [snapshot] = await loadRegions(clients(), ['us-east-1'], { account: ACCOUNT });
    expect(ct).toHaveReceivedCommandWith(ListEventDataStoresCommand, { NextToken: 'page2' });
    expect(ct).toHaveReceivedCommandWith(GetEventDataStoreCommand, { EventDataStore: EDS });
    expect(ct).toHaveReceivedCommandWith(GetInsightSelectorsCommand, { EventDataStore: EDS });
    expect(ct).toHaveReceivedCommandWith(GetEventConfigurationCommand, { EventDataStore: EDS });
    expect(ct).toHaveReceivedCommandWith(DescribeTrailsCommand, { includeShadowTrails: true });
    expect(snapshot?.eventDataStores).toEqual([
      {
        eventDataStore: {
          EventDataStoreArn: EDS,
          Name: 'lake',
          Status: 'ENABLED',
          AdvancedEventSelectors: [{ FieldSelectors: [{ Field: 'eventCategory', Equals: ['Management'] }] }],
          RetentionPeriod: 90,
          CreatedTimestamp: '2026-01-01T00:00:00.000Z',
        },
        insightSelectors: [{ InsightType: 'ApiCallRateInsight' }],
        insightsDestination: `${EDS}-insights`,
        eventConfiguration: {
          MaxEventSize: 'Large',
          ContextKeySelectors: [{ Type: 'TagContext', Equals: ['project'] }],
        },
        tags: [{ Key: 'owner', Value: 'sec' }],
      },
    ]);
  });

  it('reads trails in their home Region, batches tags by 20, and treats InsightNotEnabled as no Insights', async () => {
    const names = Array.from({ length: 23 }, (_, i) => `t${String(i).padStart(2, '0')}`);
    const trails = names.map((n) => ({
      Name: n,
      TrailARN: `arn:aws:cloudtrail:us-east-1:${ACCOUNT}:trail/${n}`,
      HomeRegion: 'us-east-1',
    }));
    const shadow = {
      Name: 'eu',
      TrailARN: `arn:aws:cloudtrail:eu-west-1:${ACCOUNT}:trail/eu`,
      HomeRegion: 'eu-west-1',
      IsMultiRegionTrail: true,
    };
    ct.on(DescribeTrailsCommand).resolves({ trailList: [...trails, shadow] });
    ct.on(GetTrailStatusCommand).resolves({ IsLogging: true });
    ct.on(GetEventSelectorsCommand).resolves({
      EventSelectors: [{ ReadWriteType: 'All', IncludeManagementEvents: true }],
    });
    ct.on(GetInsightSelectorsCommand).rejects(
      new InsightNotEnabledException({ message: 'not enabled', ...meta }),
    );
    ct.on(GetEventConfigurationCommand).resolves({ MaxEventSize: 'Standard' });
    ct.on(ListEventDataStoresCommand).resolves({ EventDataStores: [] });
    const snapshot = await loadRegion(clients(), ACCOUNT, 'us-east-1');
    expect(snapshot.trails).toHaveLength(24);
    expect(snapshot.trails[0]).toMatchObject({
      status: { IsLogging: true },
      insightSelectors: [],
      eventConfiguration: { MaxEventSize: 'Standard' },
    });
    const listTags = ct.commandCalls(ListTagsCommand).map((c) => c.args[0].input.ResourceIdList?.length);
    expect(listTags.sort()).toEqual([1, 20, 3]);
    // At most five reads per trail (four Get* plus a share of ListTags), no writes. The mock stands in
    // for `send`, so the calls are counted on it (the clients' own call counter never sees them).
    const sent = ct.calls().map((c) => (c.args[0] as object).constructor.name.replace(/Command$/, ''));
    const reads = sent.filter((op) => op !== 'DescribeTrails' && op !== 'ListEventDataStores');
    expect(reads.length).toBeGreaterThan(24 * 4);
    expect(reads.length / 24).toBeLessThanOrEqual(5);
    expect(sent.filter((op) => /^(Put|Start|Update)/.test(op))).toEqual([]);
  });

  it('turns a failure on one trail into an error on that trail; the run goes on', async () => {
    ct.on(DescribeTrailsCommand).resolves({
      trailList: [
        {
          Name: 'gone',
          TrailARN: `arn:aws:cloudtrail:us-east-1:${ACCOUNT}:trail/gone`,
          HomeRegion: 'us-east-1',
        },
        { Name: 'ok', TrailARN: TRAIL, HomeRegion: 'us-east-1' },
      ],
    });
    ct.on(GetTrailStatusCommand).resolves({ IsLogging: true });
    ct.on(GetTrailStatusCommand, { Name: `arn:aws:cloudtrail:us-east-1:${ACCOUNT}:trail/gone` }).rejects(
      new TrailNotFoundException({ message: 'Unknown trail', ...meta }),
    );
    ct.on(GetEventSelectorsCommand).resolves({ AdvancedEventSelectors: [] });
    ct.on(GetInsightSelectorsCommand).resolves({ InsightSelectors: [] });
    ct.on(GetEventConfigurationCommand).resolves({});
    ct.on(ListEventDataStoresCommand).resolves({ EventDataStores: [] });
    const snapshot = await loadRegion(clients(), ACCOUNT, 'us-east-1');
    expect(snapshot.trails[0]?.errors).toEqual([
      { part: 'GetTrailStatus', message: 'TrailNotFoundException: Unknown trail' },
    ]);
    expect(snapshot.trails[1]?.errors).toBeUndefined();
  });
});

describe('plan execution (aws-sdk-client-mock)', () => {
  it('sends the exact requests for event configuration, event data stores and their Insights', async () => {
    const plan: PlanStep[] = [
      {
        resource: EDS,
        account: ACCOUNT,
        region: 'us-east-1',
        operation: 'StartEventDataStoreIngestion',
        input: { EventDataStore: EDS },
        findings: [],
      },
      {
        resource: EDS,
        account: ACCOUNT,
        region: 'us-east-1',
        operation: 'UpdateEventDataStore',
        input: { EventDataStore: EDS, RetentionPeriod: 365, TerminationProtectionEnabled: true },
        findings: [],
      },
      {
        resource: EDS,
        account: ACCOUNT,
        region: 'us-east-1',
        operation: 'PutInsightSelectors',
        input: {
          EventDataStore: EDS,
          InsightSelectors: [{ InsightType: 'ApiCallRateInsight', EventCategories: ['Management'] }],
          InsightsDestination: `${EDS}-insights`,
        },
        findings: [],
      },
      {
        resource: EDS,
        account: ACCOUNT,
        region: 'us-east-1',
        operation: 'PutEventConfiguration',
        input: {
          EventDataStore: EDS,
          MaxEventSize: 'Large',
          ContextKeySelectors: [{ Type: 'TagContext', Equals: ['project'] }],
        },
        findings: [],
      },
      {
        resource: TRAIL,
        account: ACCOUNT,
        region: 'us-east-1',
        operation: 'PutEventConfiguration',
        input: {
          TrailName: TRAIL,
          AggregationConfigurations: [{ Templates: ['API_ACTIVITY'], EventCategory: 'Data' }],
        },
        findings: [],
      },
    ];
    const results = await executePlan(clients(), plan);
    expect(results.map((r) => r.status)).toEqual(['ok', 'ok', 'ok', 'ok', 'ok']);
    expect(ct).toHaveReceivedCommandWith(StartEventDataStoreIngestionCommand, { EventDataStore: EDS });
    expect(ct).toHaveReceivedCommandWith(UpdateEventDataStoreCommand, {
      EventDataStore: EDS,
      RetentionPeriod: 365,
      TerminationProtectionEnabled: true,
    });
    expect(ct).toHaveReceivedCommandWith(PutInsightSelectorsCommand, {
      EventDataStore: EDS,
      InsightSelectors: [{ InsightType: 'ApiCallRateInsight', EventCategories: ['Management'] }],
      InsightsDestination: `${EDS}-insights`,
    });
    expect(ct).toHaveReceivedCommandWith(PutEventConfigurationCommand, {
      EventDataStore: EDS,
      MaxEventSize: 'Large',
      ContextKeySelectors: [{ Type: 'TagContext', Equals: ['project'] }],
    });
    expect(ct).toHaveReceivedCommandWith(PutEventConfigurationCommand, {
      TrailName: TRAIL,
      AggregationConfigurations: [{ Templates: ['API_ACTIVITY'], EventCategory: 'Data' }],
    });
  });

  it('a guard’s reason stops only that resource’s steps; the other resources are still written', async () => {
    const step = (resource: string, operation: PlanStep['operation'], input: Record<string, unknown>) =>
      ({ resource, account: ACCOUNT, region: 'us-east-1', operation, input, findings: [] }) as PlanStep;
    const plan = [
      step(EDS, 'StartEventDataStoreIngestion', { EventDataStore: EDS }),
      step(EDS, 'UpdateEventDataStore', { EventDataStore: EDS, RetentionPeriod: 365 }),
      step(TRAIL, 'StartLogging', { Name: TRAIL }),
    ];
    ct.on(StartLoggingCommand).resolves({});
    const asked: string[] = [];
    const results = await executePlan(clients(), plan, async (s) => {
      asked.push(`${s.operation} ${s.resource}`);
      return s.resource === EDS ? 'lake-1 changed since the plan was made' : undefined;
    });
    expect(results.map((r) => [r.status, r.reason])).toEqual([
      ['skipped', 'lake-1 changed since the plan was made'],
      ['skipped', 'lake-1 changed since the plan was made'],
      ['ok', undefined],
    ]);
    // Asked once for the stopped resource, and again for the next one.
    expect(asked).toEqual([`StartEventDataStoreIngestion ${EDS}`, `StartLogging ${TRAIL}`]);
    expect(ct).toHaveReceivedCommandTimes(StartLoggingCommand, 1);
    expect(ct).not.toHaveReceivedCommand(StartEventDataStoreIngestionCommand);
    expect(ct).not.toHaveReceivedCommand(UpdateEventDataStoreCommand);
  });

  it('plans event configuration from a snapshot and sends exactly that', async () => {
    const { policies } = parsePolicyFiles([
      {
        file: 'p.yaml',
        text: 'version: 1\npolicies:\n  - id: ctx\n    resource: eventDataStore\n    action: remediate\n    require:\n      eventConfiguration: { ContextKeySelectors: [{ Type: RequestContext, Equals: [aws:SourceIp] }] }\n',
      },
    ]);
    const result = evaluate(
      {
        version: 1,
        account: ACCOUNT,
        region: 'us-east-1',
        trails: [],
        eventDataStores: [
          {
            eventDataStore: { EventDataStoreArn: EDS, Name: 'lake' },
            eventConfiguration: { MaxEventSize: 'Standard' },
          },
        ],
      },
      policies,
      new Date(0),
    );
    await executePlan(clients(), result.plan);
    expect(ct).toHaveReceivedCommandExactlyOnceWith(PutEventConfigurationCommand, {
      EventDataStore: EDS,
      MaxEventSize: 'Large',
      ContextKeySelectors: [{ Type: 'RequestContext', Equals: ['aws:SourceIp'] }],
    });
  });

  it('stops a resource at its first failed step, keeps going with others, and translates errors', async () => {
    const other = `arn:aws:cloudtrail:us-east-1:${ACCOUNT}:trail/other`;
    ct.on(PutEventSelectorsCommand, { TrailName: TRAIL }).rejects(
      new InvalidEventSelectorsException({ message: 'bad selector', ...meta }),
    );
    const plan: PlanStep[] = [
      {
        resource: TRAIL,
        account: ACCOUNT,
        region: 'us-east-1',
        operation: 'PutEventSelectors',
        input: { TrailName: TRAIL, AdvancedEventSelectors: [] },
        findings: [],
      },
      {
        resource: TRAIL,
        account: ACCOUNT,
        region: 'us-east-1',
        operation: 'PutInsightSelectors',
        input: { TrailName: TRAIL, InsightSelectors: [] },
        findings: [],
      },
      {
        resource: other,
        account: ACCOUNT,
        region: 'us-east-1',
        operation: 'PutInsightSelectors',
        input: { TrailName: other, InsightSelectors: [] },
        findings: [],
      },
    ];
    const results = await executePlan(clients(), plan);
    expect(results.map((r) => r.status)).toEqual(['failed', 'skipped', 'ok']);
    expect(results[0]?.error).toMatchObject({ kind: 'rejected-selectors' });
    expect(results[0]?.error?.message).toContain(
      'this is a gap in Trailwarden\'s validation: request {"TrailName"',
    );
    expect(ct).not.toHaveReceivedCommandWith(PutInsightSelectorsCommand, { TrailName: TRAIL });
  });

  it('maps AWS exceptions to the project error types, keeping the cause', () => {
    const cause = new InvalidHomeRegionException({ message: 'wrong region', ...meta });
    const e = translateAwsError(cause, 'PutEventSelectors');
    expect(e).toBeInstanceOf(AwsCallError);
    expect(e.kind).toBe('wrong-home-region');
    expect(e.cause).toBe(cause);
    expect(
      translateAwsError(new TrailNotFoundException({ message: 'x', ...meta }), 'GetTrailStatus'),
    ).toMatchObject({ kind: 'not-found', code: 'TrailNotFoundException' });
  });
});

describe('the caller role and client settings', () => {
  const orgs = mockClient(OrganizationsClient);
  beforeEach(() => orgs.reset());

  it('reads the CloudTrail delegated administrator with ListDelegatedAdministrators, page by page', async () => {
    orgs
      .on(ListDelegatedAdministratorsCommand)
      .resolvesOnce({ DelegatedAdministrators: [{ Id: '999988887777' }], NextToken: 'next' })
      .resolvesOnce({ DelegatedAdministrators: [{ Id: ACCOUNT }] });
    const client = new OrganizationsClient({ region: 'us-east-1' });
    expect(await isCloudTrailDelegatedAdministrator(client, ACCOUNT)).toBe(true);
    expect(orgs).toHaveReceivedCommandTimes(ListDelegatedAdministratorsCommand, 2);
    expect(orgs).toHaveReceivedNthCommandWith(ListDelegatedAdministratorsCommand, 1, {
      ServicePrincipal: 'cloudtrail.amazonaws.com',
    });
    expect(orgs).toHaveReceivedNthCommandWith(ListDelegatedAdministratorsCommand, 2, {
      ServicePrincipal: 'cloudtrail.amazonaws.com',
      NextToken: 'next',
    });
  });

  it('is false when the list does not name the account, and not known when it cannot be read', async () => {
    const client = new OrganizationsClient({ region: 'us-east-1' });
    orgs
      .on(ListDelegatedAdministratorsCommand)
      .resolves({ DelegatedAdministrators: [{ Id: '999988887777' }] });
    expect(await isCloudTrailDelegatedAdministrator(client, ACCOUNT)).toBe(false);
    orgs.reset();
    orgs
      .on(ListDelegatedAdministratorsCommand)
      .rejects(new AccessDeniedException({ message: 'not allowed', $metadata: {} }));
    expect(await isCloudTrailDelegatedAdministrator(client, ACCOUNT)).toBeUndefined();
    orgs.reset();
    orgs
      .on(ListDelegatedAdministratorsCommand)
      .rejects(new AWSOrganizationsNotInUseException({ message: 'no organization', $metadata: {} }));
    expect(await isCloudTrailDelegatedAdministrator(client, ACCOUNT)).toBeUndefined();
  });

  it('records the caller role beside the account in every Region read', async () => {
    ct.on(ListEventDataStoresCommand).resolves({ EventDataStores: [] });
    const [east, west] = await loadRegions(clients(), ['us-east-1', 'eu-west-1'], {
      account: ACCOUNT,
      delegatedAdministrator: true,
    });
    expect(east).toMatchObject({ account: ACCOUNT, region: 'us-east-1', delegatedAdministrator: true });
    expect(west).toMatchObject({ account: ACCOUNT, region: 'eu-west-1', delegatedAdministrator: true });
    const [unknown] = await loadRegions(clients(), ['us-east-1'], { account: ACCOUNT });
    expect(unknown).not.toHaveProperty('delegatedAdministrator');
  });

  it('sets connection and request timeouts on every client, and names a silent endpoint', () => {
    const config = new AwsClients({ requestTimeoutMs: 1500 }).config('us-east-1');
    expect(config.requestHandler).toEqual({
      connectionTimeout: 10_000,
      requestTimeout: 1500,
      throwOnRequestTimeout: true,
    });
    const timeout = Object.assign(
      new Error('a request has exceeded the configured 1500 ms requestTimeout.'),
      {
        name: 'TimeoutError',
      },
    );
    const error = translateAwsError(timeout, 'DescribeTrails');
    expect(error).toBeInstanceOf(EndpointError);
    expect(error.message).toBe(
      'DescribeTrails: Timeout: no answer in time: a request has exceeded the configured 1500 ms requestTimeout.',
    );
    const refused = translateAwsError(
      Object.assign(new Error('connect'), { code: 'ECONNREFUSED' }),
      'GetTrailStatus',
    );
    expect(refused).toBeInstanceOf(EndpointError);
    expect(refused.detail).toBe('cannot reach the endpoint (ECONNREFUSED)');
  });
});
