import { IncomingWebhook, IncomingWebhookHTTPError } from '@slack/webhook';
import { type Notification, summaryLine, titleOf, witnessLine } from './message.js';
import { type Channel, ChannelError } from './notifier.js';

/** Slack's limits: 3000 characters in a section's text, 50 blocks per message. */
const SECTION_LIMIT = 3000;

/** User-controlled text (names, messages, ARNs) must not be read as Slack markup or mentions. */
export function escapeSlack(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

const clip = (text: string, limit = SECTION_LIMIT) =>
  text.length <= limit ? text : `${text.slice(0, limit - 1)}…`;
const section = (text: string) => ({ type: 'section', text: { type: 'mrkdwn', text: clip(text) } });

/** A Block Kit message for one notification. */
export function slackMessage(n: Notification) {
  const f = n.finding;
  const blocks: unknown[] = [
    { type: 'header', text: { type: 'plain_text', text: clip(`${titleOf(n)}: ${f.policyId}`, 150) } },
    {
      type: 'section',
      fields: [
        { type: 'mrkdwn', text: `*Severity*\n${escapeSlack(f.severity)}` },
        { type: 'mrkdwn', text: `*Status*\n${escapeSlack(f.status)}` },
        { type: 'mrkdwn', text: `*Resource*\n${clip(escapeSlack(f.resourceName), 1900)}` },
        { type: 'mrkdwn', text: `*Account / Region*\n${n.account} / ${escapeSlack(n.region)}` },
      ],
    },
    section(`*What changed*\n${escapeSlack(f.message)}`),
  ];
  const witness = witnessLine(n);
  if (witness) blocks.push(section(`*Example event*\n\`${escapeSlack(witness)}\``));
  if (n.remediation) blocks.push(section(`*Remediation*\n${escapeSlack(n.remediation)}`));
  if (n.actors?.length) blocks.push(section(`*Changed by*\n${n.actors.map(escapeSlack).join(', ')}`));
  blocks.push({
    type: 'context',
    elements: [
      {
        type: 'mrkdwn',
        text: clip(`${escapeSlack(f.resource)} · check ${escapeSlack(f.check)} · finding ${f.id}`, 2000),
      },
    ],
  });
  return { text: escapeSlack(summaryLine(n)), blocks: blocks.slice(0, 50) };
}

/** Sends through an @slack/webhook IncomingWebhook (injected: its URL is a secret read from SSM). */
export async function sendToSlack(
  webhook: { send(payload: unknown): Promise<unknown> },
  n: Notification,
): Promise<void> {
  await webhook.send(slackMessage(n));
}

/** A Slack delivery failure. Its message never holds the webhook URL, which is a secret. */
const slackError = (message: string, statusCode?: number) =>
  new ChannelError('slack', message, statusCode === undefined ? undefined : String(statusCode));

export interface SlackChannelOptions {
  /** The SSM parameter holding the webhook URL: named in errors instead of its value. */
  readonly parameterName: string;
  /** Reads the webhook URL (SecureString, cached by the caller). */
  readonly webhookUrl: () => Promise<string | undefined>;
  readonly fetch?: typeof globalThis.fetch;
  readonly sleep?: (ms: number) => Promise<void>;
  /** Retries after a 429 (default 3), each waiting Retry-After seconds, at most `maxWaitSeconds` in all. */
  readonly maxRetries?: number;
  readonly maxWaitSeconds?: number;
}

/** Retry-After is seconds or an HTTP date; absent or unreadable means one second. */
export function retryAfterSeconds(header: string | null, now = Date.now()): number {
  if (!header) return 1;
  const seconds = Number(header);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds;
  const date = Date.parse(header);
  return Number.isNaN(date) ? 1 : Math.max(0, (date - now) / 1000);
}

/**
 * Slack rate-limits webhooks (HTTP 429 with Retry-After). A fetch that waits as told and tries
 * again, within a bounded budget so the function cannot hang until its timeout.
 */
function rateLimitedFetch(options: SlackChannelOptions): typeof globalThis.fetch {
  const base = options.fetch ?? globalThis.fetch;
  const sleep = options.sleep ?? ((ms: number) => new Promise((r) => setTimeout(r, ms)));
  const maxRetries = options.maxRetries ?? 3;
  const budget = (options.maxWaitSeconds ?? 30) * 1000;
  return async (input, init) => {
    let waited = 0;
    for (let attempt = 0; ; attempt++) {
      const response = await base(input, init);
      if (response.status !== 429 || attempt >= maxRetries) return response;
      const wait = retryAfterSeconds(response.headers.get('retry-after')) * 1000;
      if (waited + wait > budget) return response;
      waited += wait;
      await response.body?.cancel().catch(() => undefined);
      await sleep(wait);
    }
  };
}

/** Removes the URL, and its path (the secret part) on its own, from a text. */
const redact = (text: string, url: string) => {
  let out = text.split(url).join('[webhook URL]');
  const path = URL.canParse(url) ? new URL(url).pathname : '';
  if (path.length > 1) out = out.split(path).join('[webhook path]');
  return out;
};

/**
 * The Slack channel: Block Kit messages through @slack/webhook, 429 retried honouring Retry-After,
 * and errors that name the SSM parameter, never the URL (errors are logged and kept in the DLQ).
 */
export function slackChannel(options: SlackChannelOptions): Channel {
  return {
    name: 'slack',
    send: async (notifications) => {
      const url = await options.webhookUrl();
      if (!url) throw slackError(`SSM parameter ${options.parameterName} is empty`);
      let parsed: URL | undefined;
      try {
        parsed = new URL(url);
      } catch {
        parsed = undefined;
      }
      if (parsed?.protocol !== 'https:')
        throw slackError(
          `SSM parameter ${options.parameterName} does not hold an https:// webhook URL (its value is not shown)`,
        );
      const webhook = new IncomingWebhook(url, { fetch: rateLimitedFetch(options), timeout: 10_000 });
      for (const n of notifications) {
        try {
          await sendToSlack(webhook, n);
        } catch (error) {
          if (error instanceof IncomingWebhookHTTPError)
            throw slackError(
              `Slack answered HTTP ${error.statusCode}${error.statusCode === 429 ? ' (rate limited after retries)' : ''}`,
              error.statusCode,
            );
          throw slackError(
            `Slack request failed: ${redact(String((error as Error)?.message ?? error), url)}`,
          );
        }
      }
    },
  };
}
