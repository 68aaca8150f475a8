import { describeEvent, label } from '../policy/describe.js';
import type { Policy, PolicyCheck } from '../policy/document.js';
import type { CheckOutcome, FindingStatus, Fix, ResourceKind, ResourceView } from '../policy/types.js';
import { type AdvancedEventSelector, type CloudTrailEvent, covers, partitionOf } from '../selectors/index.js';
import { conflictOn, constraintsOn, findConflict, logEventsOf, type PolicyScope } from './conflicts.js';
import { applyExceptions } from './exceptions.js';
import { EXISTS_CHECK, existsFindingId, findingId } from './findingId.js';
import { type KnownOrganization, unresolvedUnitFindings } from './organization.js';
import { buildPlan, notHere } from './plan.js';
import { appliesToRegion, parseArn, resourceViews, within } from './resources.js';
import { accountScope, enteredAccount } from './scope.js';
import type { Snapshot } from './snapshot.js';
import type { EvaluateOptions, Evaluation, Finding, Inventory, PendingFix } from './types.js';

export type { EvaluateOptions, Evaluation, Finding, Inventory, PendingFix };

const LISTING: Record<ResourceKind, string> = {
  trail: 'DescribeTrails',
  eventDataStore: 'ListEventDataStores',
};

export function inventoryOf(snapshots: readonly Snapshot[]): Inventory {
  const keys = new Set<string>();
  const regions = new Map<string, string[]>();
  for (const s of snapshots) {
    if (enteredAccount(s)) continue;
    const seen = regions.get(s.account) ?? [];
    if (!seen.includes(s.region)) regions.set(s.account, [...seen, s.region]);
    for (const r of resourceViews(s)) {
      keys.add(`${s.account}/${r.kind}:${r.name}`);
      keys.add(`${r.kind}:${r.arn}`);
    }
  }
  const unlisted = snapshots.flatMap((s) =>
    (['trail', 'eventDataStore'] as const)
      .filter((kind) => s.errors?.some((e) => e.part === LISTING[kind]))
      .map((kind) => ({ account: s.account, kind, region: s.region })),
  );
  return { regions, keys, unlisted };
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

const evaluateCheck = (c: PolicyCheck, r: ResourceView): CheckOutcome => c.definition.evaluate(r, c.params);

/**
 * Evaluates a snapshot against policies: findings for every check, and the plan that repairs the
 * failures of `action: remediate` policies. Pure and deterministic; `now`, the run's clock, decides
 * which exceptions are in force and stamps nothing. It has no default: a forgotten clock would take
 * every expired exception as still in force.
 */
export function evaluate(
  snapshot: Snapshot,
  policies: readonly Policy[],
  now: Date,
  options: EvaluateOptions = {},
): Evaluation {
  const region = snapshot.region;
  const resources = resourceViews(snapshot);
  const partition = resources.map((r) => parseArn(r.arn)?.partition).find(Boolean) ?? 'aws';
  const inventory = options.inventory ?? inventoryOf([snapshot]);
  const findings: Finding[] = [];
  const pending: PendingFix[] = [];
  const pendingByResource = new Map<ResourceView, PendingFix[]>();
  const scopes: PolicyScope[] = [];

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
    const fix: PendingFix = {
      findingIndex: index,
      resource: r,
      fixes: outcome.fixes,
      remediate: policy.action === 'remediate',
      quantifier: policy.quantifier,
    };
    pending.push(fix);
    pendingByResource.set(r, [...(pendingByResource.get(r) ?? []), fix]);
  };

  // First what each policy selects: the planner, and the choice of where an any/union policy is
  // repaired, need every policy's scope. Whether a policy applies to this account at all (its
  // accounts and organizational units, and whether the account could be entered) comes first.
  const notEntered = enteredAccount(snapshot);
  const undecidable = new Map<PolicyScope, { check: string; message: string }>();
  for (const policy of policies) {
    const applies = accountScope(policy.select, snapshot);
    if (applies === false) continue;
    const blocked =
      applies !== true
        ? { check: 'select', message: applies.unknown }
        : notEntered
          ? { check: 'access', message: notEntered }
          : undefined;
    const selectedHere: ResourceView[] = [];
    const undecided: ResourceView[] = [];
    for (const r of blocked ? [] : resources) {
      if (r.kind !== policy.resource) continue;
      const s = selected(policy, r);
      if (s === 'unknown') undecided.push(r);
      else if (s) selectedHere.push(r);
    }
    const inScope = selectedHere.filter((r) => appliesToRegion(r, region));
    const scope: PolicyScope = {
      policy,
      selected: selectedHere,
      undecided,
      inScope,
      passed: false,
      waived: new Set(),
    };
    scopes.push(scope);
    if (blocked) undecidable.set(scope, blocked);
  }
  // Where an any/union policy's repair can go: owned here, and not where the `every` policies
  // contradict each other (nothing is planned there). Asked only once all of them are evaluated.
  /** What the pending fixes on `r` ask it to log and not to log (`every` ones only, or all). */
  const pendingOn = (r: ResourceView, all: boolean) => {
    const fixes = (pendingByResource.get(r) ?? [])
      .filter((p) => all || p.quantifier === 'every')
      .flatMap((p) => p.fixes.flatMap((f) => (f.kind === 'selectors' ? [f] : [])));
    return {
      requires: fixes.map((f) => ({ policyId: '', selectors: f.require })),
      forbids: fixes.map((f) => ({ policyId: '', selectors: f.forbid })),
    };
  };
  const conflicts = new Map<ResourceView, boolean>();
  const conflicted = (r: ResourceView) => {
    if (!conflicts.has(r))
      conflicts.set(r, conflictOn(r, scopes, pendingOn(r, false).requires) !== undefined);
    return conflicts.get(r) as boolean;
  };
  const read = (account: string, where: string) => inventory.regions.get(account)?.includes(where) ?? false;
  const repairable = (r: ResourceView) => notHere(r, snapshot, read) === undefined && !conflicted(r);
  /**
   * Whether an any/union policy's repair fits on `r`: what it requires there is forbidden by no
   * policy bound to `r` (or repaired there already), and what it forbids there is required by none.
   */
  const fits = (
    r: ResourceView,
    requires: readonly AdvancedEventSelector[],
    forbids: readonly AdvancedEventSelector[] = [],
  ) => {
    const here = pendingOn(r, true);
    const bound = constraintsOn(r, scopes, here.requires, here.forbids);
    return (
      !findConflict([{ policyId: '', selectors: requires }], bound.forbids, within(r)) &&
      !findConflict(bound.requires, [{ policyId: '', selectors: forbids }], within(r))
    );
  };
  const deferred: (() => void)[] = [];
  /** Findings of any/union policies, decided only when their repair is placed. */
  const placeholders: number[] = [];

  for (const scope of scopes) {
    const { policy, selected: candidates, inScope } = scope;
    const kind: ResourceKind = policy.resource;
    const accountResource = `arn:${partition}:cloudtrail:${region}:${snapshot.account}:${kind === 'trail' ? 'trail' : 'eventdatastore'}/*`;
    const accountName = `${kind === 'trail' ? 'trails' : 'event data stores'} in ${region}`;
    const blocked = undecidable.get(scope);
    if (blocked) {
      push(policy, accountResource, accountName, blocked.check, {
        status: 'ERROR',
        message: blocked.message,
      });
      continue;
    }
    for (const r of scope.undecided) {
      push(policy, r.arn, r.name, 'select', {
        status: 'ERROR',
        message: `${label(r)}: its tags are not known, so the policy's selection cannot be decided`,
      });
    }
    // A resource the policy names and nobody read is the worst finding there is: it was deleted.
    const absent = options.partial ? [] : missingNames(policy, resources, inventory, snapshot.account);
    const missing = absent.length;
    for (const m of absent) {
      const type = kind === 'trail' ? 'trail' : 'eventdatastore';
      const index = findings.length;
      const isArn = m.name.startsWith('arn:');
      findings.push({
        id: existsFindingId(policy.id, kind, snapshot.account, m.name),
        policyId: policy.id,
        resource: isArn
          ? m.name
          : `arn:${partition}:cloudtrail:${region}:${snapshot.account}:${type}/${kind === 'trail' ? m.name : '*'}`,
        resourceName: m.name,
        account: snapshot.account,
        region,
        status: m.status,
        check: EXISTS_CHECK,
        severity: policy.severity,
        message: m.message,
      });
      if (m.status === 'FAIL')
        recordFixes(policy, index, undefined, {
          status: 'FAIL',
          message: '',
          manual: `Trailwarden does not create ${kind === 'trail' ? 'trails' : 'event data stores'}: recreate it, or take it out of the policy's select.names`,
        });
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
      if (candidates.length === 0 && missing === 0) {
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

    if (policy.quantifier === 'any') {
      const scored = inScope.map((r) => {
        const outcomes = policy.checks.map((c) => evaluateCheck(c, r));
        return { r, outcomes, failing: outcomes.filter((o) => o.status !== 'PASS').length };
      });
      const passing = scored.find((s) => s.failing === 0);
      scope.passed = passing !== undefined;
      if (passing) {
        push(policy, accountResource, accountName, checkNames, {
          status: 'PASS',
          message: `${label(passing.r)} satisfies every check of the policy in ${region}`,
        });
        continue;
      }
      if (scored.length === 0) {
        // Every named resource is missing: those findings say it already.
        if (missing > 0) continue;
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
      // Chosen once every `every` policy has said what it needs (see `repairable`).
      const index = push(policy, accountResource, accountName, checkNames, { status: 'FAIL', message: '' });
      placeholders.push(index);
      deferred.push(() => {
        const needs = logEventsOf(policy, 'require');
        const avoids = logEventsOf(policy, 'forbid');
        const suits = (r: ResourceView) => repairable(r) && fits(r, needs, avoids);
        // The closest candidate it can be repaired on, else the closest (whose finding says why not).
        const best = [...scored].sort(
          (a, b) => Number(!suits(a.r)) - Number(!suits(b.r)) || a.failing - b.failing,
        )[0] as (typeof scored)[number];
        const failed = best.outcomes.filter((o) => o.status !== 'PASS');
        const witness = failed.find((o) => o.witness)?.witness;
        findings[index] = {
          ...(findings[index] as Finding),
          status: failed.some((o) => o.status === 'FAIL') ? 'FAIL' : 'ERROR',
          message: `no ${kind === 'trail' ? 'trail' : 'event data store'} in ${region} satisfies the whole policy; closest is ${label(best.r)}: ${failed.map((o) => o.message).join('; ')}`,
          ...(witness ? { witness } : {}),
        };
        // Repaired on this resource, the policy's forbids bind it (even those it satisfies today).
        const fixes: Fix[] = [
          ...failed.flatMap((o) => o.fixes ?? []),
          ...(avoids.length > 0 ? [{ kind: 'selectors' as const, require: [], forbid: avoids }] : []),
        ];
        const manual = failed.find((o) => o.status === 'FAIL' && !o.fixes)?.manual;
        recordFixes(policy, index, best.r, {
          status: 'FAIL',
          message: '',
          ...(manual ? { manual } : { fixes }),
        });
      });
      continue;
    }

    // union: the selected resources together.
    const outcomes = policy.checks.map((c) => ({
      c,
      o: c.definition.evaluateUnion?.(inScope, c.params) as CheckOutcome,
    }));
    const failed = outcomes.filter(({ o }) => o.status !== 'PASS');
    scope.passed = failed.length === 0;
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
    placeholders.push(index);
    deferred.push(() => {
      const union = inScope.filter((r) => r.active !== false).flatMap((r) => r.selectors ?? []);
      // Only what no selected resource logs yet, placed where no policy forbids it (decided over
      // the partition the selected resources share).
      const partitions = new Set(inScope.map((r) => partitionOf(r.arn)));
      const shared = { partition: partitions.size === 1 ? [...partitions][0] : undefined };
      const missing = logEventsOf(policy, 'require').filter((r) => !covers(union, [r], shared).covered);
      const target =
        unionTarget(inScope, (r) => repairable(r) && fits(r, missing)) ?? unionTarget(inScope, repairable);
      if (!target) {
        recordFixes(policy, index, undefined, {
          status: 'FAIL',
          message: '',
          manual: `no ${kind === 'trail' ? 'trail' : 'event data store'} in scope can be repaired from this account`,
        });
        return;
      }
      const fixes: Fix[] =
        target.active === false ? [{ kind: kind === 'trail' ? 'startLogging' : 'startIngestion' }] : [];
      for (const { c } of failed) {
        // A check that requires selectors is repaired on one target with what no resource logs yet.
        if (c.definition.section === 'require' && c.definition.selectors) {
          fixes.push({ kind: 'selectors', require: missing, forbid: [] });
        } else {
          for (const r of inScope) {
            const o = evaluateCheck(c, r);
            if (o.status === 'FAIL' && o.fixes) recordFixes(policy, index, r, o);
          }
        }
      }
      recordFixes(policy, index, target, { status: 'FAIL', message: '', fixes });
    });
  }

  // Accepted risks are not repaired: a suppressed finding plans nothing, and the requirement it
  // covers is not kept on that resource (a repair placed there may leave it unlogged). Exceptions
  // apply to what is decided before any any/union repair is placed, then to those policies.
  const settle = (indices: readonly number[]) => {
    const settled = applyExceptions(
      indices.map((i) => findings[i] as Finding),
      policies,
      now,
      resources,
    );
    indices.forEach((i, k) => {
      findings[i] = settled[k] as Finding;
    });
  };
  const later = new Set(placeholders);
  settle(findings.map((_, i) => i).filter((i) => !later.has(i)));
  const scopeOf = new Map(scopes.map((s) => [s.policy.id, s]));
  for (const f of findings) {
    const scope = scopeOf.get(f.policyId);
    if (f.status !== 'SUPPRESSED' || scope?.policy.quantifier !== 'every') continue;
    const required = scope.policy.checks.some(
      (c) => c.definition.section === 'require' && c.definition.selectors && c.definition.check === f.check,
    );
    if (required) scope.waived.add(f.resource);
  }
  const suppressed = (p: PendingFix) => findings[p.findingIndex]?.status === 'SUPPRESSED';
  for (const [r, fixes] of pendingByResource)
    pendingByResource.set(
      r,
      fixes.filter((p) => !suppressed(p)),
    );
  for (const choose of deferred) choose();
  settle(placeholders);
  const open = pending.filter((p) => !suppressed(p));
  const { steps: plan, remediation } = buildPlan(snapshot, findings, open, scopes, partition, read);
  for (const [i, decided] of remediation) findings[i] = { ...(findings[i] as Finding), remediation: decided };
  return { findings, plan, summary: summarize(findings) };
}

interface MissingName {
  readonly name: string;
  readonly status: 'FAIL' | 'ERROR';
  readonly message: string;
}

/**
 * Names in the policy's `select.names` that no Region read has, each reported from every Region
 * with one id (so a run over several Regions shows it once). A name found in any Region read is
 * never missing; an ARN is decided in its own Region (where it is always listed), and absence
 * where the listing failed proves nothing.
 */
function missingNames(
  policy: Policy,
  resources: readonly ResourceView[],
  inventory: Inventory,
  account: string,
): MissingName[] {
  const kind = policy.resource;
  const what = kind === 'trail' ? 'trail' : 'event data store';
  const read = inventory.regions.get(account) ?? [];
  const out: MissingName[] = [];
  for (const name of policy.select?.names ?? []) {
    if (resources.some((r) => r.kind === kind && (r.name === name || r.arn === name))) continue;
    const arn = name.startsWith('arn:') ? parseArn(name) : undefined;
    if (inventory.keys.has(arn ? `${kind}:${name}` : `${account}/${kind}:${name}`)) continue;
    if (arn && arn.account !== account) {
      // Another account's resource is decided where that account is read.
      if (inventory.regions.has(arn.account)) continue;
      out.push({
        name,
        status: 'ERROR',
        message: `${what} ${name} belongs to account ${arn.account}, which was not read, and is not visible from account ${account}; read account ${arn.account} to tell whether it exists`,
      });
      continue;
    }
    const home = arn?.region;
    const regions = home ? [home] : read;
    if (home && !read.includes(home)) {
      out.push({
        name,
        status: 'ERROR',
        message: `${what} ${name} is not visible from ${read.join(', ')}; read its home Region ${home} to tell whether it exists`,
      });
      continue;
    }
    const unlisted = inventory.unlisted.filter(
      (u) => u.account === account && u.kind === kind && regions.includes(u.region),
    );
    if (unlisted.length > 0) {
      out.push({
        name,
        status: 'ERROR',
        message: `cannot tell whether ${what} ${name} exists: listing ${what}s failed in ${unlisted.map((u) => u.region).join(', ')}`,
      });
      continue;
    }
    out.push({
      name,
      status: 'FAIL',
      message: home
        ? `${what} ${name} does not exist`
        : `${what} ${name} does not exist (in ${regions.length > 1 ? 'any of ' : ''}${regions.join(', ')})`,
    });
  }
  return out;
}

/** Where a union policy's missing coverage goes: a repairable, delivering, multi-Region resource first. */
function unionTarget(
  inScope: readonly ResourceView[],
  repairable: (r: ResourceView) => boolean,
): ResourceView | undefined {
  const score = (r: ResourceView) =>
    (r.active !== false ? 4 : 0) +
    (r.settings.IsMultiRegionTrail === true || r.settings.MultiRegionEnabled === true ? 2 : 0) +
    (r.selectors ? 1 : 0);
  return inScope.filter(repairable).sort((a, b) => score(b) - score(a) || a.name.localeCompare(b.name))[0];
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
 * Each Region's evaluation, knowing what the others hold: a named resource that lives in another
 * Region read (of the same account) is not missing. Combine them with `combineEvaluations`.
 */
export function evaluateRegions(
  snapshots: readonly Snapshot[],
  policies: readonly Policy[],
  now: Date,
): Evaluation[] {
  const inventory = inventoryOf(snapshots);
  return snapshots.map((s) => evaluate(s, policies, now, { inventory }));
}

/**
 * Evaluates several accounts' and Regions' snapshots together: a trail seen from several Regions or
 * accounts is reported once, and organizational units no input resolves are ERROR findings.
 * `organization` is what was read live of the organization, if anything.
 */
export function evaluateAll(
  snapshots: readonly Snapshot[],
  policies: readonly Policy[],
  now: Date,
  organization?: KnownOrganization,
): Evaluation {
  const combined = combineEvaluations(evaluateRegions(snapshots, policies, now));
  const unresolved = unresolvedUnitFindings(policies, snapshots, organization);
  if (unresolved.length === 0) return combined;
  const findings = [...combined.findings, ...unresolved];
  return { ...combined, findings, summary: summarize(findings) };
}
