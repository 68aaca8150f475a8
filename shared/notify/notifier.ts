import { TrailwardenError } from '../errors.js';
import type { Notification } from './message.js';

/** One place findings go: SNS, Slack, Security Hub, EventBridge… */
export interface Channel {
  readonly name: string;
  send(notifications: readonly Notification[]): Promise<void>;
}

/**
 * One channel did not take a notification: which (`channel`), and what its service answered
 * (`code`: an HTTP status or the service's error code, when it gave one). The message never holds
 * a secret such as a webhook URL.
 */
export class ChannelError extends TrailwardenError {
  readonly channel: string;
  readonly code: string | undefined;
  constructor(channel: string, message: string, code?: string) {
    super(message);
    this.name = 'ChannelError';
    this.channel = channel;
    this.code = code;
  }
}

/** Some channels did not take their notifications; they stay in the outbox for the retry. */
export class NotificationError extends TrailwardenError {
  readonly failures: readonly { channel: string; error: unknown }[];
  constructor(failures: readonly { channel: string; error: unknown }[]) {
    super(
      `notification failed on ${failures.map((f) => `${f.channel} (${(f.error as Error)?.message ?? String(f.error)})`).join(', ')}`,
    );
    this.name = 'NotificationError';
    this.failures = failures;
  }
}
