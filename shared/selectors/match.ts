import { type Constraint, compileSelectors } from './compile.js';
import type { CloudTrailEvent } from './types.js';

/**
 * The plain matcher of docs/semantics.md, "2. Selectors", kept deliberately literal: it is the oracle that every
 * witness and every property test is checked against.
 */
export function constraintMatches(c: Constraint, value: string | undefined): boolean {
  const positives = c.eq.length + c.sw.length + c.ew.length;
  const positive =
    positives === 0 ||
    (value !== undefined &&
      (c.eq.includes(value) || c.sw.some((p) => value.startsWith(p)) || c.ew.some((s) => value.endsWith(s))));
  const negative =
    value === undefined ||
    !(
      c.neq.includes(value) ||
      c.nsw.some((p) => value.startsWith(p)) ||
      c.new.some((s) => value.endsWith(s))
    );
  return positive && negative;
}

/** Indices of the selectors in `selectors` that match `event`. Throws SelectorError on malformed selectors. */
export function matchingSelectors(selectors: unknown, event: CloudTrailEvent): number[] {
  const compiled = compileSelectors(selectors);
  const hits: number[] = [];
  compiled.forEach((sel, i) => {
    if (sel.constraints.every((c) => constraintMatches(c, event[c.field]))) hits.push(i);
  });
  return hits;
}

/** Whether a trail or event data store with these advanced selectors logs `event`. */
export function matches(selectors: unknown, event: CloudTrailEvent): boolean {
  return matchingSelectors(selectors, event).length > 0;
}
