import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import { loadConfig } from '../shared/app/config.js';
import { remediate } from '../shared/app/flows.js';
import { logger, metrics, runtime } from './runtime.js';

/** Read once at cold start: a bad setting fails here, naming the variable. */
const config = loadConfig();

/** The only function allowed to write: re-reads the resource, applies a fresh plan, verifies, reports. */
export const handler = middy(async (request: unknown, context: { invokedFunctionArn?: string }) => {
  const resource = (request as { resource?: unknown } | null)?.resource;
  if (typeof resource === 'string') logger.appendKeys({ resource });
  return remediate(request, await runtime(context, config, 'remediate'));
})
  .use(injectLambdaContext(logger, { clearState: true }))
  .use(logMetrics(metrics, { captureColdStartMetric: true }));
