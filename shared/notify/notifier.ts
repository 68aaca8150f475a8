import type { Notification } from './message.js';

/** One place findings go: SNS, Slack, Security Hub, EventBridge… */
export interface Channel {
  readonly name: string;
  send(notifications: readonly Notification[]): Promise<void>;
}

/** Some channels did not take their notifications; they stay in the outbox for the retry. */
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
