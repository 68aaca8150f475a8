import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileSelectors } from '../../shared/selectors/compile.js';
import {
  type AdvancedEventSelector,
  type AdvancedFieldSelector,
  type CloudTrailEvent,
  covers,
  hasArnShape,
  matches,
  overlaps,
} from '../../shared/selectors/index.js';
import { constraintMatches } from '../../shared/selectors/match.js';
import { RUNS, SEED } from './arbitraries.js';

/*
 * Coverage over shaped ARNs against brute force. The selectors draw their resources.ARN values from
 * pools of adversarial atoms (bucket-name edges, partition prefixes, Lambda qualifiers, suffixes
 * that cross segment boundaries); the events are every combination of those pieces that has its
 * type's shape, so each region the atoms can separate has members among them.
 */

const S3 = 'AWS::S3::Object';
const LAMBDA = 'AWS::Lambda::Function';
const UNDOCUMENTED = ['AWS::SNS::Topic', 'Custom::Thing'];

const S3_PREFIXES = [
  'arn:',
  'arn:aws',
  'arn:aws:s3:::',
  'arn:aws-cn:s3:::',
  'arn:aws:s3:::a',
  'arn:aws:s3:::ab',
  'arn:aws:s3:::abc',
  'arn:aws:s3:::abc/',
  'arn:aws:s3:::abc/x',
  'arn:aws:s3:::ab.',
  'arn:aws:s3:::a-',
  'arn:aws:s3:::x',
  'arn:aws:s3:::xy/',
  'arn:aws:s3:::9',
  `arn:aws:s3:::${'a'.repeat(62)}`,
];
const S3_SUFFIXES = ['.tmp', '/', 'x', '/x', 'c/x', 'c', '.', 'a', 'tmp', 'abc/'];
const S3_CONSTANTS = [
  'arn:aws:s3:::abc/x',
  'arn:aws:s3:::abc/',
  'arn:aws:s3:::abc/x.tmp',
  'arn:aws:s3:::xy/z',
  'arn:aws-cn:s3:::abc/x',
  'arn:aws:s3:::ab/x',
];
const FN = 'arn:aws:lambda:us-east-1:123456789012:function:';
const LAMBDA_PREFIXES = [
  'arn:aws:lambda:',
  'arn:aws:lambda:us-east-1:',
  FN,
  `${FN}f`,
  `${FN}fn`,
  'arn:aws-cn:lambda:',
];
const LAMBDA_SUFFIXES = [':1', ':prod', 'f', 'n', ':$LATEST', '1'];
const LAMBDA_CONSTANTS = [`${FN}f`, `${FN}fn`, `${FN}f:1`, `${FN}f:prod`];

const ALL_SUFFIXES = ['', ...S3_SUFFIXES, ...LAMBDA_SUFFIXES];

/** S3 object ARNs (shaped or not) built from the pieces above and a few fillers. */
const S3_UNIVERSE = (() => {
  const fillers = ['', 'a', 'c', 'x', '/', 'c/', 'd/', '/x', 'c/x', 'cd/e', '.', '-', 'bc/', 'b/', 'y/z'];
  const out = new Set<string>();
  for (const p of [...S3_PREFIXES, ...S3_CONSTANTS, 'arn:aws-us-gov:s3:::', 'arn:aws-cn:s3:::ab'])
    for (const f of fillers) for (const q of ALL_SUFFIXES) out.add(p + f + q);
  return [...out];
})();

const LAMBDA_UNIVERSE = (() => {
  const out = new Set<string>();
  for (const partition of ['aws', 'aws-cn'])
    for (const region of ['us-east-1', 'eu-west-1', 'us-east-10'])
      for (const account of ['123456789012', '000000000000'])
        for (const name of ['f', 'fn', 'fx', 'n'])
          for (const q of ['', ':1', ':prod', ':$LATEST', ':n'])
            for (const end of ALL_SUFFIXES)
              out.add(`arn:${partition}:lambda:${region}:${account}:function:${name}${q}${end}`);
  return [...out];
})();

const TYPES = [S3, LAMBDA, ...UNDOCUMENTED];

function universe(partition: string | undefined): CloudTrailEvent[] {
  const events: CloudTrailEvent[] = [];
  // Any non-empty string: a value is decided by its longest prefix atom, its longest suffix atom
  // and the constant it equals, so p + '~' + q (no atom holds '~') realises every combination.
  const prefixes = ['', ...S3_PREFIXES, ...LAMBDA_PREFIXES];
  const anyArn = [
    ...S3_CONSTANTS,
    ...LAMBDA_CONSTANTS,
    ...prefixes.flatMap((p) => ALL_SUFFIXES.flatMap((q) => [p + q, `${p}~${q}`])),
  ].filter((v) => v !== '');
  for (const type of TYPES) {
    const arns = type === S3 ? S3_UNIVERSE : type === LAMBDA ? LAMBDA_UNIVERSE : anyArn;
    for (const arn of arns) {
      if (!(hasArnShape(type, arn, partition) ?? true)) continue;
      for (const readOnly of ['true', 'false'])
        events.push({ eventCategory: 'Data', readOnly, 'resources.type': type, 'resources.ARN': arn });
    }
  }
  return events;
}
const UNIVERSES = new Map([undefined, 'aws', 'aws-cn'].map((p) => [p, universe(p)]));

