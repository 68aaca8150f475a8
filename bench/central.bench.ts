/**
 * The central stack's sweep on moto, in process: 10 accounts (the management account and 9 members)
 * × 2 Regions × 20 trails. The planner lists the organization's accounts and sends one SQS message per
 * account-Region; workers, as Lambda's SQS event source would run them (batches of 5, N invocations
 * at once), receive, evaluate each account-Region through its member role, record findings in
 * DynamoDB, report, and the last one sends the digest.
 *  1. planner time, sweep wall time at N = 1, 4 and 16 workers, time per account-Region and per trail
 *  2. calls: per trail, AssumeRole per member account and worker container, DynamoDB per account-Region
 */
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { OrganizationsClient } from '@aws-sdk/client-organizations';
import {
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  type Message,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { STSClient } from '@aws-sdk/client-sts';
import pLimit from 'p-limit';
import { type FlowDeps, planSweep, sweepPair } from '../shared/app/flows.js';
import { notificationStore } from '../shared/app/store.js';
import { memberAccounts } from '../shared/aws/accounts.js';
import { AwsClients, instrument } from '../shared/aws/clients.js';
import { READER_ROLE_NAME, SESSION_NAME } from '../shared/aws/credentials.js';
import { listActiveAccounts } from '../shared/aws/organization.js';
import { sendMessages } from '../shared/aws/sweepQueue.js';
import { loadPolicies } from '../shared/cli/io.js';
import { CallCounter } from '../shared/emulator/callCounter.js';
import { startMoto } from '../shared/emulator/moto.js';
import { createOrganization, credentialsIn, MANAGEMENT_ACCOUNT } from '../shared/emulator/organization.js';
import { EMULATOR_CREDENTIALS, type SeedAccount, seedAccount } from '../shared/emulator/seed.js';
import type { Notification } from '../shared/notify/message.js';
import { TABLE_KEY_SCHEMA } from '../shared/state/findingStore.js';

const ACCOUNTS = 10;
const REGIONS = ['us-east-1', 'eu-west-1'];
const TRAILS = 20;
const BATCH = 5;
const PAIRS = ACCOUNTS * REGIONS.length;
const TOTAL = PAIRS * TRAILS;
// The bundle runs from dist/bench/.
const root = join(import.meta.dirname, '..', '..');

const account = (i: number): SeedAccount => ({
  bucket: `bench-central-logs-${i}`,
  trails: REGIONS.flatMap((region) =>
    Array.from({ length: TRAILS }, (_, t) => ({
      name: `trail-${region}-${String(t).padStart(2, '0')}`,
      region,
      // One in four drifted: no log file validation.
      options: { EnableLogFileValidation: t % 4 !== 0 },
      selectors: { EventSelectors: [{ ReadWriteType: 'All' as const, IncludeManagementEvents: true }] },
      insights: [{ InsightType: 'ApiCallRateInsight' as const }],
      logging: true,
    })),
  ),
});

/**
 * moto does not serialize conditional writes to one item, DynamoDB does: writes (the sweep counter's
 * transactions and the digest's conditional update, the items every worker races for) go to moto one
 * at a time; reads run side by side as on DynamoDB.
 */
const SERIALIZED = new Set([
  'TransactWriteItemsCommand',
  'UpdateItemCommand',
  'PutItemCommand',
  'DeleteItemCommand',
]);

function writesOneAtATime(client: DynamoDBClient): DynamoDBClient {
  let tail: Promise<unknown> = Promise.resolve();
  client.middlewareStack.add(
    (next, context) => (args) => {
      if (!SERIALIZED.has(context.commandName ?? '')) return next(args);
      const run = tail.then(() => next(args));
      tail = run.catch(() => undefined);
      return run;
    },
    { step: 'deserialize', name: 'motoCounterOneAtATime' },
  );
  return client;
}

const moto = await startMoto();
const { endpoint } = moto;
Object.assign(process.env, {
  AWS_ACCESS_KEY_ID: EMULATOR_CREDENTIALS.accessKeyId,
  AWS_SECRET_ACCESS_KEY: EMULATOR_CREDENTIALS.secretAccessKey,
  AWS_REGION: 'us-east-1',
});
try {
  const t = performance.now();
  const org = await createOrganization(endpoint, {
    members: Array.from({ length: ACCOUNTS - 1 }, (_, i) => ({ name: `member-${i}` })),
  });
  const seed = pLimit(4);
  await Promise.all([
    seedAccount(endpoint, account(0)),
    ...org.members.map((m, i) =>
      seed(async () => seedAccount(endpoint, account(i + 1), await credentialsIn(endpoint, m))),
    ),
  ]);
  console.log(
    `seeded ${ACCOUNTS} accounts × ${REGIONS.length} Regions, ${TOTAL} trails, in ${((performance.now() - t) / 1000).toFixed(0)} s`,
  );
  const config = { region: 'us-east-1', endpoint, credentials: EMULATOR_CREDENTIALS };
  const policies = loadPolicies([join(root, 'policies')]).policies;
  const sqs = new SQSClient(config);
  const organizations = new OrganizationsClient(config);

  for (const [run, workers] of [1, 4, 16].entries()) {
    const counter = new CallCounter();
    const table = `findings-${run}`;
    const ddb = instrument(writesOneAtATime(new DynamoDBClient(config)), counter);
    await ddb.send(
      new CreateTableCommand({
        TableName: table,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [...TABLE_KEY_SCHEMA.AttributeDefinitions],
        KeySchema: [...TABLE_KEY_SCHEMA.KeySchema],
      }),
    );
    const queueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: `sweep-${run}` })))
      .QueueUrl as string;
    const sent: Notification[] = [];
    /** One Lambda container's dependencies: its own clients, member credentials and store client. */
    const container = (): { deps: FlowDeps; destroy: () => void } => {
      const clients = new AwsClients({ endpoint, credentials: async () => EMULATOR_CREDENTIALS }, counter);
      const access = memberAccounts(
        clients,
        clients.adopt(new STSClient(clients.config('us-east-1'))),
        MANAGEMENT_ACCOUNT,
        {
          partition: 'aws',
          roleName: READER_ROLE_NAME,
          sessionName: SESSION_NAME,
        },
      );
      return {
        deps: {
          policies,
          clients,
          account: MANAGEMENT_ACCOUNT,
          partition: 'aws',
          store: notificationStore(ddb, table),
          channels: [{ name: 'sns', send: async (ns) => void sent.push(...ns) }],
          remediationEnabled: false,
          requestRemediation: async () => {},
          breaker: { maxRemediations: 3, windowMinutes: 60 },
          now: () => new Date(),
          log: { info: () => {}, warn: () => {}, error: () => {} },
          metrics: { count: () => {}, milliseconds: () => {} },
          members: {
            admits: () => true,
            access,
            remediator: { roleName: 'TrailwardenRemediator', sessionName: 'x' },
          },
        },
        destroy: () => clients.destroy(),
      };
    };

    const start = performance.now();
    const planner = container();
    const planned = await planSweep(
      planner.deps,
      {
        regions: REGIONS,
        accounts: async () => (await listActiveAccounts(organizations)).map((a) => a.id),
        send: (messages) =>
          sendMessages(
            sqs,
            queueUrl,
            messages.map((m) => JSON.stringify(m)),
          ),
      },
      { id: `bench-${run}` },
    );
    const planMs = performance.now() - start;
    planner.destroy();

    // N workers, each a container receiving batches as the SQS event source would.
    let pairs = 0;
    const worker = async () => {
      const { deps, destroy } = container();
      for (;;) {
        const r = await sqs.send(
          new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: BATCH, WaitTimeSeconds: 0 }),
        );
        const messages: Message[] = r.Messages ?? [];
        if (messages.length === 0) break;
        await Promise.all(messages.map(async (m) => sweepPair(JSON.parse(m.Body as string), deps)));
        pairs += messages.length;
        await sqs.send(
          new DeleteMessageBatchCommand({
            QueueUrl: queueUrl,
            Entries: messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle })),
          }),
        );
      }
      destroy();
    };
    await Promise.all(Array.from({ length: workers }, worker));
    const seconds = (performance.now() - start) / 1000;
    const digests = sent.filter((n) => n.finding.policyId === 'trailwarden-digest').length;
    const ops = counter.byOperation;
    const cloudTrail = [...ops]
      .filter(
        ([op]) =>
          /^(Get|List|Describe)/.test(op) &&
          !['GetItem', 'ListAccounts', 'DescribeTrails', 'ListEventDataStores'].includes(op),
      )
      .reduce((n, [, v]) => n + v, 0);
    const dynamo = ['GetItem', 'PutItem', 'UpdateItem', 'Query', 'TransactWriteItems'].reduce(
      (n, op) => n + (ops.get(op) ?? 0),
      0,
    );
    console.log(
      `1. ${workers} worker${workers > 1 ? 's' : ''} at once (batches of ${BATCH}): planner ${(planMs / 1000).toFixed(1)} s (${planned.messages} messages), sweep ${seconds.toFixed(1)} s wall, ` +
        `${((seconds * 1000) / PAIRS).toFixed(0)} ms per account-Region, ${((seconds * 1000) / TOTAL).toFixed(1)} ms per trail; ` +
        `${pairs} messages evaluated, ${digests} digest`,
    );
    console.log(
      `2. ${(cloudTrail / TOTAL).toFixed(2)} CloudTrail reads per trail, ${ops.get('DescribeTrails') ?? 0} DescribeTrails, ` +
        `${ops.get('AssumeRole') ?? 0} AssumeRole (${ACCOUNTS - 1} member accounts × the containers that met them), ` +
        `${(dynamo / PAIRS).toFixed(0)} DynamoDB requests per account-Region (${ops.get('TransactWriteItems') ?? 0} TransactWriteItems), ` +
        `${Math.ceil(planned.messages / 10)} SendMessageBatch`,
    );
    ddb.destroy();
  }
  sqs.destroy();
  organizations.destroy();
} finally {
  await moto.stop();
}
