import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import { onTrailChange } from '../shared/app/flows.js';
import { logger, metrics, runtime } from './runtime.js';

/** EventBridge "AWS API Call via CloudTrail" → evaluate the changed resource, repair, notify. */
export const handler = middy(async (event: unknown, context: { invokedFunctionArn?: string }) =>
  onTrailChange(event, await runtime(context)),
)
  .use(injectLambdaContext(logger, { clearState: true }))
  .use(logMetrics(metrics, { captureColdStartMetric: true }));
