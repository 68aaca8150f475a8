import type { CompiledSelector, Constraint } from './compile.js';
import { FIELD_DOMAINS } from './fields.js';
import { constraintMatches } from './match.js';
import { hasPrefix } from './strings.js';
import type { EventField } from './types.js';

/*
 * docs/semantics.md, "5. How the answers are exact", step 0. Before the search: what `must` says about a field makes parts of the `mustNot` selectors
 * irrelevant, and dropping them keeps the search small without changing its answer, because the
 * search only looks at events that meet `must`, and on those events a narrowed selector matches
 * exactly when the original does.
 *
 * - Pinned: `must` allows finitely many values of the field (Equals, or an enumerated domain such
 *   as readOnly). A `mustNot` selector that no such value satisfies matches no event of the search,
 *   and is dropped; a constraint that every such value satisfies never fails, and is dropped from
 *   its selector (eventCategory = Data against a requirement on Data, say).
 * - Anchored: a `must` constraint whose positive values are Equals and StartsWith only pins the
 *   field to values that equal one of its constants or start with one of its prefixes. A `mustNot`
 *   atom that cannot be a prefix of such a value, or a constant that cannot be such a value, is
 *   never hit, and is dropped; a constraint left with no positive value is then never met, and its
 *   selector is dropped. A requirement on a few buckets against a trail of hundreds of bucket
 *   prefixes is the case this is for.
 *
 * A selector left with no constraint matches every event of the search.
 */

/**
 * One anchoring `must` constraint, indexed: its StartsWith values sorted and without those that
 * extend another (they add nothing: a value starting with one starts with the shorter), its
 * Equals values sorted. Then the one prefix that can begin a string is the greatest not after it,
 * and a string that begins a value begins the least value not before it: a binary search each
 * instead of a comparison with every value (a requirement may list hundreds of buckets).
 */
class Anchor {
  private readonly sw: string[];
  private readonly eq: string[];

  constructor(c: Constraint) {
    const sorted = [...c.sw].sort();
    this.sw = [];
    for (const s of sorted) {
      const last = this.sw[this.sw.length - 1];
      if (last === undefined || !hasPrefix(s, last)) this.sw.push(s);
    }
    this.eq = [...c.eq].sort();
  }

  /** Can `atom` be a prefix of a value that equals one of the constants or starts with one of the prefixes? */
  mayPrefix(atom: string): boolean {
    const { sw, eq } = this;
    const i = lastNotAfter(sw, atom);
    if (i >= 0 && hasPrefix(atom, sw[i] as string)) return true;
    const next = sw[i + 1];
    if (next !== undefined && hasPrefix(next, atom)) return true;
    const j = lastNotAfter(eq, atom);
    if (j >= 0 && eq[j] === atom) return true;
    const e = eq[j + 1];
    return e !== undefined && hasPrefix(e, atom);
  }

  /** Can `value` equal one of the constants or start with one of the prefixes? */
  mayEqual(value: string): boolean {
    const i = lastNotAfter(this.sw, value);
    if (i >= 0 && hasPrefix(value, this.sw[i] as string)) return true;
    const j = lastNotAfter(this.eq, value);
    return j >= 0 && this.eq[j] === value;
  }
}

/** The index of the last element of sorted `list` that is not after `s` (-1 when none). */
function lastNotAfter(list: readonly string[], s: string): number {
  let lo = -1;
  let hi = list.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >>> 1;
    if ((list[mid] as string) <= s) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

interface FieldFacts {
  /** The values `must` allows, when finitely many. */
  readonly pinned: readonly string[] | undefined;
  readonly anchors: readonly Anchor[];
}

/** `values` without those some anchor rules out (`prefixes`: as prefix atoms, else as constants). */
function keep(values: readonly string[], anchors: readonly Anchor[], prefixes: boolean) {
  let out: string[] | undefined;
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as string;
    let ok = true;
    for (let j = 0; ok && j < anchors.length; j++) {
      const a = anchors[j] as Anchor;
      ok = prefixes ? a.mayPrefix(v) : a.mayEqual(v);
    }
    if (ok) out?.push(v);
    else out ??= values.slice(0, i);
  }
  return out ?? values;
}

