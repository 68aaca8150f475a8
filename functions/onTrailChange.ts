import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import { loadConfig } from '../shared/app/config.js';
import { onTrailChange } from '../shared/app/flows.js';
import { logger, metrics, runtime } from './runtime.js';

/** Read once at cold start: a bad setting fails here, naming the variable. */
const config = loadConfig();

/** EventBridge "AWS API Call via CloudTrail" → evaluate what the change affects, repair, notify. */
export const handler = middy(async (event: unknown, context: { invokedFunctionArn?: string }) =>
  onTrailChange(event, await runtime(context, config)),
)
  .use(injectLambdaContext(logger, { clearState: true }))
  .use(logMetrics(metrics, { captureColdStartMetric: true }));
