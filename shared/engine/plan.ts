import { label } from '../policy/describe.js';
import type { Policy } from '../policy/document.js';
import { REPAIR_REQUESTS } from '../policy/registry.js';
import type { CheckOutcome, Fix, ResourceView } from '../policy/types.js';
import {
  type AdvancedEventSelector,
  covers,
  merge,
  overlaps,
  partitionOf,
  SelectorEngineError,
} from '../selectors/index.js';
import {
  conflictReason,
  constraintsOn,
  findConflict,
  logEventsOf,
  type PolicyScope,
  type PolicySelectors,
} from './conflicts.js';
import { within } from './resources.js';
import { viewAfter } from './simulate.js';
import type { Snapshot } from './snapshot.js';
import type { Finding, PendingFix, PlanStep, PolicyConflict, Remediation } from './types.js';

export type { PlanStep };

/** docs/semantics.md, "6. Changing a trail safely": logging first, then settings, selectors, Insights (which need the events), configuration. */
const ORDER: PlanStep['operation'][] = [
  'StartLogging',
  'StartEventDataStoreIngestion',
  'UpdateTrail',
  'UpdateEventDataStore',
  'PutEventSelectors',
  'PutInsightSelectors',
  'PutEventConfiguration',
];

/**
 * Why a resource cannot be written from this snapshot, if it cannot: it is written in its home
 * Region, and an organization trail or store by the management account that owns it or, from the
 * CloudTrail delegated administrator, only when the run does not read the owner in that Region
 * (`read`), so that one run never plans the same repair twice.
 */
export function notHere(
  r: ResourceView,
  snapshot: Snapshot,
  read: (account: string, region: string) => boolean = () => false,
): string | undefined {
  if (r.homeRegion !== snapshot.region)
    return `shadow of a trail whose home Region is ${r.homeRegion}: repaired only from there`;
  if (!r.isOrganization || r.owner === snapshot.account) return undefined;
  const what = `organization ${r.kind === 'trail' ? 'trail' : 'event data store'} owned by account ${r.owner}`;
  if (snapshot.delegatedAdministrator !== true)
    return `${what}: cannot remediate from account ${snapshot.account}, which is neither the management account nor the CloudTrail delegated administrator`;
  if (r.owner !== undefined && read(r.owner, snapshot.region))
    return `${what}, which this run also reads: repaired from there, not from the delegated administrator ${snapshot.account}`;
  return undefined;
}

const evaluateCheck = (c: Policy['checks'][number], r: ResourceView): CheckOutcome =>
  c.definition.evaluate(r, c.params);

/** Does the policy hold, judged the way evaluate judges its quantifier, over these resources? */
function holds(s: PolicyScope, views: readonly ResourceView[]): CheckOutcome | undefined {
  if (s.policy.quantifier === 'union') {
    for (const c of s.policy.checks) {
      const o = c.definition.evaluateUnion?.(views, c.params);
      if (o && o.status !== 'PASS') return o;
    }
    return undefined;
  }
  const outcomes = views.map((v) => s.policy.checks.map((c) => evaluateCheck(c, v)));
  if (outcomes.some((os) => os.every((o) => o.status === 'PASS'))) return undefined;
  return outcomes[0]?.find((o) => o.status !== 'PASS') ?? { status: 'FAIL', message: 'no resource complies' };
}

/** The events of a union requirement that the delivering resources log together (in the partition they share). */
function coveredTogether(views: readonly ResourceView[], required: readonly AdvancedEventSelector[]) {
  const union = views.filter((v) => v.active !== false).flatMap((v) => v.selectors ?? []);
  const partitions = new Set(views.map((v) => partitionOf(v.arn)));
  const shared = { partition: partitions.size === 1 ? [...partitions][0] : undefined };
  return required.filter((sel) => covers(union, [sel], shared).covered);
}

/**
 * Checks a planned selector change against the policies that depend on the resource: a requirement
 * that overlaps no forbid is kept by the merge, but a policy can also depend on it in other ways
 * (Insights need events logged; an any/union policy may rely on this resource alone). Every check
 * that passes today must pass after, and every part of a union requirement logged today (by the
 * resources as already planned) must stay logged.
 */
