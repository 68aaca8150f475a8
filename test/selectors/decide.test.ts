import { describe, expect, it } from 'vitest';
import {
  covers,
  deadSelectors,
  equivalent,
  hasArnShape,
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

  it('NotEquals "arn:aws:s3:::bkt/" excludes no object of bucket bkt', () => {
    const trail = [s3(['resources.ARN', 'NotEquals', 'arn:aws:s3:::bkt/'])];
    const bucket = s3(['resources.ARN', 'StartsWith', 'arn:aws:s3:::bkt/']);
    expect(overlaps(trail, [bucket]).overlaps).toBe(true);
    // The bucket ARN itself is no object's ARN: every object of the bucket is still logged.
    expect(covers(trail, [bucket])).toEqual({ covered: true });
    expect(covers(trail, [s3()])).toEqual({ covered: true });
  });

  it('StartsWith and NotEndsWith on one field', () => {
    const trail = [
      s3(['resources.ARN', 'StartsWith', 'arn:aws:s3:::bkt/'], ['resources.ARN', 'NotEndsWith', '.tmp']),
    ];
    const witness = expectMissed(trail, [s3(['resources.ARN', 'StartsWith', 'arn:aws:s3:::bkt/'])]);
    expect(witness['resources.ARN']).toMatch(/^arn:aws:s3:::bkt\/.*\.tmp$/);
    // Two field selectors on one field are ANDed (within one, the positive operators are ORed).
    const csvInB = s3(
      ['resources.ARN', 'StartsWith', 'arn:aws:s3:::bkt/'],
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
      s3(['resources.ARN', 'StartsWith', 'arn:aws:s3:::bkt/a']),
      s3(
        ['resources.ARN', 'StartsWith', 'arn:aws:s3:::bkt/'],
        ['resources.ARN', 'NotStartsWith', 'arn:aws:s3:::bkt/a'],
      ),
    ];
    expect(covers(trail, [s3(['resources.ARN', 'StartsWith', 'arn:aws:s3:::bkt/'])])).toEqual({
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

describe('decisions over shaped ARNs (docs/semantics.md, "1. Events")', () => {
  const allS3 = [s3(['resources.ARN', 'StartsWith', 'arn:aws:s3:::'])];

  it('equivalent, dead and redundant selectors take the partition', () => {
    expect(equivalent(allS3, [s3()], { partition: 'aws' })).toEqual({ equivalent: true });
    const other = equivalent(allS3, [s3()]);
    expect(other).toMatchObject({ equivalent: false, loggedBy: 'second' });
    expect(deadSelectors(allS3, { partition: 'aws-cn' })).toEqual([0]);
    expect(deadSelectors(allS3)).toEqual([]);
    expect(redundantSelectors([s3(), ...allS3], { partition: 'aws' })).toEqual([1]);
    expect(redundantSelectors([...allS3, s3()], { partition: 'aws' })).toEqual([1]);
  });

  it('a bucket name that is too short matches no object at all', () => {
    expect(deadSelectors([s3(['resources.ARN', 'StartsWith', 'arn:aws:s3:::ab/'])])).toEqual([0]);
    expect(deadSelectors([s3(['resources.ARN', 'StartsWith', 'arn:aws:s3:::abc/'])])).toEqual([]);
  });

  it('types without a documented format keep any non-empty string', () => {
    const topic = data('AWS::SNS::Topic');
    const witness = expectMissed(
      [data('AWS::SNS::Topic', ['resources.ARN', 'StartsWith', 'arn:aws:sns:'])],
      [topic],
    );
    expect(witness['resources.type']).toBe('AWS::SNS::Topic');
    expect(witness['resources.ARN']?.startsWith('arn:aws:sns:')).toBe(false);
    // Without any resources.type condition, the events of undocumented types still count.
    const anyArn = [sel(['eventCategory', 'Equals', 'Data'], ['resources.ARN', 'Equals', 'not-an-arn'])];
    const r = overlaps(anyArn, [sel(['eventCategory', 'Equals', 'Data'])], { partition: 'aws' });
    expect(r.overlaps && r.witness['resources.type']).toBe('AWS::SNS::Topic');
  });

  it('witnesses are events a user could meet: documented types with ARNs of their shape', () => {
    for (const [trail, required] of [
      [[management(['readOnly', 'Equals', 'true'])], [management()]],
      [[], [sel(['eventCategory', 'Equals', 'Data'])]],
      [[s3(['resources.ARN', 'StartsWith', 'arn:aws:s3:::payroll/'])], [s3()]],
      [[], [data('AWS::DynamoDB::Table')]],
    ] as const) {
      for (const partition of [undefined, 'aws', 'aws-us-gov']) {
        const result = covers(trail, required, { partition });
        if (result.covered) throw new Error('expected a gap');
        const w = result.witness;
        expect(hasArnShape(w['resources.type'] as string, w['resources.ARN'] as string, partition)).toBe(
          true,
        );
        expect(JSON.stringify(w)).not.toMatch(
          /example\.amazonaws|ExampleAction|AWS::Example|arn:aws:example/,
        );
      }
    }
  });

  it('fills the fields no selector decides with a coherent call', () => {
    const read = expectMissed([], [s3(['readOnly', 'Equals', 'true'])]);
    expect(read).toMatchObject({
      eventSource: 's3.amazonaws.com',
      eventName: 'GetObject',
      'resources.ARN': 'arn:aws:s3:::example-bucket/example-object.txt',
    });
    expect(expectMissed([], [s3(['readOnly', 'Equals', 'false'])])).toMatchObject({ eventName: 'PutObject' });
    expect(expectMissed([], [data('AWS::Lambda::Function')])).toMatchObject({
      eventSource: 'lambda.amazonaws.com',
      eventName: 'Invoke',
    });
    const cn = covers([], [s3()], { partition: 'aws-cn' });
    expect(cn.covered === false && cn.witness).toMatchObject({
      'resources.ARN': 'arn:aws-cn:s3:::example-bucket/example-object.txt',
      'userIdentity.arn': 'arn:aws-cn:iam::123456789012:user/alice',
    });
    // A forced value is kept, and the rest still reads naturally.
    expect(
      expectMissed(
        [s3(['eventName', 'StartsWith', 'Put'])],
        [s3(['readOnly', 'Equals', 'false'], ['resources.ARN', 'StartsWith', 'arn:aws:s3:::payroll/'])],
      ),
    ).toMatchObject({
      eventName: 'DeleteObject',
      'resources.ARN': 'arn:aws:s3:::payroll/example-object.txt',
    });
  });
});
