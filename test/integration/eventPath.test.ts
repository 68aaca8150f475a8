/**
 * The event path end to end on moto (issue 8, rows 1-6): the flows driven through their public
 * shapes (EventBridge CloudTrail events, remediation requests), with finding state in DynamoDB
 * and notifications through SNS → SQS, and each failure injected where it hurts.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  AddTagsCommand,
  CloudTrailClient,
  CreateTrailCommand,
  GetEventSelectorsCommand,
  GetTrailStatusCommand,
  PutEventSelectorsCommand,
  RemoveTagsCommand,
  StartLoggingCommand,
  StopLoggingCommand,
  UpdateTrailCommand,
} from '@aws-sdk/client-cloudtrail';
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { CreateTopicCommand, SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import {
  CreateQueueCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import {
  type FlowDeps,
  onTrailChange,
  type RemediationRequest,
  remediate,
  scheduledSweep,
} from '../../shared/app/flows.js';
import { AwsClients } from '../../shared/aws/clients.js';
import { CallCounter } from '../../shared/emulator/callCounter.js';
import { resetMoto } from '../../shared/emulator/moto.js';
import type { Notification } from '../../shared/notify/message.js';
import type { Channel } from '../../shared/notify/notifier.js';
import { publishToSns } from '../../shared/notify/sns.js';
import { parsePolicyFiles } from '../../shared/policy/loader.js';
import { type FaultProxy, startFaultProxy } from './proxy.js';
import { motoFlowDeps, REGION, sdk, seedDriftedAccount } from './seed.js';

const root = join(import.meta.dirname, '..', '..');
const endpoint = inject('motoEndpoint');
const ACCOUNT = '123456789012';
const arn = (name: string) => `arn:aws:cloudtrail:${REGION}:${ACCOUNT}:trail/${name}`;
const fixture = (name: string) =>
  JSON.parse(readFileSync(join(root, 'test', 'events', 'fixtures', `${name}.json`), 'utf8'));

let eventCount = 0;
/** An EventBridge CloudTrail event for this account, with its own event id (as EventBridge gives each). */
function cloudTrailEvent(name: string, requestParameters: Record<string, unknown>, id?: string) {
  const base = fixture(name.startsWith('Delete') ? 'DeleteTrail' : 'StopLogging');
  return {
    ...base,
    id: id ?? `event-${++eventCount}`,
    account: ACCOUNT,
    detail: {
      ...base.detail,
      eventName: name,
      eventID: `cloudtrail-${eventCount}`,
      eventTime: new Date().toISOString(),
      requestParameters,
      responseElements: null,
      recipientAccountId: ACCOUNT,
    },
  };
}

interface Received {
  transition: string;
  finding: { policyId: string; check: string; status: string; resource: string; message: string };
  actors?: string[];
}

/** SNS (on moto) → SQS: what a subscriber receives. */
async function snsInbox() {
  const sns = new SNSClient({ region: REGION, endpoint });
  const sqs = new SQSClient({ region: REGION, endpoint });
  const topic = (await sns.send(new CreateTopicCommand({ Name: 'trailwarden' }))).TopicArn as string;
  const queueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: 'inbox' }))).QueueUrl as string;
  const queueArn = (
    await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }))
  ).Attributes?.QueueArn;
  await sns.send(new SubscribeCommand({ TopicArn: topic, Protocol: 'sqs', Endpoint: queueArn }));
  const channel: Channel = {
    name: 'sns',
    send: async (ns) => void (await Promise.all(ns.map((n) => publishToSns(sns, topic, n)))),
  };
  const read = async () => {
    const out: Received[] = [];
    for (;;) {
      const r = await sqs.send(
        new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }),
      );
      if (!r.Messages?.length) return out;
      for (const m of r.Messages) {
        out.push(JSON.parse(JSON.parse(m.Body ?? '{}').Message));
        await sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: m.ReceiptHandle }));
      }
    }
  };
  return { channel, read };
}

/** A channel that records what it takes and can be taken down (Slack answering 500). */
function flakyChannel(name = 'slack') {
  const received: Notification[] = [];
  let down = false;
  const channel: Channel = {
    name,
    send: async (ns) => {
      if (down) throw new Error('An HTTP protocol error occurred: statusCode = 500');
      received.push(...ns);
    },
  };
  return {
    channel,
    received,
    setDown: (value: boolean) => {
      down = value;
    },
  };
}

