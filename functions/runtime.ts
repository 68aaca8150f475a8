/**
 * What every handler shares, built once per cold start: policies (loaded and validated from the
 * bundle), AWS clients, the finding store, notification channels, logging and metrics.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Config } from '../shared/app/config.js';
import type { FlowDeps, Members, RemediationRequest } from '../shared/app/flows.js';
import { notificationStore } from '../shared/app/store.js';
import { memberAccounts } from '../shared/aws/accounts.js';
import { AwsClients } from '../shared/aws/clients.js';
import {
  READER_ROLE_NAME,
  REMEDIATE_SESSION_NAME,
  REMEDIATOR_ROLE_NAME,
  SESSION_NAME,
} from '../shared/aws/credentials.js';
import { WATCHED_EVENT_NAMES } from '../shared/events/cloudtrailEvent.js';
import type { Channel } from '../shared/notify/notifier.js';
import { combinePolicyResults, type Policy, parsePolicyData } from '../shared/policy/document.js';

export const logger = new Logger({ serviceName: 'trailwarden' });
export const metrics = new Metrics({ namespace: 'Trailwarden', serviceName: 'trailwarden' });

/** Set at build time by stack/esbuild-plugins.cjs: the bundled policy files, as data. */
declare const __TRAILWARDEN_POLICIES__: readonly { file: string; data: unknown }[] | undefined;

/**
 * The policies this function enforces, validated (schema and checks) once per cold start. In a
 * Lambda bundle they are embedded data; elsewhere (tests, local runs) the YAML files of POLICY_PATHS.
 */
export async function loadBundledPolicies(paths = 'policies', root = process.cwd()): Promise<Policy[]> {
  if (typeof __TRAILWARDEN_POLICIES__ !== 'undefined') {
    return combinePolicyResults(__TRAILWARDEN_POLICIES__.map((d) => parsePolicyData(d.data, d.file)))
      .policies;
  }
  // Loaded only off Lambda: the file reader and YAML parser are not in the bundles' start-up path.
  const { readPolicyFiles } = await import('../shared/app/policyFiles.js');
  return readPolicyFiles(paths, root);
}

/** A channel whose SDK client and formatter load on first use: most invocations notify nothing. */
function lazyChannel(name: string, load: () => Promise<Channel['send']>): Channel {
  let send: Promise<Channel['send']> | undefined;
  return {
    name,
    send: async (ns) => {
      send ??= load();
      return (await send)(ns);
    },
  };
}

function channels(config: Config, partition: string): Channel[] {
  const { region } = config;
  const out: Channel[] = [];
  const topic = config.topicArn;
  if (topic) {
    out.push(
      lazyChannel('sns', async () => {
        const [{ SNSClient }, { publishToSns }] = await Promise.all([
          import('@aws-sdk/client-sns'),
          import('../shared/notify/sns.js'),
        ]);
        const sns = new SNSClient({ region });
        return async (ns) => void (await Promise.all(ns.map((n) => publishToSns(sns, topic, n))));
      }),
    );
  }
  const slackParameter = config.slackParameter;
  if (slackParameter) {
    out.push(
      lazyChannel('slack', async () => {
        const [{ getParameter }, { slackChannel }] = await Promise.all([
          import('@aws-lambda-powertools/parameters/ssm'),
          import('../shared/notify/slack.js'),
        ]);
        // The webhook URL is a secret: read from SSM (SecureString, cached 5 minutes), never logged.
        return slackChannel({
          parameterName: slackParameter,
          webhookUrl: () => getParameter(slackParameter, { decrypt: true, maxAge: 300 }),
        }).send;
      }),
    );
  }
  if (config.securityHub) {
    out.push(
      lazyChannel('securityhub', async () => {
        const [{ SecurityHubClient }, { importToSecurityHub, toAsff }] = await Promise.all([
          import('@aws-sdk/client-securityhub'),
          import('../shared/notify/asff.js'),
        ]);
        const hub = new SecurityHubClient({ region });
        return async (ns) => {
          const failed = await importToSecurityHub(
            hub,
            ns.map((n) => toAsff(n.finding, n.account, region, partition, new Date())),
          );
          if (failed > 0) throw new Error(`Security Hub rejected ${failed} findings`);
        };
      }),
    );
  }
  if (config.eventBridgeFindings) {
    out.push(
      lazyChannel('eventbridge', async () => {
        const [{ EventBridgeClient }, { publishToEventBridge }] = await Promise.all([
          import('@aws-sdk/client-eventbridge'),
          import('../shared/notify/eventbridge.js'),
        ]);
        const events = new EventBridgeClient({ region });
        return async (ns) => {
          for (const n of ns) await publishToEventBridge(events, n);
        };
      }),
    );
  }
  return out;
}

