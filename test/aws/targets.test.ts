import {
  CloudTrailClient,
  PutEventConfigurationCommand,
  PutEventSelectorsCommand,
  UpdateEventDataStoreCommand,
} from '@aws-sdk/client-cloudtrail';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { executePlan } from '../../shared/aws/apply.js';
import { AwsClients } from '../../shared/aws/clients.js';
import { CallCounter } from '../../shared/emulator/callCounter.js';
import { evaluate, type Snapshot } from '../../shared/engine/index.js';
import { parsePolicyFiles } from '../../shared/policy/loader.js';

/** The exact requests a plan sends, per target: nothing AWS rejects for that kind of resource. */
const ct = mockClient(CloudTrailClient);
const ACCOUNT = '111122223333';
const TRAIL = `arn:aws:cloudtrail:us-east-1:${ACCOUNT}:trail/main`;
const STORE = `arn:aws:cloudtrail:us-east-1:${ACCOUNT}:eventdatastore/lake`;

beforeEach(() => ct.reset());
afterEach(() => ct.reset());

const inputsOf = (command: typeof PutEventConfigurationCommand | typeof UpdateEventDataStoreCommand) =>
  ct.commandCalls(command as never).map((call) => (call.args[0] as { input: unknown }).input);

async function planAndSend(snapshot: Snapshot, policyText: string) {
  const { policies } = parsePolicyFiles([{ file: 'p.yaml', text: `version: 1\npolicies:\n${policyText}` }]);
  const { plan, findings } = evaluate(snapshot, policies, new Date(0));
  await executePlan(new AwsClients({}, new CallCounter()), plan);
  return findings;
}

describe('requests per target (aws-sdk-client-mock)', () => {
  it('sends PutEventConfiguration with TrailName and aggregation only, EventDataStore with size and keys only', async () => {
    await planAndSend(
      {
        version: 1,
        account: ACCOUNT,
        region: 'us-east-1',
        trails: [
          {
            trail: { Name: 'main', TrailARN: TRAIL, HomeRegion: 'us-east-1' },
            // What GetEventConfiguration may report for a trail: a size it does not take.
            eventConfiguration: { MaxEventSize: 'Standard' },
          },
        ],
        eventDataStores: [
          {
            eventDataStore: { EventDataStoreArn: STORE, Name: 'lake' },
            eventConfiguration: {
              MaxEventSize: 'Standard',
              AggregationConfigurations: [{ Templates: ['USER_ACTIONS'], EventCategory: 'Data' }],
            },
          },
        ],
      },
      [
        '  - id: agg',
        '    action: remediate',
        '    require:',
        '      eventConfiguration: { AggregationConfigurations: [{ Templates: [API_ACTIVITY], EventCategory: Data }] }',
        '  - id: ctx',
        '    resource: eventDataStore',
        '    action: remediate',
        '    require:',
        '      eventConfiguration: { ContextKeySelectors: [{ Type: TagContext, Equals: [project] }] }',
        '',
      ].join('\n'),
    );
    expect(inputsOf(PutEventConfigurationCommand)).toEqual([
      {
        EventDataStore: STORE,
        MaxEventSize: 'Large',
        ContextKeySelectors: [{ Type: 'TagContext', Equals: ['project'] }],
      },
      {
        TrailName: TRAIL,
        AggregationConfigurations: [{ Templates: ['API_ACTIVITY'], EventCategory: 'Data' }],
      },
    ]);
  });

  it('raises retention only within the billing mode, and writes the cost guard as an exclusion', async () => {
    const store = (name: string, BillingMode: string) => ({
      eventDataStore: {
        EventDataStoreArn: `${STORE}-${name}`,
        Name: name,
        RetentionPeriod: 90,
        BillingMode,
      },
    });
    const findings = await planAndSend(
      {
        version: 1,
        account: ACCOUNT,
        region: 'us-east-1',
        trails: [
          {
            trail: { Name: 'main', TrailARN: TRAIL, HomeRegion: 'us-east-1' },
            eventSelectors: { EventSelectors: [{ ReadWriteType: 'All', IncludeManagementEvents: true }] },
          },
        ],
        eventDataStores: [
          store('fixed', 'FIXED_RETENTION_PRICING'),
          store('extendable', 'EXTENDABLE_RETENTION_PRICING'),
        ],
      },
      [
        '  - id: ten-years',
        '    resource: eventDataStore',
        '    action: remediate',
        '    require: { retentionPeriod: { minDays: 3000 } }',
        '  - id: no-kms',
        '    action: remediate',
        '    forbid:',
        '      logEvents:',
        '        - FieldSelectors: [{ Field: eventCategory, Equals: [Management] }, { Field: eventSource, Equals: [kms.amazonaws.com] }]',
        '',
      ].join('\n'),
    );
    expect(inputsOf(UpdateEventDataStoreCommand)).toEqual([
      { EventDataStore: `${STORE}-extendable`, RetentionPeriod: 3000 },
    ]);
    expect(findings.find((f) => f.resourceName === 'fixed')?.remediation).toEqual({
      planned: false,
      reason:
        'not raised to 3000 days: its billing mode FIXED_RETENTION_PRICING allows at most 2557 days; more needs EXTENDABLE_RETENTION_PRICING, a pricing change made by hand',
    });
    expect(ct.commandCalls(PutEventSelectorsCommand).map((c) => c.args[0].input)).toEqual([
      {
        TrailName: TRAIL,
        EventSelectors: [
          {
            ReadWriteType: 'All',
            IncludeManagementEvents: true,
            DataResources: [],
            ExcludeManagementEventSources: ['kms.amazonaws.com'],
          },
        ],
      },
    ]);
  });
});