const summary = (ms: readonly { transition: string; finding: { policyId: string; check: string } }[]) =>
  ms.map((m) => `${m.transition} ${m.finding.policyId} ${m.finding.check}`).sort();

const DEFAULT_PACKS = ['policies/cis-aws-foundations.yaml', 'policies/security-hub-cloudtrail.yaml'].map(
  (file) => ({ file, text: readFileSync(join(root, file), 'utf8') }),
);

/** One compliant multi-Region trail, as the default packs want it (moto starts trails without selectors). */
async function seedCompliantTrail() {
  const { ct, s3 } = sdk(endpoint);
  await s3.send(new CreateBucketCommand({ Bucket: 'org-logs' }));
  await ct.send(
    new CreateTrailCommand({
      Name: 'main',
      S3BucketName: 'org-logs',
      IsMultiRegionTrail: true,
      IncludeGlobalServiceEvents: true,
      EnableLogFileValidation: true,
      TagsList: [{ Key: 'owner', Value: 'security' }],
    }),
  );
  await ct.send(
    new PutEventSelectorsCommand({
      TrailName: 'main',
      EventSelectors: [{ ReadWriteType: 'All', IncludeManagementEvents: true }],
    }),
  );
  await ct.send(new StartLoggingCommand({ Name: 'main' }));
  return ct;
}

beforeEach(async () => {
  await resetMoto(endpoint);
});

describe('row 1: every policy kind on every event (default packs)', () => {
  const changes: [string, (ct: ReturnType<typeof sdk>['ct']) => Promise<unknown>, Record<string, unknown>][] =
    [
      ['StopLogging', (ct) => ct.send(new StopLoggingCommand({ Name: 'main' })), { name: 'main' }],
      [
        'PutEventSelectors',
        (ct) =>
          ct.send(
            new PutEventSelectorsCommand({
              TrailName: 'main',
              EventSelectors: [
                {
                  ReadWriteType: 'All',
                  IncludeManagementEvents: false,
                  DataResources: [{ Type: 'AWS::S3::Object', Values: ['arn:aws:s3:::org-logs/'] }],
                },
              ],
            }),
          ),
        { trailName: 'main' },
      ],
      [
        'UpdateTrail',
        (ct) => ct.send(new UpdateTrailCommand({ Name: 'main', IsMultiRegionTrail: false })),
        { name: 'main', isMultiRegionTrail: false },
      ],
    ];

  it.each(changes)('%s is seen within the event: the any-policies open', async (name, change, params) => {
    const ct = await seedCompliantTrail();
    const inbox = await snsInbox();
    const { deps } = await motoFlowDeps(endpoint, {
      policies: parsePolicyFiles(DEFAULT_PACKS).policies,
      channels: [inbox.channel],
    });
    await scheduledSweep([REGION], deps);
    await inbox.read();

    await change(ct);
    expect(await onTrailChange(cloudTrailEvent(name, params), deps)).toMatchObject({ outcome: 'evaluated' });
    expect(summary(await inbox.read())).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^opened cis-3\.1-multi-region-management /),
        expect.stringMatching(/^opened securityhub-cloudtrail\.1 /),
      ]),
    );
  });

  it('an any-policy with action: remediate asks for the repair from the event', async () => {
    const ct = await seedCompliantTrail();
    const pack = `version: 1
policies:
  - id: multi-region-logging
    severity: critical
    quantifier: any
    action: remediate
    require:
      logging: true
      multiRegion: true
      logEvents:
        - FieldSelectors: [{ Field: eventCategory, Equals: [Management] }]
`;
    const { deps, requests } = await motoFlowDeps(endpoint, {
      policies: parsePolicyFiles([{ file: 'p.yaml', text: pack }]).policies,
    });
    await ct.send(new StopLoggingCommand({ Name: 'main' }));
    expect(await onTrailChange(cloudTrailEvent('StopLogging', { name: 'main' }), deps)).toMatchObject({
      remediation: 'requested',
    });
    expect(requests[0]).toMatchObject({ resource: arn('main') });
    expect(requests[0]?.steps.map((s) => s.operation)).toEqual(['StartLogging']);
    await remediate(requests[0] as RemediationRequest, deps);
    expect((await ct.send(new GetTrailStatusCommand({ Name: 'main' }))).IsLogging).toBe(true);
  });
});

