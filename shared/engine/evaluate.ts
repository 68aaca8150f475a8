import { describeEvent, label } from '../policy/describe.js';
import type { Policy, PolicyCheck } from '../policy/loader.js';
import type {
  CheckOutcome,
  FindingStatus,
  Fix,
  ResourceKind,
  ResourceView,
  Severity,
} from '../policy/types.js';
import { type AdvancedEventSelector, type CloudTrailEvent, covers, partitionOf } from '../selectors/index.js';
import { applyExceptions } from './exceptions.js';
import { findingId } from './findingId.js';
import { type KnownOrganization, unresolvedUnitFindings } from './organization.js';
import { buildPlan, type PlanStep } from './plan.js';
import { appliesToRegion, parseArn, resourceViews } from './resources.js';
import { accountScope, enteredAccount } from './scope.js';
import type { Snapshot } from './snapshot.js';

export interface Finding {
  /** Stable: the same policy, resource and check always give the same id. */
  readonly id: string;
  readonly policyId: string;
  /** The resource's ARN, or for account-level findings `arn:…:cloudtrail:<region>:<account>:trail/*`. */
  readonly resource: string;
  readonly resourceName: string;
  /**
   * The account the resource was read in (an organization trail is seen from each member account).
   * `evaluate` always sets it; it is optional only for notices the event path makes by itself.
   */
  readonly account?: string;
  readonly region: string;
  readonly status: FindingStatus;
  readonly check: string;
  readonly severity: Severity;
  readonly message: string;
  readonly witness?: CloudTrailEvent;
  readonly remediation?: { readonly planned: boolean; readonly reason?: string };
  /** The exception that suppressed the finding, or (with `expired`) one that would have. */
  readonly exception?: {
    readonly reason: string;
    readonly expires: string;
    readonly source: string;
    readonly expired?: true;
  };
}

export interface Evaluation {
  readonly findings: Finding[];
  readonly plan: PlanStep[];
  readonly summary: { pass: number; fail: number; error: number; skipped: number; suppressed: number };
}

/** Fixes a finding asks for, on which resource, kept for the planner. */
export interface PendingFix {
  readonly findingIndex: number;
  readonly resource: ResourceView;
  readonly fixes: readonly Fix[];
  readonly remediate: boolean;
}

export { findingId };

function selected(policy: Policy, r: ResourceView): boolean | 'unknown' {
  const sel = policy.select;
  if (!sel) return true;
  if (sel.names && !sel.names.includes(r.name) && !sel.names.includes(r.arn)) return false;
  if (sel.homeRegions && (!r.homeRegion || !sel.homeRegions.includes(r.homeRegion))) return false;
  if (sel.tags) {
    if (!r.tags) return 'unknown';
    for (const [k, v] of Object.entries(sel.tags)) if (r.tags[k] !== v) return false;
  }
  return true;
}

const evaluateCheck = (c: PolicyCheck, r: ResourceView): CheckOutcome =>
  c.definition.evaluate(r, c.params as never);

/**
 * Evaluates a snapshot against policies: findings for every check, and the plan that repairs the
 * failures of `action: remediate` policies. Pure and deterministic; `now` decides which exceptions
 * are in force and stamps nothing.
 */
