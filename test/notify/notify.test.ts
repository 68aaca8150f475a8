import { BatchImportFindingsCommand, SecurityHubClient } from '@aws-sdk/client-securityhub';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { describe, expect, it } from 'vitest';
import { importToSecurityHub, toAsff } from '../../shared/notify/asff.js';
import type { Notification } from '../../shared/notify/message.js';
import { type Channel, NotificationError, notifyAll } from '../../shared/notify/notifier.js';
import { escapeSlack, slackMessage } from '../../shared/notify/slack.js';
import { publishToSns, snsSubject } from '../../shared/notify/sns.js';
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

describe('fan-out', () => {
  it('a failed channel does not stop the others, and the failure is raised afterwards', async () => {
    const sent: string[] = [];
    const ok: Channel = { name: 'sns', send: async () => void sent.push('sns') };
    const broken: Channel = { name: 'slack', send: async () => Promise.reject(new Error('webhook 500')) };
    const later: Channel = { name: 'securityhub', send: async () => void sent.push('securityhub') };
    await expect(notifyAll([ok, broken, later], [note()])).rejects.toThrow(NotificationError);
    expect(sent).toEqual(['sns', 'securityhub']);
    await expect(notifyAll([broken], [])).resolves.toBeUndefined();
  });
});
