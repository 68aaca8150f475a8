/**
 * What every handler shares, built once per cold start: policies (loaded and validated from the
 * bundle), AWS clients, the finding store, notification channels, logging and metrics.
 */
import { isAbsolute, join } from 'node:path';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { FlowDeps, RemediationRequest } from '../shared/app/flows.js';
import { AwsClients } from '../shared/aws/clients.js';
import type { Channel } from '../shared/notify/notifier.js';
import { combinePolicyResults, type Policy, parsePolicyData } from '../shared/policy/document.js';
import { DEFAULT_BREAKER } from '../shared/state/breaker.js';
import { FindingStore } from '../shared/state/findingStore.js';

export const logger = new Logger({ serviceName: 'trailwarden' });
export const metrics = new Metrics({ namespace: 'Trailwarden', serviceName: 'trailwarden' });

const env = (name: string, fallback?: string): string => {
  const v = process.env[name] ?? fallback;
  if (v === undefined) throw new Error(`environment variable ${name} is not set`);
  return v;
};

/** Set at build time by stack/esbuild-plugins.cjs: the bundled policy files, as data. */
declare const __TRAILWARDEN_POLICIES__: readonly { file: string; data: unknown }[] | undefined;

/**
 * The policies this function enforces, validated (schema and checks) once per cold start. In a
 * Lambda bundle they are embedded data; elsewhere (tests, local runs) the YAML files of POLICY_PATHS.
 */
export async function loadBundledPolicies(
  paths = env('POLICY_PATHS', 'policies'),
  root = process.cwd(),
): Promise<Policy[]> {
  if (typeof __TRAILWARDEN_POLICIES__ !== 'undefined') {
    return combinePolicyResults(__TRAILWARDEN_POLICIES__.map((d) => parsePolicyData(d.data, d.file)))
      .policies;
  }
  // Loaded only off Lambda: the file reader and YAML parser are not in the bundles' start-up path.
  const { loadPolicies } = await import('../shared/cli/io.js');
  return loadPolicies(paths.split(',').map((p) => (isAbsolute(p.trim()) ? p.trim() : join(root, p.trim()))))
    .policies;
}

function channels(region: string): Channel[] {
  const out: Channel[] = [];
  const topic = process.env.TOPIC_ARN;
  if (topic) {
    // Most invocations change no finding's state and send nothing: the SNS client loads on first use.
    let sns: import('@aws-sdk/client-sns').SNSClient | undefined;
    out.push({
      name: 'sns',
      send: async (ns) => {
        const [{ SNSClient }, { publishToSns }] = await Promise.all([
          import('@aws-sdk/client-sns'),
          import('../shared/notify/sns.js'),
        ]);
        sns ??= new SNSClient({ region });
        const client = sns;
        await Promise.all(ns.map((n) => publishToSns(client, topic, n)));
      },
    });
  }
  // Optional channels load their SDK clients only when a stage turns them on: less to load at cold start.
  const slackParameter = process.env.SLACK_WEBHOOK_PARAMETER;
  if (slackParameter) {
    out.push({
      name: 'slack',
      send: async (ns) => {
        const [{ getParameter }, { IncomingWebhook }, { sendToSlack }] = await Promise.all([
          import('@aws-lambda-powertools/parameters/ssm'),
          import('@slack/webhook'),
          import('../shared/notify/slack.js'),
        ]);
        // The webhook URL is a secret: read from SSM (SecureString, cached 5 minutes), never logged.
        const url = await getParameter(slackParameter, { decrypt: true, maxAge: 300 });
        if (!url) throw new Error(`SSM parameter ${slackParameter} is empty`);
        const webhook = new IncomingWebhook(url);
        for (const n of ns) await sendToSlack(webhook, n);
      },
    });
  }
  if (process.env.SECURITY_HUB === 'true') {
    out.push({
      name: 'securityhub',
      send: async (ns) => {
        const [{ SecurityHubClient }, { importToSecurityHub, toAsff }] = await Promise.all([
          import('@aws-sdk/client-securityhub'),
          import('../shared/notify/asff.js'),
        ]);
        const hub = new SecurityHubClient({ region });
        const failed = await importToSecurityHub(
          hub,
          ns.map((n) => toAsff(n.finding, n.account, region, 'aws', new Date())),
        );
        if (failed > 0) throw new Error(`Security Hub rejected ${failed} findings`);
      },
    });
  }
  return out;
}

let deps: Promise<FlowDeps> | undefined;

/** The account, from the function's own ARN (arn:aws:lambda:REGION:ACCOUNT:function:NAME). */
export function accountOf(context: { invokedFunctionArn?: string }): string {
  const account = context.invokedFunctionArn?.split(':')[4];
  if (!account || !/^\d{12}$/.test(account))
    throw new Error(`cannot read the account from ${context.invokedFunctionArn}`);
  return account;
}

/** The flows' dependencies, created on the first invocation of a container and reused. */
export function runtime(context: { invokedFunctionArn?: string }): Promise<FlowDeps> {
  deps ??= (async () => {
    const region = env('AWS_REGION', 'us-east-1');
    const policies = await loadBundledPolicies();
    const clients = new AwsClients();
    const remediateFunction = process.env.REMEDIATE_FUNCTION;
    let lambda: import('@aws-sdk/client-lambda').LambdaClient | undefined;
    return {
      policies,
      clients,
      account: accountOf(context),
      store: new FindingStore(new DynamoDBClient({ region }), env('TABLE_NAME')),
      channels: channels(region),
      remediationEnabled: process.env.REMEDIATION === 'true',
      ...(process.env.REMEDIATION_ROLE_ARN ? { remediationRoleArn: process.env.REMEDIATION_ROLE_ARN } : {}),
      requestRemediation: async (request: RemediationRequest) => {
        if (!remediateFunction) throw new Error('REMEDIATE_FUNCTION is not set');
        // Only evaluators request repairs, and only on drift: the Lambda client loads then.
        const { InvokeCommand, LambdaClient } = await import('@aws-sdk/client-lambda');
        lambda ??= new LambdaClient({ region });
        await lambda.send(
          new InvokeCommand({
            FunctionName: remediateFunction,
            InvocationType: 'Event',
            Payload: Buffer.from(JSON.stringify(request)),
          }),
        );
      },
      breaker: {
        maxRemediations: Number(process.env.BREAKER_MAX ?? DEFAULT_BREAKER.maxRemediations),
        windowMinutes: Number(process.env.BREAKER_WINDOW_MINUTES ?? DEFAULT_BREAKER.windowMinutes),
      },
      now: () => new Date(),
      log: {
        info: (message, extra = {}) => logger.info(message, extra),
        warn: (message, extra = {}) => logger.warn(message, extra),
        error: (message, extra = {}) => logger.error(message, extra),
      },
      metrics: {
        count: (name, value = 1) => metrics.addMetric(name, MetricUnit.Count, value),
        milliseconds: (name, value) => metrics.addMetric(name, MetricUnit.Milliseconds, value),
      },
    } satisfies FlowDeps;
  })();
  return deps;
}