function brokenBy(
  before: ResourceView,
  after: ResourceView,
  scopes: readonly PolicyScope[],
  planned: ReadonlyMap<string, ResourceView>,
  repairs: ReadonlySet<string>,
): { policy: Policy; outcome: CheckOutcome } | undefined {
  for (const s of scopes) {
    if (s.policy.quantifier === 'every') {
      if (!s.selected.some((x) => x.arn === before.arn)) continue;
      for (const c of s.policy.checks) {
        const repaired = repairs.has(checkKey(s.policy.id, c.definition.check));
        if (!repaired && evaluateCheck(c, before).status !== 'PASS') continue;
        const outcome = evaluateCheck(c, after);
        if (outcome.status !== 'PASS') return { policy: s.policy, outcome };
      }
      continue;
    }
    if (!s.inScope.some((x) => x.arn === before.arn)) continue;
    const now = s.inScope.map((x) => planned.get(x.arn) ?? x);
    const next = now.map((x) => (x.arn === before.arn ? after : x));
    if (s.policy.quantifier === 'union') {
      const required = logEventsOf(s.policy, 'require');
      const loggedNow = coveredTogether(now, required);
      if (coveredTogether(next, loggedNow).length < loggedNow.length) {
        const outcome = holds(s, next) ?? {
          status: 'FAIL' as const,
          message: 'its requirement would no longer be logged',
        };
        return { policy: s.policy, outcome };
      }
    }
    const repaired =
      s.policy.quantifier === 'any' &&
      repairs.has(checkKey(s.policy.id, s.policy.checks.map((c) => c.definition.check).join(',')));
    if (s.passed || repaired) {
      const outcome = holds(s, next);
      if (outcome) return { policy: s.policy, outcome };
    }
  }
  return undefined;
}

const checkKey = (policyId: string, check: string) => `${policyId}\u0000${check}`;

type SelectorPlan =
  | { readonly kind: 'none' }
  | { readonly kind: 'write'; readonly input: Record<string, unknown> }
  | { readonly kind: 'unchanged'; readonly reason: string }
  | { readonly kind: 'blocked'; readonly reason: string };

interface SelectorOwner {
  readonly policyId: string;
  readonly fix: Extract<Fix, { kind: 'selectors' }>;
  /**
   * The fix of an any/union policy, placed on this resource by the planner's choice: the policy's
   * requirement does not bind this resource, so a conflict drops the fix, not the resource's plan.
   */
  readonly tentative: boolean;
}

/** The selectors to write on one resource: the safe merge of what is there with R and F. */
function planSelectors(
  r: ResourceView,
  wanted: boolean,
  requires: readonly PolicySelectors[],
  forbids: readonly PolicySelectors[],
  scopes: readonly PolicyScope[],
  partition: string,
): SelectorPlan {
  if (!wanted) return { kind: 'none' };
  const unsure = scopes.find(
    (s) =>
      s.undecided.some((x) => x.arn === r.arn) &&
      logEventsOf(s.policy, 'require').length + logEventsOf(s.policy, 'forbid').length > 0,
  );
  if (unsure)
    return {
      kind: 'blocked',
      reason: `cannot plan selectors: the tags of ${label(r)} are not known, so whether policy '${unsure.policy.id}' applies to it cannot be decided`,
    };
  if (!r.selectorConfig)
    return {
      kind: 'blocked',
      reason: `cannot plan selectors: ${r.selectorProblem ?? 'its current event selectors are not known'}`,
    };
  let result: ReturnType<typeof merge>;
  try {
    result = merge(
      r.selectorConfig,
      requires.flatMap((x) => x.selectors),
      forbids.flatMap((x) => x.selectors),
      { target: r.kind, partition: partitionOf(r.arn) ?? partition },
    );
  } catch (error) {
    // Conflicts were found above; what remains is a result AWS would not accept, or bad input.
    if (!(error instanceof SelectorEngineError)) throw error;
    return { kind: 'blocked', reason: `cannot plan selectors: ${error.message}` };
  }
  if (!result.changed)
    return { kind: 'unchanged', reason: 'the merged selectors already log everything required' };
  return { kind: 'write', input: result.selectors as unknown as Record<string, unknown> };
}

