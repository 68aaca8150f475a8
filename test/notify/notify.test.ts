import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { BatchImportFindingsCommand, SecurityHubClient } from '@aws-sdk/client-securityhub';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { describe, expect, it } from 'vitest';
import { importToSecurityHub, toAsff } from '../../shared/notify/asff.js';
import {
  FINDING_DETAIL_TYPE,
  FINDING_SOURCE,
  publishToEventBridge,
} from '../../shared/notify/eventbridge.js';
import type { Notification } from '../../shared/notify/message.js';
import { ChannelError } from '../../shared/notify/notifier.js';
import { escapeSlack, retryAfterSeconds, slackChannel, slackMessage } from '../../shared/notify/slack.js';
import { publishToSns, SNS_MESSAGE_LIMIT, snsPublishInput, snsSubject } from '../../shared/notify/sns.js';
import { type LiveFinding, transitionOf } from '../../shared/notify/transitions.js';

const finding = (over: Partial<LiveFinding> = {}): LiveFinding => ({
  id: 'abc123',
  policyId: 'security-trail',
  resource: 'arn:aws:cloudtrail:us-east-1:111122223333:trail/security',
  resourceName: 'security',
  region: 'us-east-1',
  status: 'FAIL',
  check: 'logEvents',
  severity: 'high',
  message: "trail 'security' does not log every required event",
  witness: { eventCategory: 'Management', readOnly: 'true', eventSource: 'kms.amazonaws.com' },
  ...over,
});
const note = (over: Partial<Notification> = {}): Notification => ({
  transition: 'opened',
  finding: finding(),
  account: '111122223333',
  region: 'us-east-1',
  ...over,
});

describe('transitions', () => {
  it.each([
    [undefined, 'FAIL', false, 'opened'],
    ['PASS', 'FAIL', false, 'opened'],
    ['FAIL', 'FAIL', false, undefined],
    ['FAIL', 'PASS', false, 'resolved'],
    ['ERROR', 'PASS', false, 'resolved'],
    ['PASS', 'PASS', false, undefined],
    ['FAIL', 'REMEDIATED', true, 'remediated'],
    ['FAIL', 'ERROR', true, 'remediation-failed'],
    ['ERROR', 'ERROR', true, undefined],
    [undefined, 'ERROR', false, undefined],
  ] as const)('%s → %s (planned %s) is %s', (prev, now, planned, expected) => {
    expect(
      transitionOf(prev, finding({ status: now, ...(planned ? { remediation: { planned: true } } : {}) })),
    ).toBe(expected);
  });
});

describe('SNS', () => {
  it('publishes JSON with filterable attributes and a subject within limits', async () => {
    const sns = mockClient(SNSClient);
    sns.on(PublishCommand).resolves({ MessageId: '1' });
    await publishToSns(
      new SNSClient({ region: 'us-east-1' }),
      'arn:aws:sns:us-east-1:111122223333:trailwarden',
      note(),
    );
    expect(sns).toHaveReceivedCommandWith(PublishCommand, {
      TopicArn: 'arn:aws:sns:us-east-1:111122223333:trailwarden',
      MessageAttributes: {
        severity: { DataType: 'String', StringValue: 'high' },
        policyId: { DataType: 'String', StringValue: 'security-trail' },
        status: { DataType: 'String', StringValue: 'FAIL' },
        transition: { DataType: 'String', StringValue: 'opened' },
        account: { DataType: 'String', StringValue: '111122223333' },
        region: { DataType: 'String', StringValue: 'us-east-1' },
      },
    });
    const message = JSON.parse(sns.commandCalls(PublishCommand)[0]?.args[0].input.Message ?? '{}');
    expect(message).toMatchObject({
      transition: 'opened',
      exampleEvent: 'eventCategory=Management, readOnly=true, eventSource=kms.amazonaws.com',
    });
    const long = snsSubject(
      note({ finding: finding({ policyId: 'p'.repeat(300), resourceName: 'ünïcode\nname' }) }),
    );
    expect(long.length).toBeLessThanOrEqual(100);
    expect(long).toMatch(/^[\x20-\x7e]+$/);
  });
});