/** `c` without the values no anchored value can hit; null when no anchored value meets it. */
function anchored(c: Constraint, anchors: readonly Anchor[]): Constraint | null {
  if (anchors.length === 0 || c.eq.length + c.sw.length + c.neq.length + c.nsw.length === 0) return c;
  const eq = keep(c.eq, anchors, false);
  const sw = keep(c.sw, anchors, true);
  const neq = keep(c.neq, anchors, false);
  const nsw = keep(c.nsw, anchors, true);
  if (eq === c.eq && sw === c.sw && neq === c.neq && nsw === c.nsw) return c;
  const hadPositive = c.eq.length + c.sw.length + c.ew.length > 0;
  if (hadPositive && eq.length + sw.length + c.ew.length === 0) return null;
  return { ...c, eq, sw, neq, nsw };
}

/** How many of `pinned` meet `c` (an Equals-only constraint, the usual one, without the general matcher). */
function pinnedMet(pinned: readonly string[], c: Constraint): number {
  const onlyEq = c.sw.length + c.ew.length + c.neq.length + c.nsw.length + c.new.length === 0;
  let met = 0;
  for (let i = 0; i < pinned.length; i++) {
    const v = pinned[i] as string;
    if (onlyEq ? c.eq.includes(v) : constraintMatches(c, v)) met++;
  }
  return met;
}

/** Whether a pinned value meets every constraint of `s` on `field` (a selector may repeat a field). */
function meetsTogether(pinned: readonly string[], s: CompiledSelector, field: EventField): boolean {
  return pinned.some((v) => s.constraints.every((x) => x.field !== field || constraintMatches(x, v)));
}

function factsOf(must: readonly CompiledSelector[], field: EventField): FieldFacts {
  const domain = FIELD_DOMAINS[field];
  let values: readonly string[] | undefined = domain.optional ? undefined : domain.values;
  const own: Constraint[] = [];
  const anchors: Anchor[] = [];
  for (const m of must)
    for (const c of m.constraints) {
      if (c.field !== field) continue;
      own.push(c);
      if (c.ew.length > 0) continue;
      // An Equals-only constraint also rules out absence, so it pins an optional field too.
      if (c.eq.length > 0 && c.sw.length === 0) values = c.eq;
      if (c.eq.length + c.sw.length > 0) anchors.push(new Anchor(c));
    }
  return {
    pinned: values?.filter((v) => own.every((c) => constraintMatches(c, v))),
    anchors,
  };
}

/**
 * `mustNot` narrowed to the events that meet every selector of `must` (see above): selectors that
 * can match none of them dropped, constraints and values that cannot decide a match removed.
 */
export function narrowToMust(
  must: readonly CompiledSelector[],
  mustNot: readonly CompiledSelector[],
): CompiledSelector[] {
  const facts = new Map<EventField, FieldFacts>();
  const factsFor = (field: EventField) => {
    let f = facts.get(field);
    if (!f) {
      f = factsOf(must, field);
      facts.set(field, f);
    }
    return f;
  };
  const out: CompiledSelector[] = [];
  for (const s of mustNot) {
    let constraints: Constraint[] | undefined;
    let dead = false;
    for (let k = 0; k < s.constraints.length && !dead; k++) {
      const c = s.constraints[k] as Constraint;
      const { pinned, anchors } = factsFor(c.field);
      let narrowed: Constraint | null = c;
      if (pinned) {
        const met = pinnedMet(pinned, c);
        if (met === 0 || (met < pinned.length && !meetsTogether(pinned, s, c.field))) dead = true;
        else if (met === pinned.length) narrowed = null;
      } else {
        narrowed = anchored(c, anchors);
        if (narrowed === null) dead = true;
      }
      if (dead) break;
      if (narrowed === c) {
        constraints?.push(c);
        continue;
      }
      constraints ??= s.constraints.slice(0, k);
      if (narrowed) constraints.push(narrowed);
    }
    if (!dead) out.push(constraints ? { constraints } : s);
  }
  return out;
}
