import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type AdvancedEventSelector,
  asAdvanced,
  type CloudTrailEvent,
  covers,
  deadSelectors,
  EVENT_CATEGORIES,
  type EventSelector,
  equivalent,
  errorsOf,
  FIELD_DOMAINS,
  MergeError,
  matches,
  merge,
  overlaps,
  PolicyConflictError,
  redundantSelectors,
  toAdvanced,
  validate,
} from '../../shared/selectors/index.js';
import {
  basicSelector,
  event,
  forbiddenList,
  RUNS,
  realisticEvent,
  SEED,
  selector,
  selectorList,
  UNIVERSE_STRINGS,
  validList,
  writableList,
} from './arbitraries.js';

const params = (numRuns = RUNS) => ({ seed: SEED, numRuns });

/** A witness obeys docs/semantics.md, "1. Events": enum fields in their domain, required fields present and non-empty. */
function expectValidEvent(e: CloudTrailEvent) {
  for (const [field, domain] of Object.entries(FIELD_DOMAINS)) {
    const v = e[field as keyof CloudTrailEvent];
    if (v === undefined) {
      expect(domain.optional, `${field} absent`).toBe(true);
      continue;
    }
    expect(v.length).toBeGreaterThan(0);
    if (domain.values) expect(domain.values).toContain(v);
  }
}

/**
 * Brute-force oracle over a universe that is complete for these generators: selectors use only
 * eventCategory, readOnly and eventName (atoms of length ≤ 2 over {a, b}), and every region of
 * such atoms has a member among the strings over {a, b, c} of length ≤ 5.
 */
const smallSelector = fc
  .array(
    fc.oneof(
      selector.map((s) =>
        s.FieldSelectors.filter((f) => ['eventCategory', 'readOnly', 'eventName'].includes(f.Field)),
      ),
    ),
    { minLength: 1, maxLength: 1 },
  )
  .map(([fs]) => ({ FieldSelectors: fs ?? [] }))
  .filter((s) => s.FieldSelectors.length > 0);
const smallList = fc.array(smallSelector, { minLength: 0, maxLength: 4 });

const UNIVERSE: CloudTrailEvent[] = EVENT_CATEGORIES.flatMap((eventCategory) =>
  ['true', 'false'].flatMap((readOnly) =>
    UNIVERSE_STRINGS.map((eventName) => ({ eventCategory, readOnly, eventName })),
  ),
);

function bruteCounterexample(s: AdvancedEventSelector[], r: AdvancedEventSelector[]) {
  return UNIVERSE.find((e) => matches(r, e) && !matches(s, e));
}

describe('covers against a brute-force oracle', () => {
  it('agrees exactly with exhaustive search on a complete universe', () => {
    fc.assert(
      fc.property(smallList, smallList, (s, r) => {
        const result = covers(s, r);
        const counter = bruteCounterexample(s, r);
        expect(result.covered).toBe(counter === undefined);
        if (!result.covered) {
          expect(matches(r, result.witness)).toBe(true);
          expect(matches(s, result.witness)).toBe(false);
          expectValidEvent(result.witness);
        }
      }),
      params(1000),
    );
  });

  it('never says yes while a generated event is a counterexample; every witness is one', () => {
    fc.assert(
      fc.property(
        selectorList,
        selectorList,
        fc.array(event, { minLength: 50, maxLength: 50 }),
        (s, r, events) => {
          const result = covers(s, r);
          if (result.covered) {
            for (const e of events) expect(matches(r, e) && !matches(s, e)).toBe(false);
          } else {
            expect(matches([r[result.requirement] as AdvancedEventSelector], result.witness)).toBe(true);
            expect(matches(s, result.witness)).toBe(false);
            expectValidEvent(result.witness);
          }
        },
      ),
      params(),
    );
  });
});

