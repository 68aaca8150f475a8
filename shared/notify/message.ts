import { describeEvent } from '../policy/describe.js';
import type { LiveFinding, Transition } from './transitions.js';

/** One notification: a finding that changed state, in an account and Region. */
export interface Notification {
  readonly transition: Transition | 'possible-tampering' | 'trail-deleted';
  readonly finding: LiveFinding;
  readonly account: string;
  readonly region: string;
  /** Who made the change that triggered this, when known. */
  readonly actors?: readonly string[];
  /** The repair taken, e.g. "PutEventSelectors, PutInsightSelectors". */
  readonly remediation?: string;
}

const TITLES: Record<Notification['transition'], string> = {
  opened: 'New finding',
  remediated: 'Repaired and verified',
  resolved: 'Resolved',
  'remediation-failed': 'Repair failed',
  'possible-tampering': 'Possible tampering or remediation loop',
  'trail-deleted': 'Required trail deleted',
};

export const titleOf = (n: Notification) => TITLES[n.transition];

export function summaryLine(n: Notification): string {
  return `[${n.finding.severity.toUpperCase()}] ${titleOf(n)}: ${n.finding.policyId} on ${n.finding.resourceName} (${n.account}, ${n.region})`;
}

export const witnessLine = (n: Notification) =>
  n.finding.witness ? describeEvent(n.finding.witness) : undefined;
