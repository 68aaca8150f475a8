import type { Notification } from './message.js';

/** One place findings go: SNS, Slack, Security Hub… */
export interface Channel {
  readonly name: string;
  send(notifications: readonly Notification[]): Promise<void>;
}

export class NotificationError extends Error {
  readonly failures: readonly { channel: string; error: unknown }[];
  constructor(failures: readonly { channel: string; error: unknown }[]) {
    super(
      `notification failed on ${failures.map((f) => `${f.channel} (${(f.error as Error)?.message ?? String(f.error)})`).join(', ')}`,
    );
    this.name = 'NotificationError';
    this.failures = failures;
  }
}

/**
 * Sends to every channel; a failed channel does not stop the others. Afterwards it throws if any
 * failed, so the invocation is retried and, in the end, lands in the dead-letter queue: no finding is lost.
 */
export async function notifyAll(
  channels: readonly Channel[],
  notifications: readonly Notification[],
): Promise<void> {
  if (notifications.length === 0) return;
  const results = await Promise.allSettled(channels.map((c) => c.send(notifications)));
  const failures = results.flatMap((r, i) =>
    r.status === 'rejected' ? [{ channel: (channels[i] as Channel).name, error: r.reason }] : [],
  );
  if (failures.length > 0) throw new NotificationError(failures);
}
