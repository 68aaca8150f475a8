/**
 * The central stack's flows (mode=central) with finding state in memory and each account's CloudTrail
 * faked: events and repairs in member accounts, the loop guard across accounts, and the sweep as a
 * planner and workers with one digest per sweep.
 */
import type { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import { describe, expect, it } from 'vitest';
import {
  type FlowDeps,
  type Members,
  onTrailChange,
  planSweep,
  type RemediationRequest,
  remediate,
  type SweepMessage,
  sweepPair,
} from '../../shared/app/flows.js';
import type { ClientProvider } from '../../shared/aws/loader.js';
import type { Notification } from '../../shared/notify/message.js';
import { parsePolicyFiles } from '../../shared/policy/loader.js';
import { MemoryStore } from './memoryStore.js';

const CENTRAL = '999999999999';
const MEMBER = '222222222222';
const OTHER = '333333333333';
const NOW = new Date('2026-11-21T06:00:00Z');
const arnOf = (account: string, name: string, region = 'us-east-1') =>
  `arn:aws:cloudtrail:${region}:${account}:trail/${name}`;

/** One account's CloudTrail, faked: a trail per entry, logging or not; records every call. */
function cloudTrailOf(
  account: string,
  trails: Record<string, { logging: boolean; multiRegion?: boolean }>,
  calls: string[],
) {
  return {
    cloudTrail: (region: string) =>
      ({
        send: async (command: { input: Record<string, unknown>; constructor: { name: string } }) => {
          const name = command.constructor.name.replace(/Command$/, '');
          calls.push(`${account} ${region} ${name}`);
          const listed = Object.entries(trails).map(([t, { multiRegion }]) => ({
            Name: t,
            TrailARN: arnOf(account, t),
            HomeRegion: 'us-east-1',
            S3BucketName: 'logs',
            IsMultiRegionTrail: multiRegion === true,
          }));
          const named = (command.input.Name ?? command.input.TrailName) as string | undefined;
          const trail = named ? trails[named.split('/').pop() as string] : undefined;
          switch (name) {
            case 'DescribeTrails': {
              const only = command.input.trailNameList as string[] | undefined;
              // A multi-Region trail shows in every Region (a shadow outside its home Region).
              const here = listed.filter((t) => t.HomeRegion === region || t.IsMultiRegionTrail);
              return { trailList: only ? here.filter((t) => only.includes(t.TrailARN)) : here };
            }
            case 'GetTrailStatus':
              return { IsLogging: trail?.logging ?? false };
            case 'GetEventSelectors':
              return { EventSelectors: [{ ReadWriteType: 'All', IncludeManagementEvents: true }] };
            case 'GetInsightSelectors':
              return { InsightSelectors: [] };
            case 'GetEventConfiguration':
              return {};
            case 'ListEventDataStores':
              return { EventDataStores: [] };
            case 'ListTags':
              return { ResourceTagList: [] };
            case 'StartLogging':
              if (trail) trail.logging = true;
              return {};
            default:
              throw new Error(`unexpected ${name}`);
          }
        },
      }) as unknown as CloudTrailClient,
  } satisfies ClientProvider;
}

const POLICIES = parsePolicyFiles([
  {
    file: 'p.yaml',
    text: 'version: 1\npolicies:\n  - id: logging\n    severity: high\n    action: remediate\n    require: { logging: true }\n',
  },
]).policies;

function central(
  accounts: Record<string, Record<string, { logging: boolean; multiRegion?: boolean }>>,
  over: Partial<FlowDeps> = {},
) {
  const calls: string[] = [];
  const sent: Notification[] = [];
  const counted: string[] = [];
  const requested: RemediationRequest[] = [];
  const store = new MemoryStore();
  const clients = Object.fromEntries(
    Object.entries(accounts).map(([id, trails]) => [id, cloudTrailOf(id, trails, calls)]),
  );
  const members: Members = {
    admits: (account) => account in accounts,
    access: (account) => ({ account, clients: clients[account] as ClientProvider }),
    remediator: { roleName: 'TrailwardenRemediator', sessionName: 'trailwarden-remediate' },
  };
  let down = false;
  const deps: FlowDeps = {
    policies: POLICIES,
    clients: clients[CENTRAL] ?? cloudTrailOf(CENTRAL, {}, calls),
    account: CENTRAL,
    partition: 'aws',
    store,
    channels: [
      {
        name: 'sns',
        send: async (ns) => {
          if (down) throw new Error('SNS is down');
          sent.push(...ns);
        },
      },
    ],
    remediationEnabled: true,
    remediationRoleArn: `arn:aws:iam::${CENTRAL}:role/trailwarden-prod-remediate`,
    requestRemediation: async (r) => void requested.push(r),
    breaker: { maxRemediations: 3, windowMinutes: 60 },
    now: () => NOW,
    log: { info: () => {}, warn: () => {}, error: () => {} },
    metrics: { count: (name) => void counted.push(name), milliseconds: () => {} },
    members,
    ...over,
  };
  return {
    deps,
    calls,
    sent,
    counted,
    requested,
    store,
    setDown: (v: boolean) => {
      down = v;
    },
  };
}

let n = 0;
function stopLogging(
  account: string,
  trail: string,
  actor = `arn:aws:sts::${account}:assumed-role/Admin/alice`,
) {
  return {
    id: `event-${++n}`,
    'detail-type': 'AWS API Call via CloudTrail',
    source: 'aws.cloudtrail',
    account,
    region: 'us-east-1',
    detail: {
      eventSource: 'cloudtrail.amazonaws.com',
      eventName: 'StopLogging',
      awsRegion: 'us-east-1',
      eventID: `ct-${n}`,
      eventTime: NOW.toISOString(),
      recipientAccountId: account,
      userIdentity: { type: 'AssumedRole', arn: actor },
      requestParameters: { name: arnOf(account, trail) },
    },
  };
}

describe('onTrailChange in a central stack', () => {
  it("evaluates a member account's change in that account, keeps its findings there, and asks for the repair there", async () => {
    const { deps, calls, sent, requested, store } = central({ [MEMBER]: { audit: { logging: false } } });
    const outcome = await onTrailChange(stopLogging(MEMBER, 'audit'), deps);
    expect(outcome).toMatchObject({ outcome: 'evaluated', remediation: 'requested' });
    // Read through the member account's clients, never the central account's own.
    expect(calls.length).toBeGreaterThan(0);
    expect(calls.every((c) => c.startsWith(MEMBER))).toBe(true);
    expect(sent.map((s) => `${s.transition} ${s.account} ${s.finding.account}`)).toEqual([
      `opened ${MEMBER} ${MEMBER}`,
    ]);
    expect(requested.map((r) => `${r.account} ${r.resource}`)).toEqual([
      `${MEMBER} ${arnOf(MEMBER, 'audit')}`,
    ]);
    const stored = await store.load({ account: MEMBER, resource: arnOf(MEMBER, 'audit') });
    expect([...stored.findings.values()].map((f) => f.status)).toEqual(['FAIL']);
    expect((await store.load({ account: CENTRAL, resource: arnOf(MEMBER, 'audit') })).findings.size).toBe(0);
  });

  it('drops an event of an account the stack does not watch, with a metric', async () => {
    const { deps, calls, counted } = central({ [MEMBER]: { audit: { logging: false } } });
    expect(await onTrailChange(stopLogging(OTHER, 'audit'), deps)).toMatchObject({
      outcome: 'dropped',
      reason: expect.stringContaining(`account ${OTHER}, which is not among the accounts this stack watches`),
    });
    expect(counted).toEqual(['ForeignAccountEvents']);
    expect(calls).toEqual([]);
  });

  it("recognises its own repairs in any member account (the remediator's Trailwarden session), and nobody else's", async () => {
    const { deps, calls } = central({ [MEMBER]: { audit: { logging: false } } });
    const ours = `arn:aws:sts::${MEMBER}:assumed-role/TrailwardenRemediator/trailwarden-remediate`;
    expect(await onTrailChange(stopLogging(MEMBER, 'audit', ours), deps)).toEqual({
      outcome: 'skipped',
      reason: "Trailwarden's own change (loop guard)",
    });
    expect(calls).toEqual([]);
    // The same role under another session name, or another role with that session name, is not us.
    for (const actor of [
      `arn:aws:sts::${MEMBER}:assumed-role/TrailwardenRemediator/someone`,
      `arn:aws:sts::${MEMBER}:assumed-role/Admin/trailwarden-remediate`,
    ])
      expect(await onTrailChange(stopLogging(MEMBER, 'audit', actor), deps)).toMatchObject({
        outcome: 'evaluated',
      });
    // The central account's own remediate role is still recognised (its own resources).
    const own = `arn:aws:sts::${CENTRAL}:assumed-role/trailwarden-prod-remediate/x`;
    expect(await onTrailChange(stopLogging(CENTRAL, 'audit', own), deps)).toMatchObject({
      outcome: 'skipped',
    });
  });
});

describe('remediate in a central stack', () => {
  const request = (account: string): RemediationRequest => ({
    id: `r-${account}`,
    account,
    region: 'us-east-1',
    resource: arnOf(account, 'audit'),
    steps: [],
    requestedAt: NOW.toISOString(),
  });

  it("repairs a member account's trail through that account's clients, and verifies it there", async () => {
    const trails = { audit: { logging: false } };
    const { deps, calls, sent } = central({ [MEMBER]: trails });
    expect(await remediate(request(MEMBER), deps)).toMatchObject({ outcome: 'applied', remediated: 1 });
    expect(trails.audit.logging).toBe(true);
    expect(calls.filter((c) => c.endsWith('StartLogging'))).toEqual([`${MEMBER} us-east-1 StartLogging`]);
    expect(calls.every((c) => c.startsWith(MEMBER))).toBe(true);
    expect(sent.map((s) => `${s.transition} ${s.account}`)).toEqual([`remediated ${MEMBER}`]);
  });

  it('refuses a request for an account the stack does not watch', async () => {
    const { deps, calls, counted } = central({ [MEMBER]: { audit: { logging: false } } });
    expect(await remediate(request(OTHER), deps)).toMatchObject({
      outcome: 'dropped',
      reason: expect.stringContaining('not among the accounts this stack watches'),
    });
    expect(counted).toEqual(['ForeignAccountRequests']);
    expect(calls).toEqual([]);
  });
});

describe('the sweep as a planner and workers', () => {
  const ACCOUNTS = {
    [CENTRAL]: { own: { logging: true } },
    [MEMBER]: { audit: { logging: false } },
    [OTHER]: { audit: { logging: true } },
  };
  const REGIONS = ['us-east-1', 'eu-west-1'];

  async function planned(deps: FlowDeps, id: string, accounts = Object.keys(ACCOUNTS)) {
    const messages: SweepMessage[] = [];
    const plan = await planSweep(
      deps,
      { regions: REGIONS, accounts: async () => accounts, send: async (m) => void messages.push(...m) },
      { id },
    );
    return { plan, messages };
  }
  const digests = (sent: readonly Notification[]) =>
    sent.filter((s) => s.finding.policyId === 'trailwarden-digest');

  it('sends one message per account and Region, and one digest when the last of them reports', async () => {
    const { deps, sent, calls } = central(structuredClone(ACCOUNTS));
    const { plan, messages } = await planned(deps, 's1');
    expect(plan).toEqual({ sweepId: 's1', accounts: 3, messages: 6 });
    // Region by Region, every account in each: an account's Regions are not evaluated side by side.
    expect(messages.map((m) => `${m.account} ${m.region}`)).toEqual([
      `${MEMBER} us-east-1`,
      `${OTHER} us-east-1`,
      `${CENTRAL} us-east-1`,
      `${MEMBER} eu-west-1`,
      `${OTHER} eu-west-1`,
      `${CENTRAL} eu-west-1`,
    ]);
    const outcomes = [];
    for (const m of messages) outcomes.push(await sweepPair(JSON.parse(JSON.stringify(m)), deps));
    expect(outcomes.map((o) => (o.outcome === 'evaluated' ? `${o.counted} ${o.digest}` : o.outcome))).toEqual(
      ['counted false', 'counted false', 'counted false', 'counted false', 'counted false', 'counted true'],
    );
    // Each account read with its own clients.
    expect(
      calls
        .filter((c) => c.endsWith('DescribeTrails'))
        .map((c) => c.split(' ').slice(0, 2).join(' '))
        .sort(),
    ).toEqual(messages.map((m) => `${m.account} ${m.region}`).sort());
    const [digest, ...more] = digests(sent);
    expect(more).toEqual([]);
    expect(digest).toMatchObject({
      account: CENTRAL,
      region: 'us-east-1,eu-west-1',
      finding: { severity: 'high' },
    });
    expect(digest?.finding.message).toContain('1 open findings in 1 of 3 accounts (1 high)');
    expect(digest?.finding.message).toContain(`high logging audit [logging] (${MEMBER}, us-east-1)`);
    // The transition itself went out once, from the member account's worker.
    expect(
      sent.filter((s) => s.transition === 'opened' && s.finding.policyId === 'logging').map((s) => s.account),
    ).toEqual([MEMBER]);
    // A message delivered again (SQS is at-least-once) counts nothing and sends no second digest.
    expect(await sweepPair(messages[5], deps)).toMatchObject({ counted: 'repeat', digest: false });
    expect(await sweepPair(messages[0], deps)).toMatchObject({ counted: 'repeat', digest: false });
    expect(digests(sent)).toHaveLength(1);
  });

  it("a multi-Region trail's findings are recorded by its home Region's worker only, and counted once", async () => {
    const { deps, sent, store } = central({ [MEMBER]: { org: { logging: false, multiRegion: true } } });
    const { messages } = await planned(deps, 's1', [MEMBER]);
    const outcomes = [];
    for (const m of messages) outcomes.push(await sweepPair(m, deps));
    // Both Regions list the trail; only us-east-1, its home, records and counts its finding.
    expect(outcomes.map((o) => (o.outcome === 'evaluated' ? o.open : -1))).toEqual([1, 0]);
    expect(
      sent.filter((s) => s.finding.policyId === 'logging').map((s) => `${s.transition} ${s.region}`),
    ).toEqual(['opened us-east-1']);
    expect(digests(sent)[0]?.finding.message).toContain('1 open findings in 1 of 1 accounts');
    const stored = await store.load({ account: MEMBER, resource: arnOf(MEMBER, 'org') });
    expect([...stored.findings.values()].map((f) => `${f.status} v${f.version}`)).toEqual(['FAIL v1']);
  });

  it('a named trail is decided for the whole account: not missing from the Regions it is not in, and missing once when gone', async () => {
    const NAMED = parsePolicyFiles([
      {
        file: 'named.yaml',
        text: 'version: 1\npolicies:\n  - id: named\n    severity: high\n    select: { names: [audit, gone] }\n    require: { logging: true }\n',
      },
    ]).policies;
    // The sweep's first Region is not the trail's: its worker must look in the other Regions.
    const { deps, sent, calls } = central({ [MEMBER]: { audit: { logging: true } } }, { policies: NAMED });
    const messages: SweepMessage[] = [];
    await planSweep(
      deps,
      {
        regions: ['eu-west-1', 'us-east-1'],
        accounts: async () => [MEMBER],
        send: async (m) => void messages.push(...m),
      },
      { id: 's1' },
    );
    for (const m of messages) await sweepPair(m, deps);
    const missing = sent.filter((s) => s.finding.check === 'exists');
    expect(missing.map((s) => `${s.transition} ${s.finding.resourceName} ${s.finding.status}`)).toEqual([
      'opened gone FAIL',
    ]);
    // Only the deciding worker lists the other Region (names and ARNs), once.
    expect(calls.filter((c) => c === `${MEMBER} us-east-1 DescribeTrails`)).toHaveLength(2);
  });

  it('a failure fails the message alone; its retry finishes the sweep and the digest goes out once', async () => {
    const { deps, sent, setDown } = central(structuredClone(ACCOUNTS));
    const { messages } = await planned(deps, 's1');
    const [last, ...rest] = [...messages].reverse() as [SweepMessage, ...SweepMessage[]];
    for (const m of rest) await sweepPair(m, deps);
    setDown(true);
    await expect(sweepPair(last, deps)).rejects.toThrow(/SNS is down/);
    expect(digests(sent)).toEqual([]);
    setDown(false);
    // SQS delivers the message again: counted once, the digest taken and sent once.
    expect(await sweepPair(last, deps)).toMatchObject({ digest: true });
    expect(await sweepPair(last, deps)).toMatchObject({ counted: 'repeat', digest: false });
    expect(digests(sent)).toHaveLength(1);
  });

  it('the last report fails after taking the digest: its retry delivers that digest, nobody sends another', async () => {
    const { deps, sent, store } = central(structuredClone(ACCOUNTS));
    const { messages } = await planned(deps, 's1');
    const [last, ...rest] = [...messages].reverse() as [SweepMessage, ...SweepMessage[]];
    for (const m of rest) await sweepPair(m, deps);
    // Fail the digest's delivery only: the transitions of this account-Region go out first.
    const channel = deps.channels[0] as { send: (ns: readonly Notification[]) => Promise<void> };
    const send = channel.send;
    channel.send = async (ns) => {
      if (ns.some((x) => x.finding.policyId === 'trailwarden-digest')) throw new Error('SNS is down');
      return send(ns);
    };
    await expect(sweepPair(last, deps)).rejects.toThrow(/SNS is down/);
    expect(
      (await store.loadSweep({ account: CENTRAL, resource: 'trailwarden:sweep/s1' }, false)).sweep,
    ).toMatchObject({
      remaining: 0,
      digestBy: `sweep:s1:${last.account}:${last.region}`,
    });
    channel.send = send;
    // Another worker's late duplicate does not send it; the retry of the one that took it does.
    expect(await sweepPair(rest[0], deps)).toMatchObject({ digest: false });
    expect(digests(sent)).toEqual([]);
    expect(await sweepPair(last, deps)).toMatchObject({ counted: 'repeat', digest: true });
    expect(digests(sent)).toHaveLength(1);
  });

  it('the next sweep closes one that never finished (a message in the dead-letter queue): its digest says what is missing, once', async () => {
    const { deps, sent } = central(structuredClone(ACCOUNTS));
    const first = await planned(deps, 's1');
    for (const m of first.messages.slice(0, 4)) await sweepPair(m, deps);
    const second = await planned(deps, 's2');
    expect(second.plan.closedPrevious).toBe('s1');
    const [digest] = digests(sent);
    expect(digest?.finding.message).toContain(
      '2 of 6 account-Regions did not report before the next sweep began',
    );
    // A late report of s1 (a redrive) sends no second digest for it.
    for (const m of first.messages.slice(4))
      expect(await sweepPair(m, deps)).toMatchObject({ digest: false });
    expect(digests(sent)).toHaveLength(1);
    // A retried planner is the same sweep: nothing reopened, nothing closed twice.
    expect((await planned(deps, 's2')).plan.closedPrevious).toBeUndefined();
  });

  it('drops a malformed message or one for an account the stack does not watch, instead of failing it forever', async () => {
    const { deps, counted } = central(structuredClone(ACCOUNTS));
    expect(await sweepPair({ sweepId: 's1', account: 'x', region: 'us-east-1' }, deps)).toMatchObject({
      outcome: 'dropped',
      reason: expect.stringContaining('message account'),
    });
    expect(
      await sweepPair({ sweepId: 's1', account: '444444444444', region: 'us-east-1' }, deps),
    ).toMatchObject({
      outcome: 'dropped',
    });
    expect(counted).toEqual(['MalformedSweepMessages', 'ForeignAccountRequests']);
  });

  it('a member role that cannot be assumed is ERROR findings for that account, and the sweep goes on', async () => {
    const { deps, sent } = central(structuredClone(ACCOUNTS));
    const members = deps.members as Members;
    const broken: FlowDeps = {
      ...deps,
      members: {
        ...members,
        access: (account) =>
          account === OTHER
            ? {
                ...members.access(account),
                enter: async () => {
                  throw Object.assign(new Error('not authorized to perform: sts:AssumeRole'), {
                    name: 'AccessDenied',
                  });
                },
              }
            : members.access(account),
      },
    };
    const { messages } = await planned(broken, 's1');
    const outcomes = [];
    for (const m of messages) outcomes.push({ m, o: await sweepPair(m, broken) });
    for (const { m, o } of outcomes.filter(({ m }) => m.account === OTHER))
      expect(o, m.region).toMatchObject({ outcome: 'evaluated', open: 1, counted: 'counted' });
    const message = digests(sent)[0]?.finding.message ?? '';
    expect(message).toMatch(/3 open findings in 2 of 3 accounts/);
    expect(message).toContain(`(${OTHER}, eu-west-1)`);
  });
});
