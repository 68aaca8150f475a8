import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { evaluate, type Snapshot } from '../../shared/engine/index.js';
import { mergeEventConfiguration } from '../../shared/policy/checks/eventConfiguration.js';
import { parsePolicyData } from '../../shared/policy/document.js';
import { SEED } from '../selectors/arbitraries.js';

/**
 * PutEventConfiguration sets size and context keys on event data stores and aggregation on trails
 * (docs/semantics.md, "7. What AWS accepts"): no plan sends a key of the other kind, even one read back from the resource.
 */
const ACCOUNT = '111122223333';
const TRAIL = `arn:aws:cloudtrail:us-east-1:${ACCOUNT}:trail/main`;
const STORE = `arn:aws:cloudtrail:us-east-1:${ACCOUNT}:eventdatastore/lake`;
const STORE_KEYS = ['MaxEventSize', 'ContextKeySelectors'];
const TRAIL_KEYS = ['AggregationConfigurations'];

const templates = fc.uniqueArray(fc.constantFrom('API_ACTIVITY', 'RESOURCE_ACCESS', 'USER_ACTIONS'), {
  minLength: 1,
});
const aggregation = templates.map((Templates) => [{ Templates, EventCategory: 'Data' }]);
const contextKeys = fc.uniqueArray(
  fc.record({
    Type: fc.constantFrom('TagContext', 'RequestContext'),
    Equals: fc.uniqueArray(fc.constantFrom('project', 'team', 'aws:SourceIp'), { minLength: 1 }),
  }),
  { minLength: 1, maxLength: 2, selector: (s) => s.Type },
);
/** What GetEventConfiguration may report, keys of both kinds included. */
const current = fc.record(
  {
    MaxEventSize: fc.constantFrom('Standard', 'Large'),
    ContextKeySelectors: contextKeys,
    AggregationConfigurations: aggregation,
  },
  { requiredKeys: [] },
);
const trailWant = aggregation.map((AggregationConfigurations) => ({ AggregationConfigurations }));
const storeWant = fc
  .record({ MaxEventSize: fc.constant('Large'), ContextKeySelectors: contextKeys }, { requiredKeys: [] })
  .filter((w) => Object.keys(w).length > 0);

const snapshot = (trailConfig: object, storeConfig: object): Snapshot => ({
  version: 1,
  account: ACCOUNT,
  region: 'us-east-1',
  trails: [
    {
      trail: { Name: 'main', TrailARN: TRAIL, HomeRegion: 'us-east-1' },
      eventConfiguration: trailConfig as never,
    },
  ],
  eventDataStores: [
    { eventDataStore: { EventDataStoreArn: STORE, Name: 'lake' }, eventConfiguration: storeConfig as never },
  ],
});

const policies = (trail: object, store: object) => {
  const { policies, problems } = parsePolicyData(
    {
      version: 1,
      policies: [
        { id: 't', action: 'remediate', require: { eventConfiguration: trail } },
        { id: 's', resource: 'eventDataStore', action: 'remediate', require: { eventConfiguration: store } },
      ],
    },
    'p.yaml',
  );
  expect(problems).toEqual([]);
  return policies;
};

describe('event configuration per target', () => {
  it('never plans a key of the other kind, whatever the resource reports', () => {
    fc.assert(
      fc.property(current, current, trailWant, storeWant, (trailHas, storeHas, trailWants, storeWants) => {
        const { plan } = evaluate(
          snapshot(trailHas, storeHas),
          policies(trailWants, storeWants),
          new Date(0),
        );
        for (const step of plan.filter((s) => s.operation === 'PutEventConfiguration')) {
          const { TrailName, EventDataStore, ...config } = step.input;
          if (step.resource === TRAIL) {
            expect(TrailName).toBe(TRAIL);
            expect(EventDataStore).toBeUndefined();
            for (const key of Object.keys(config)) expect(TRAIL_KEYS).toContain(key);
          } else {
            expect(EventDataStore).toBe(STORE);
            expect(TrailName).toBeUndefined();
            for (const key of Object.keys(config)) expect(STORE_KEYS).toContain(key);
            if (config.ContextKeySelectors) expect(config.MaxEventSize).toBe('Large');
            expect((config.ContextKeySelectors as unknown[] | undefined)?.length ?? 0).toBeLessThanOrEqual(2);
          }
        }
      }),
      { seed: SEED, numRuns: 300 },
    );
  });

  it('merges what is there with what is required, keeping only the keys of the kind', () => {
    const have = {
      MaxEventSize: 'Standard',
      ContextKeySelectors: [{ Type: 'TagContext', Equals: ['project'] }],
      AggregationConfigurations: [{ Templates: ['USER_ACTIONS'], EventCategory: 'Data' }],
    };
    expect(
      mergeEventConfiguration('trail', have, [
        { AggregationConfigurations: [{ Templates: ['API_ACTIVITY'], EventCategory: 'Data' }] },
      ]),
    ).toEqual({
      AggregationConfigurations: [{ Templates: ['USER_ACTIONS', 'API_ACTIVITY'], EventCategory: 'Data' }],
    });
    expect(
      mergeEventConfiguration('eventDataStore', have, [
        { ContextKeySelectors: [{ Type: 'RequestContext', Equals: ['aws:SourceIp'] }] },
      ]),
    ).toEqual({
      MaxEventSize: 'Large',
      ContextKeySelectors: [
        { Type: 'TagContext', Equals: ['project'] },
        { Type: 'RequestContext', Equals: ['aws:SourceIp'] },
      ],
    });
  });
});
