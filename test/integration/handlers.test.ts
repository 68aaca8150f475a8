/**
 * The Lambda handlers themselves (functions/*.ts), driven through their public event shapes with
 * the stack's environment pointed at moto: config parsed at cold start, the runtime's channels
 * (SNS, EventBridge), finding state in DynamoDB, the sweep's check of the change rule.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StopLoggingCommand } from '@aws-sdk/client-cloudtrail';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DisableRuleCommand,
  EventBridgeClient,
  PutRuleCommand,
  PutTargetsCommand,
} from '@aws-sdk/client-eventbridge';
import { CreateTopicCommand, SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { afterEach, beforeEach, describe, expect, inject, it, vi } from 'vitest';
import { resetMoto } from '../../shared/emulator/moto.js';
import { WATCHED_EVENT_NAMES } from '../../shared/events/cloudtrailEvent.js';
import { FINDING_DETAIL_TYPE, FINDING_SOURCE } from '../../shared/notify/eventbridge.js';
import { TABLE_KEY_SCHEMA } from '../../shared/state/findingStore.js';
import { INTEGRATION_POLICIES, REGION, sdk, seedDriftedAccount } from './seed.js';

const endpoint = inject('motoEndpoint');
const root = join(import.meta.dirname, '..', '..');
const ACCOUNT = '123456789012';
const context = (fn: string) => ({
  invokedFunctionArn: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:trailwarden-test-${fn}`,
  functionName: `trailwarden-test-${fn}`,
  awsRequestId: 'r1',
});
const RULE = 'trailwarden-test-cloudtrail-changes';

async function queue(sqs: SQSClient, name: string) {
  const url = (await sqs.send(new CreateQueueCommand({ QueueName: name }))).QueueUrl as string;
  const arn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] })))
    .Attributes?.QueueArn as string;
  const read = async () => {
    const r = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10 }));
    return (r.Messages ?? []).map((m) => JSON.parse(m.Body ?? '{}'));
  };
  return { url, arn, read };
}

/** The stack's resources on moto, and the environment serverless.yml gives the functions. */
async function stack() {
  await resetMoto(endpoint);
  await seedDriftedAccount(endpoint);
  const ddb = new DynamoDBClient({ region: REGION, endpoint });
  await ddb.send(
    new CreateTableCommand({
      TableName: 'findings',
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [...TABLE_KEY_SCHEMA.AttributeDefinitions],
      KeySchema: [...TABLE_KEY_SCHEMA.KeySchema],
    }),
  );
  const sqs = new SQSClient({ region: REGION, endpoint });
  const sns = new SNSClient({ region: REGION, endpoint });
  const events = new EventBridgeClient({ region: REGION, endpoint });
  const topic = (await sns.send(new CreateTopicCommand({ Name: 'findings' }))).TopicArn as string;
  const subscriber = await queue(sqs, 'subscriber');
  await sns.send(new SubscribeCommand({ TopicArn: topic, Protocol: 'sqs', Endpoint: subscriber.arn }));
  // A user's rule routing Trailwarden findings from the default bus.
  const routed = await queue(sqs, 'routed');
  await events.send(
    new PutRuleCommand({
      Name: 'route-findings',
      EventPattern: JSON.stringify({ source: [FINDING_SOURCE] }),
    }),
  );
  await events.send(
    new PutTargetsCommand({ Rule: 'route-findings', Targets: [{ Id: 'q', Arn: routed.arn }] }),
  );
  // The stack's change rule, targeting onTrailChange.
  await events.send(
    new PutRuleCommand({
      Name: RULE,
      EventPattern: JSON.stringify({
        source: ['aws.cloudtrail'],
        detail: { eventName: [...WATCHED_EVENT_NAMES] },
      }),
    }),
  );
  await events.send(
    new PutTargetsCommand({
      Rule: RULE,
      Targets: [{ Id: 't', Arn: context('onTrailChange').invokedFunctionArn }],
    }),
  );
  const policies = join(mkdtempSync(join(tmpdir(), 'trailwarden-handlers-')), 'policies.yaml');
  writeFileSync(policies, INTEGRATION_POLICIES);
  Object.assign(process.env, {
    AWS_ENDPOINT_URL: endpoint,
    AWS_REGION: REGION,
    TABLE_NAME: 'findings',
    TOPIC_ARN: topic,
    POLICY_PATHS: policies,
    REGIONS: REGION,
    REMEDIATION: 'false',
    EVENTBRIDGE_FINDINGS: 'true',
    BREAKER_MAX: '3',
    BREAKER_WINDOW_MINUTES: '60',
    WATCHED_RULE_NAME: RULE,
    ON_TRAIL_CHANGE_FUNCTION: 'trailwarden-test-onTrailChange',
    POWERTOOLS_LOG_LEVEL: 'SILENT',
    POWERTOOLS_METRICS_DISABLED: 'true',
  });
  return { subscriber, routed, events, policies };
}