export function evaluate(
  snapshot: Snapshot,
  policies: readonly Policy[],
  now: Date = new Date(0),
): Evaluation {
  const region = snapshot.region;
  const resources = resourceViews(snapshot);
  const partition = resources.map((r) => parseArn(r.arn)?.partition).find(Boolean) ?? 'aws';
  const findings: Finding[] = [];
  const pending: PendingFix[] = [];
  const forbidsByResource = new Map<string, { policyId: string; selectors: AdvancedEventSelector[] }[]>();

  const push = (
    policy: Policy,
    resource: string,
    resourceName: string,
    check: string,
    outcome: { status: FindingStatus; message: string; witness?: CloudTrailEvent },
  ) => {
    findings.push({
      id: findingId(policy.id, resource, check),
      policyId: policy.id,
      resource,
      resourceName,
      account: snapshot.account,
      region,
      status: outcome.status,
      check,
      severity: policy.severity,
      message: outcome.message,
      ...(outcome.witness ? { witness: outcome.witness } : {}),
    });
    return findings.length - 1;
  };
  const recordFixes = (policy: Policy, index: number, r: ResourceView | undefined, outcome: CheckOutcome) => {
    if (outcome.status !== 'FAIL') return;
    if (!r || !outcome.fixes) {
      const reason = outcome.manual ?? 'no automatic repair';
      findings[index] = { ...(findings[index] as Finding), remediation: { planned: false, reason } };
      return;
    }
    pending.push({
      findingIndex: index,
      resource: r,
      fixes: outcome.fixes,
      remediate: policy.action === 'remediate',
    });
  };

  for (const policy of policies) {
    const kind: ResourceKind = policy.resource;
    const accountResource = `arn:${partition}:cloudtrail:${region}:${snapshot.account}:${kind === 'trail' ? 'trail' : 'eventdatastore'}/*`;
    const accountName = `${kind === 'trail' ? 'trails' : 'event data stores'} in ${region}`;
    // Whether the policy applies to this account at all, before any resource is looked at.
    const scope = accountScope(policy.select, snapshot);
    if (scope === false) continue;
    if (scope !== true) {
      push(policy, accountResource, accountName, 'select', { status: 'ERROR', message: scope.unknown });
      continue;
    }
    const notEntered = enteredAccount(snapshot);
    if (notEntered) {
      push(policy, accountResource, accountName, 'access', { status: 'ERROR', message: notEntered });
      continue;
    }
    const candidates: ResourceView[] = [];
    for (const r of resources) {
      if (r.kind !== kind) continue;
      const s = selected(policy, r);
      if (s === 'unknown') {
        push(policy, r.arn, r.name, 'select', {
          status: 'ERROR',
          message: `${label(r)}: its tags are not known, so the policy's selection cannot be decided`,
        });
      } else if (s) {
        candidates.push(r);
      }
    }
    for (const r of candidates) {
      for (const c of policy.checks) {
        const forbid = c.definition.section === 'forbid' && c.definition.key === 'logEvents';
        if (forbid)
          forbidsByResource.set(r.arn, [
            ...(forbidsByResource.get(r.arn) ?? []),
            { policyId: policy.id, selectors: c.params as AdvancedEventSelector[] },
          ]);
      }
    }
    const checkNames = policy.checks.map((c) => c.definition.check).join(',');
    // A Region-wide read that failed leaves this policy undecidable here: say so, then judge what was read.
    const loadError = snapshot.errors?.find(
      (e) => e.part === (kind === 'trail' ? 'DescribeTrails' : 'ListEventDataStores'),
    );
    if (loadError) {
      push(policy, accountResource, accountName, 'load', {
        status: 'ERROR',
        message: `could not list ${kind === 'trail' ? 'trails' : 'event data stores'} in ${region}: ${loadError.message}`,
      });
    }

    if (policy.quantifier === 'every') {
      if (candidates.length === 0) {
        push(policy, accountResource, accountName, checkNames, {
          status: 'SKIPPED',
          message: `no ${kind === 'trail' ? 'trail' : 'event data store'} matches the policy's selection`,
        });
      }
      for (const r of candidates) {
        for (const c of policy.checks) {
          const outcome = evaluateCheck(c, r);
          recordFixes(policy, push(policy, r.arn, r.name, c.definition.check, outcome), r, outcome);
        }
      }
      continue;
    }

    const inScope = candidates.filter((r) => appliesToRegion(r, region));
    if (policy.quantifier === 'any') {
      const scored = inScope.map((r) => {
        const outcomes = policy.checks.map((c) => evaluateCheck(c, r));
        return { r, outcomes, failing: outcomes.filter((o) => o.status !== 'PASS').length };
      });
      const passing = scored.find((s) => s.failing === 0);
      if (passing) {
        push(policy, accountResource, accountName, checkNames, {
          status: 'PASS',
          message: `${label(passing.r)} satisfies every check of the policy in ${region}`,
        });
        continue;
      }
      if (scored.length === 0) {
        const index = push(policy, accountResource, accountName, checkNames, {
          status: 'FAIL',
          message: `no ${kind === 'trail' ? 'trail' : 'event data store'} records events in ${region}`,
        });
        recordFixes(policy, index, undefined, {
          status: 'FAIL',
          message: '',
          manual: `create one; Trailwarden does not create ${kind === 'trail' ? 'trails' : 'event data stores'}`,
        });
        continue;
      }
      // Closest candidate: fewest failing checks, preferring one this account can repair.
      const best = [...scored].sort(
        (a, b) =>
          a.failing - b.failing || Number(!ownedHere(a.r, snapshot)) - Number(!ownedHere(b.r, snapshot)),
      )[0] as (typeof scored)[number];
      const failed = best.outcomes.filter((o) => o.status !== 'PASS');
      const status = failed.some((o) => o.status === 'FAIL') ? 'FAIL' : 'ERROR';
      const witness = failed.find((o) => o.witness)?.witness;
      const index = push(policy, accountResource, accountName, checkNames, {
        status,
        message: `no ${kind === 'trail' ? 'trail' : 'event data store'} in ${region} satisfies the whole policy; closest is ${label(best.r)}: ${failed.map((o) => o.message).join('; ')}`,
        ...(witness ? { witness } : {}),
      });
      const fixes = failed.flatMap((o) => o.fixes ?? []);
      const manual = failed.find((o) => o.status === 'FAIL' && !o.fixes)?.manual;
      recordFixes(policy, index, best.r, {
        status: 'FAIL',
        message: '',
        ...(manual ? { manual } : { fixes }),
      });
      continue;
    }

    // union: the selected resources together.
    const outcomes = policy.checks.map((c) => ({
      c,
      o: c.definition.evaluateUnion?.(inScope, c.params as never) as CheckOutcome,
    }));
    const failed = outcomes.filter(({ o }) => o.status !== 'PASS');
    if (failed.length === 0) {
      push(policy, accountResource, accountName, checkNames, {
        status: 'PASS',
        message: outcomes.map(({ o }) => o.message).join('; '),
      });
      continue;
    }
    const witness = failed.find(({ o }) => o.witness)?.o.witness;
    const index = push(policy, accountResource, accountName, checkNames, {
      status: failed.some(({ o }) => o.status === 'FAIL') ? 'FAIL' : 'ERROR',
      message: failed.map(({ o }) => o.message).join('; '),
      ...(witness ? { witness } : {}),
    });
    const target = unionTarget(inScope, snapshot);
    if (!target) {
      recordFixes(policy, index, undefined, {
        status: 'FAIL',
        message: '',
        manual: `no ${kind === 'trail' ? 'trail' : 'event data store'} in scope can be repaired from this account`,
      });
      continue;
    }
    const fixes: Fix[] =
      target.active === false ? [{ kind: kind === 'trail' ? 'startLogging' : 'startIngestion' }] : [];
    const union = inScope.filter((r) => r.active !== false).flatMap((r) => r.selectors ?? []);
    for (const { c } of failed) {
      if (c.definition.section === 'require' && c.definition.key === 'logEvents') {
        // Only what no selected resource logs yet.
        const missing = (c.params as AdvancedEventSelector[]).filter(
          (r) => !covers(union, [r], { partition: partitionOf(target.arn) }).covered,
        );
        fixes.push({ kind: 'selectors', require: missing, forbid: [] });
      } else {
        for (const r of inScope) {
          const o = evaluateCheck(c, r);
          if (o.status === 'FAIL' && o.fixes) recordFixes(policy, index, r, o);
        }
      }
    }
    recordFixes(policy, index, target, { status: 'FAIL', message: '', fixes });
  }

  // Accepted risks are not repaired: a suppressed finding plans nothing.
  findings.splice(0, findings.length, ...applyExceptions(findings, policies, now, resources));
  const open = pending.filter((p) => findings[p.findingIndex]?.status !== 'SUPPRESSED');
  const plan = buildPlan(snapshot, findings, open, forbidsByResource, partition);
  return { findings, plan, summary: summarize(findings) };
}

