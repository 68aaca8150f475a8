import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type AdvancedEventSelector,
  explainMiss,
  matches,
  matchingSelectors,
  SelectorError,
} from '../../shared/selectors/index.js';
import { event, SEED, selectorList } from './arbitraries.js';

const s3Writes: AdvancedEventSelector = {
  Name: 'payroll writes',
  FieldSelectors: [
    { Field: 'eventCategory', Equals: ['Data'] },
    { Field: 'resources.type', Equals: ['AWS::S3::Object'] },
    { Field: 'readOnly', Equals: ['false'] },
  ],
};
const management: AdvancedEventSelector = {
  FieldSelectors: [{ Field: 'eventCategory', Equals: ['Management'] }],
};

describe('explainMiss', () => {
  it('names, for each selector that misses, the first field selector the event fails and its value', () => {
    const read = {
      eventCategory: 'Data',
      'resources.type': 'AWS::S3::Object',
      readOnly: 'true',
    } as const;
    expect(explainMiss([s3Writes, management], read)).toEqual([
      {
        selector: 0,
        fieldSelector: 2,
        field: 'readOnly',
        value: 'true',
        condition: { Field: 'readOnly', Equals: ['false'] },
      },
      {
        selector: 1,
        fieldSelector: 0,
        field: 'eventCategory',
        value: 'Data',
        condition: { Field: 'eventCategory', Equals: ['Management'] },
      },
    ]);
  });

  it('says a field is absent with value undefined, and skips the selectors that match', () => {
    const misses = explainMiss([s3Writes, management], { eventCategory: 'Management' });
    expect(misses).toEqual([
      {
        selector: 0,
        fieldSelector: 0,
        field: 'eventCategory',
        value: 'Management',
        condition: { Field: 'eventCategory', Equals: ['Data'] },
      },
    ]);
    expect(explainMiss([s3Writes], { eventCategory: 'Data' })[0]).toMatchObject({
      field: 'resources.type',
      value: undefined,
    });
  });

  it('throws the engine’s SelectorError on malformed selectors, as the matcher does', () => {
    expect(() => explainMiss([{ FieldSelectors: [{ Field: 'nope', Equals: ['x'] }] }], {})).toThrow(
      SelectorError,
    );
  });

  it('agrees with the plain matcher: one miss per non-matching selector, each a true reason (fixed seed)', () => {
    fc.assert(
      fc.property(selectorList, event, (selectors, e) => {
        const misses = explainMiss(selectors, e);
        const hits = matchingSelectors(selectors, e);
        expect(misses.map((m) => m.selector)).toEqual(
          selectors.map((_, i) => i).filter((i) => !hits.includes(i)),
        );
        for (const m of misses) {
          const fieldSelectors = selectors[m.selector]?.FieldSelectors ?? [];
          expect(m.condition).toEqual(fieldSelectors[m.fieldSelector]);
          expect(m.value).toBe(e[m.field]);
          // The named condition alone rejects the event, and every condition before it accepts it.
          expect(matches([{ FieldSelectors: [m.condition] }], e)).toBe(false);
          for (const before of fieldSelectors.slice(0, m.fieldSelector))
            expect(matches([{ FieldSelectors: [before] }], e)).toBe(true);
        }
      }),
      { seed: SEED, numRuns: 500 },
    );
  });
});
