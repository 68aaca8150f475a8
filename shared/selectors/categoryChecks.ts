/**
 * The per-category and per-target rules of one advanced selector, read from the table in
 * categoryRules.ts. Every message names the category, the target, the field, the rule and what is
 * allowed, so a rejection can be fixed without the API reference at hand.
 */
import {
  type CategoryRule,
  categoriesOn,
  categoryRule,
  type EventCategory,
  EXCLUDABLE_MANAGEMENT_SOURCES,
  FIELD_RULES,
  fieldAllowed,
  isEventCategory,
  otherTarget,
  targetPhrase,
  targetPlural,
} from './categoryRules.js';
import { isEventField } from './fields.js';
import { closest } from './suggest.js';
import type { ResourceKind } from './types.js';

/**
 * What a selector list is for. `write`: it will be sent to AWS (or a policy requires it to be
 * logged), so every rule applies. `forbid`: it is a set of events a policy forbids, never written;
 * see `checkSelectorRules` for the rules that still apply.
 */
export type Purpose = 'write' | 'forbid';

export interface RuleProblem {
  readonly severity: 'error' | 'warning';
  readonly code: string;
  readonly path: string;
  readonly message: string;
}

/** Field selectors of one advanced selector, grouped by field name, with their index. */
type FieldSelectorsByField = ReadonlyMap<
  string,
  readonly { readonly index: number; readonly fs: Readonly<Record<string, unknown>> }[]
>;

const list = (xs: readonly string[]) => xs.join(', ');
const operatorsOf = (fs: Readonly<Record<string, unknown>>) => Object.keys(fs).filter((k) => k !== 'Field');
const stringsIn = (value: unknown): string[] =>
  Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];

/** Words for the kind of events a category selects, as the API reference names them. */
const EVENTS_OF: Record<EventCategory, string> = {
  Management: 'management events',
  Data: 'data events',
  NetworkActivity: 'network activity events',
  Insight: 'Insights events',
  ConfigurationItem: 'Config configuration items',
  Evidence: 'Audit Manager evidence',
  ActivityAuditLog: 'events from outside AWS',
};

/** Where else a field is accepted, to end a rejection with the way out. */
function elsewhere(target: ResourceKind, category: EventCategory, field: string): string {
  const other = otherTarget(target);
  if (fieldAllowed(other, category, field)) return `; ${targetPlural(other)} allow it`;
  const categories = categoriesOn(target).filter((c) => fieldAllowed(target, c, field));
  return categories.length > 0
    ? `; ${field} belongs in ${categories.join(' and ')} selectors`
    : `; no ${category} selector can use it`;
}

/**
 * The rules of the table for one advanced selector (docs/semantics.md, "7. What AWS accepts"), given its field selectors by
 * field. For `purpose: 'forbid'` (a set of events, never written) these still apply: the category
 * must be one the target can log at all, eventCategory/readOnly/resources.type/errorCode take
 * Equals with their documented values, and a field must be one that category has on some target.
 * These do not: required fields (forbidding "every data event" is a meaningful set), one
 * resources.type per selector, and the trail's "eventSource only as NotEquals kms/rdsdata" rule
 * (forbidding `eventSource Equals kms.amazonaws.com` is the usual cost guard; its repair writes
 * NotEquals). A forbidden set the target cannot remove exactly (its repair would need a field or
 * operator the target does not take) is a warning: the check still reports it.
 */