let deps: Promise<FlowDeps> | undefined;

/** Which member role a function of a central stack enters accounts with: evaluators read, remediate repairs. */
export type MemberPurpose = 'read' | 'remediate';

/**
 * A central stack's way into member accounts: each account's member role (the reader for the
 * evaluating functions, the remediator for remediate, or the one `memberRoleName`), assumed once
 * per account and kept for the container's life; and, when policies select by OU, each account's
 * place in the organization.
 */
async function centralMembers(
  central: NonNullable<Config['central']>,
  clients: AwsClients,
  identity: { account: string; partition: string },
  region: string,
  purpose: MemberPurpose,
  policies: readonly Policy[],
): Promise<Members> {
  const { STSClient } = await import('@aws-sdk/client-sts');
  const remediator = {
    roleName: central.memberRoleName ?? REMEDIATOR_ROLE_NAME,
    sessionName: REMEDIATE_SESSION_NAME,
  };
  const access = memberAccounts(
    clients,
    clients.adopt(new STSClient(clients.config(region))),
    identity.account,
    {
      partition: identity.partition,
      roleName: purpose === 'remediate' ? remediator.roleName : (central.memberRoleName ?? READER_ROLE_NAME),
      sessionName: purpose === 'remediate' ? REMEDIATE_SESSION_NAME : SESSION_NAME,
      ...(central.externalId ? { externalId: central.externalId } : {}),
    },
  );
  const listed = central.accounts === 'organization' ? undefined : new Set(central.accounts);
  let placement: Members['placement'];
  if (policies.some((p) => p.select?.ous)) {
    const [{ OrganizationsClient }, { accountPlacements }] = await Promise.all([
      import('@aws-sdk/client-organizations'),
      import('../shared/aws/organization.js'),
    ]);
    placement = accountPlacements(clients.adopt(new OrganizationsClient(clients.config(region))));
  }
  return {
    // The bus admits only the organization's accounts; a list narrows that further.
    admits: (account) => !listed || listed.has(account),
    access,
    remediator,
    ...(placement ? { placement } : {}),
  };
}

/** The account and partition, from the function's own ARN (arn:PARTITION:lambda:REGION:ACCOUNT:function:NAME). */
export function identityOf(context: { invokedFunctionArn?: string }): { account: string; partition: string } {
  const parts = context.invokedFunctionArn?.split(':') ?? [];
  const [, partition, , , account] = parts;
  if (parts[0] !== 'arn' || !partition || !account || !/^\d{12}$/.test(account))
    throw new Error(`cannot read the account from ${context.invokedFunctionArn}`);
  return { account, partition };
}

/** The account, from the function's own ARN. */
export const accountOf = (context: { invokedFunctionArn?: string }) => identityOf(context).account;

/** The flows' dependencies, created on the first invocation of a container and reused. */
export function runtime(
  context: { invokedFunctionArn?: string },
  config: Config,
  purpose: MemberPurpose = 'read',
): Promise<FlowDeps> {
  deps ??= (async () => {
    const { region } = config;
    const { account, partition } = identityOf(context);
    const policies = await loadBundledPolicies(config.policyPaths);
    const clients = new AwsClients();
    const members = config.central
      ? await centralMembers(config.central, clients, { account, partition }, region, purpose, policies)
      : undefined;
    const remediateFunction = config.remediateFunction;
    let lambda: import('@aws-sdk/client-lambda').LambdaClient | undefined;
    const watched = config.watchedRule;
    const target = config.onTrailChangeFunction;
    return {
      policies,
      clients,
      account,
      partition,
      store: notificationStore(new DynamoDBClient({ region }), config.table),
      channels: channels(config, partition),
      remediationEnabled: config.remediation,
      ...(config.remediationRoleArn ? { remediationRoleArn: config.remediationRoleArn } : {}),
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
      breaker: config.breaker,
      ...(watched && target
        ? {
            watcher: async () => {
              const [{ EventBridgeClient }, { checkRule }] = await Promise.all([
                import('@aws-sdk/client-eventbridge'),
                import('../shared/aws/watcher.js'),
              ]);
              return checkRule(new EventBridgeClient({ region }), {
                ruleName: watched,
                functionArn: `arn:${partition}:lambda:${region}:${account}:function:${target}`,
                eventNames: WATCHED_EVENT_NAMES,
                partition,
                region,
                account,
                ...(config.central?.changeBus ? { eventBus: config.central.changeBus } : {}),
              });
            },
          }
        : {}),
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
      ...(members ? { members } : {}),
    } satisfies FlowDeps;
  })();
  return deps;
}
