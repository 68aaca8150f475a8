import { describe, expect, it } from 'vitest';
import {
  covers,
  deadSelectors,
  equivalent,
  matches,
  overlaps,
  redundantSelectors,
  SelectorError,
  toAdvanced,
} from '../../shared/selectors/index.js';
import { data, management, s3, sel } from './helpers.js';

const expectMissed = (trail: Parameters<typeof covers>[0], required: Parameters<typeof covers>[1]) => {
  const result = covers(trail, required);
  if (result.covered) throw new Error('expected a coverage gap');
  expect(matches(required, result.witness)).toBe(true);
  expect(matches(trail, result.witness)).toBe(false);
  return result.witness;
};

describe('covers', () => {
  it('readOnly=true plus readOnly=false selectors together cover all management events', () => {
    const trail = [management(['readOnly', 'Equals', 'true']), management(['readOnly', 'Equals', 'false'])];
    expect(covers(trail, [management()])).toEqual({ covered: true });
    expect(expectMissed([trail[0] as never], [management()])).toMatchObject({ readOnly: 'false' });
  });

  it('a write-only selector does not cover read management events', () => {
    expect(expectMissed(toAdvanced([{ ReadWriteType: 'WriteOnly' }]), [management()])).toMatchObject({
      readOnly: 'true',
    });
  });

  it('ExcludeManagementEventSources [kms.amazonaws.com] misses a KMS event', () => {
    const trail = toAdvanced([{ ExcludeManagementEventSources: ['kms.amazonaws.com'] }]);
    expect(expectMissed(trail, [management()])).toMatchObject({ eventSource: 'kms.amazonaws.com' });
  });

  it('a Lambda function ARN is exact: helloworld does not cover helloworld2', () => {
    const fn = 'arn:aws:lambda:us-west-2:111111111111:function:helloworld';
    const trail = toAdvanced([
      { IncludeManagementEvents: false, DataResources: [{ Type: 'AWS::Lambda::Function', Values: [fn] }] },
    ]);
    const witness = expectMissed(trail, [data('AWS::Lambda::Function', ['resources.ARN', 'StartsWith', fn])]);
    expect(witness['resources.ARN']?.startsWith(fn)).toBe(true);
    expect(witness['resources.ARN']).not.toBe(fn);
    expect(covers(trail, [data('AWS::Lambda::Function', ['resources.ARN', 'Equals', fn])])).toEqual({
      covered: true,
    });
  });

  it('a basic arn:aws:s3 selector covers all S3 object data events', () => {
    const trail = toAdvanced([
      {
        IncludeManagementEvents: false,
        DataResources: [{ Type: 'AWS::S3::Object', Values: ['arn:aws:s3'] }],
      },
    ]);
    expect(covers(trail, [s3()])).toEqual({ covered: true });
  });

  it('NotEquals "arn:aws:s3:::b/" excludes no object of bucket b', () => {
    const trail = [s3(['resources.ARN', 'NotEquals', 'arn:aws:s3:::b/'])];
    const bucket = s3(['resources.ARN', 'StartsWith', 'arn:aws:s3:::b/']);
    const result = overlaps(trail, [bucket]);
    expect(result.overlaps).toBe(true);
    // Only the bucket ARN itself, which is no object, is excluded.
    expect(expectMissed(trail, [bucket])).toMatchObject({ 'resources.ARN': 'arn:aws:s3:::b/' });
    expect(covers(trail, [s3(['resources.ARN', 'StartsWith', 'arn:aws:s3:::b/x'])])).toEqual({
      covered: true,
    });
  });

  it('StartsWith and NotEndsWith on one field', () => {
    const trail = [
      s3(['resources.ARN', 'StartsWith', 'arn:aws:s3:::b/'], ['resources.ARN', 'NotEndsWith', '.tmp']),
    ];
    const witness = expectMissed(trail, [s3(['resources.ARN', 'StartsWith', 'arn:aws:s3:::b/'])]);
    expect(witness['resources.ARN']).toMatch(/^arn:aws:s3:::b\/.*\.tmp$/);
    // Two field selectors on one field are ANDed (within one, the positive operators are ORed).
    const csvInB = s3(
      ['resources.ARN', 'StartsWith', 'arn:aws:s3:::b/'],
      ['resources.ARN', 'EndsWith', '.csv'],
    );
    expect(covers(trail, [csvInB]).covered).toBe(false);
    csvInB.FieldSelectors.push({ Field: 'resources.ARN', EndsWith: ['.csv'] });
    delete csvInB.FieldSelectors[2]?.EndsWith;
    expect(covers(trail, [csvInB])).toEqual({ covered: true });
  });

  it('an eventName StartsWith condition is not full coverage', () => {
    const trail = [s3(['eventName', 'StartsWith', 'Put'])];
    expect(expectMissed(trail, [s3()]).eventName?.startsWith('Put')).toBe(false);
  });

  it('covers across selectors: prefix split over two selectors', () => {
    const trail = [
      s3(['resources.ARN', 'StartsWith', 'arn:aws:s3:::b/a']),
      s3(
        ['resources.ARN', 'StartsWith', 'arn:aws:s3:::b/'],
        ['resources.ARN', 'NotStartsWith', 'arn:aws:s3:::b/a'],
      ),
    ];
    expect(covers(trail, [s3(['resources.ARN', 'StartsWith', 'arn:aws:s3:::b/'])])).toEqual({
      covered: true,
    });
  });

  it('optional fields: errorCode absent is matched by Not* but not by positive operators', () => {
    const onlyErrors = [management(['errorCode', 'StartsWith', ''])];
    const witness = expectMissed(onlyErrors, [management()]);
    expect(witness.errorCode).toBeUndefined();
    expect(
      covers(
        [management(['errorCode', 'NotEquals', 'AccessDenied'])],
        [management(['errorCode', 'NotStartsWith', 'Access'])],
      ),
    ).toEqual({ covered: true });
  });

  it('the empty list covers nothing and is covered by anything', () => {
    expectMissed([], [management()]);
    expect(covers([], [])).toEqual({ covered: true });
  });

  it('reports the index of the uncovered requirement', () => {
    const result = covers([management()], [management(), s3()]);
    expect(result).toMatchObject({ covered: false, requirement: 1 });
  });

  it('raises a typed error naming the path on malformed selectors', () => {
    expect(() => covers([sel(['eventCategry', 'Equals', 'Data'])], [])).toThrow(SelectorError);
    expect(() => covers([sel(['eventCategry', 'Equals', 'Data'])], [])).toThrow(
      /AdvancedEventSelectors\[0\]\.FieldSelectors\[0\]\.Field/,
    );
    expect(() => covers([{ FieldSelectors: [{ Field: 'eventName', Equal: ['x'] }] } as never], [])).toThrow(
      /unknown operator "Equal"/,
    );
    expect(() => covers('nope' as never, [])).toThrow(SelectorError);
  });
});

