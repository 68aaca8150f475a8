import { type EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { fitDocument, type Notification } from './message.js';
import { ChannelError } from './notifier.js';

export const FINDING_SOURCE = 'trailwarden';
export const FINDING_DETAIL_TYPE = 'Trailwarden Finding';
/** PutEvents takes at most 256 KB per entry, counting source, detail type, resources and detail. */
const ENTRY_LIMIT = 262_144;

/**
 * One transition as an event on the account's default bus, so findings can be routed with rules
 * (to Step Functions, a ticketing system, another account), as GuardDuty and Security Hub findings are.
 */
export function findingEvent(n: Notification, eventBusName = 'default') {
  const resources = n.finding.resource.startsWith('arn:') ? [n.finding.resource] : [];
  const overhead =
    FINDING_SOURCE.length +
    FINDING_DETAIL_TYPE.length +
    resources.reduce((s, r) => s + Buffer.byteLength(r), 0);
  return {
    Source: FINDING_SOURCE,
    DetailType: FINDING_DETAIL_TYPE,
    EventBusName: eventBusName,
    Resources: resources,
    Detail: fitDocument(n, ENTRY_LIMIT - overhead - 64),
  };
}

/** PutEvents answers 200 even when an entry failed: a failed entry is an error here. */
export async function publishToEventBridge(
  client: EventBridgeClient,
  n: Notification,
  eventBusName = 'default',
): Promise<void> {
  const r = await client.send(new PutEventsCommand({ Entries: [findingEvent(n, eventBusName)] }));
  if ((r.FailedEntryCount ?? 0) > 0) {
    const entry = r.Entries?.find((e) => e.ErrorCode);
    throw new ChannelError(
      'eventbridge',
      `EventBridge rejected the finding event: ${entry?.ErrorCode ?? 'unknown'}: ${entry?.ErrorMessage ?? ''}`.trim(),
      entry?.ErrorCode,
    );
  }
}
