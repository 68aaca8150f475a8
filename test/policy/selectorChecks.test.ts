import { describe, expect, it } from 'vitest';
import { describeEvent } from '../../shared/policy/describe.js';
import { findCheck } from '../../shared/policy/registry.js';
import type { CheckDefinition, ResourceView } from '../../shared/policy/types.js';
import type { AdvancedEventSelector } from '../../shared/selectors/index.js';
import { hasArnShape } from '../../shared/selectors/index.js';

const D = { Field: 'eventCategory', Equals: ['Data'] };
const S3 = { Field: 'resources.type', Equals: ['AWS::S3::Object'] };
const allObjects: AdvancedEventSelector[] = [{ FieldSelectors: [D, S3] }];
const startsWith = (prefix: string): AdvancedEventSelector[] => [
  { FieldSelectors: [D, S3, { Field: 'resources.ARN', StartsWith: [prefix] }] },
];

const trail = (partition: string, selectors: AdvancedEventSelector[], name = 't'): ResourceView => ({
  kind: 'trail',
  arn: `arn:${partition}:cloudtrail:us-east-1:111122223333:trail/${name}`,
  name,
  homeRegion: 'us-east-1',
  owner: '111122223333',
  isOrganization: false,
  selectorConfig: { AdvancedEventSelectors: selectors },
  selectors,
  active: true,
  tags: {},
  insightSelectors: [],
  insightsDestination: undefined,
  eventConfiguration: {},
  settings: { Name: name },
  deliveryErrors: [],
  selectorProblem: undefined,
  loadErrors: [],
});

const check = (section: 'require' | 'forbid', key: string) =>
  findCheck('trail', section, key) as CheckDefinition<unknown>;

describe('selector checks decide in the resource partition', () => {
  it('logEvents: StartsWith arn:<partition>:s3::: logs every object of its own partition only', () => {
    const logEvents = check('require', 'logEvents');
    expect(logEvents.evaluate(trail('aws', startsWith('arn:aws:s3:::')), allObjects).status).toBe('PASS');
    expect(logEvents.evaluate(trail('aws-cn', startsWith('arn:aws-cn:s3:::')), allObjects).status).toBe(
      'PASS',
    );
    const miss = logEvents.evaluate(trail('aws-cn', startsWith('arn:aws:s3:::')), allObjects);
    expect(miss.status).toBe('FAIL');
    expect(miss.witness?.['resources.ARN']).toBe('arn:aws-cn:s3:::example-bucket/example-object.txt');
    expect(miss.message).toContain('resources.ARN=arn:aws-cn:s3:::example-bucket/example-object.txt');
  });

  it('logEvents for a union: the resources share their partition', () => {
    const logEvents = check('require', 'logEvents');
    const union = [
      trail('aws', startsWith('arn:aws:s3:::a'), 'a'),
      trail('aws', startsWith('arn:aws:s3:::'), 'b'),
    ];
    expect(logEvents.evaluateUnion?.(union, allObjects).status).toBe('PASS');
  });

  it('forbid.logEvents: NotEquals "bucket/" excludes nothing, so the forbidden bucket is logged', () => {
    const forbid = check('forbid', 'logEvents');
    const notEquals: AdvancedEventSelector[] = [
      { FieldSelectors: [D, S3, { Field: 'resources.ARN', NotEquals: ['arn:aws:s3:::audit-logs/'] }] },
    ];
    const outcome = forbid.evaluate(trail('aws', notEquals), startsWith('arn:aws:s3:::audit-logs/'));
    expect(outcome.status).toBe('FAIL');
    expect(outcome.witness?.['resources.ARN']).toBe('arn:aws:s3:::audit-logs/example-object.txt');
  });

  it('insights: data events logged only in another partition do not meet a Data Insights prerequisite', () => {
    const insights = check('require', 'insights');
    const required = [{ InsightType: 'ApiCallRateInsight', EventCategories: ['Data'] }];
    const view = (partition: string) => ({
      ...trail(partition, startsWith('arn:aws:s3:::')),
      insightSelectors: required,
    });
    expect(insights.evaluate(view('aws'), required).status).toBe('PASS');
    const cn = insights.evaluate(view('aws-cn'), required);
    expect(cn.status).toBe('FAIL');
    expect(cn.message).toContain('needs data events logged');
  });
});

describe('describeEvent', () => {
  it('shows the resource of a data event, and the call', () => {
    expect(
      describeEvent({
        eventCategory: 'Data',
        readOnly: 'false',
        eventSource: 's3.amazonaws.com',
        eventName: 'PutObject',
        eventType: 'AwsApiCall',
        'resources.type': 'AWS::S3::Object',
        'resources.ARN': 'arn:aws:s3:::payroll/q3.csv',
        'userIdentity.arn': 'arn:aws:iam::123456789012:user/alice',
      }),
    ).toBe(
      'eventCategory=Data, readOnly=false, eventSource=s3.amazonaws.com, eventName=PutObject, resources.type=AWS::S3::Object, resources.ARN=arn:aws:s3:::payroll/q3.csv',
    );
  });

  it('leaves out the resource of a management event and fillers, but keeps what a selector asked for', () => {
    const e = {
      eventCategory: 'Management',
      readOnly: 'true',
      eventSource: 'kms.amazonaws.com',
      eventName: 'Decrypt',
      eventType: 'AwsApiCall',
      'resources.type': 'AWS::DynamoDB::Table',
      'resources.ARN': 'arn:aws:dynamodb:us-east-1:123456789012:table/example-table',
      'userIdentity.arn': 'arn:aws:iam::123456789012:user/alice',
    };
    expect(describeEvent(e)).toBe(
      'eventCategory=Management, readOnly=true, eventSource=kms.amazonaws.com, eventName=Decrypt',
    );
    expect(describeEvent({ ...e, 'userIdentity.arn': 'arn:aws:iam::123456789012:role/Admin' })).toContain(
      'userIdentity.arn=arn:aws:iam::123456789012:role/Admin',
    );
  });

  it('every witness in a message has a real ARN', () => {
    const outcome = check('require', 'logEvents').evaluate(trail('aws', []), allObjects);
    const w = outcome.witness ?? {};
    expect(hasArnShape(w['resources.type'] as string, w['resources.ARN'] as string, 'aws')).toBe(true);
    expect(outcome.message).toContain(`resources.ARN=${w['resources.ARN']}`);
  });
});
