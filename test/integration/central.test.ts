/**
 * The central stack on moto (mode=central), through its Lambda handlers and their cold-start wiring:
 * an organization of three member accounts, two of them drifted; a member's change evaluated in its
 * account, repaired there through the remediator role and verified with the member's own
 * credentials; the loop guard on the remediator's real session; and the sweep as planner → SQS
 * messages → workers (SQS-shaped batches) → one digest, with a failed message retried alone.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CloudTrailClient, GetTrailStatusCommand } from '@aws-sdk/client-cloudtrail';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  CreateEventBusCommand,
  EventBridgeClient,
  PutRuleCommand,
  PutTargetsCommand,
} from '@aws-sdk/client-eventbridge';
import { CreateTopicCommand, SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import {
  ChangeMessageVisibilityCommand,
  CreateQueueCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  type Message,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import type { SQSEvent } from 'aws-lambda';
import { afterEach, beforeEach, describe, expect, inject, it, vi } from 'vitest';
import type { FlowDeps, RemediationRequest } from '../../shared/app/flows.js';
import { resetMoto } from '../../shared/emulator/moto.js';
import {
  createOrganization,
  credentialsIn,
  type EmulatedOrganization,
  MANAGEMENT_ACCOUNT,
} from '../../shared/emulator/organization.js';
import { EMULATOR_CREDENTIALS, type SeedAccount, seedAccount } from '../../shared/emulator/seed.js';
import { WATCHED_EVENT_NAMES } from '../../shared/events/cloudtrailEvent.js';
import { TABLE_KEY_SCHEMA } from '../../shared/state/findingStore.js';
import { type FaultProxy, startFaultProxy } from './proxy.js';
import { AWS_ENV, REGION } from './seed.js';

const endpoint = inject('motoEndpoint');
const root = join(import.meta.dirname, '..', '..');
const REGIONS = [REGION, 'eu-west-1'];
const context = (fn: string) => ({
  invokedFunctionArn: `arn:aws:lambda:${REGION}:${MANAGEMENT_ACCOUNT}:function:trailwarden-test-${fn}`,
  functionName: `trailwarden-test-${fn}`,
  awsRequestId: `r-${fn}`,
  getRemainingTimeInMillis: () => 60_000,
});
const BUS = 'trailwarden-test';
const RULE = 'trailwarden-test-cloudtrail-changes';

const trail = (bucket: string, drift: { stopped?: boolean; validation?: boolean }): SeedAccount => ({
  bucket,
  trails: [
    {
      name: 'org-audit',
      region: REGION,
      options: { IsMultiRegionTrail: true, EnableLogFileValidation: drift.validation ?? true },
      selectors: { EventSelectors: [{ ReadWriteType: 'All', IncludeManagementEvents: true }] },
      logging: !drift.stopped,
    },
  ],
});

const policies = (workloads: string) => `version: 1
policies:
  - id: audit-trail
    severity: high
    action: remediate
    require:
      logging: true
      logFileValidation: true
  - id: management-events
    severity: high
    quantifier: any
    require:
      multiRegion: true
      logEvents:
        - FieldSelectors: [{ Field: eventCategory, Equals: [Management] }]
  - id: workloads-logging
    severity: critical
    select: { ous: [${workloads}] }
    require:
      logging: true
`;

interface Received {
  id: string;
  transition: string;
  account: string;
  region: string;
  finding: { policyId: string; check: string; status: string; account: string; message: string };
}

async function queue(sqs: SQSClient, name: string, attributes: Record<string, string> = {}) {
  const url = (await sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes })))
    .QueueUrl as string;
  const arn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] })))
    .Attributes?.QueueArn as string;
  return { url, arn };
}

/** Everything a subscriber of the topic received since the last call. */
async function inbox(sqs: SQSClient, url: string): Promise<Received[]> {
  const out: Received[] = [];
  for (;;) {
    const r = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10 }));
    if (!r.Messages?.length) return out;
    for (const m of r.Messages) {
      out.push(JSON.parse(JSON.parse(m.Body ?? '{}').Message));
      await sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: m.ReceiptHandle }));
    }
  }
}

