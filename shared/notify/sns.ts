import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import { fitDocument, type Notification, summaryLine } from './message.js';

const SUBJECT_LIMIT = 100;
/** SNS takes at most 256 KB per message, counting the message attributes. */
export const SNS_MESSAGE_LIMIT = 262_144;

/** SNS subjects are ASCII, without line breaks, at most 100 characters. */
export function snsSubject(n: Notification): string {
  const ascii = summaryLine(n).replace(/[^\x20-\x7e]/g, '?');
  return ascii.length <= SUBJECT_LIMIT ? ascii : `${ascii.slice(0, SUBJECT_LIMIT - 3)}...`;
}

/** The SNS message: JSON for machines, with attributes subscribers can filter on, within SNS's limits. */
export function snsPublishInput(topicArn: string, n: Notification) {
  const attributes = {
    severity: n.finding.severity,
    policyId: n.finding.policyId,
    status: n.finding.status,
    transition: n.transition,
    account: n.account,
    region: n.region,
  };
  const attributeBytes = Object.entries(attributes).reduce(
    (sum, [k, v]) => sum + Buffer.byteLength(k) + Buffer.byteLength(v) + 'String'.length,
    0,
  );
  return {
    TopicArn: topicArn,
    Subject: snsSubject(n),
    Message: fitDocument(n, SNS_MESSAGE_LIMIT - attributeBytes),
    MessageAttributes: Object.fromEntries(
      Object.entries(attributes).map(([k, v]) => [k, { DataType: 'String', StringValue: v }]),
    ),
  };
}

export async function publishToSns(client: SNSClient, topicArn: string, n: Notification): Promise<void> {
  await client.send(new PublishCommand(snsPublishInput(topicArn, n)));
}
