import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import { type Notification, summaryLine, witnessLine } from './message.js';

const SUBJECT_LIMIT = 100;

/** SNS subjects are ASCII, without line breaks, at most 100 characters. */
export function snsSubject(n: Notification): string {
  const ascii = summaryLine(n).replace(/[^\x20-\x7e]/g, '?');
  return ascii.length <= SUBJECT_LIMIT ? ascii : `${ascii.slice(0, SUBJECT_LIMIT - 1)}…`.replace('…', '.');
}

/** The SNS message: JSON for machines, with attributes subscribers can filter on. */
export function snsPublishInput(topicArn: string, n: Notification) {
  return {
    TopicArn: topicArn,
    Subject: snsSubject(n),
    Message: JSON.stringify({
      transition: n.transition,
      summary: summaryLine(n),
      account: n.account,
      region: n.region,
      finding: n.finding,
      ...(witnessLine(n) ? { exampleEvent: witnessLine(n) } : {}),
      ...(n.remediation ? { remediation: n.remediation } : {}),
      ...(n.actors?.length ? { actors: n.actors } : {}),
    }),
    MessageAttributes: {
      severity: { DataType: 'String', StringValue: n.finding.severity },
      policyId: { DataType: 'String', StringValue: n.finding.policyId },
      status: { DataType: 'String', StringValue: n.finding.status },
      transition: { DataType: 'String', StringValue: n.transition },
      account: { DataType: 'String', StringValue: n.account },
      region: { DataType: 'String', StringValue: n.region },
    },
  };
}

export async function publishToSns(client: SNSClient, topicArn: string, n: Notification): Promise<void> {
  await client.send(new PublishCommand(snsPublishInput(topicArn, n)));
}