let org: EmulatedOrganization;
let drifted: string[];
let clean: string;
let sqs: SQSClient;
let subscriber: { url: string; arn: string };
let sweepQueue: { url: string; arn: string };
let sweepDlq: { url: string; arn: string };
let proxy: FaultProxy | undefined;
const saved = { ...process.env };

beforeEach(async () => {
  vi.resetModules();
  await resetMoto(endpoint);
  Object.assign(process.env, AWS_ENV);
  org = await createOrganization(endpoint, {
    members: [
      { name: 'payments', unit: 'workloads' },
      { name: 'analytics', unit: 'workloads' },
      { name: 'sandbox', unit: 'sandbox' },
    ],
  });
  drifted = org.members.slice(0, 2);
  clean = org.members[2] as string;
  await seedAccount(endpoint, trail('management-logs', {}));
  await seedAccount(
    endpoint,
    trail('payments-logs', { stopped: true }),
    await credentialsIn(endpoint, drifted[0] as string),
  );
  await seedAccount(
    endpoint,
    trail('analytics-logs', { validation: false }),
    await credentialsIn(endpoint, drifted[1] as string),
  );
  await seedAccount(endpoint, trail('sandbox-logs', {}), await credentialsIn(endpoint, clean));

  const ddb = new DynamoDBClient({ region: REGION, endpoint });
  await ddb.send(
    new CreateTableCommand({
      TableName: 'findings',
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [...TABLE_KEY_SCHEMA.AttributeDefinitions],
      KeySchema: [...TABLE_KEY_SCHEMA.KeySchema],
    }),
  );
  ddb.destroy();
  sqs = new SQSClient({ region: REGION, endpoint });
  const sns = new SNSClient({ region: REGION, endpoint });
  const topic = (await sns.send(new CreateTopicCommand({ Name: 'findings' }))).TopicArn as string;
  subscriber = await queue(sqs, 'subscriber');
  await sns.send(new SubscribeCommand({ TopicArn: topic, Protocol: 'sqs', Endpoint: subscriber.arn }));
  sns.destroy();
  // The stack's sweep queue, with its dead-letter queue behind three receives.
  sweepDlq = await queue(sqs, 'trailwarden-test-sweep-dlq');
  sweepQueue = await queue(sqs, 'trailwarden-test-sweep', {
    RedrivePolicy: JSON.stringify({ deadLetterTargetArn: sweepDlq.arn, maxReceiveCount: 3 }),
    VisibilityTimeout: '1800',
  });
  // The organization's bus and the change rule on it, targeting onTrailChange.
  const events = new EventBridgeClient({ region: REGION, endpoint });
  await events.send(new CreateEventBusCommand({ Name: BUS }));
  await events.send(
    new PutRuleCommand({
      Name: RULE,
      EventBusName: BUS,
      EventPattern: JSON.stringify({
        source: ['aws.cloudtrail'],
        detail: { eventName: [...WATCHED_EVENT_NAMES] },
      }),
    }),
  );
  await events.send(
    new PutTargetsCommand({
      Rule: RULE,
      EventBusName: BUS,
      Targets: [{ Id: 't', Arn: context('onTrailChange').invokedFunctionArn }],
    }),
  );
  events.destroy();
  const policyFile = join(mkdtempSync(join(tmpdir(), 'trailwarden-central-')), 'policies.yaml');
  writeFileSync(policyFile, policies(org.units.workloads as string));
  // The environment stack/central.yml gives the functions.
  Object.assign(process.env, {
    AWS_ENDPOINT_URL: endpoint,
    AWS_REGION: REGION,
    TABLE_NAME: 'findings',
    TOPIC_ARN: topic,
    POLICY_PATHS: policyFile,
    REGIONS: REGIONS.join(','),
    REMEDIATION: 'true',
    REMEDIATE_FUNCTION: 'trailwarden-test-remediate',
    REMEDIATION_ROLE_ARN: `arn:aws:iam::${MANAGEMENT_ACCOUNT}:role/trailwarden-test-remediate`,
    EVENTBRIDGE_FINDINGS: 'false',
    STACK_MODE: 'central',
    ORGANIZATION: 'true',
    ORGANIZATION_ID: org.id,
    SWEEP_QUEUE_URL: sweepQueue.url,
    CHANGE_BUS_NAME: BUS,
    WATCHED_RULE_NAME: RULE,
    ON_TRAIL_CHANGE_FUNCTION: 'trailwarden-test-onTrailChange',
    POWERTOOLS_LOG_LEVEL: 'SILENT',
    POWERTOOLS_METRICS_DISABLED: 'true',
  });
});

