import { describeEvent } from '../policy/describe.js';
import type { Policy } from '../policy/document.js';
import type { ResourceView } from '../policy/types.js';
import { type AdvancedEventSelector, type DecisionOptions, overlaps } from '../selectors/index.js';
import { within } from './resources.js';
import type { PolicyConflict } from './types.js';

export type { PolicyConflict };

/** The selectors one policy requires, or forbids, on a resource. */
export interface PolicySelectors {
  readonly policyId: string;
  readonly selectors: readonly AdvancedEventSelector[];
}

/** The selectors a policy's checks require logged, or forbid (each check's `selectors` hook). */
export function logEventsOf(policy: Policy, section: 'require' | 'forbid'): AdvancedEventSelector[] {
  return policy.checks
    .filter((c) => c.definition.section === section)
    .flatMap((c) => c.definition.selectors?.(c.params) ?? []);
}

/**
 * The first requirement that overlaps a forbid, with an event both match: on a resource, an event
 * of its partition (`options`).
 */
export function findConflict(
  requires: readonly PolicySelectors[],
  forbids: readonly PolicySelectors[],
  options: DecisionOptions = {},
): PolicyConflict | undefined {
  for (const r of requires) {
    for (const f of forbids) {
      if (r.selectors.length === 0 || f.selectors.length === 0) continue;
      const o = overlaps(r.selectors, f.selectors, options);
      if (o.overlaps) return { requiredBy: r.policyId, forbiddenBy: f.policyId, witness: o.witness };
    }
  }
  return undefined;
}

export function conflictReason(c: PolicyConflict): string {
  const example = c.witness ? `, for example: ${describeEvent(c.witness)}` : '';
  return c.breaks
    ? `policy conflict: repairing policy '${c.forbiddenBy}' here would break policy '${c.requiredBy}' (${c.breaks}); nothing planned on this resource`
    : `policy conflict: policy '${c.requiredBy}' requires events that policy '${c.forbiddenBy}' forbids${example}; nothing planned on this resource`;
}

/** What one policy selects in the snapshot's Region; the planner protects every policy, passing or not. */
export interface PolicyScope {
  readonly policy: Policy;
  /** The resources the policy selects here. */
  readonly selected: readonly ResourceView[];
  /** Resources whose selection could not be decided (their tags are not known). */
  readonly undecided: readonly ResourceView[];
  /** For `any` and `union`: the selected resources that record this Region's events. */
  readonly inScope: readonly ResourceView[];
  /** For `any` and `union`: whether the policy passes here. */
  passed: boolean;
  /**
   * For `every`: ARNs of the resources where its required events are an accepted risk (the finding
   * is SUPPRESSED by an exception): the planner neither adds them there nor keeps them.
   */
  readonly waived: Set<string>;
}

const nonEmpty = (list: PolicySelectors[]) => list.filter((x) => x.selectors.length > 0);

/** The scopes that select each resource, indexed once per evaluation (a Region may hold 10,000 trails). */
const bySelected = new WeakMap<readonly PolicyScope[], Map<ResourceView, PolicyScope[]>>();

function scopesSelecting(r: ResourceView, scopes: readonly PolicyScope[]): readonly PolicyScope[] {
  let index = bySelected.get(scopes);
  if (!index) {
    index = new Map();
    for (const s of scopes) for (const x of s.selected) index.set(x, [...(index.get(x) ?? []), s]);
    bySelected.set(scopes, index);
  }
  return index.get(r) ?? [];
}

/**
 * R and F on one resource (docs/semantics.md, "6. Changing a trail safely"): what every selecting `every` policy requires, passing or
 * failing, unless an exception waives them there, plus `extra` requirements (what its failing
 * findings ask for here); and the forbids of every selecting `every` and `union` policy plus
 * `extraForbids`. An `any` policy binds only the resource it is satisfied or repaired on, so its
 * forbids come in through its fix there.
 */
export function constraintsOn(
  r: ResourceView,
  scopes: readonly PolicyScope[],
  extra: readonly PolicySelectors[] = [],
  extraForbids: readonly PolicySelectors[] = [],
): { requires: PolicySelectors[]; forbids: PolicySelectors[] } {
  const selecting = scopesSelecting(r, scopes);
  return {
    requires: nonEmpty([
      ...selecting
        .filter((s) => s.policy.quantifier === 'every' && !s.waived.has(r.arn))
        .map((s) => ({ policyId: s.policy.id, selectors: logEventsOf(s.policy, 'require') })),
      ...extra,
    ]),
    forbids: nonEmpty([
      ...selecting
        .filter((s) => s.policy.quantifier !== 'any')
        .map((s) => ({ policyId: s.policy.id, selectors: logEventsOf(s.policy, 'forbid') })),
      ...extraForbids,
    ]),
  };
}

/** Whether the policies selecting `r` contradict each other there (then nothing is planned on it). */
export function conflictOn(
  r: ResourceView,
  scopes: readonly PolicyScope[],
  extra: readonly PolicySelectors[] = [],
): PolicyConflict | undefined {
  const { requires, forbids } = constraintsOn(r, scopes, extra);
  return findConflict(requires, forbids, within(r));
}
