import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import { loadConfig } from '../shared/app/config.js';
import { sweepPair } from '../shared/app/flows.js';
import { logger, metrics, runtime } from './runtime.js';

/** Read once at cold start: a bad setting fails here, naming the variable. */
const config = loadConfig();
const processor = new BatchProcessor(EventType.SQS);

/** A body that is not JSON is a malformed message: the flow drops it, with a metric. */
function body(record: SQSRecord): unknown {
  try {
    return JSON.parse(record.body);
  } catch {
    return { malformed: record.body.slice(0, 200) };
  }
}

/**
 * The sweep queue (central stack): each message is one account-Region. Messages of a batch run side
 * by side; one that fails is reported back alone (ReportBatchItemFailures), so SQS retries only it
 * and, after the queue's retries, moves it to the sweep's dead-letter queue.
 */
export const handler = middy(async (event: SQSEvent, context: Context) => {
  const deps = await runtime(context, config);
  return processPartialResponse(
    event,
    async (record: SQSRecord) => {
      const outcome = await sweepPair(body(record), deps);
      if (outcome.outcome === 'dropped') logger.warn('dropped a sweep message', { reason: outcome.reason });
      return outcome;
    },
    processor,
    { context },
  );
})
  .use(injectLambdaContext(logger, { clearState: true }))
  .use(logMetrics(metrics, { captureColdStartMetric: true }));