describe('Slack', () => {
  it('escapes user-controlled text and respects block limits', () => {
    const msg = slackMessage(
      note({
        finding: finding({ resourceName: '<!channel> & <https://evil|click>', message: 'x'.repeat(5000) }),
      }),
    );
    const text = JSON.stringify(msg);
    expect(text).not.toContain('<!channel>');
    expect(text).toContain('&lt;!channel&gt; &amp; &lt;https://evil|click&gt;');
    for (const b of msg.blocks as { text?: { text: string } }[])
      if (b.text) expect(b.text.text.length).toBeLessThanOrEqual(3000);
    expect(msg.blocks.length).toBeLessThanOrEqual(50);
    expect(escapeSlack('a<b>&c')).toBe('a&lt;b&gt;&amp;c');
  });
  it('shows the example event and the repair', () => {
    const text = JSON.stringify(
      slackMessage(note({ transition: 'remediated', remediation: 'PutEventSelectors' })),
    );
    expect(text).toContain('Example event');
    expect(text).toContain('PutEventSelectors');
  });
});

describe('Security Hub', () => {
  it('formats ASFF and imports in batches of 100', async () => {
    const hub = mockClient(SecurityHubClient);
    hub.on(BatchImportFindingsCommand).resolves({ FailedCount: 0, SuccessCount: 1 });
    const asff = toAsff(finding(), '111122223333', 'us-east-1');
    expect(asff).toMatchObject({
      SchemaVersion: '2018-10-08',
      Id: 'trailwarden/abc123',
      ProductArn: 'arn:aws:securityhub:us-east-1:111122223333:product/111122223333/default',
      Severity: { Label: 'HIGH' },
      Compliance: { Status: 'FAILED' },
      Resources: [
        { Type: 'AwsCloudTrailTrail', Id: 'arn:aws:cloudtrail:us-east-1:111122223333:trail/security' },
      ],
    });
    expect(toAsff(finding({ status: 'REMEDIATED' }), '111122223333', 'us-east-1')).toMatchObject({
      Compliance: { Status: 'PASSED' },
      Workflow: { Status: 'RESOLVED' },
    });
    await importToSecurityHub(
      new SecurityHubClient({ region: 'us-east-1' }),
      Array.from({ length: 250 }, () => asff),
    );
    expect(hub.commandCalls(BatchImportFindingsCommand).map((c) => c.args[0].input.Findings?.length)).toEqual(
      [100, 100, 50],
    );
  });
});

/** 500 selector values, as in a finding about a selector AWS rejects: the message is about 295 KB. */
const hugeFinding = () =>
  finding({
    message: `selectors not accepted: ${Array.from({ length: 500 }, (_, i) => `arn:aws:s3:::bucket-${i}/${'k'.repeat(560)}`).join(', ')}`,
  });

describe("row 10: messages within the services' limits", () => {
  it('an SNS message never passes 256 KB, keeps its JSON, and says it was shortened', () => {
    const n = note({ finding: hugeFinding() });
    expect(Buffer.byteLength(JSON.stringify(n))).toBeGreaterThan(280_000);
    const input = snsPublishInput('arn:aws:sns:us-east-1:111122223333:t', n);
    const attributes = Object.entries(input.MessageAttributes).reduce(
      (sum, [k, v]) => sum + k.length + v.StringValue.length + v.DataType.length,
      0,
    );
    expect(Buffer.byteLength(input.Message) + attributes).toBeLessThanOrEqual(SNS_MESSAGE_LIMIT);
    const message = JSON.parse(input.Message);
    expect(message.truncated).toMatch(/finding\.message shortened from \d+ to \d+ characters/);
    expect(message.finding.message.startsWith('selectors not accepted: arn:aws:s3:::bucket-0/')).toBe(true);
    expect(message.transition).toBe('opened');
    expect(input.Subject.length).toBeLessThanOrEqual(100);
    // A message within the limit is left whole.
    expect(JSON.parse(snsPublishInput('t', note()).Message).truncated).toBeUndefined();
  });

  it('an EventBridge entry never passes 256 KB either', async () => {
    const events = mockClient(EventBridgeClient);
    events.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: '1' }] });
    await publishToEventBridge(
      new EventBridgeClient({ region: 'us-east-1' }),
      note({ finding: hugeFinding() }),
    );
    const entry = events.commandCalls(PutEventsCommand)[0]?.args[0].input.Entries?.[0];
    expect(Buffer.byteLength(entry?.Detail ?? '')).toBeLessThan(262_144);
    expect(JSON.parse(entry?.Detail ?? '{}').truncated).toMatch(/shortened/);
  });
});