/** Names the two policies behind a change that would break a passing one. */
function explainBreak(
  broken: { policy: Policy; outcome: CheckOutcome },
  r: ResourceView,
  scopes: readonly PolicyScope[],
  owners: readonly string[],
): PolicyConflict {
  const needs = logEventsOf(broken.policy, 'require');
  const { forbids } = constraintsOn(r, scopes);
  const culprit =
    forbids.find((f) => needs.length > 0 && overlaps(needs, f.selectors, within(r)).overlaps)?.policyId ??
    forbids.find((f) => f.policyId !== broken.policy.id)?.policyId ??
    owners.find((id) => id !== broken.policy.id) ??
    broken.policy.id;
  return {
    requiredBy: broken.policy.id,
    forbiddenBy: culprit,
    breaks: broken.outcome.message,
    ...(broken.outcome.witness ? { witness: broken.outcome.witness } : {}),
  };
}

type Mark = (indices: readonly number[], remediation: Remediation) => void;

/** The ordered steps that apply the pending fixes of one resource, each with the fixes it serves. */
function proposeSteps(
  r: ResourceView,
  active: readonly PendingFix[],
  constraints: { requires: PolicySelectors[]; forbids: PolicySelectors[] },
  scopes: readonly PolicyScope[],
  partition: string,
  where: { account: string; region: string },
  ids: (ps: readonly PendingFix[]) => string[],
  mark: Mark,
): { step: PlanStep; ps: readonly PendingFix[] }[] | { blocked: string; tentative: PendingFix[] } {
  const arn = r.arn;
  const withKind = (kind: Fix['kind']) => active.filter((p) => p.fixes.some((f) => f.kind === kind));
  const fixesOf = <K extends Fix['kind']>(kind: K) =>
    active.flatMap((p) => p.fixes.filter((f): f is Extract<Fix, { kind: K }> => f.kind === kind));
  const selectorFixes = withKind('selectors');
  const tentative = selectorFixes
    .filter((p) => p.quantifier !== 'every')
    .flatMap((p) => p.fixes.flatMap((f) => (f.kind === 'selectors' ? [f] : [])));
  const selectorPlan = planSelectors(
    r,
    selectorFixes.length > 0,
    [...constraints.requires, ...tentative.map((f) => ({ policyId: '', selectors: f.require }))],
    [...constraints.forbids, ...tentative.map((f) => ({ policyId: '', selectors: f.forbid }))],
    scopes,
    partition,
  );
  // Selectors no valid list can express because of a repair placed here by choice: give it up first.
  const placed = selectorFixes.filter((p) => p.quantifier !== 'every');
  if (selectorPlan.kind === 'blocked' && placed.length > 0)
    return { blocked: selectorPlan.reason, tentative: placed };
  if (selectorPlan.kind === 'blocked' || selectorPlan.kind === 'unchanged')
    mark(
      selectorFixes.map((p) => p.findingIndex),
      { planned: false, reason: selectorPlan.reason },
    );
  const selectorsInput = selectorPlan.kind === 'write' ? selectorPlan.input : undefined;

  const local: { step: PlanStep; ps: readonly PendingFix[] }[] = [];
  const add = (
    operation: PlanStep['operation'],
    input: Record<string, unknown>,
    ps: readonly PendingFix[],
  ) => {
    local.push({ step: { resource: arn, ...where, operation, input, findings: ids(ps) }, ps });
  };
  const targetKey = r.kind === 'trail' ? 'TrailName' : 'EventDataStore';

  // The API takes the name or the ARN; the name is unambiguous here (home Region, owning account), and
  // it is the form every implementation accepts (moto 5 fails on an ARN).
  if (fixesOf('startLogging').length > 0) add('StartLogging', { Name: r.name }, withKind('startLogging'));
  if (fixesOf('startIngestion').length > 0)
    add('StartEventDataStoreIngestion', { EventDataStore: arn }, withKind('startIngestion'));

  const settings = Object.assign({}, ...fixesOf('updateSettings').map((f) => f.set)) as Record<
    string,
    unknown
  >;
  if (r.kind === 'trail') {
    if (Object.keys(settings).length > 0)
      add('UpdateTrail', { Name: arn, ...settings }, withKind('updateSettings'));
    if (selectorsInput) add('PutEventSelectors', { TrailName: arn, ...selectorsInput }, selectorFixes);
  } else if (Object.keys(settings).length > 0 || selectorsInput) {
    add('UpdateEventDataStore', { EventDataStore: arn, ...settings, ...(selectorsInput ?? {}) }, [
      ...withKind('updateSettings'),
      ...(selectorsInput ? selectorFixes : []),
    ]);
  }

  const insightFixes = fixesOf('insights');
  if (insightFixes.length > 0) {
    const destination = insightFixes.find((f) => f.destination)?.destination ?? r.insightsDestination;
    add(
      'PutInsightSelectors',
      {
        [targetKey]: arn,
        InsightSelectors: REPAIR_REQUESTS.insights(
          r,
          insightFixes.flatMap((f) => f.add),
        ),
        ...(r.kind === 'eventDataStore' && destination ? { InsightsDestination: destination } : {}),
      },
      withKind('insights'),
    );
  }
  const configFixes = fixesOf('eventConfiguration');
  if (configFixes.length > 0) {
    const merged = REPAIR_REQUESTS.eventConfiguration(
      r,
      configFixes.map((f) => f.require),
    );
    if ('problem' in merged)
      mark(
        withKind('eventConfiguration').map((p) => p.findingIndex),
        { planned: false, reason: `cannot plan the event configuration: ${merged.problem}` },
      );
    else add('PutEventConfiguration', { [targetKey]: arn, ...merged.input }, withKind('eventConfiguration'));
  }
  return local;
}