describe('row 2: a failed channel loses nothing and repeats nothing', () => {
  it('onTrailChange: the retry delivers to the channel that failed, and only to it', async () => {
    await seedDriftedAccount(endpoint);
    const inbox = await snsInbox();
    const slack = flakyChannel();
    const { deps } = await motoFlowDeps(endpoint, { channels: [inbox.channel, slack.channel] });
    await sdk(endpoint).ct.send(new StopLoggingCommand({ Name: 'security-trail' }));
    const event = cloudTrailEvent('StopLogging', { name: 'security-trail' });

    slack.setDown(true);
    await expect(onTrailChange(event, deps)).rejects.toThrow(/slack/);
    slack.setDown(false);
    const first = summary(await inbox.read());
    expect(first).toContain('opened security-trail logging');
    expect(slack.received).toEqual([]);

    // Lambda retries the same event.
    await onTrailChange(event, deps);
    expect(summary(slack.received)).toEqual(first);
    expect(await inbox.read()).toEqual([]);
    // And a later event sees no transition: nothing to anyone.
    await onTrailChange(cloudTrailEvent('StopLogging', { name: 'security-trail' }), deps);
    expect(await inbox.read()).toEqual([]);
    expect(slack.received).toHaveLength(first.length);
  });

  it('remediate: the retry delivers "remediated" to the channel that failed', async () => {
    await seedDriftedAccount(endpoint);
    const inbox = await snsInbox();
    const slack = flakyChannel();
    // Without the union policy, whose repair target moves once security-trail logs again.
    const { deps: all, requests } = await motoFlowDeps(endpoint, {
      channels: [inbox.channel, slack.channel],
    });
    const deps = { ...all, policies: all.policies.filter((p) => p.id !== 'payroll-writes') };
    await sdk(endpoint).ct.send(new StopLoggingCommand({ Name: 'security-trail' }));
    await onTrailChange(cloudTrailEvent('StopLogging', { name: 'security-trail' }), deps);
    await inbox.read();
    slack.received.length = 0;
    const request = requests.find((r) => r.resource === arn('security-trail')) as RemediationRequest;

    slack.setDown(true);
    await expect(remediate(request, deps)).rejects.toThrow(/slack/);
    slack.setDown(false);
    const sent = summary(await inbox.read());
    expect(sent).toContain('remediated security-trail logging');
    expect(slack.received).toEqual([]);

    await remediate(request, deps);
    expect(summary(slack.received)).toEqual(sent);
    expect(await inbox.read()).toEqual([]);
  });
});

describe('a crash between a send and its record', () => {
  it('the retry sends that notification again to that channel only: at least once, never lost', async () => {
    await seedDriftedAccount(endpoint);
    const inbox = await snsInbox();
    const slack = flakyChannel();
    const { deps } = await motoFlowDeps(endpoint, { channels: [inbox.channel, slack.channel] });
    await sdk(endpoint).ct.send(new StopLoggingCommand({ Name: 'stopped-trail' }));
    const event = cloudTrailEvent('StopLogging', { name: 'stopped-trail' });
    // Slack takes the first notification, then the function dies before recording that it did.
    let crashed = false;
    const crashing: FlowDeps = {
      ...deps,
      store: Object.assign(Object.create(deps.store), {
        acknowledge: async (scope: never, key: string, channels: readonly string[]) => {
          if (!crashed && channels.includes('slack')) {
            crashed = true;
            throw new Error('Runtime exited: the function crashed');
          }
          return deps.store.acknowledge(scope, key, channels);
        },
      }),
    };
    await expect(onTrailChange(event, crashing)).rejects.toThrow(/crashed/);
    const first = summary(await inbox.read());
    const slackFirst = summary(slack.received);
    expect(slackFirst.length).toBeGreaterThan(0);

    await onTrailChange(event, deps);
    // SNS had recorded each of its sends: nothing again. Slack gets again only what was not recorded.
    expect(await inbox.read()).toEqual([]);
    const slackAll = summary(slack.received);
    expect(slackAll.length).toBe(slackFirst.length + 1);
    expect(new Set(slackAll)).toEqual(new Set(first));
  });
});

