import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import { scheduledSweep } from '../shared/app/flows.js';
import { logger, metrics, runtime } from './runtime.js';

/** On a schedule: sweep the configured Regions (REGIONS, comma-separated), repair, send one digest. */
export const handler = middy(async (_event: unknown, context: { invokedFunctionArn?: string }) => {
  const regions = (process.env.REGIONS ?? process.env.AWS_REGION ?? 'us-east-1')
    .split(',')
    .map((r) => r.trim())
    .filter(Boolean);
  return scheduledSweep(regions, await runtime(context));
})
  .use(injectLambdaContext(logger, { clearState: true }))
  .use(logMetrics(metrics, { captureColdStartMetric: true }));
