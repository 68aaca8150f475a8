import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { OrganizationsClient } from '@aws-sdk/client-organizations';
import { SQSClient } from '@aws-sdk/client-sqs';
import middy from '@middy/core';
import { ConfigError, loadConfig } from '../shared/app/config.js';
import { planSweep } from '../shared/app/flows.js';
import { listActiveAccounts, readOrganizationTree } from '../shared/aws/organization.js';
import { sendMessages } from '../shared/aws/sweepQueue.js';
import { logger, metrics, runtime } from './runtime.js';

/** Read once at cold start: a bad setting fails here, naming the variable. */
const config = loadConfig();
const central = config.central;
if (!central?.sweepQueueUrl)
  throw new ConfigError(
    `invalid configuration: ${central ? 'SWEEP_QUEUE_URL is required by the sweep planner' : 'the sweep planner runs in a central stack only (STACK_MODE=central)'}`,
  );
const queueUrl = central.sweepQueueUrl;

let organizations: OrganizationsClient | undefined;
let sqs: SQSClient | undefined;

/**
 * On a schedule (central stack): every account × Region as one message on the sweep queue, the
 * change rule checked, one digest when the last sweepWorker reports.
 */
export const handler = middy(async (event: unknown, context: { invokedFunctionArn?: string }) => {
  const deps = await runtime(context, config);
  organizations ??= new OrganizationsClient({ region: config.region });
  sqs ??= new SQSClient({ region: config.region });
  const org = organizations;
  const queue = sqs;
  // The scheduled event's id is the same on each retry of this invocation: the same sweep.
  const id = (event as { id?: unknown } | null)?.id;
  return planSweep(
    deps,
    {
      regions: config.regions,
      accounts:
        central.accounts === 'organization'
          ? async () => (await listActiveAccounts(org)).map((a) => a.id)
          : async () => central.accounts as readonly string[],
      organization: () => readOrganizationTree(org),
      send: (messages) =>
        sendMessages(
          queue,
          queueUrl,
          messages.map((m) => JSON.stringify(m)),
        ),
    },
    typeof id === 'string' ? { id } : {},
  );
})
  .use(injectLambdaContext(logger, { clearState: true }))
  .use(logMetrics(metrics, { captureColdStartMetric: true }));