describe('row 3: a trail that leaves a policy by its tags is a transition', () => {
  it('RemoveTags is watched and notifies "left the scope"', async () => {
    await seedDriftedAccount(endpoint);
    const inbox = await snsInbox();
    const { deps } = await motoFlowDeps(endpoint, { channels: [inbox.channel] });
    await scheduledSweep([REGION], deps);
    await inbox.read();

    await sdk(endpoint).ct.send(
      new RemoveTagsCommand({ ResourceId: arn('security-trail'), TagsList: [{ Key: 'role' }] }),
    );
    const outcome = await onTrailChange(
      cloudTrailEvent('RemoveTags', {
        resourceId: arn('security-trail'),
        tagsList: [{ key: 'role', value: 'security' }],
      }),
      deps,
    );
    expect(outcome).toMatchObject({ outcome: 'evaluated' });
    const left = (await inbox.read()).filter((m) => m.transition === 'left-scope');
    expect(left.map((m) => m.finding.policyId)).toEqual(['security-trail']);
    expect(left[0]?.finding.message).toMatch(/left the scope of policy security-trail/);
    expect(left[0]?.actors).toEqual(['arn:aws:iam::111122223333:role/Admin']);
  });

  it('the sweep notices it too, once', async () => {
    await seedDriftedAccount(endpoint);
    const inbox = await snsInbox();
    const { deps } = await motoFlowDeps(endpoint, { channels: [inbox.channel] });
    await scheduledSweep([REGION], deps);
    await inbox.read();
    await sdk(endpoint).ct.send(
      new RemoveTagsCommand({ ResourceId: arn('security-trail'), TagsList: [{ Key: 'role' }] }),
    );
    await scheduledSweep([REGION], deps);
    expect(
      (await inbox.read()).filter((m) => m.transition === 'left-scope').map((m) => m.finding.resource),
    ).toEqual([arn('security-trail')]);
    await scheduledSweep([REGION], deps);
    expect((await inbox.read()).filter((m) => m.transition === 'left-scope')).toEqual([]);

    // Back in scope and failing: opened again.
    await sdk(endpoint).ct.send(
      new AddTagsCommand({
        ResourceId: arn('security-trail'),
        TagsList: [{ Key: 'role', Value: 'security' }],
      }),
    );
    await onTrailChange(
      cloudTrailEvent('AddTags', {
        resourceId: arn('security-trail'),
        tagsList: [{ key: 'role', value: 'security' }],
      }),
      deps,
    );
    expect(summary(await inbox.read())).toContain('opened security-trail logEvents');
  });
});

describe('row 4: concurrent evaluations and repairs of one trail', () => {
  it('two events at once: one "opened" per finding and one repair request', async () => {
    await seedDriftedAccount(endpoint);
    const inbox = await snsInbox();
    const { deps, requests } = await motoFlowDeps(endpoint, { channels: [inbox.channel] });
    await sdk(endpoint).ct.send(new StopLoggingCommand({ Name: 'stopped-trail' }));
    await Promise.all([
      onTrailChange(cloudTrailEvent('StopLogging', { name: 'stopped-trail' }), deps),
      onTrailChange(cloudTrailEvent('StopLogging', { name: 'stopped-trail' }), deps),
    ]);
    const opened = summary(await inbox.read());
    expect(opened.filter((m) => m === 'opened everything-logging logging')).toHaveLength(1);
    expect(new Set(opened).size).toBe(opened.length);
    const forTrail = requests.filter((r) => r.resource === arn('stopped-trail'));
    expect(new Set(forTrail.map((r) => JSON.stringify(r.steps))).size).toBe(1);
    expect(new Set(forTrail.map((r) => (r as { id?: string }).id ?? r.requestedAt)).size).toBe(1);
  });

  it('two remediate runs at once: one write, one "remediated"', async () => {
    await seedDriftedAccount(endpoint);
    const inbox = await snsInbox();
    const counter = new CallCounter();
    const { deps, requests } = await motoFlowDeps(endpoint, {
      channels: [inbox.channel],
      clients: new AwsClients({ endpoint }, counter),
    });
    await onTrailChange(cloudTrailEvent('StopLogging', { name: 'stopped-trail' }), deps);
    await inbox.read();
    const request = requests.find((r) => r.resource === arn('stopped-trail')) as RemediationRequest;
    await Promise.allSettled([remediate(request, deps), remediate({ ...request }, deps)]);
    expect(counter.byOperation.get('StartLogging')).toBe(1);
    expect(summary(await inbox.read())).toEqual(['remediated everything-logging logging']);
  });
});