describe('overlaps', () => {
  it('finds an event both lists log', () => {
    const result = overlaps([s3()], [s3(['resources.ARN', 'StartsWith', 'arn:aws:s3:::payroll/'])]);
    expect(result).toMatchObject({ overlaps: true, selector: 0, forbidden: 0 });
  });
  it('says no when the lists are disjoint', () => {
    expect(overlaps([management()], [s3()])).toEqual({ overlaps: false });
    expect(
      overlaps([management(['readOnly', 'Equals', 'true'])], [management(['readOnly', 'Equals', 'false'])]),
    ).toEqual({ overlaps: false });
  });
});

describe('equivalent', () => {
  it('names the side that logs the differing event', () => {
    expect(equivalent([management()], [management(), s3()])).toMatchObject({
      equivalent: false,
      loggedBy: 'second',
    });
    expect(equivalent([management(), s3()], [management()])).toMatchObject({
      equivalent: false,
      loggedBy: 'first',
    });
    expect(equivalent([management(['readOnly', 'Equals', 'true', 'false'])], [management()])).toEqual({
      equivalent: true,
    });
  });
});

describe('dead and redundant selectors', () => {
  it('finds selectors that match nothing', () => {
    const list = [
      sel(['eventCategory', 'Equals', 'Management'], ['readOnly', 'Equals', 'maybe']),
      sel(
        ['eventCategory', 'Equals', 'Data'],
        ['eventName', 'StartsWith', 'a'],
        ['eventName', 'NotStartsWith', 'a'],
      ),
      sel(
        ['eventCategory', 'Equals', 'Data'],
        ['eventName', 'Equals', 'ab'],
        ['eventName', 'NotEndsWith', 'b'],
      ),
      management(),
    ];
    expect(deadSelectors(list)).toEqual([0, 1, 2]);
  });
  it('finds selectors covered by the others, removable together', () => {
    const list = [
      management(['readOnly', 'Equals', 'true']),
      management(),
      management(['readOnly', 'Equals', 'false']),
      management(),
    ];
    expect(redundantSelectors(list)).toEqual([0, 2, 3]);
    expect(redundantSelectors([management(), s3()])).toEqual([]);
  });
});