describe('overlaps, equivalent, dead and redundant selectors', () => {
  it('overlaps: a "no" has no generated event logged by both, a "yes" has a valid witness', () => {
    fc.assert(
      fc.property(
        selectorList,
        selectorList,
        fc.array(event, { minLength: 50, maxLength: 50 }),
        (s, f, events) => {
          const result = overlaps(s, f);
          if (result.overlaps) {
            expect(matches(s, result.witness) && matches(f, result.witness)).toBe(true);
            expectValidEvent(result.witness);
          } else {
            for (const e of events) expect(matches(s, e) && matches(f, e)).toBe(false);
          }
        },
      ),
      params(),
    );
  });

  it('equivalent: a "no" witness is logged by exactly the named side', () => {
    fc.assert(
      fc.property(selectorList, selectorList, (a, b) => {
        const result = equivalent(a, b);
        expect(result.equivalent).toBe(covers(a, b).covered && covers(b, a).covered);
        if (!result.equivalent) {
          expect(matches(a, result.witness)).toBe(result.loggedBy === 'first');
          expect(matches(b, result.witness)).toBe(result.loggedBy === 'second');
        }
      }),
      params(),
    );
  });

  it('dead selectors match no generated event; removing redundant ones changes nothing', () => {
    fc.assert(
      fc.property(selectorList, fc.array(event, { minLength: 30, maxLength: 30 }), (s, events) => {
        const dead = deadSelectors(s);
        for (const i of dead)
          for (const e of events) expect(matches([s[i] as AdvancedEventSelector], e)).toBe(false);
        const drop = new Set([...dead, ...redundantSelectors(s)]);
        const rest = s.filter((_, i) => !drop.has(i));
        expect(equivalent(rest, s).equivalent).toBe(true);
      }),
      params(),
    );
  });
});

/** docs/semantics.md, "3. Basic selectors are advanced selectors in disguise", read directly off the text rather than through toAdvanced. */
function basicMatches(list: readonly EventSelector[], e: CloudTrailEvent): boolean {
  return list.some((sel) => {
    const rw = sel.ReadWriteType ?? 'All';
    if (rw === 'ReadOnly' && e.readOnly !== 'true') return false;
    if (rw === 'WriteOnly' && e.readOnly !== 'false') return false;
    if (
      (sel.IncludeManagementEvents ?? true) &&
      e.eventCategory === 'Management' &&
      !(sel.ExcludeManagementEventSources ?? []).includes(e.eventSource ?? '')
    ) {
      return true;
    }
    if (e.eventCategory !== 'Data') return false;
    return (sel.DataResources ?? []).some((dr) => {
      if (dr.Type !== e['resources.type']) return false;
      const arn = e['resources.ARN'] ?? '';
      return (dr.Values ?? []).some((v) => {
        const service = {
          'AWS::S3::Object': 's3',
          'AWS::Lambda::Function': 'lambda',
          'AWS::DynamoDB::Table': 'dynamodb',
        }[dr.Type ?? ''];
        if (v === `arn:aws:${service}` || v === `arn:aws:${service}:`) return true;
        if (dr.Type === 'AWS::S3::Object' || v.split(':').length < 6) return arn.startsWith(v);
        return arn === v;
      });
    });
  });
}

describe('toAdvanced', () => {
  it('agrees with a direct reading of the basic semantics', () => {
    fc.assert(
      fc.property(
        fc.array(basicSelector, { maxLength: 3 }),
        fc.array(realisticEvent, { minLength: 40, maxLength: 40 }),
        (basic, events) => {
          const advanced = toAdvanced(basic);
          for (const e of events) expect(matches(advanced, e)).toBe(basicMatches(basic, e));
        },
      ),
      params(),
    );
  });
});

