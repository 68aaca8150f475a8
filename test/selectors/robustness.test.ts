import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  asAdvanced,
  covers,
  deadSelectors,
  merge,
  overlaps,
  SelectorEngineError,
  toAdvanced,
  validate,
} from '../../shared/selectors/index.js';
import { SEED } from './arbitraries.js';

/** Garbage shaped a bit like selectors, so that it reaches deep into the code. */
const junk = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.constantFrom(
      'Field',
      'eventCategory',
      'Equals',
      'Management',
      'AWS::S3::Object',
      'arn:aws:s3',
      '',
      'true',
    ),
    fc.integer(),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('value'), { maxLength: 3 }),
    fc.dictionary(
      fc.constantFrom(
        'Field',
        'Equals',
        'NotEquals',
        'StartsWith',
        'FieldSelectors',
        'Name',
        'EventSelectors',
        'AdvancedEventSelectors',
        'DataResources',
        'Values',
        'Type',
        'x',
      ),
      tie('value'),
      { maxKeys: 3 },
    ),
  ),
})).value;

/** Either it works, or it fails with the engine's own typed error naming a path. */
function typedOrNothing(fn: () => unknown) {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(SelectorEngineError);
  }
}

describe('malformed input never crashes the engine', () => {
  it('validate never throws, whatever it is given', () => {
    fc.assert(
      fc.property(junk, fc.constantFrom('trail' as const, 'eventDataStore' as const), (x, target) => {
        expect(Array.isArray(validate(x, target))).toBe(true);
        expect(Array.isArray(validate({ AdvancedEventSelectors: x }, target))).toBe(true);
        expect(Array.isArray(validate({ EventSelectors: x }, target))).toBe(true);
      }),
      { seed: SEED, numRuns: 2000 },
    );
  });

  it('the other functions throw only typed errors', () => {
    fc.assert(
      fc.property(junk, junk, (a, b) => {
        typedOrNothing(() => covers(a as never, b as never));
        typedOrNothing(() => overlaps(a as never, b as never));
        typedOrNothing(() => deadSelectors(a as never));
        typedOrNothing(() => toAdvanced(a as never));
        typedOrNothing(() => asAdvanced(a as never));
        typedOrNothing(() => merge({ EventSelectors: a } as never, b as never));
        typedOrNothing(() => merge({ AdvancedEventSelectors: a } as never, [], b as never));
      }),
      { seed: SEED, numRuns: 2000 },
    );
  });
});
