import { describe, expect, it } from 'vitest';
import {
  asAdvanced,
  DEFAULT_TRAIL_EVENT_SELECTORS,
  equivalent,
  toAdvanced,
} from '../../shared/selectors/index.js';
import { data, management, s3 } from './helpers.js';

const fieldsOf = (basic: Parameters<typeof toAdvanced>[0]) => toAdvanced(basic).map((s) => s.FieldSelectors);

describe('toAdvanced (docs/semantics.md, "3. Basic selectors are advanced selectors in disguise")', () => {
  it('applies the defaults: All, management included, no data resources', () => {
    expect(fieldsOf([{}])).toEqual([[{ Field: 'eventCategory', Equals: ['Management'] }]]);
  });

  it('turns the default trail selector into "all management events, no data events"', () => {
    expect(equivalent(toAdvanced([...DEFAULT_TRAIL_EVENT_SELECTORS]), [management()])).toEqual({
      equivalent: true,
    });
  });

  it.each([
    ['ReadOnly', 'true'],
    ['WriteOnly', 'false'],
  ] as const)('maps ReadWriteType %s to readOnly Equals %s on every selector', (rw, value) => {
    const out = fieldsOf([
      { ReadWriteType: rw, DataResources: [{ Type: 'AWS::S3::Object', Values: ['arn:aws:s3:::bkt/'] }] },
    ]);
    expect(out).toHaveLength(2);
    for (const fs of out) expect(fs).toContainEqual({ Field: 'readOnly', Equals: [value] });
  });

  it('adds eventSource NotEquals for excluded management sources', () => {
    expect(
      fieldsOf([{ ExcludeManagementEventSources: ['kms.amazonaws.com', 'rdsdata.amazonaws.com'] }]),
    ).toEqual([
      [
        { Field: 'eventCategory', Equals: ['Management'] },
        { Field: 'eventSource', NotEquals: ['kms.amazonaws.com', 'rdsdata.amazonaws.com'] },
      ],
    ]);
  });

  it('omits the management selector when IncludeManagementEvents is false', () => {
    expect(fieldsOf([{ IncludeManagementEvents: false }])).toEqual([]);
  });

  it('treats S3 values as prefixes', () => {
    const out = toAdvanced([
      {
        IncludeManagementEvents: false,
        DataResources: [{ Type: 'AWS::S3::Object', Values: ['arn:aws:s3:::bkt/', 'arn:aws:s3:::cat/x'] }],
      },
    ]);
    expect(out[0]?.FieldSelectors).toContainEqual({
      Field: 'resources.ARN',
      StartsWith: ['arn:aws:s3:::bkt/', 'arn:aws:s3:::cat/x'],
    });
  });

  it.each(['arn:aws:s3', 'arn:aws:s3:', 'arn:aws-cn:s3'])(
    'treats the whole-service value %s as every object',
    (v) => {
      const out = toAdvanced([
        { IncludeManagementEvents: false, DataResources: [{ Type: 'AWS::S3::Object', Values: [v] }] },
      ]);
      expect(equivalent(out, [s3()])).toEqual({ equivalent: true });
    },
  );

  it('treats full Lambda and DynamoDB ARNs as exact, partial ARNs as prefixes, and splits mixed lists', () => {
    const fn = 'arn:aws:lambda:us-west-2:111111111111:function:helloworld';
    const partial = 'arn:aws:lambda:us-east-1:';
    const out = toAdvanced([
      {
        IncludeManagementEvents: false,
        DataResources: [{ Type: 'AWS::Lambda::Function', Values: [fn, partial] }],
      },
    ]);
    expect(out.map((s) => s.FieldSelectors[2])).toEqual([
      { Field: 'resources.ARN', StartsWith: [partial] },
      { Field: 'resources.ARN', Equals: [fn] },
    ]);
    const table = 'arn:aws:dynamodb:us-east-1:111111111111:table/orders';
    const ddb = toAdvanced([
      { IncludeManagementEvents: false, DataResources: [{ Type: 'AWS::DynamoDB::Table', Values: [table] }] },
    ]);
    expect(ddb[0]?.FieldSelectors[2]).toEqual({ Field: 'resources.ARN', Equals: [table] });
    expect(
      equivalent(
        toAdvanced([
          {
            IncludeManagementEvents: false,
            DataResources: [{ Type: 'AWS::DynamoDB::Table', Values: ['arn:aws:dynamodb'] }],
          },
        ]),
        [data('AWS::DynamoDB::Table')],
      ),
    ).toEqual({ equivalent: true });
  });

  it('reads a GetEventSelectors response of either kind', () => {
    expect(asAdvanced({ AdvancedEventSelectors: [management()] })).toEqual([management()]);
    expect(asAdvanced({ EventSelectors: [{ ReadWriteType: 'All' }] })).toHaveLength(1);
  });
});