export function checkSelectorRules(
  byField: FieldSelectorsByField,
  path: string,
  target: ResourceKind,
  purpose: Purpose,
): RuleProblem[] {
  const out: RuleProblem[] = [];
  const add = (severity: RuleProblem['severity'], code: string, at: string, message: string) =>
    out.push({ severity, code, path: at, message });
  const at = (index: number, suffix = '') => `${path}.FieldSelectors[${index}]${suffix}`;

  // Values the API restricts (readOnly, errorCode); eventCategory is judged against the target below.
  for (const [field, entries] of byField) {
    const values = isEventField(field) && field !== 'eventCategory' ? FIELD_RULES[field]?.values : undefined;
    if (!values) continue;
    for (const { index, fs } of entries) {
      for (const op of operatorsOf(fs)) {
        stringsIn(fs[op]).forEach((v, k) => {
          if (values.includes(v)) return;
          add(
            'error',
            'invalid-value',
            at(index, `.${op}[${k}]`),
            `${field} takes only ${values.map((x) => `"${x}"`).join(' or ')}, got ${JSON.stringify(v)}`,
          );
        });
      }
    }
  }

  const categoryEntry = byField.get('eventCategory')?.[0];
  if (!categoryEntry) return out;
  const onTarget = categoriesOn(target);
  const rules: [EventCategory, CategoryRule][] = [];
  stringsIn(categoryEntry.fs.Equals).forEach((c, k) => {
    const vp = at(categoryEntry.index, `.Equals[${k}]`);
    if (!isEventCategory(c)) {
      const hint = closest(c, onTarget);
      add(
        'error',
        'invalid-value',
        vp,
        `eventCategory on ${targetPhrase(target)} is one of ${list(onTarget)}, got ${JSON.stringify(c)}${hint ? `; did you mean "${hint}"?` : ''}`,
      );
      return;
    }
    const rule = categoryRule(target, c);
    if (!rule) {
      add(
        'error',
        'category-not-allowed',
        vp,
        `${c} selectors are not allowed on ${targetPhrase(target)} (allowed categories: ${list(onTarget)}); ${
          c === 'Insight' && target === 'trail'
            ? "a trail's Insights are turned on with insight selectors (the insights check)"
            : `${EVENTS_OF[c]} are collected by ${targetPlural(otherTarget(target))}`
        }`,
      );
      return;
    }
    rules.push([c, rule]);
  });

  for (const [category, rule] of rules) {
    const allowed = rule.allowed as readonly string[];
    for (const [field, entries] of byField) {
      if (allowed.includes(field) || !isEventField(field)) continue;
      const writableElsewhere = fieldAllowed(otherTarget(target), category, field);
      for (const { index } of entries) {
        const base = `${field} is not allowed in ${category} selectors on ${targetPhrase(target)} (allowed: ${list(allowed)})`;
        if (purpose === 'forbid' && writableElsewhere) {
          add(
            'warning',
            'forbid-not-exactly-removable',
            at(index),
            `${base}: these events are reported when logged, but a repair cannot remove exactly them${elsewhere(target, category, field)}`,
          );
        } else {
          add('error', 'field-not-allowed', at(index), `${base}${elsewhere(target, category, field)}`);
        }
      }
    }
    if (purpose === 'write') {
      for (const field of rule.required) {
        if (byField.has(field)) continue;
        add(
          'error',
          'missing-required-field',
          `${path}.FieldSelectors`,
          `${field} is required for ${EVENTS_OF[category]} on ${targetPhrase(target)} (${category} selectors need ${list(rule.required)}; allowed: ${list(allowed)})`,
        );
      }
    }
    if (target === 'trail' && category === 'Management') {
      for (const { index, fs } of byField.get('eventSource') ?? []) {
        const problem = managementSourceOnTrail(fs, purpose);
        if (problem) add(purpose === 'write' ? 'error' : 'warning', problem.code, at(index), problem.message);
      }
    }
  }

  if (purpose === 'write') {
    const types = byField.get('resources.type') ?? [];
    if (types.length > 1) {
      add(
        'error',
        'multiple-resource-types',
        at(types[1]?.index ?? 0),
        'at most one resources.type per selector; add another selector for another type',
      );
    }
    const typeEntry = types[0];
    if (typeEntry && stringsIn(typeEntry.fs.Equals).length > 1) {
      add(
        'error',
        'multiple-resource-types',
        at(typeEntry.index, '.Equals'),
        'one resources.type value per selector; add another selector for another type',
      );
    }
  }
  return out;
}

const EXCLUDABLE = EXCLUDABLE_MANAGEMENT_SOURCES as readonly string[];

/**
 * A trail writes management eventSource only as `NotEquals` kms/rdsdata. In a forbid list the
 * mirror image is what a repair can remove exactly: `Equals` kms/rdsdata.
 */
function managementSourceOnTrail(
  fs: Readonly<Record<string, unknown>>,
  purpose: Purpose,
): { code: string; message: string } | undefined {
  const ops = operatorsOf(fs);
  const rule = `for management events on a trail, eventSource may only be NotEquals ${EXCLUDABLE.join(' or ')}`;
  if (purpose === 'write') {
    const ok =
      ops.every((op) => op === 'NotEquals') && stringsIn(fs.NotEquals).every((v) => EXCLUDABLE.includes(v));
    return ok
      ? undefined
      : {
          code: 'invalid-management-event-source',
          message: `${rule} (allowed fields: eventCategory, eventSource, readOnly); event data stores allow any eventSource condition`,
        };
  }
  const ok = ops.every((op) => op === 'Equals') && stringsIn(fs.Equals).every((v) => EXCLUDABLE.includes(v));
  return ok
    ? undefined
    : {
        code: 'forbid-not-exactly-removable',
        message: `${rule}, so a repair can only remove management events whose eventSource Equals ${EXCLUDABLE.join(' or ')}; these events are reported when logged, but not removed exactly`,
      };
}