describe('row 5: a change between remediate’s read and its write is never overwritten', () => {
  let proxy: FaultProxy;
  beforeAll(async () => {
    proxy = await startFaultProxy(endpoint);
  });
  afterAll(async () => {
    await proxy.close();
  });

  it('a selector a human adds meanwhile survives, and the run says "changed during remediation"', async () => {
    await seedDriftedAccount(endpoint);
    const inbox = await snsInbox();
    const { deps, requests } = await motoFlowDeps(endpoint, { channels: [inbox.channel] });
    await onTrailChange(cloudTrailEvent('PutEventSelectors', { trailName: 'security-trail' }), deps);
    await inbox.read();
    const request = requests.find((r) => r.resource === arn('security-trail')) as RemediationRequest;
    expect(request.steps.map((s) => s.operation)).toContain('PutEventSelectors');

    // The human's call lands right after remediate has read the trail (its last planning read is
    // ListTags), before anything else remediate sends.
    const human = {
      TrailName: 'security-trail',
      EventSelectors: [
        {
          ReadWriteType: 'All' as const,
          IncludeManagementEvents: true,
          DataResources: [{ Type: 'AWS::S3::Object', Values: ['arn:aws:s3:::acme-payroll/'] }],
        },
      ],
    };
    let planned = false;
    let injected = false;
    proxy.before = async (operation) => {
      if (operation === 'ListTags') planned = true;
      else if (planned && !injected) {
        injected = true;
        await sdk(endpoint).ct.send(new PutEventSelectorsCommand(human));
      }
    };
    try {
      await remediate(request, { ...deps, clients: new AwsClients({ endpoint: proxy.endpoint }) });
    } finally {
      proxy.before = undefined;
    }
    expect(injected).toBe(true);
    const now = await sdk(endpoint).ct.send(new GetEventSelectorsCommand({ TrailName: 'security-trail' }));
    expect(JSON.stringify(now.EventSelectors)).toContain('arn:aws:s3:::acme-payroll/');
    const messages = await inbox.read();
    expect(messages.map((m) => m.transition)).toContain('changed-during-remediation');
    expect(messages.map((m) => m.transition)).not.toContain('remediated');

    // The human's own event then starts a fresh, safe repair that keeps their selector.
    await onTrailChange(cloudTrailEvent('PutEventSelectors', { trailName: 'security-trail' }), deps);
    const next = requests.at(-1) as RemediationRequest;
    await remediate(next, deps);
    const after = await sdk(endpoint).ct.send(new GetEventSelectorsCommand({ TrailName: 'security-trail' }));
    expect(JSON.stringify(after.EventSelectors)).toContain('arn:aws:s3:::acme-payroll/');
  });
  it("the window no re-read closes (a call landing just before the write) is reported by that call's event", async () => {
    await seedDriftedAccount(endpoint);
    const inbox = await snsInbox();
    const { deps, requests } = await motoFlowDeps(endpoint, { channels: [inbox.channel] });
    await onTrailChange(cloudTrailEvent('PutEventSelectors', { trailName: 'security-trail' }), deps);
    await inbox.read();
    const request = requests.find((r) => r.resource === arn('security-trail')) as RemediationRequest;
    // The person's PutEventSelectors lands after remediate's re-read, right before its own write.
    let calledAt: string | undefined;
    proxy.before = async (operation) => {
      if (operation !== 'PutEventSelectors' || calledAt) return;
      calledAt = new Date().toISOString();
      await sdk(endpoint).ct.send(
        new PutEventSelectorsCommand({
          TrailName: 'security-trail',
          EventSelectors: [
            {
              ReadWriteType: 'All',
              IncludeManagementEvents: true,
              DataResources: [{ Type: 'AWS::S3::Object', Values: ['arn:aws:s3:::acme-payroll/'] }],
            },
          ],
        }),
      );
    };
    try {
      await remediate(request, { ...deps, clients: new AwsClients({ endpoint: proxy.endpoint }) });
    } finally {
      proxy.before = undefined;
    }
    expect(calledAt).toBeDefined();
    await inbox.read();
    // Its CloudTrail event arrives seconds later: the possible overwrite is reported, naming who.
    const event = cloudTrailEvent('PutEventSelectors', { trailName: 'security-trail' });
    await onTrailChange(
      { ...event, detail: { ...event.detail, eventTime: calledAt?.replace(/\.\d+Z$/, 'Z') } },
      deps,
    );
    const warned = (await inbox.read()).filter((m) => m.transition === 'changed-during-remediation');
    expect(warned).toHaveLength(1);
    expect(warned[0]?.finding.message).toMatch(
      /called PutEventSelectors on security-trail at .* may have been overwritten/,
    );
    expect(warned[0]?.actors).toEqual(['arn:aws:iam::111122223333:role/Admin']);
    // A later call of the same kind, outside any repair, is just a change.
    await onTrailChange(cloudTrailEvent('PutEventSelectors', { trailName: 'security-trail' }), {
      ...deps,
      now: () => new Date(Date.now() + 2 * 60 * 60_000),
    });
    expect((await inbox.read()).filter((m) => m.transition === 'changed-during-remediation')).toEqual([]);
  });
});

