import { type CompiledSelector, compileSelectors } from './compile.js';
import { findEvent } from './solver.js';
import type { AdvancedEventSelector, CloudTrailEvent } from './types.js';

/*
 * The questions of docs/semantics.md, "4. The questions the engine answers". Inputs are advanced selector lists in AWS spelling (convert
 * basic lists with toAdvanced first); malformed input raises a SelectorError naming its path.
 */

/** What every decision is taken over. */
export interface DecisionOptions {
  /**
   * The partition of the trail or event data store (`aws`, `aws-cn`, …, from its ARN): events'
   * resources.ARN values are ARNs of their type's shape in that partition. Undefined: every known
   * partition (for questions about policies, where no resource is at hand).
   */
  readonly partition?: string | undefined;
}

export type CoverageResult =
  | { readonly covered: true }
  /** `requirement` is the index of the required selector that `witness` matches. */
  | { readonly covered: false; readonly witness: CloudTrailEvent; readonly requirement: number };

export type OverlapResult =
  | { readonly overlaps: false }
  | {
      readonly overlaps: true;
      readonly witness: CloudTrailEvent;
      readonly selector: number;
      readonly forbidden: number;
    };

export type EquivalenceResult =
  | { readonly equivalent: true }
  /** `loggedBy` says which of the two lists logs the witness (the other does not). */
  | { readonly equivalent: false; readonly witness: CloudTrailEvent; readonly loggedBy: 'first' | 'second' };

type Selectors = readonly AdvancedEventSelector[];

function coversCompiled(
  s: readonly CompiledSelector[],
  r: readonly CompiledSelector[],
  options: DecisionOptions,
): CoverageResult {
  for (let j = 0; j < r.length; j++) {
    const witness = findEvent([r[j] as CompiledSelector], s, options);
    if (witness) return { covered: false, witness, requirement: j };
  }
  return { covered: true };
}

const sameValues = (a: readonly string[], b: readonly string[]) =>
  a === b || (a.length === b.length && a.every((v, i) => v === b[i]));

const sameSelector = (a: CompiledSelector, b: CompiledSelector) =>
  a.constraints.length === b.constraints.length &&
  a.constraints.every((c, i) => {
    const d = b.constraints[i] as (typeof b.constraints)[number];
    return (
      c.field === d.field &&
      sameValues(c.eq, d.eq) &&
      sameValues(c.sw, d.sw) &&
      sameValues(c.ew, d.ew) &&
      sameValues(c.neq, d.neq) &&
      sameValues(c.nsw, d.nsw) &&
      sameValues(c.new, d.new)
    );
  });

/** Mixes `x` into the hash `h` (multiplicative; kept to 30 bits, small integers that need no boxing). */
const mix = (h: number, x: number) => Math.imul(h ^ x, 0x9e3779b1) & 0x3fffffff;

/** A value's length and last two code units, mixed into `h`. */
const valueHash = (h: number, v: string) =>
  mix(h, (v.length << 16) ^ (v.charCodeAt(v.length - 1) << 8) ^ v.charCodeAt(v.length - 2));

/** The hash of a value list: its length and its first and last values (enough to tell most apart). */
const listHash = (h: number, values: readonly string[]) => {
  const n = values.length;
  const out = mix(h, n);
  return n === 0 ? out : valueHash(valueHash(out, values[0] as string), values[n - 1] as string);
};

/**
 * A cheap summary of a selector: equal selectors share it, and only selectors that share it are
 * compared in full. Numbers, not strings: building and hashing a string key per selector was a
 * tenth of a decision on a 500-value trail.
 */
const roughKey = (s: CompiledSelector) => {
  let h = s.constraints.length;
  for (const c of s.constraints) {
    h = mix(h, (c.field.length << 8) ^ c.field.charCodeAt(c.field.length - 1));
    h = listHash(h, c.eq);
    h = listHash(h, c.sw);
    h = listHash(h, c.ew);
    h = listHash(h, c.neq);
    h = listHash(h, c.nsw);
    h = listHash(h, c.new);
  }
  return h;
};

/** Identical selectors add nothing to what a list logs; a union of many trails repeats them a lot. */
function unique(list: readonly CompiledSelector[]): CompiledSelector[] {
  const seen = new Map<number, CompiledSelector[]>();
  return list.filter((s) => {
    const key = roughKey(s);
    const same = seen.get(key);
    if (!same) {
      seen.set(key, [s]);
      return true;
    }
    if (same.some((t) => sameSelector(s, t))) return false;
    same.push(s);
    return true;
  });
}

/** Does `selectors` log every event that `required` matches? */
export function covers(
  selectors: Selectors,
  required: Selectors,
  options: DecisionOptions = {},
): CoverageResult {
  const s = compileSelectors(selectors);
  return coversCompiled(s.length > 16 ? unique(s) : s, compileSelectors(required, 'required'), options);
}

/** Does `selectors` log any event that `forbidden` matches? */
export function overlaps(
  selectors: Selectors,
  forbidden: Selectors,
  options: DecisionOptions = {},
): OverlapResult {
  const s = compileSelectors(selectors);
  const f = compileSelectors(forbidden, 'forbidden');
  for (let i = 0; i < s.length; i++) {
    for (let j = 0; j < f.length; j++) {
      const witness = findEvent([s[i] as CompiledSelector, f[j] as CompiledSelector], [], options);
      if (witness) return { overlaps: true, witness, selector: i, forbidden: j };
    }
  }
  return { overlaps: false };
}

/** Do the two lists log exactly the same events? */
export function equivalent(
  first: Selectors,
  second: Selectors,
  options: DecisionOptions = {},
): EquivalenceResult {
  const a = compileSelectors(first);
  const b = compileSelectors(second, 'second');
  const ab = coversCompiled(a, b, options);
  if (!ab.covered) return { equivalent: false, witness: ab.witness, loggedBy: 'second' };
  const ba = coversCompiled(b, a, options);
  if (!ba.covered) return { equivalent: false, witness: ba.witness, loggedBy: 'first' };
  return { equivalent: true };
}

/** Whether the two lists log the same events, without building a witness (for callers that only ask). */
export function sameEvents(first: Selectors, second: Selectors, options: DecisionOptions = {}): boolean {
  const a = compileSelectors(first);
  const b = compileSelectors(second, 'second');
  const solve = { ...options, witness: false };
  return b.every((r) => !findEvent([r], a, solve)) && a.every((r) => !findEvent([r], b, solve));
}

/** Indices of selectors that match no event at all. */
export function deadSelectors(selectors: Selectors, options: DecisionOptions = {}): number[] {
  const s = compileSelectors(selectors);
  const solve = { ...options, witness: false };
  return s.flatMap((sel, i) => (findEvent([sel], [], solve) ? [] : [i]));
}

/**
 * Indices of live selectors whose events are all logged by the other selectors. Chosen greedily
 * from the end, so the returned set can be removed together without changing what is logged.
 */
export function redundantSelectors(selectors: Selectors, options: DecisionOptions = {}): number[] {
  const s = compileSelectors(selectors);
  const dead = new Set(deadSelectors(selectors, options));
  const kept = s.map((_, i) => !dead.has(i));
  const redundant: number[] = [];
  const solve = { ...options, witness: false };
  for (let i = s.length - 1; i >= 0; i--) {
    if (!kept[i]) continue;
    const others = s.filter((_, j) => j !== i && kept[j]);
    if (!findEvent([s[i] as CompiledSelector], others, solve)) {
      kept[i] = false;
      redundant.push(i);
    }
  }
  return redundant.reverse();
}
