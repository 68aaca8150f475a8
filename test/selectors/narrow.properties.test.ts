import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Atoms } from '../../shared/selectors/atoms.js';
import { hasBit, newBits } from '../../shared/selectors/bits.js';
import { type CompiledSelector, compileSelectors } from '../../shared/selectors/compile.js';
import { constraintMatches } from '../../shared/selectors/match.js';
import { narrowToMust } from '../../shared/selectors/narrow.js';
import type { CloudTrailEvent } from '../../shared/selectors/types.js';
import { atom, event, RUNS, SEED, selector, UNIVERSE_STRINGS } from './arbitraries.js';

/*
 * The solver searches only events that meet `must`, over `mustNot` narrowed to them (narrow.ts),
 * and reads prefix and suffix hits from sorted atoms (atoms.ts). Both are checked here against the
 * plain matcher: a narrowed selector matches such an event exactly when the original does, and an
 * atom's hits are exactly the constraints with a value that begins (ends) it.
 */

const params = { seed: SEED, numRuns: RUNS };

const matchesAll = (s: CompiledSelector, e: CloudTrailEvent) =>
  s.constraints.every((c) => constraintMatches(c, e[c.field]));

describe('narrowToMust', () => {
  it('keeps what decides a match on every event that meets must, and drops only what cannot match', () => {
    fc.assert(
      fc.property(
        fc.array(selector, { minLength: 1, maxLength: 2 }),
        selector,
        fc.array(event, { minLength: 1, maxLength: 8 }),
        (mustRaw, sRaw, events) => {
          const must = compileSelectors(mustRaw);
          const [s] = compileSelectors([sRaw]) as [CompiledSelector];
          const narrowed = narrowToMust(must, [s]);
          for (const e of events) {
            if (!must.every((m) => matchesAll(m, e))) continue;
            const original = matchesAll(s, e);
            if (narrowed.length === 0) expect(original).toBe(false);
            else expect(matchesAll(narrowed[0] as CompiledSelector, e)).toBe(original);
          }
        },
      ),
      params,
    );
  });

  it('drops a selector that no event meeting must can match, and a constraint must implies', () => {
    const must = compileSelectors([
      {
        FieldSelectors: [
          { Field: 'eventCategory', Equals: ['Data'] },
          { Field: 'resources.ARN', StartsWith: ['arn:aws:s3:::payroll/', 'arn:aws:s3:::hr/'] },
        ],
      },
    ]);
    const mustNot = compileSelectors([
      // Another bucket only: cannot match.
      { FieldSelectors: [{ Field: 'resources.ARN', StartsWith: ['arn:aws:s3:::web/'] }] },
      // Management only: cannot match.
      { FieldSelectors: [{ Field: 'eventCategory', Equals: ['Management'] }] },
      // Data is implied; the other bucket's prefix is never hit, the payroll one stays.
      {
        FieldSelectors: [
          { Field: 'eventCategory', Equals: ['Data'] },
          { Field: 'resources.ARN', StartsWith: ['arn:aws:s3:::web/', 'arn:aws:s3:::payroll/tmp/'] },
        ],
      },
    ]);
    expect(narrowToMust(must, mustNot)).toEqual([
      {
        constraints: [expect.objectContaining({ field: 'resources.ARN', sw: ['arn:aws:s3:::payroll/tmp/'] })],
      },
    ]);
  });
});

describe('Atoms', () => {
  const values = fc.array(fc.tuple(fc.oneof(atom, fc.constant('')), fc.nat(5), fc.boolean()), {
    maxLength: 12,
  });
  for (const suffix of [false, true]) {
    it(`finds every ${suffix ? 'suffix' : 'prefix'} atom of a string, as the plain matcher does`, () => {
      fc.assert(
        fc.property(values, (entries) => {
          const atoms = new Atoms(suffix, 1);
          for (const [a, k, positive] of entries) atoms.add(a, k, positive);
          atoms.seal();
          for (const s of UNIVERSE_STRINGS.slice(0, 60)) {
            const pos = newBits(6);
            const neg = newBits(6);
            atoms.hits(s, pos, neg);
            for (let k = 0; k < 6; k++) {
              const begins = (positive: boolean) =>
                entries.some(
                  ([a, owner, p]) =>
                    owner === k && p === positive && (suffix ? s.endsWith(a) : s.startsWith(a)),
                );
              expect(hasBit(pos, k)).toBe(begins(true));
              expect(hasBit(neg, k)).toBe(begins(false));
            }
          }
        }),
        { ...params, numRuns: Math.min(RUNS, 200) },
      );
    });
  }
});