/** The plan, and for each finding a pending fix came from (by index), whether it is repaired and if not why. */
export interface PlanResult {
  readonly steps: PlanStep[];
  readonly remediation: ReadonlyMap<number, Remediation>;
}

/**
 * Combines the fixes of failed findings into ordered steps per resource. Every policy that selects
 * a resource is protected: its requirements and forbids constrain the selector merge, and when two
 * policies contradict each other on a resource nothing is planned there (docs/semantics.md, "6. Changing a trail safely").
 * The findings are read, never changed: what the plan decides for each comes back in `remediation`.
 */
export function buildPlan(
  snapshot: Snapshot,
  findings: readonly Finding[],
  pending: readonly PendingFix[],
  scopes: readonly PolicyScope[],
  partition: string,
  /** Whether the run reads an account in a Region (an organization resource's owner repairs it then). */
  read?: (account: string, region: string) => boolean,
): PlanResult {
  const byResource = new Map<string, { r: ResourceView; items: PendingFix[] }>();
  for (const p of pending) {
    const entry = byResource.get(p.resource.arn) ?? { r: p.resource, items: [] };
    entry.items.push(p);
    byResource.set(p.resource.arn, entry);
  }
  const steps: PlanStep[] = [];
  // Selector changes accepted so far: later resources are checked against them.
  const planned = new Map<string, ResourceView>();
  const remediation = new Map<number, Remediation>();
  const mark = (indices: readonly number[], decided: Remediation) => {
    for (const i of indices) {
      // A finding keeps the first reason it cannot be planned.
      if (remediation.get(i)?.planned === false && decided.planned) continue;
      remediation.set(i, decided);
    }
  };

  /** Plans one resource; 'broken' when its change would break a policy as things stand so far. */
  const planOne = (arn: string, r: ResourceView, items: readonly PendingFix[]): 'done' | 'broken' => {
    let active = items.filter((p) => p.remediate);
    mark(
      items.filter((p) => !p.remediate).map((p) => p.findingIndex),
      { planned: false, reason: 'the policy only reports (action: report)' },
    );
    if (active.length === 0) return 'done';
    const blocked = notHere(r, snapshot, read);
    if (blocked) {
      mark(
        active.map((p) => p.findingIndex),
        { planned: false, reason: blocked },
      );
      return 'done';
    }
    const region = r.homeRegion as string;
    const policyOf = (p: PendingFix) => (findings[p.findingIndex] as Finding).policyId;
    const ids = (ps: readonly PendingFix[]) => [
      ...new Set(ps.map((p) => (findings[p.findingIndex] as Finding).id)),
    ];
    const blockAll = (conflict: PolicyConflict) =>
      mark(
        active.map((p) => p.findingIndex),
        { planned: false, reason: conflictReason(conflict), conflict },
      );
    const giveUp = (ps: readonly PendingFix[], conflict: PolicyConflict) => {
      mark(
        ps.map((p) => p.findingIndex),
        { planned: false, reason: conflictReason(conflict), conflict },
      );
      active = active.filter((p) => !ps.includes(p));
    };

    // Conflicts first: two policies that contradict each other on a resource leave it untouched.
    const owners = (): SelectorOwner[] =>
      active.flatMap((p) =>
        p.fixes.flatMap((fix) =>
          fix.kind === 'selectors'
            ? [{ policyId: policyOf(p), fix, tentative: p.quantifier !== 'every' }]
            : [],
        ),
      );
    const constraints = () => {
      const fixed = owners().filter((o) => !o.tentative);
      return constraintsOn(
        r,
        scopes,
        fixed.map((o) => ({ policyId: o.policyId, selectors: o.fix.require })),
        fixed.map((o) => ({ policyId: o.policyId, selectors: o.fix.forbid })),
      );
    };
    const { requires, forbids } = constraints();
    const hard = findConflict(requires, forbids, within(r));
    if (hard) {
      blockAll(hard);
      return 'done';
    }
    // An any/union repair the planner chose to place here, and that cannot be: give that one up.
    // Repaired here, an any policy's forbids bind this resource too (its fix carries them).
    const taken = { requires: [...requires], forbids: [...forbids] };
    for (const p of active.filter((x) => x.quantifier !== 'every')) {
      const policyId = policyOf(p);
      const need = p.fixes.flatMap((f) => (f.kind === 'selectors' ? f.require : []));
      const avoid = p.fixes.flatMap((f) => (f.kind === 'selectors' ? f.forbid : []));
      const own =
        findConflict([{ policyId, selectors: need }], taken.forbids, within(r)) ??
        findConflict(taken.requires, [{ policyId, selectors: avoid }], within(r));
      if (own) giveUp([p], own);
      else {
        taken.requires.push({ policyId, selectors: need });
        taken.forbids.push({ policyId, selectors: avoid });
      }
    }

    // Steps are proposed only once the resource as they leave it is checked against every policy.
    for (;;) {
      const local = proposeSteps(
        r,
        active,
        constraints(),
        scopes,
        partition,
        { account: snapshot.account, region },
        ids,
        mark,
      );
      if (!Array.isArray(local)) {
        mark(
          local.tentative.map((p) => p.findingIndex),
          { planned: false, reason: local.blocked },
        );
        active = active.filter((p) => !local.tentative.includes(p));
        continue;
      }
      if (local.length === 0) break;
      const after = viewAfter(
        r,
        local.map((l) => l.step),
      );
      const repairs = new Set(
        local.flatMap((l) =>
          l.ps.map((p) => {
            const f = findings[p.findingIndex] as Finding;
            return checkKey(f.policyId, f.check);
          }),
        ),
      );
      const broken = brokenBy(r, after, scopes, planned, repairs);
      if (!broken) {
        planned.set(arn, after);
        for (const { step, ps } of local) {
          steps.push(step);
          mark(
            ps.map((p) => p.findingIndex),
            { planned: true },
          );
        }
        break;
      }
      const conflict = explainBreak(broken, r, scopes, active.map(policyOf));
      // Repairs of any/union policies are placed here by choice: give them up before the rest (the
      // broken one's own first).
      const placed = active.filter((p) => p.quantifier !== 'every');
      const own = placed.filter((p) => policyOf(p) === broken.policy.id);
      const chosen = own.length > 0 ? own : placed;
      if (chosen.length === 0) {
        blockAll(conflict);
        return 'broken';
      }
      giveUp(chosen, conflict);
    }
    return 'done';
  };

  type Entry = [string, { r: ResourceView; items: PendingFix[] }];
  let waiting: Entry[] = [];
  for (const [arn, entry] of [...byResource].sort(([a], [b]) => a.localeCompare(b)))
    if (planOne(arn, entry.r, entry.items) === 'broken') waiting.push([arn, entry]);
  // A change accepted later can make an earlier one safe (another trail now logs what it relied on).
  for (let progress = true; progress && waiting.length > 0; ) {
    progress = false;
    const still: Entry[] = [];
    const inSteps = new Set(steps.flatMap((s) => s.findings));
    for (const [arn, entry] of waiting) {
      // Forget the reasons of the failed attempt (not what another resource's steps repair).
      for (const p of entry.items)
        if (!inSteps.has((findings[p.findingIndex] as Finding).id)) remediation.delete(p.findingIndex);
      if (planOne(arn, entry.r, entry.items) === 'done') progress = true;
      else still.push([arn, entry]);
    }
    waiting = still;
  }
  steps.sort(
    (a, b) => a.resource.localeCompare(b.resource) || ORDER.indexOf(a.operation) - ORDER.indexOf(b.operation),
  );
  return { steps, remediation };
}
