import { type CompiledSelector, compileSelectors } from './compile.js';
import { findEvent } from './solver.js';
import type { AdvancedEventSelector, CloudTrailEvent } from './types.js';

/*
 * The questions of semantics.md §4. Inputs are advanced selector lists in AWS spelling (convert
 * basic lists with toAdvanced first); malformed input raises a SelectorError naming its path.
 */

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

function coversCompiled(s: readonly CompiledSelector[], r: readonly CompiledSelector[]): CoverageResult {
  for (let j = 0; j < r.length; j++) {
    const witness = findEvent([r[j] as CompiledSelector], s);
    if (witness) return { covered: false, witness, requirement: j };
  }
  return { covered: true };
}

const constraintKey = (s: CompiledSelector) =>
  s.constraints
    .map(
      (c) =>
        `${c.field}\u0001${c.eq.join('\u0002')}\u0001${c.sw.join('\u0002')}\u0001${c.ew.join('\u0002')}\u0001${c.neq.join('\u0002')}\u0001${c.nsw.join('\u0002')}\u0001${c.new.join('\u0002')}`,
    )
    .join('\u0003');

/** Identical selectors add nothing to what a list logs; a union of many trails repeats them a lot. */
function unique(list: readonly CompiledSelector[]): CompiledSelector[] {
  const seen = new Set<string>();
  return list.filter((s) => {
    const key = constraintKey(s);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** Does `selectors` log every event that `required` matches? */
export function covers(selectors: Selectors, required: Selectors): CoverageResult {
  const s = compileSelectors(selectors);
  return coversCompiled(s.length > 16 ? unique(s) : s, compileSelectors(required, 'required'));
}

/** Does `selectors` log any event that `forbidden` matches? */
export function overlaps(selectors: Selectors, forbidden: Selectors): OverlapResult {
  const s = compileSelectors(selectors);
  const f = compileSelectors(forbidden, 'forbidden');
  for (let i = 0; i < s.length; i++) {
    for (let j = 0; j < f.length; j++) {
      const witness = findEvent([s[i] as CompiledSelector, f[j] as CompiledSelector], []);
      if (witness) return { overlaps: true, witness, selector: i, forbidden: j };
    }
  }
  return { overlaps: false };
}

/** Do the two lists log exactly the same events? */
export function equivalent(first: Selectors, second: Selectors): EquivalenceResult {
  const a = compileSelectors(first);
  const b = compileSelectors(second, 'second');
  const ab = coversCompiled(a, b);
  if (!ab.covered) return { equivalent: false, witness: ab.witness, loggedBy: 'second' };
  const ba = coversCompiled(b, a);
  if (!ba.covered) return { equivalent: false, witness: ba.witness, loggedBy: 'first' };
  return { equivalent: true };
}

/** Indices of selectors that match no event at all. */
export function deadSelectors(selectors: Selectors): number[] {
  const s = compileSelectors(selectors);
  return s.flatMap((sel, i) => (findEvent([sel], []) ? [] : [i]));
}

/**
 * Indices of live selectors whose events are all logged by the other selectors. Chosen greedily
 * from the end, so the returned set can be removed together without changing what is logged.
 */
export function redundantSelectors(selectors: Selectors): number[] {
  const s = compileSelectors(selectors);
  const dead = new Set(deadSelectors(selectors));
  const kept = s.map((_, i) => !dead.has(i));
  const redundant: number[] = [];
  for (let i = s.length - 1; i >= 0; i--) {
    if (!kept[i]) continue;
    const others = s.filter((_, j) => j !== i && kept[j]);
    if (!findEvent([s[i] as CompiledSelector], others)) {
      kept[i] = false;
      redundant.push(i);
    }
  }
  return redundant.reverse();
}
