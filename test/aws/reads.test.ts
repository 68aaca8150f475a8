import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import {
  CloudTrailClient,
  DescribeTrailsCommand,
  GetEventSelectorsCommand,
  GetTrailStatusCommand,
  ListEventDataStoresCommand,
} from '@aws-sdk/client-cloudtrail';
import { STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { beforeEach, describe, expect, it } from 'vitest';
import { AwsClients } from '../../shared/aws/clients.js';
import { loadRegions } from '../../shared/aws/loader.js';
import { ALL_READS, readsFor } from '../../shared/aws/reads.js';
import { CallCounter } from '../../shared/emulator/callCounter.js';
import { evaluate, parseSnapshot, type Snapshot } from '../../shared/engine/index.js';
import { parsePolicyFiles } from '../../shared/policy/loader.js';
import { CHECKS } from '../../shared/policy/registry.js';
import type { CloudTrailRead } from '../../shared/policy/types.js';

const ct = mockClient(CloudTrailClient);
mockClient(STSClient);
const ACCOUNT = '111122223333';
const arnOf = (name: string) => `arn:aws:cloudtrail:us-east-1:${ACCOUNT}:trail/${name}`;

const policiesOf = (text: string) => parsePolicyFiles([{ file: 'p.yaml', text }]).policies;

/** The peers' trail checks: multi-Region, logging, validation, KMS, management and S3 data events. */
const PEER_CHECKS = `version: 1
policies:
  - id: peers
    require:
      multiRegion: true
      logging: true
      logFileValidation: true
      kmsEncrypted: true
      logEvents:
        - FieldSelectors: [{ Field: eventCategory, Equals: [Management] }]
        - FieldSelectors:
            - { Field: eventCategory, Equals: [Data] }
            - { Field: resources.type, Equals: ["AWS::S3::Object"] }
`;

beforeEach(() => ct.reset());

describe('readsFor: the reads a policy set needs', () => {
  it('the peers’ checks need the listing, the status and the selectors: 2 reads per trail', () => {
    expect([...readsFor(policiesOf(PEER_CHECKS))].sort()).toEqual([
      'DescribeTrails',
      'GetEventSelectors',
      'GetTrailStatus',
    ]);
  });

  it('adds tags only when a policy or an exception selects by tags, or a check reads them', () => {
    const tagged = `version: 1
policies:
  - id: p
    select: { tags: { role: security } }
    require: { multiRegion: true }
`;
    expect(readsFor(policiesOf(tagged)).has('ListTags')).toBe(true);
    const excepted = `version: 1
exceptions:
  - { tags: { env: sandbox }, reason: sandbox, expires: never }
policies:
  - { id: p, require: { multiRegion: true } }
`;
    expect(readsFor(policiesOf(excepted)).has('ListTags')).toBe(true);
    expect(
      readsFor(policiesOf('version: 1\npolicies:\n  - { id: p, require: { tags: { Owner: true } } }\n')),
    ).toContain('ListTags');
    expect(readsFor(policiesOf(PEER_CHECKS)).has('ListTags')).toBe(false);
  });

  it('lists event data stores only for a policy about them, and reads Insights or event configuration only for their checks', () => {
    expect(readsFor(policiesOf(PEER_CHECKS)).has('ListEventDataStores')).toBe(false);
    const store = readsFor(
      policiesOf(
        'version: 1\npolicies:\n  - { id: p, resource: eventDataStore, require: { ingestion: true } }\n',
      ),
    );
    expect([...store].sort()).toEqual(['DescribeTrails', 'GetEventDataStore', 'ListEventDataStores']);
    const insights = readsFor(
      policiesOf(
        'version: 1\npolicies:\n  - { id: p, require: { insights: [{ InsightType: ApiCallRateInsight }] } }\n',
      ),
    );
    expect(insights.has('GetInsightSelectors')).toBe(true);
    expect(insights.has('GetEventConfiguration')).toBe(false);
  });

  it('every check of the registry declares reads the loader can make, and its IAM read actions among them', () => {
    for (const check of CHECKS) {
      expect(check.reads.length).toBeGreaterThan(0);
      for (const read of check.reads) expect(ALL_READS.has(read)).toBe(true);
      for (const action of check.iam.evaluate) {
        const read = action.replace(/^cloudtrail:/, '') as CloudTrailRead;
        expect([check.resource, check.check, read, check.reads.includes(read)]).toEqual([
          check.resource,
          check.check,
          read,
          true,
        ]);
      }
    }
  });
});

describe('the loader reads only what it is asked for (aws-sdk-client-mock)', () => {
  it('the peers’ checks: the listing and 2 reads per trail; the rest is recorded as not read', async () => {
    const names = ['a', 'b', 'c'];
    ct.on(DescribeTrailsCommand).resolves({
      trailList: names.map((n) => ({ Name: n, TrailARN: arnOf(n), HomeRegion: 'us-east-1' })),
    });
    ct.on(GetTrailStatusCommand).resolves({ IsLogging: true });
    ct.on(GetEventSelectorsCommand).resolves({ AdvancedEventSelectors: [] });
    const [snapshot] = await loadRegions(new AwsClients({}, new CallCounter()), ['us-east-1'], {
      account: ACCOUNT,
      reads: readsFor(policiesOf(PEER_CHECKS)),
    });
    const sent = ct.calls().map((c) => (c.args[0] as { constructor: { name: string } }).constructor.name);
    expect(sent.sort()).toEqual([
      'DescribeTrailsCommand',
      ...Array(3).fill('GetEventSelectorsCommand'),
      ...Array(3).fill('GetTrailStatusCommand'),
    ]);
    expect(snapshot?.notRead).toEqual([
      'GetEventConfiguration',
      'GetEventDataStore',
      'GetInsightSelectors',
      'ListEventDataStores',
      'ListTags',
    ]);
    // A part not read is absent without an error: nothing failed.
    expect(snapshot?.trails[0]).toEqual({
      trail: { Name: 'a', TrailARN: arnOf('a'), HomeRegion: 'us-east-1' },
      status: { IsLogging: true },
      eventSelectors: { AdvancedEventSelectors: [] },
    });
    expect(snapshot?.errors).toBeUndefined();
  });

  it('reads everything, and records nothing as not read, when not told otherwise', async () => {
    ct.on(DescribeTrailsCommand).resolves({ trailList: [] });
    ct.on(ListEventDataStoresCommand).resolves({ EventDataStores: [] });
    const [snapshot] = await loadRegions(new AwsClients({}, new CallCounter()), ['us-east-1'], {
      account: ACCOUNT,
    });
    expect(ct).toHaveReceivedCommand(ListEventDataStoresCommand);
    expect(snapshot?.notRead).toBeUndefined();
  });
});

/** What the loader keeps of a full snapshot when it makes only `reads` (an oracle independent of it). */
function keepOnly(snapshot: Snapshot, reads: ReadonlySet<CloudTrailRead>): Snapshot {
  const keep = <T>(read: CloudTrailRead, value: T) => (reads.has(read) ? value : undefined);
  const errorsOf = (errors?: { part: string; message: string }[]) => {
    const left = errors?.filter(
      (e) => reads.has(e.part as CloudTrailRead) || !ALL_READS.has(e.part as CloudTrailRead),
    );
    return left?.length ? { errors: left } : {};
  };
  const defined = (o: Record<string, unknown>) =>
    Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
  return {
    ...snapshot,
    ...errorsOf(snapshot.errors),
    trails: snapshot.trails.map(
      (t) =>
        defined({
          trail: t.trail,
          status: keep('GetTrailStatus', t.status),
          eventSelectors: keep('GetEventSelectors', t.eventSelectors),
          insightSelectors: keep('GetInsightSelectors', t.insightSelectors),
          eventConfiguration: keep('GetEventConfiguration', t.eventConfiguration),
          tags: keep('ListTags', t.tags),
          ...errorsOf(t.errors),
        }) as Snapshot['trails'][number],
    ),
    eventDataStores: reads.has('ListEventDataStores')
      ? snapshot.eventDataStores.map(
          (s) =>
            defined({
              eventDataStore: s.eventDataStore,
              insightSelectors: keep('GetInsightSelectors', s.insightSelectors),
              insightsDestination: keep('GetInsightSelectors', s.insightsDestination),
              eventConfiguration: keep('GetEventConfiguration', s.eventConfiguration),
              tags: keep('ListTags', s.tags),
              ...errorsOf(s.errors),
            }) as Snapshot['eventDataStores'][number],
        )
      : [],
  };
}

describe('a part not read is never needed: the golden cases judged on only what their policies read', () => {
  const root = join(import.meta.dirname, '..', 'golden');
  const cases = readdirSync(root).filter((d) => statSync(join(root, d)).isDirectory());
  it.each(cases)('%s: the same findings and plan as on the full snapshot', (name) => {
    const dir = join(root, name);
    const intent = JSON.parse(readFileSync(join(dir, 'intent.json'), 'utf8')) as {
      rejected?: string[];
      now?: string;
    };
    if (intent.rejected) return;
    const policies = policiesOf(readFileSync(join(dir, 'policies.yaml'), 'utf8'));
    const full = parseSnapshot(JSON.parse(readFileSync(join(dir, 'snapshot.json'), 'utf8')));
    const now = new Date(intent.now ?? '2026-06-01T00:00:00Z');
    const reduced = keepOnly(full, readsFor(policies));
    expect(evaluate(reduced, policies, now)).toEqual(evaluate(full, policies, now));
  });
});