afterEach(async () => {
  for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
  Object.assign(process.env, saved);
  sqs.destroy();
  await proxy?.close();
  proxy = undefined;
});

/** A member's CloudTrail, with the member's own credentials: how the tests check what was written. */
async function memberCloudTrail(account: string) {
  return new CloudTrailClient({
    region: REGION,
    endpoint,
    credentials: await credentialsIn(endpoint, account, 'Auditor'),
  });
}

/** An EventBridge CloudTrail event as the member's forwarding rule delivers it to the central bus. */
function forwarded(account: string, eventName: string, actorArn: string, n: number) {
  const fixture = JSON.parse(
    readFileSync(join(root, 'test', 'events', 'fixtures', 'StopLogging.json'), 'utf8'),
  );
  return {
    ...fixture,
    id: `forwarded-${n}`,
    account,
    region: REGION,
    detail: {
      ...fixture.detail,
      eventName,
      eventID: `ct-${n}`,
      eventTime: new Date().toISOString(),
      awsRegion: REGION,
      recipientAccountId: account,
      userIdentity: { type: 'AssumedRole', arn: actorArn },
      requestParameters: { name: `arn:aws:cloudtrail:${REGION}:${account}:trail/org-audit` },
      responseElements: null,
    },
  };
}

/** The handlers' own dependencies (functions/runtime.ts), as a cold start builds them, for one function. */
async function runtimeOf(fn: string, purpose: 'read' | 'remediate' = 'read'): Promise<FlowDeps> {
  vi.resetModules();
  const [{ runtime }, { loadConfig }] = await Promise.all([
    import('../../functions/runtime.js'),
    import('../../shared/app/config.js'),
  ]);
  return runtime(context(fn), loadConfig(process.env), purpose);
}

