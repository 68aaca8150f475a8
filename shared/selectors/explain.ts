import { compileSelectors } from './compile.js';
import { constraintMatches } from './match.js';
import type { AdvancedEventSelector, AdvancedFieldSelector, CloudTrailEvent, EventField } from './types.js';

/** Why one selector does not match an event: the first of its field selectors that the event fails. */
export interface SelectorMiss {
  /** Index of the selector in the list. */
  readonly selector: number;
  /** Index of the failing field selector within that selector's `FieldSelectors`. */
  readonly fieldSelector: number;
  readonly field: EventField;
  /** The event's value of `field`; undefined when the event does not have it. */
  readonly value: string | undefined;
  /** The failing field selector as it was written (AWS spelling). */
  readonly condition: AdvancedFieldSelector;
}

/**
 * For each selector of the list that does not match `event`, the first field selector it fails:
 * the reason a person can read to see why the event is not logged. Selectors that match are left
 * out, so an empty answer for a non-empty list means the event is logged. Decided by the same plain
 * matcher as `matches`; throws SelectorError on malformed selectors as it does.
 */
export function explainMiss(selectors: unknown, event: CloudTrailEvent): SelectorMiss[] {
  const compiled = compileSelectors(selectors);
  const written = selectors as readonly AdvancedEventSelector[];
  const misses: SelectorMiss[] = [];
  compiled.forEach((sel, i) => {
    const j = sel.constraints.findIndex((c) => !constraintMatches(c, event[c.field]));
    const failing = sel.constraints[j];
    const condition = written[i]?.FieldSelectors[j];
    if (failing === undefined || condition === undefined) return;
    misses.push({
      selector: i,
      fieldSelector: j,
      field: failing.field,
      value: event[failing.field],
      condition,
    });
  });
  return misses;
}
