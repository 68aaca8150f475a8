import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import { type RemediationRequest, remediate } from '../shared/app/flows.js';
import { logger, metrics, runtime } from './runtime.js';

/** The only function allowed to write: re-reads the resource, applies a fresh plan, verifies, reports. */
export const handler = middy(
  async (request: RemediationRequest, context: { invokedFunctionArn?: string }) => {
    logger.appendKeys({ resource: request.resource });
    return remediate(request, await runtime(context));
  },
)
  .use(injectLambdaContext(logger, { clearState: true }))
  .use(logMetrics(metrics, { captureColdStartMetric: true }));