describe('the central event path on moto', () => {
  it("a member's change is evaluated in its account, repaired there through the remediator role, and the repair's own event is skipped", async () => {
    const [payments] = drifted as [string];
    const person = `arn:aws:sts::${payments}:assumed-role/Admin/alice`;
    // onTrailChange as the handler wires it (member roles, organization placement), its repair
    // request captured where the stack would invoke remediate asynchronously.
    const evaluator = await runtimeOf('onTrailChange');
    const requests: RemediationRequest[] = [];
    const { onTrailChange, remediate } = await import('../../shared/app/flows.js');
    const outcome = await onTrailChange(forwarded(payments, 'StopLogging', person, 1), {
      ...evaluator,
      requestRemediation: async (r) => void requests.push(r),
    });
    expect(outcome).toMatchObject({ outcome: 'evaluated', remediation: 'requested' });
    const opened = await inbox(sqs, subscriber.url);
    expect(
      opened.map((m) => `${m.transition} ${m.account} ${m.finding.policyId} ${m.finding.check}`).sort(),
    ).toEqual(
      [
        `opened ${payments} audit-trail logging`,
        // The OU policy: the account's place in the organization was read (ListParents).
        `opened ${payments} workloads-logging logging`,
      ].sort(),
    );
    expect(requests).toMatchObject([
      { account: payments, resource: `arn:aws:cloudtrail:${REGION}:${payments}:trail/org-audit` },
    ]);

    // remediate: the real handler, entering the member account through TrailwardenRemediator.
    const { handler } = await import('../../functions/remediate.js');
    expect(await handler(requests[0], context('remediate') as never)).toMatchObject({
      outcome: 'applied',
      failed: 0,
    });
    const ct = await memberCloudTrail(payments);
    expect((await ct.send(new GetTrailStatusCommand({ Name: 'org-audit' }))).IsLogging).toBe(true);
    ct.destroy();
    expect(
      (await inbox(sqs, subscriber.url))
        .map((m) => `${m.transition} ${m.account} ${m.finding.policyId}`)
        .sort(),
    ).toEqual([`remediated ${payments} audit-trail`, `resolved ${payments} workloads-logging`].sort());

    // The StartLogging that repair made, as the member's CloudTrail records it: the identity of the
    // remediator's session in that account, as STS gives it.
    const sts = new STSClient({ region: REGION, endpoint, credentials: EMULATOR_CREDENTIALS });
    const assumed = await sts.send(
      new AssumeRoleCommand({
        RoleArn: `arn:aws:iam::${payments}:role/TrailwardenRemediator`,
        RoleSessionName: 'trailwarden-remediate',
      }),
    );
    const c = assumed.Credentials;
    const as = new STSClient({
      region: REGION,
      endpoint,
      credentials: {
        accessKeyId: c?.AccessKeyId as string,
        secretAccessKey: c?.SecretAccessKey as string,
        sessionToken: c?.SessionToken as string,
      },
    });
    const identity = (await as.send(new GetCallerIdentityCommand({}))).Arn as string;
    expect(identity).toBe(
      `arn:aws:sts::${payments}:assumed-role/TrailwardenRemediator/trailwarden-remediate`,
    );
    sts.destroy();
    as.destroy();
    expect(await onTrailChange(forwarded(payments, 'StartLogging', identity, 2), evaluator)).toEqual({
      outcome: 'skipped',
      reason: "Trailwarden's own change (loop guard)",
    });
    // The same call by a person in that account is evaluated (and finds nothing new).
    expect(await onTrailChange(forwarded(payments, 'StartLogging', person, 3), evaluator)).toMatchObject({
      outcome: 'evaluated',
    });
    expect(await inbox(sqs, subscriber.url)).toEqual([]);
    // A request remediate has carried out is not carried out again (a redrive).
    expect(await remediate(requests[0], await runtimeOf('remediate', 'remediate'))).toMatchObject({
      outcome: 'skipped',
    });
  });

  it('the onTrailChange handler drops an event of an account outside the organization it watches', async () => {
    process.env.REMEDIATION = 'false';
    process.env.ORGANIZATION = 'false';
    process.env.ACCOUNTS = drifted.join(',');
    const { handler } = await import('../../functions/onTrailChange.js');
    expect(
      await handler(
        forwarded(clean, 'StopLogging', `arn:aws:sts::${clean}:assumed-role/Admin/bob`, 4),
        context('onTrailChange') as never,
      ),
    ).toMatchObject({ outcome: 'dropped', reason: expect.stringContaining(`account ${clean}`) });
    expect(
      await handler(
        forwarded(drifted[1] as string, 'StopLogging', 'arn:aws:sts::1:assumed-role/A/b', 5),
        context('onTrailChange') as never,
      ),
    ).toMatchObject({ outcome: 'evaluated' });
  });
});

/** What Lambda's SQS event source hands sweepWorker: up to `batch` received messages. */
function sqsEvent(messages: readonly Message[]): SQSEvent {
  return {
    Records: messages.map((m) => ({
      messageId: m.MessageId as string,
      receiptHandle: m.ReceiptHandle as string,
      body: m.Body as string,
      attributes: {
        ApproximateReceiveCount: m.Attributes?.ApproximateReceiveCount ?? '1',
        SentTimestamp: m.Attributes?.SentTimestamp ?? '0',
        SenderId: 'planner',
        ApproximateFirstReceiveTimestamp: '0',
      },
      messageAttributes: {},
      md5OfBody: m.MD5OfBody as string,
      eventSource: 'aws:sqs',
      eventSourceARN: sweepQueue.arn,
      awsRegion: REGION,
    })),
  };
}

/**
 * Lambda's SQS event source, in miniature: receive up to `batch` messages, invoke the worker, delete
 * the ones it did not report as failed, and make the failed ones visible again for a retry.
 */
