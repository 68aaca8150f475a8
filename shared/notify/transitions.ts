import type { LiveFinding, LiveStatus } from '../engine/index.js';

export type { LiveFinding, LiveStatus };
export type Transition = 'opened' | 'remediated' | 'resolved' | 'remediation-failed';

const bad = (s: LiveStatus | undefined) => s === 'FAIL' || s === 'ERROR';

/**
 * What changed since the last run, finding by finding: people hear about openings, repairs,
 * resolutions and failed repairs, not about every run (the noise users of peer tools complain of).
 */
export function transitionOf(previous: LiveStatus | undefined, finding: LiveFinding): Transition | undefined {
  // An accepted risk is silent; when its exception expires, the FAIL that follows opens anew.
  if (finding.status === 'SUPPRESSED') return undefined;
  if (finding.status === 'REMEDIATED') return 'remediated';
  if (finding.status === 'ERROR' && finding.remediation?.planned)
    return previous === 'ERROR' ? undefined : 'remediation-failed';
  if (finding.status === 'FAIL' && !bad(previous)) return 'opened';
  if (finding.status === 'PASS' && bad(previous)) return 'resolved';
  return undefined;
}