describe('EventBridge channel', () => {
  it('publishes each transition as a "Trailwarden Finding" on the default bus', async () => {
    const events = mockClient(EventBridgeClient);
    events.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: '1' }] });
    await publishToEventBridge(new EventBridgeClient({ region: 'us-east-1' }), note({ id: 'abc123:2' }));
    expect(FINDING_SOURCE).toBe('trailwarden');
    expect(FINDING_DETAIL_TYPE).toBe('Trailwarden Finding');
    expect(events).toHaveReceivedCommandWith(PutEventsCommand, {
      Entries: [
        expect.objectContaining({
          Source: 'trailwarden',
          DetailType: 'Trailwarden Finding',
          EventBusName: 'default',
          Resources: ['arn:aws:cloudtrail:us-east-1:111122223333:trail/security'],
        }),
      ],
    });
    const detail = JSON.parse(
      events.commandCalls(PutEventsCommand)[0]?.args[0].input.Entries?.[0]?.Detail ?? '',
    );
    expect(detail).toMatchObject({
      id: 'abc123:2',
      transition: 'opened',
      account: '111122223333',
      finding: { policyId: 'security-trail', severity: 'high', status: 'FAIL' },
    });
  });

  it('a rejected entry is an error (PutEvents answers 200 with FailedEntryCount)', async () => {
    const events = mockClient(EventBridgeClient);
    events.on(PutEventsCommand).resolves({
      FailedEntryCount: 1,
      Entries: [{ ErrorCode: 'InternalFailure', ErrorMessage: 'try again' }],
    });
    await expect(
      publishToEventBridge(new EventBridgeClient({ region: 'us-east-1' }), note()),
    ).rejects.toMatchObject({
      name: 'ChannelError',
      channel: 'eventbridge',
      code: 'InternalFailure',
      message: 'EventBridge rejected the finding event: InternalFailure: try again',
    });
  });
});

describe('Slack channel: rate limits and secrets', () => {
  const SECRET = 'hooks.slack.com/services/T000/B000/XXXXSECRETXXXX';
  const response = (status: number, headers: Record<string, string> = {}) =>
    new Response(status === 200 ? 'ok' : 'rate_limited', { status, headers });

  it('a 429 is retried after its Retry-After, within a bounded wait', async () => {
    const waits: number[] = [];
    const answers = [
      response(429, { 'retry-after': '2' }),
      response(429, { 'retry-after': '1' }),
      response(200),
    ];
    const calls: string[] = [];
    const channel = slackChannel({
      parameterName: '/trailwarden/slack-webhook',
      webhookUrl: async () => `https://${SECRET}`,
      fetch: async (url) => {
        calls.push(String(url));
        return answers.shift() as Response;
      },
      sleep: async (ms) => void waits.push(ms),
    });
    await channel.send([note()]);
    expect(waits).toEqual([2000, 1000]);
    expect(calls).toHaveLength(3);
  });

  it('gives up when Slack keeps rate-limiting past the budget, with an error that names no URL', async () => {
    const waits: number[] = [];
    const channel = slackChannel({
      parameterName: '/trailwarden/slack-webhook',
      webhookUrl: async () => `https://${SECRET}`,
      fetch: async () => response(429, { 'retry-after': '20' }),
      sleep: async (ms) => void waits.push(ms),
      maxWaitSeconds: 30,
    });
    const error = await channel.send([note()]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ChannelError);
    expect(error).toMatchObject({ channel: 'slack', code: '429' });
    expect((error as Error).message).toBe('Slack answered HTTP 429 (rate limited after retries)');
    expect(waits).toEqual([20_000]);
  });

  it('a webhook value without a scheme is never echoed', async () => {
    const channel = slackChannel({
      parameterName: '/trailwarden/slack-webhook',
      webhookUrl: async () => SECRET,
      fetch: async () => response(200),
    });
    const error = (await channel.send([note()]).catch((e: unknown) => e)) as Error;
    expect(error.message).toContain('/trailwarden/slack-webhook');
    expect(JSON.stringify([error.message, error.stack, Object.entries(error)])).not.toContain(
      'XXXXSECRETXXXX',
    );
  });

  it('a failed request names no URL either', async () => {
    const channel = slackChannel({
      parameterName: '/trailwarden/slack-webhook',
      webhookUrl: async () => `https://${SECRET}`,
      fetch: async (url) => {
        throw new TypeError(`fetch failed for ${String(url)}`);
      },
    });
    const error = (await channel.send([note()]).catch((e: unknown) => e)) as Error;
    expect(error).toBeInstanceOf(ChannelError);
    expect(error).toMatchObject({ channel: 'slack' });
    expect(JSON.stringify([error.message, error.stack, Object.entries(error)])).not.toContain(
      'XXXXSECRETXXXX',
    );
  });

  it('reads Retry-After as seconds or as an HTTP date', () => {
    expect(retryAfterSeconds('3')).toBe(3);
    expect(retryAfterSeconds(null)).toBe(1);
    expect(retryAfterSeconds('Sat, 21 Nov 2026 06:00:05 GMT', Date.parse('2026-11-21T06:00:00Z'))).toBe(5);
  });
});
