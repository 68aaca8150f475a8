import { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import type { FlowDeps, RemediationRequest } from '../../shared/app/flows.js';
import { notificationStore } from '../../shared/app/store.js';
import { AwsClients } from '../../shared/aws/clients.js';
import { type SeedAccount, seedAccount } from '../../shared/emulator/seed.js';
import { parsePolicyFiles } from '../../shared/policy/loader.js';
import { TABLE_KEY_SCHEMA } from '../../shared/state/findingStore.js';

export const REGION = 'us-east-1';
export const AWS_ENV = {
  AWS_ACCESS_KEY_ID: 'testing',
  AWS_SECRET_ACCESS_KEY: 'testing',
  AWS_REGION: REGION,
  AWS_EC2_METADATA_DISABLED: 'true',
} as const;

export function sdk(endpoint: string) {
  Object.assign(process.env, AWS_ENV);
  return {
    ct: new CloudTrailClient({ region: REGION, endpoint }),
    s3: new S3Client({ region: REGION, endpoint, forcePathStyle: true }),
  };
}

/**
 * A drifted account: a write-only security trail without log file validation and with one of two
 * Insights, a data trail whose payroll exclusion excludes nothing, and a stopped trail.
 */
export const DRIFTED_ACCOUNT: SeedAccount = {
  bucket: 'acme-cloudtrail-logs',
  trails: [
    {
      name: 'security-trail',
      region: REGION,
      options: { IsMultiRegionTrail: true, TagsList: [{ Key: 'role', Value: 'security' }] },
      selectors: { EventSelectors: [{ ReadWriteType: 'WriteOnly', IncludeManagementEvents: true }] },
      insights: [{ InsightType: 'ApiErrorRateInsight', EventCategories: ['Management'] }],
      logging: true,
    },
    {
      name: 'data-trail',
      region: REGION,
      options: { TagsList: [{ Key: 'role', Value: 'data' }], EnableLogFileValidation: true },
      selectors: {
        AdvancedEventSelectors: [
          { FieldSelectors: [{ Field: 'eventCategory', Equals: ['Management'] }] },
          {
            Name: 'S3 writes except payroll',
            FieldSelectors: [
              { Field: 'eventCategory', Equals: ['Data'] },
              { Field: 'resources.type', Equals: ['AWS::S3::Object'] },
              { Field: 'readOnly', Equals: ['false'] },
              { Field: 'resources.ARN', NotEquals: ['arn:aws:s3:::acme-payroll/'] },
            ],
          },
        ],
      },
      insights: [{ InsightType: 'ApiErrorRateInsight' }],
      logging: true,
    },
    {
      name: 'stopped-trail',
      region: REGION,
      options: { EnableLogFileValidation: true, TagsList: [{ Key: 'role', Value: 'legacy' }] },
      selectors: { EventSelectors: [{ ReadWriteType: 'All', IncludeManagementEvents: true }] },
      insights: [{ InsightType: 'ApiErrorRateInsight' }],
      logging: false,
    },
  ],
};

/** Seeds DRIFTED_ACCOUNT; returns SDK clients on the emulator for the test's own calls. */
export async function seedDriftedAccount(endpoint: string) {
  await seedAccount(endpoint, DRIFTED_ACCOUNT);
  return sdk(endpoint);
}

/** Policies that repair that account: a complete security trail, payroll coverage, and logging everywhere. */
export const INTEGRATION_POLICIES = `version: 1
policies:
  - id: security-trail
    severity: high
    select: { tags: { role: security } }
    action: remediate
    require:
      logging: true
      multiRegion: true
      logFileValidation: true
      logEvents:
        - FieldSelectors: [{ Field: eventCategory, Equals: [Management] }]
      insights:
        - { InsightType: ApiCallRateInsight, EventCategories: [Management] }
  - id: payroll-writes
    severity: critical
    quantifier: union
    action: remediate
    require:
      logEvents:
        - FieldSelectors:
            - { Field: eventCategory, Equals: [Data] }
            - { Field: resources.type, Equals: ["AWS::S3::Object"] }
            - { Field: readOnly, Equals: ["false"] }
            - { Field: resources.ARN, StartsWith: ["arn:aws:s3:::acme-payroll/"] }
  - id: everything-logging
    severity: high
    action: remediate
    require:
      logging: true
`;

/**
 * moto checks a write's condition and applies it without a lock: two concurrent requests can both
 * pass a condition that DynamoDB lets only one pass (it serializes the writes to an item). The
 * tests' client therefore sends its requests to moto one at a time; invocations still interleave
 * between requests, so every race of the flows stays possible, as on DynamoDB.
 */
export function oneRequestAtATime(client: DynamoDBClient): DynamoDBClient {
  let tail: Promise<unknown> = Promise.resolve();
  client.middlewareStack.add(
    (next) => (args) => {
      const run = tail.then(() => next(args));
      tail = run.catch(() => undefined);
      return run;
    },
    { step: 'deserialize', name: 'motoOneRequestAtATime' },
  );
  return client;
}

/**
 * Flow dependencies wired to moto: a fresh findings table, remediation requests queued in memory
 * (the caller runs `remediate` on them, as the async invocation would), quiet logs and metrics.
 * The table is created if missing (moto is reset between tests).
 */
export async function motoFlowDeps(endpoint: string, overrides: Partial<FlowDeps> = {}) {
  const ddb = oneRequestAtATime(new DynamoDBClient({ region: REGION, endpoint }));
  await ddb.send(
    new CreateTableCommand({
      TableName: 'findings',
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [...TABLE_KEY_SCHEMA.AttributeDefinitions],
      KeySchema: [...TABLE_KEY_SCHEMA.KeySchema],
    }),
  );
  const requests: RemediationRequest[] = [];
  const deps: FlowDeps = {
    policies: parsePolicyFiles([{ file: 'policies.yaml', text: INTEGRATION_POLICIES }]).policies,
    clients: new AwsClients({ endpoint }),
    account: '123456789012',
    partition: 'aws',
    store: notificationStore(ddb, 'findings'),
    channels: [],
    remediationEnabled: true,
    requestRemediation: async (r) => void requests.push(r),
    breaker: { maxRemediations: 3, windowMinutes: 60 },
    now: () => new Date(),
    log: { info: () => {}, warn: () => {}, error: () => {} },
    metrics: { count: () => {}, milliseconds: () => {} },
    ...overrides,
  };
  return { deps, requests, ddb };
}
