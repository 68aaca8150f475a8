import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import { loadConfig } from '../shared/app/config.js';
import { scheduledSweep } from '../shared/app/flows.js';
import { logger, metrics, runtime } from './runtime.js';

/** Read once at cold start: a bad setting fails here, naming the variable. */
const config = loadConfig();

/** On a schedule: sweep the configured Regions, check the change rule, repair, send one digest. */
export const handler = middy(async (event: unknown, context: { invokedFunctionArn?: string }) => {
  // The scheduled event's id is the same on each retry of this invocation.
  const id = (event as { id?: unknown } | null)?.id;
  return scheduledSweep(config.regions, await runtime(context, config), typeof id === 'string' ? { id } : {});
})
  .use(injectLambdaContext(logger, { clearState: true }))
  .use(logMetrics(metrics, { captureColdStartMetric: true }));
