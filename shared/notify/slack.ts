import { type Notification, summaryLine, titleOf, witnessLine } from './message.js';

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