const saved = { ...process.env };
beforeEach(() => {
  vi.resetModules();
});
afterEach(() => {
  for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
  Object.assign(process.env, saved);
});

describe('the handlers on moto', () => {
  it('onTrailChange: an EventBridge CloudTrail event gives SNS and EventBridge notifications, once', async () => {
    const { subscriber, routed } = await stack();
    await sdk(endpoint).ct.send(new StopLoggingCommand({ Name: 'security-trail' }));
    const fixture = JSON.parse(
      readFileSync(join(root, 'test', 'events', 'fixtures', 'StopLogging.json'), 'utf8'),
    );
    const event = {
      ...fixture,
      id: 'handler-event-1',
      account: ACCOUNT,
      detail: {
        ...fixture.detail,
        recipientAccountId: ACCOUNT,
        requestParameters: { name: 'security-trail' },
      },
    };
    const { handler } = await import('../../functions/onTrailChange.js');
    expect(await handler(event, context('onTrailChange') as never)).toMatchObject({
      outcome: 'evaluated',
      remediation: 'disabled',
    });
    const sent = (await subscriber.read()).map((m) => JSON.parse(m.Message));
    expect(sent.map((m) => `${m.transition} ${m.finding.policyId} ${m.finding.check}`)).toContain(
      'opened security-trail logging',
    );
    const routedEvents = await routed.read();
    expect(routedEvents.map((e) => e['detail-type'])).toEqual(sent.map(() => FINDING_DETAIL_TYPE));
    expect(routedEvents.map((e) => e.detail.id).sort()).toEqual(sent.map((m) => m.id).sort());
    // The same event again (an EventBridge redelivery): nothing more.
    await handler(event, context('onTrailChange') as never);
    expect(await subscriber.read()).toEqual([]);
  });

  it('remediate: with REMEDIATION=false, a request gets no write', async () => {
    await stack();
    const { handler } = await import('../../functions/remediate.js');
    expect(
      await handler(
        {
          id: 'x',
          account: ACCOUNT,
          region: REGION,
          resource: `arn:aws:cloudtrail:${REGION}:${ACCOUNT}:trail/stopped-trail`,
          steps: [{ operation: 'StartLogging' }],
          requestedAt: new Date().toISOString(),
        },
        context('remediate') as never,
      ),
    ).toEqual({ outcome: 'skipped', reason: 'remediation is switched off (REMEDIATION=false)' });
  });

  it('scheduledSweep: a disabled change rule is a critical notification', async () => {
    const { subscriber, events } = await stack();
    const { handler } = await import('../../functions/scheduledSweep.js');
    await handler({ id: 'sweep-1' }, context('scheduledSweep') as never);
    const first = (await subscriber.read()).map((m) => JSON.parse(m.Message));
    expect(first.filter((m) => m.finding.policyId === 'trailwarden-watcher')).toEqual([]);
    await events.send(new DisableRuleCommand({ Name: RULE }));
    await handler({ id: 'sweep-2' }, context('scheduledSweep') as never);
    const alerts = (await subscriber.read())
      .map((m) => JSON.parse(m.Message))
      .filter((m) => m.finding.policyId === 'trailwarden-watcher');
    expect(alerts).toMatchObject([
      {
        transition: 'opened',
        finding: { severity: 'critical', message: expect.stringContaining(`the rule ${RULE} is DISABLED`) },
      },
    ]);
  });
});
