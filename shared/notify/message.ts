import { describeEvent } from '../policy/describe.js';
import type { LiveFinding, Transition } from './transitions.js';

/** What a notification reports: a finding's transition, or one of the events the stack raises itself. */
export type NotificationKind =
  | Transition
  | 'possible-tampering'
  | 'trail-deleted'
  | 'left-scope'
  | 'changed-during-remediation';

/** One notification: a finding that changed state, in an account and Region. */
export interface Notification {
  readonly transition: NotificationKind;
  readonly finding: LiveFinding;
  readonly account: string;
  readonly region: string;
  /**
   * Stable across redeliveries (finding id and state version, or the invocation that raised it):
   * delivery is at-least-once per channel, so subscribers can drop a repeat by this id.
   */
  readonly id?: string;
  /** Who made the change that triggered this, when known. */
  readonly actors?: readonly string[];
  /** The repair taken, e.g. "PutEventSelectors, PutInsightSelectors". */
  readonly remediation?: string;
}

const TITLES: Record<NotificationKind, string> = {
  opened: 'New finding',
  remediated: 'Repaired and verified',
  resolved: 'Resolved',
  'remediation-failed': 'Repair failed',
  'possible-tampering': 'Possible tampering or remediation loop',
  'trail-deleted': 'Required trail deleted',
  'left-scope': 'Left the scope of a policy',
  'changed-during-remediation': 'Changed during remediation',
};

export const titleOf = (n: Notification) => TITLES[n.transition];

export function summaryLine(n: Notification): string {
  return `[${n.finding.severity.toUpperCase()}] ${titleOf(n)}: ${n.finding.policyId} on ${n.finding.resourceName} (${n.account}, ${n.region})`;
}

export const witnessLine = (n: Notification) =>
  n.finding.witness ? describeEvent(n.finding.witness) : undefined;

/** The notification as a JSON document: what SNS subscribers and EventBridge rules receive. */
export function notificationDocument(n: Notification, truncated?: string) {
  return {
    ...(n.id ? { id: n.id } : {}),
    transition: n.transition,
    summary: summaryLine(n),
    account: n.account,
    region: n.region,
    finding: n.finding,
    ...(witnessLine(n) ? { exampleEvent: witnessLine(n) } : {}),
    ...(n.remediation ? { remediation: n.remediation } : {}),
    ...(n.actors?.length ? { actors: n.actors } : {}),
    ...(truncated ? { truncated } : {}),
  };
}

const bytes = (text: string) => Buffer.byteLength(text, 'utf8');

/**
 * Renders a notification within `limit` bytes (SNS and EventBridge reject larger messages, and a
 * rejected message is a lost one). The finding's message (which can list hundreds of selector
 * values) is shortened first, then the example event is dropped; `render` receives a note saying
 * what was cut, to put in the output.
 */
export function fitNotification(
  n: Notification,
  limit: number,
  render: (n: Notification, note?: string) => string,
): string {
  const whole = render(n);
  if (bytes(whole) <= limit) return whole;
  const full = n.finding.message;
  const note = (kept: number) =>
    `finding.message shortened from ${full.length} to ${kept} characters to fit the ${Math.floor(limit / 1024)} KB message limit; run \`trailwarden check\` for the whole text`;
  const attempt = (kept: number, dropWitness: boolean) => {
    const { witness: _, ...rest } = n.finding;
    const finding = { ...(dropWitness ? rest : n.finding), message: `${full.slice(0, kept)}…` };
    return render({ ...n, finding }, note(kept));
  };
  for (const dropWitness of [false, true]) {
    if (bytes(attempt(0, dropWitness)) > limit) continue;
    // The longest prefix that fits (JSON escaping makes the size non-linear in the prefix).
    let lo = 0;
    let hi = full.length;
    while (lo < hi) {
      const mid = Math.ceil((lo + hi) / 2);
      if (bytes(attempt(mid, dropWitness)) <= limit) lo = mid;
      else hi = mid - 1;
    }
    return attempt(lo, dropWitness);
  }
  throw new Error(`notification ${n.id ?? n.finding.id} cannot fit in ${limit} bytes`);
}

/** The notification's JSON document within `limit` bytes. */
export const fitDocument = (n: Notification, limit: number) =>
  fitNotification(n, limit, (m, note) => JSON.stringify(notificationDocument(m, note)));
