import { SendMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { translateAwsError } from './errors.js';

/** SendMessageBatch takes at most ten messages. */
const BATCH = 10;
const ATTEMPTS = 3;

/**
 * Sends every body to the queue, ten per `SendMessageBatch`. A batch can succeed for some entries
 * and fail for others: those are sent again (up to three attempts), and if any still fails the
 * whole send fails naming how many and why, so the caller's retry sends them (a message sent twice
 * is harmless to a sweep: each account-Region counts once).
 */
export async function sendMessages(client: SQSClient, queueUrl: string, bodies: readonly string[]) {
  for (let start = 0; start < bodies.length; start += BATCH) {
    let entries = bodies
      .slice(start, start + BATCH)
      .map((body, i) => ({ Id: String(start + i), MessageBody: body }));
    let failed: { Id?: string; Code?: string; Message?: string }[] = [];
    for (let attempt = 0; attempt < ATTEMPTS && entries.length > 0; attempt++) {
      try {
        const r = await client.send(new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: entries }));
        failed = r.Failed ?? [];
      } catch (error) {
        throw translateAwsError(error, 'SendMessageBatch');
      }
      const retry = new Set(failed.map((f) => f.Id));
      entries = entries.filter((e) => retry.has(e.Id));
    }
    if (entries.length > 0)
      throw new Error(
        `SendMessageBatch: ${entries.length} messages could not be sent to ${queueUrl}: ${failed
          .map((f) => `${f.Code ?? 'Error'}${f.Message ? ` (${f.Message})` : ''}`)
          .join(', ')}`,
      );
  }
}
