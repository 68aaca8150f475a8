import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { fitNotification, type Notification } from '../notify/message.js';
import { FindingStore, type FindingStoreOptions } from '../state/findingStore.js';

/**
 * A notification as the outbox keeps it: JSON within `limit` bytes, its finding's message shortened
 * (and saying so) when it is too long to store whole.
 */
export const encodeNotification = (notification: Notification, limit: number): string =>
  fitNotification(notification, limit, (n, note) =>
    JSON.stringify(note ? { ...n, finding: { ...n.finding, message: `${n.finding.message} [${note}]` } } : n),
  );

/** The flows' finding state in DynamoDB: its outbox carries notifications. */
export const notificationStore = (
  client: DynamoDBClient,
  table: string,
  options: Omit<FindingStoreOptions<Notification>, 'encode'> = {},
) => new FindingStore<Notification>(client, table, { ...options, encode: encodeNotification });