describe('row 6: out-of-order results never overwrite newer state', () => {
  it('a repair that finishes before the evaluator saves leaves no stale FAIL behind', async () => {
    await seedDriftedAccount(endpoint);
    const inbox = await snsInbox();
    const base = await motoFlowDeps(endpoint, { channels: [inbox.channel] });
    // The repair runs (and finishes) inside the evaluator's invocation, before the evaluator is done.
    const deps: FlowDeps = {
      ...base.deps,
      requestRemediation: async (r) => {
        base.requests.push(r);
        await remediate(r, deps);
      },
    };
    const { ct } = sdk(endpoint);
    await ct.send(new StopLoggingCommand({ Name: 'stopped-trail' }));
    await onTrailChange(cloudTrailEvent('StopLogging', { name: 'stopped-trail' }), deps);
    expect((await ct.send(new GetTrailStatusCommand({ Name: 'stopped-trail' }))).IsLogging).toBe(true);
    await inbox.read();

    // A person stops it again: that must alert, whatever order the first results were saved in.
    await ct.send(new StopLoggingCommand({ Name: 'stopped-trail' }));
    await onTrailChange(cloudTrailEvent('StopLogging', { name: 'stopped-trail' }), {
      ...deps,
      requestRemediation: async (r) => void base.requests.push(r),
    });
    expect(summary(await inbox.read())).toContain('opened everything-logging logging');
  });
});

describe('a named trail that does not exist', () => {
  it('is resolved once when it comes back in another Region than the sweep’s first (DynamoDB state)', async () => {
    const { s3 } = sdk(endpoint);
    const inbox = await snsInbox();
    const { deps } = await motoFlowDeps(endpoint, {
      policies: parsePolicyFiles([
        {
          file: 'named.yaml',
          text: 'version: 1\npolicies:\n  - id: named\n    severity: high\n    select: { names: [audit] }\n    require: { logging: true }\n',
        },
      ]).policies,
      channels: [inbox.channel],
    });
    const regions = [REGION, 'eu-west-1'];
    const existence = async () =>
      (await inbox.read())
        .filter((m) => m.finding.check === 'exists' && m.finding.policyId === 'named')
        .map((m) => `${m.transition} ${m.finding.status}`);
    await scheduledSweep(regions, deps);
    expect(await existence()).toEqual(['opened FAIL']);

    await s3.send(new CreateBucketCommand({ Bucket: 'eu-logs' }));
    const eu = new CloudTrailClient({ region: 'eu-west-1', endpoint });
    const created = await eu.send(new CreateTrailCommand({ Name: 'audit', S3BucketName: 'eu-logs' }));
    await eu.send(new StartLoggingCommand({ Name: 'audit' }));
    const event = cloudTrailEvent('CreateTrail', { name: 'audit', s3BucketName: 'eu-logs' });
    const inEu = {
      ...event,
      region: 'eu-west-1',
      detail: {
        ...event.detail,
        awsRegion: 'eu-west-1',
        responseElements: { name: 'audit', trailARN: created.TrailARN },
      },
    };
    expect(await onTrailChange(inEu, deps)).toMatchObject({ outcome: 'evaluated' });
    expect(await existence()).toEqual(['resolved PASS']);
    // The event delivered again, and the next sweeps: nothing more.
    await onTrailChange(inEu, deps);
    await scheduledSweep(regions, deps);
    await scheduledSweep(regions, deps);
    expect(await existence()).toEqual([]);
  });
});