async function drain(
  worker: (event: SQSEvent) => Promise<{ batchItemFailures: { itemIdentifier: string }[] }>,
  batch = 5,
) {
  const failures: string[] = [];
  for (let round = 0; round < 40; round++) {
    const r = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: sweepQueue.url,
        MaxNumberOfMessages: batch,
        AttributeNames: ['All'],
      }),
    );
    if (!r.Messages?.length) return failures;
    // A batch whose every message failed fails the invocation (Powertools' FullBatchFailureError).
    const { batchItemFailures } = await worker(sqsEvent(r.Messages)).catch(() => ({
      batchItemFailures: (r.Messages ?? []).map((m) => ({ itemIdentifier: m.MessageId as string })),
    }));
    const failed = new Set(batchItemFailures.map((f) => f.itemIdentifier));
    for (const m of r.Messages) {
      if (failed.has(m.MessageId as string)) {
        failures.push(m.Body as string);
        await sqs.send(
          new ChangeMessageVisibilityCommand({
            QueueUrl: sweepQueue.url,
            ReceiptHandle: m.ReceiptHandle,
            VisibilityTimeout: 0,
          }),
        );
      } else
        await sqs.send(
          new DeleteMessageCommand({ QueueUrl: sweepQueue.url, ReceiptHandle: m.ReceiptHandle }),
        );
    }
  }
  throw new Error('the sweep queue did not drain');
}

/**
 * DynamoDB behind a proxy that forwards writes one at a time: the workers of one batch run side by
 * side and race for the sweep's counter item, whose conditional writes DynamoDB serializes and moto
 * does not.
 */
async function dynamoDbAsOnAws(): Promise<FaultProxy> {
  const started = await startFaultProxy(endpoint);
  started.serial = (operation) =>
    ['TransactWriteItems', 'UpdateItem', 'PutItem', 'DeleteItem'].includes(operation);
  process.env.AWS_ENDPOINT_URL_DYNAMODB = started.endpoint;
  return started;
}

