import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bitsKey } from '../../shared/selectors/bits.js';
import type { Constraint } from '../../shared/selectors/compile.js';
import { type FieldConstraints, fieldRegions, type Region } from '../../shared/selectors/regions.js';
import { arnShape } from '../../shared/selectors/resourceTypes.js';
import { accepts } from '../../shared/selectors/shape.js';
import { shapedRegions } from '../../shared/selectors/shapedRegions.js';
import { shapeFree, universalLead, unusedCharacter } from '../../shared/selectors/shapeFree.js';
import { RUNS, SEED } from './arbitraries.js';

/*
 * shapeFree lets the solver take the plain regions of any string instead of walking the ARN shape.
 * That is only sound if, whenever it says yes, both give the same maximal kill sets; checked here on
 * atoms chosen to sit on both sides of the line (inside bucket names, just past the separator, deep
 * in keys, constants with and without the shape).
 */

const S3 = arnShape('AWS::S3::Object', 'aws');
const LAMBDA = arnShape('AWS::Lambda::Function', 'aws');
const FN = 'arn:aws:lambda:us-east-1:123456789012:function:';

/** Prefix atoms past the bucket's separator (the shape lets anything follow) and constants of the shape. */
const FREE_PREFIXES = [
  'arn:aws:s3:::abc/',
  'arn:aws:s3:::abc/x',
  'arn:aws:s3:::abc/logs/',
  'arn:aws:s3:::xyz/',
  'arn:aws:s3:::xyz/z',
];
const FREE_CONSTANTS = ['arn:aws:s3:::abc/x', 'arn:aws:s3:::xyz/z.tmp', 'arn:aws:s3:::aaa/ex'];
/** Prefixes of the shape's lead (`arn:aws:s3:::aaa/e`): values starting with no atom need another way in. */
const LEAD_PREFIXES = ['arn:aws:s3:::aaa/', 'arn:aws:s3:::aaa/e'];
/** Atoms where the shape does matter: inside a bucket name (or one too short), before it, constants without the shape. */
const OTHER_PREFIXES = [
  ...LEAD_PREFIXES,
  'arn:aws:s3:::abc',
  'arn:aws:s3:::a',
  'arn:aws:s3:::',
  `${FN}f`,
  FN,
];
const OTHER_CONSTANTS = ['arn:aws:s3:::abc', `${FN}f`, 'nope'];
const SUFFIXES = ['.tmp', '/', 'x', '/x', 'c/x', ':1', 'z', 'q', 'j', '\u2460', 'e'];

const sub = (xs: readonly string[]) => fc.subarray([...xs], { maxLength: 3 });
const constraint = (prefixes: readonly string[], constants: readonly string[]): fc.Arbitrary<Constraint> =>
  fc
    .record({
      eq: sub(constants),
      sw: sub(prefixes),
      ew: sub(SUFFIXES),
      neq: sub(constants),
      nsw: sub(prefixes),
      new: sub(SUFFIXES),
    })
    .map((c) => ({ field: 'resources.ARN', ...c }));
/** Up to 5 constraints, each owned by the must side (-1) or a mustNot selector (0..3). */
const fieldConstraints: fc.Arbitrary<FieldConstraints> = fc
  .oneof(
    { weight: 3, arbitrary: fc.constant(constraint(FREE_PREFIXES, FREE_CONSTANTS)) },
    {
      weight: 1,
      arbitrary: fc.constant(
        constraint([...FREE_PREFIXES, ...OTHER_PREFIXES], [...FREE_CONSTANTS, ...OTHER_CONSTANTS]),
      ),
    },
  )
  .chain((c) => fc.array(fc.tuple(c, fc.integer({ min: -1, max: 3 })), { minLength: 1, maxLength: 5 }))
  .map((cs) => ({
    field: 'resources.ARN',
    constraints: cs.map(([c]) => c),
    owners: cs.map(([, o]) => o),
  }));

const kills = (regions: readonly Region[]) => regions.map((r) => bitsKey(r.kill)).sort();

describe('shapeFree', () => {
  if (!S3 || !LAMBDA) throw new Error('S3 and Lambda types must have ARN shapes');

  it('has a lead into a universal state for S3 objects, none for Lambda functions (never free)', () => {
    const none: FieldConstraints = { field: 'resources.ARN', constraints: [], owners: [] };
    const lead = universalLead(S3);
    expect(lead).toMatch(/^arn:aws:s3:::[a-z0-9.-]+\/./);
    expect(accepts(S3, `${lead}${unusedCharacter(none)}`)).toBe(true);
    expect(universalLead(LAMBDA)).toBeNull();
    expect(shapeFree(none, LAMBDA)).toBe(false);
  });

  it('says no when an atom ends inside a bucket name or a constant lacks the shape', () => {
    const only = (c: Partial<Constraint>): FieldConstraints => ({
      field: 'resources.ARN',
      constraints: [{ field: 'resources.ARN', eq: [], sw: [], ew: [], neq: [], nsw: [], new: [], ...c }],
      owners: [0],
    });
    expect(shapeFree(only({ sw: ['arn:aws:s3:::abc/'] }), S3)).toBe(true);
    expect(shapeFree(only({ sw: ['arn:aws:s3:::abc'] }), S3)).toBe(false);
    expect(shapeFree(only({ nsw: ['arn:aws:s3:::'] }), S3)).toBe(false);
    expect(shapeFree(only({ eq: ['arn:aws:s3:::abc/x'] }), S3)).toBe(true);
    expect(shapeFree(only({ neq: ['arn:aws:s3:::abc'] }), S3)).toBe(false);
  });

  it('when it says yes, the plain regions have the same maximal kill sets as the shape walk', () => {
    let free = 0;
    fc.assert(
      fc.property(fieldConstraints, fc.constantFrom(S3, S3, S3, LAMBDA), (f, dfa) => {
        if (!shapeFree(f, dfa)) return;
        free++;
        expect(kills(fieldRegions(f, 4))).toEqual(kills(shapedRegions(f, 4, dfa)));
      }),
      { seed: SEED, numRuns: RUNS },
    );
    // The atoms above must put a fair share of cases on the "yes" side, or the check proves little.
    expect(free).toBeGreaterThan(RUNS / 20);
  });
});