/** The plain matcher, with the selectors compiled once for the whole universe. */
function matcher(list: readonly AdvancedEventSelector[]) {
  const compiled = compileSelectors(list);
  return (e: CloudTrailEvent) =>
    compiled.some((sel) => sel.constraints.every((c) => constraintMatches(c, e[c.field])));
}

const values = (pool: readonly string[]) =>
  fc.uniqueArray(fc.constantFrom(...pool), { minLength: 1, maxLength: 3 });

function arnField(prefixes: readonly string[], suffixes: readonly string[], constants: readonly string[]) {
  const byOp = {
    StartsWith: values(prefixes),
    NotStartsWith: values(prefixes),
    EndsWith: values(suffixes),
    NotEndsWith: values(suffixes),
    Equals: values(constants),
    NotEquals: values(constants),
  } as const;
  const ops = Object.keys(byOp) as (keyof typeof byOp)[];
  return fc
    .uniqueArray(fc.constantFrom(...ops), { minLength: 1, maxLength: 2 })
    .chain((chosen) => fc.tuple(...chosen.map((op) => byOp[op].map((v) => [op, v] as const))))
    .map((pairs) => {
      const fs: AdvancedFieldSelector = { Field: 'resources.ARN' };
      for (const [op, v] of pairs) fs[op] = [...v];
      return fs;
    });
}

const s3Arn = arnField(S3_PREFIXES, S3_SUFFIXES, S3_CONSTANTS);
const lambdaArn = arnField(LAMBDA_PREFIXES, LAMBDA_SUFFIXES, LAMBDA_CONSTANTS);

const selector: fc.Arbitrary<AdvancedEventSelector> = fc
  .record({
    type: fc.option(fc.constantFrom(...TYPES), { nil: undefined, freq: 4 }),
    arns: fc.array(fc.oneof(s3Arn, lambdaArn), { maxLength: 2 }),
    readOnly: fc.option(fc.constantFrom('true', 'false'), { nil: undefined, freq: 2 }),
  })
  .map(({ type, arns, readOnly }) => ({
    FieldSelectors: [
      { Field: 'eventCategory', Equals: ['Data'] },
      ...(type ? [{ Field: 'resources.type', Equals: [type] }] : []),
      ...(readOnly ? [{ Field: 'readOnly', Equals: [readOnly] }] : []),
      ...arns,
    ],
  }));
const list = fc.array(selector, { minLength: 0, maxLength: 4 });
const partition = fc.constantFrom(undefined, 'aws', 'aws-cn');

const params = (numRuns: number) => ({ seed: SEED, numRuns });

/** The witness is an event a user could meet: a documented type's ARN has its shape, in the partition. */
function expectReal(e: CloudTrailEvent, p: string | undefined) {
  const type = e['resources.type'] as string;
  const arn = e['resources.ARN'] as string;
  expect(arn.length).toBeGreaterThan(0);
  expect(hasArnShape(type, arn, p) ?? true, `${type} ${arn} in ${p ?? 'any partition'}`).toBe(true);
}

describe('covers and overlaps over shaped ARNs, against brute force', () => {
  it('has a universe with shaped and unshaped ARNs', () => {
    for (const [p, events] of UNIVERSES) expect(events.length, String(p)).toBeGreaterThan(1000);
  });

  it('covers agrees with exhaustive search; every witness is real and not logged', () => {
    fc.assert(
      fc.property(list, list, partition, (s, r, p) => {
        const events = UNIVERSES.get(p) as CloudTrailEvent[];
        const [inR, inS] = [matcher(r), matcher(s)];
        const counter = events.find((e) => inR(e) && !inS(e));
        const result = covers(s, r, { partition: p });
        expect(result.covered, JSON.stringify(counter)).toBe(counter === undefined);
        if (!result.covered) {
          expect(matches([r[result.requirement] as AdvancedEventSelector], result.witness)).toBe(true);
          // What `explain` answers for the witness: NOT LOGGED.
          expect(matches(s, result.witness)).toBe(false);
          expectReal(result.witness, p);
        }
      }),
      params(Math.min(RUNS, 600)),
    );
  });

  it('overlaps agrees with exhaustive search; every witness is real and logged by both', () => {
    fc.assert(
      fc.property(list, list, partition, (s, f, p) => {
        const events = UNIVERSES.get(p) as CloudTrailEvent[];
        const [inS, inF] = [matcher(s), matcher(f)];
        const both = events.find((e) => inS(e) && inF(e));
        const result = overlaps(s, f, { partition: p });
        expect(result.overlaps, JSON.stringify(both)).toBe(both !== undefined);
        if (result.overlaps) {
          expect(matches(s, result.witness) && matches(f, result.witness)).toBe(true);
          expectReal(result.witness, p);
        }
      }),
      params(Math.min(RUNS, 400)),
    );
  });
});