describe('the central sweep on moto: planner → SQS → workers → one digest', () => {
  it('one message per account and Region, each account-Region evaluated in its account, and one digest', async () => {
    process.env.REMEDIATION = 'false';
    proxy = await dynamoDbAsOnAws();
    const planner = await import('../../functions/sweepPlanner.js');
    const planned = await planner.handler({ id: 'scheduled-1' }, context('sweepPlanner') as never);
    expect(planned).toEqual({ sweepId: 'scheduled-1', accounts: 4, messages: 8 });
    const attributes = await sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: sweepQueue.url,
        AttributeNames: ['ApproximateNumberOfMessages'],
      }),
    );
    expect(attributes.Attributes?.ApproximateNumberOfMessages).toBe('8');
    const { handler } = await import('../../functions/sweepWorker.js');
    expect(await drain((e) => handler(e, context('sweepWorker') as never))).toEqual([]);
    const received = await inbox(sqs, subscriber.url);
    const digests = received.filter((m) => m.finding.policyId === 'trailwarden-digest');
    expect(digests).toHaveLength(1);
    expect(digests[0]?.account).toBe(MANAGEMENT_ACCOUNT);
    expect(digests[0]?.finding.message).toMatch(/^\d+ open findings in 2 of 4 accounts/);
    // Each drifted account's findings were opened once, in its own account, from its own Regions.
    const opened = received.filter(
      (m) => m.transition === 'opened' && m.finding.policyId !== 'trailwarden-digest',
    );
    expect(new Set(opened.map((m) => m.account))).toEqual(new Set(drifted));
    expect(opened.map((m) => m.id).length).toBe(new Set(opened.map((m) => m.id)).size);
    expect(opened.map((m) => `${m.account} ${m.finding.policyId} ${m.finding.check}`).sort()).toEqual(
      [
        `${drifted[0]} audit-trail logging`,
        `${drifted[0]} workloads-logging logging`,
        `${drifted[1]} audit-trail logFileValidation`,
      ].sort(),
    );
    // A second sweep finds nothing new, and sends its own digest, once.
    await planner.handler({ id: 'scheduled-2' }, context('sweepPlanner') as never);
    await drain((e) => handler(e, context('sweepWorker') as never));
    const again = await inbox(sqs, subscriber.url);
    expect(again.map((m) => m.finding.policyId)).toEqual(['trailwarden-digest']);
  });

  it('a worker failure is a partial batch failure: only that message is retried, nothing is lost, the digest comes once', async () => {
    process.env.REMEDIATION = 'false';
    // DynamoDB behind a proxy that fails the report of one account-Region during the first
    // invocation that carries it (every attempt the SDK makes), then lets it through.
    proxy = await dynamoDbAsOnAws();
    const target = `${drifted[1]}#eu-west-1`;
    let failing = true;
    proxy.fault = (operation, body) =>
      failing && operation === 'TransactWriteItems' && body.includes(target)
        ? { status: 500, type: 'InternalServerError', message: 'injected' }
        : undefined;
    const planner = await import('../../functions/sweepPlanner.js');
    await planner.handler({ id: 'scheduled-1' }, context('sweepPlanner') as never);
    const { handler } = await import('../../functions/sweepWorker.js');
    const batches: { failed: number; size: number }[] = [];
    const failed = await drain(async (e) => {
      const r = await handler(e, context('sweepWorker') as never);
      batches.push({ failed: r.batchItemFailures.length, size: e.Records.length });
      if (e.Records.some((m) => `${JSON.parse(m.body).account}#${JSON.parse(m.body).region}` === target))
        failing = false;
      return r;
    });
    // Exactly one message failed, once, in a batch whose other messages succeeded; its retry passed.
    expect(failed.map((b) => JSON.parse(b)).map((m) => `${m.account}#${m.region}`)).toEqual([target]);
    expect(batches.some((b) => b.failed === 1 && b.size > 1)).toBe(true);
    const received = await inbox(sqs, subscriber.url);
    expect(received.filter((m) => m.finding.policyId === 'trailwarden-digest')).toHaveLength(1);
    const ids = received.map((m) => m.id);
    expect(ids.length).toBe(new Set(ids).size);
    // Nothing lost: the failed account-Region's transition is there too.
    expect(received.map((m) => `${m.account} ${m.finding.policyId} ${m.finding.check}`)).toContain(
      `${drifted[1]} audit-trail logFileValidation`,
    );
  });

  it('a message that keeps failing goes to the dead-letter queue; the next sweep sends the digest of the one it kept open, once', async () => {
    process.env.REMEDIATION = 'false';
    proxy = await dynamoDbAsOnAws();
    const target = `${clean}#${REGION}`;
    proxy.fault = (operation, body) =>
      operation === 'TransactWriteItems' && body.includes(target) && body.includes('scheduled-1')
        ? { status: 500, type: 'InternalServerError', message: 'injected' }
        : undefined;
    const planner = await import('../../functions/sweepPlanner.js');
    await planner.handler({ id: 'scheduled-1' }, context('sweepPlanner') as never);
    const { handler } = await import('../../functions/sweepWorker.js');
    const failed = await drain((e) => handler(e, context('sweepWorker') as never));
    expect(failed).toHaveLength(3);
    const dead = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: sweepDlq.url, MaxNumberOfMessages: 10 }),
    );
    expect(
      dead.Messages?.map((m) => JSON.parse(m.Body ?? '{}')).map((m) => `${m.account}#${m.region}`),
    ).toEqual([target]);
    expect(
      (await inbox(sqs, subscriber.url)).filter((m) => m.finding.policyId === 'trailwarden-digest'),
    ).toEqual([]);
    // The next scheduled sweep closes the first with what it had.
    expect(await planner.handler({ id: 'scheduled-2' }, context('sweepPlanner') as never)).toMatchObject({
      closedPrevious: 'scheduled-1',
    });
    const [digest, ...more] = (await inbox(sqs, subscriber.url)).filter(
      (m) => m.finding.policyId === 'trailwarden-digest',
    );
    expect(more).toEqual([]);
    expect(digest?.finding.message).toContain(
      '1 of 8 account-Regions did not report before the next sweep began',
    );
  });
});
