import type { Evaluation, Finding, PlanStep, ReportFinding, SourceLocation } from '../engine/index.js';

export type { ReportFinding, SourceLocation };

import type { Policy } from '../policy/document.js';

/** Everything an output format renders: one run's findings and plan, and what produced them. */
export interface Report {
  readonly findings: readonly ReportFinding[];
  readonly plan: readonly PlanStep[];
  readonly summary: Evaluation['summary'];
  readonly policies: readonly Pick<Policy, 'id' | 'description' | 'severity' | 'source'>[];
  /** When the run happened; formats that stamp a time use this, never the clock. */
  readonly generatedAt: Date;
  readonly tool: { readonly name: string; readonly version: string };
}

/** A finding's rule: the policy and the check. */
export const ruleId = (f: Pick<Finding, 'policyId' | 'check'>) => `${f.policyId}/${f.check}`;

export const SEVERITY_ORDER = ['critical', 'high', 'medium', 'low', 'info'] as const;

/** Findings a person must act on or has accepted; PASS and SKIPPED are not results in SARIF. */
export const isResult = (f: Pick<Finding, 'status'>) =>
  f.status === 'FAIL' || f.status === 'ERROR' || f.status === 'SUPPRESSED';