/** A resource Trailwarden may write from this snapshot's account and region. */
export function ownedHere(r: ResourceView, snapshot: Snapshot): boolean {
  return r.homeRegion === snapshot.region && (!r.isOrganization || r.owner === snapshot.account);
}

/** Where a union policy's missing coverage goes: a repairable, delivering, multi-Region resource first. */
function unionTarget(inScope: readonly ResourceView[], snapshot: Snapshot): ResourceView | undefined {
  const score = (r: ResourceView) =>
    (r.active !== false ? 4 : 0) +
    (r.settings.IsMultiRegionTrail === true || r.settings.MultiRegionEnabled === true ? 2 : 0) +
    (r.selectors ? 1 : 0);
  return inScope
    .filter((r) => ownedHere(r, snapshot))
    .sort((a, b) => score(b) - score(a) || a.name.localeCompare(b.name))[0];
}

export { describeEvent };

/** Counts of each status, as the JSON contract's summary. */
export function summarize(findings: readonly { status: string }[]): Evaluation['summary'] {
  const count = (status: FindingStatus) => findings.filter((f) => f.status === status).length;
  return {
    pass: count('PASS'),
    fail: count('FAIL'),
    error: count('ERROR'),
    skipped: count('SKIPPED'),
    suppressed: count('SUPPRESSED'),
  };
}

/**
 * A trail seen from several Regions yields the same finding id more than once: keep one, the one
 * `rank` scores highest (first seen on a tie).
 */
export function dedupeById<F extends { id: string }>(findings: readonly F[], rank: (f: F) => number): F[] {
  const byId = new Map<string, F>();
  for (const f of findings) {
    const seen = byId.get(f.id);
    if (!seen || rank(f) > rank(seen)) byId.set(f.id, f);
  }
  return [...byId.values()];
}

/** Prefer the view from the home Region, where a repair can be planned, and a decided one over an ERROR. */
const viewRank = (f: Finding) => (f.remediation?.planned ? 2 : 0) + (f.status === 'ERROR' ? 0 : 1);

/** Several Regions' evaluations as one: each finding once, all plans. */
export function combineEvaluations(results: readonly Evaluation[]): Evaluation {
  const findings = dedupeById(
    results.flatMap((r) => r.findings),
    viewRank,
  );
  return { findings, plan: results.flatMap((r) => r.plan), summary: summarize(findings) };
}

/**
 * Evaluates several accounts' and Regions' snapshots together: a trail seen from several Regions or
 * accounts is reported once, and organizational units no input resolves are ERROR findings.
 * `organization` is what was read live of the organization, if anything.
 */
export function evaluateAll(
  snapshots: readonly Snapshot[],
  policies: readonly Policy[],
  now?: Date,
  organization?: KnownOrganization,
): Evaluation {
  const combined = combineEvaluations(snapshots.map((s) => evaluate(s, policies, now)));
  const unresolved = unresolvedUnitFindings(policies, snapshots, organization);
  if (unresolved.length === 0) return combined;
  const findings = [...combined.findings, ...unresolved];
  return { ...combined, findings, summary: summarize(findings) };
}