describe('merge', () => {
  const current = fc.oneof(
    validList(4).map((AdvancedEventSelectors) => ({ AdvancedEventSelectors })),
    fc.array(basicSelector, { maxLength: 3 }).map((EventSelectors) => ({ EventSelectors })),
  );

  it('meets every guarantee of docs/semantics.md, "6. Changing a trail safely"', () => {
    let merges = 0;
    let conflicts = 0;
    let inexpressible = 0;
    fc.assert(
      fc.property(current, validList(3), validList(2), (s, r, f) => {
        let result: ReturnType<typeof merge>;
        try {
          result = merge(s, r, f);
        } catch (error) {
          if (error instanceof MergeError) {
            // Known limit of trails: what remains after removing a forbidden set may need an
            // eventSource condition AWS only accepts as NotEquals kms/rdsdata.
            expect(error.problems.map((p) => p.code)).toContain('invalid-management-event-source');
            inexpressible++;
            return;
          }
          expect(error).toBeInstanceOf(PolicyConflictError);
          expect(overlaps(r, f).overlaps).toBe(true);
          conflicts++;
          return;
        }
        merges++;
        expect(overlaps(r, f).overlaps).toBe(false);
        const before = asAdvanced(s);
        const after = asAdvanced(result.selectors);
        expect(covers(after, r).covered).toBe(true);
        expect(overlaps(after, f).overlaps).toBe(false);
        // Nothing logged before is lost, except what is forbidden.
        expect(covers([...after, ...f], before).covered).toBe(true);
        expect(errorsOf(validate(result.selectors, 'trail'))).toEqual([]);
        if (!result.changed) expect(result.selectors).toBe(s);
        if ('EventSelectors' in s && !result.removedForbidden) {
          // Basic stays basic whenever every missing requirement has a basic form.
          if (result.style === 'advanced') expect(result.addedRequirements.length).toBeGreaterThan(0);
        }
        // A fixed point: merging again plans nothing.
        expect(merge(result.selectors, r, f).changed).toBe(false);
      }),
      params(1500),
    );
    expect(merges).toBeGreaterThan(conflicts);
    expect(inexpressible).toBeLessThan(merges / 10);
  });
});

describe('merge never produces what AWS rejects', () => {
  type Target = 'trail' | 'eventDataStore';
  const current = (target: Target) =>
    target === 'trail'
      ? fc.oneof(
          writableList('trail', 4).map((AdvancedEventSelectors) => ({ AdvancedEventSelectors })),
          fc.array(basicSelector, { maxLength: 3 }).map((EventSelectors) => ({ EventSelectors })),
        )
      : writableList('eventDataStore', 4).map((AdvancedEventSelectors) => ({ AdvancedEventSelectors }));
  const input = fc
    .constantFrom<Target>('trail', 'eventDataStore')
    .chain((target) =>
      fc.tuple(fc.constant(target), current(target), writableList(target, 2), forbiddenList(target, 2)),
    );

  it('every output passes validate for its target, over trails and event data stores with network activity selectors', () => {
    const seen = { changed: 0, unchanged: 0, conflicts: 0, inexpressible: 0, eventDataStore: 0 };
    fc.assert(
      fc.property(input, ([target, s, r, f]) => {
        let result: ReturnType<typeof merge>;
        try {
          result = merge(s, r, f, { target });
        } catch (error) {
          if (error instanceof PolicyConflictError) {
            expect(overlaps(r, f).overlaps).toBe(true);
            seen.conflicts++;
            return;
          }
          // No list the target accepts: the typed error, naming the rule broken.
          expect(error).toBeInstanceOf(MergeError);
          expect((error as MergeError).problems.length).toBeGreaterThan(0);
          seen.inexpressible++;
          return;
        }
        expect(errorsOf(validate(result.selectors, target))).toEqual([]);
        const before = asAdvanced(s);
        const after = asAdvanced(result.selectors);
        expect(covers(after, r).covered).toBe(true);
        expect(overlaps(after, f).overlaps).toBe(false);
        expect(covers([...after, ...f], before).covered).toBe(true);
        expect(merge(result.selectors, r, f, { target }).changed).toBe(false);
        if (result.changed) seen.changed++;
        else seen.unchanged++;
        if (target === 'eventDataStore') seen.eventDataStore++;
      }),
      params(1000),
    );
    // The property is not vacuous: most inputs give a written result, on both targets.
    expect(seen.changed).toBeGreaterThan(300);
    expect(seen.eventDataStore).toBeGreaterThan(200);
    expect(seen.inexpressible).toBeLessThan(seen.changed / 3);
  });
});
