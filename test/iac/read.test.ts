import { describe, expect, it } from 'vitest';
import { readTemplates, TemplateError } from '../../shared/iac/index.js';
import { readSource } from '../../shared/iac/source.js';
import { resolve } from '../../shared/iac/values.js';

const read =
  (text: string, file = 't.yaml') =>
  () =>
    readTemplates([{ file, text }], 'us-east-1');
const trail = (props: string) =>
  `Resources:\n  T:\n    Type: AWS::CloudTrail::Trail\n    Properties:\n      IsLogging: true\n      S3BucketName: b\n${props}`;

describe('templates: bad input gets one clear message naming the file (and line)', () => {
  it.each([
    ['malformed YAML', 'Resources:\n  T: [oops\n', /^t\.yaml:\d+:\d+: not valid YAML: /],
    ['malformed JSON', '{"Resources": {,}}', /^t\.json:1:\d+: not valid JSON: /, 't.json'],
    [
      'not a template',
      'kind: ConfigMap\n',
      /^t\.yaml: neither a CloudFormation template .* nor a Terraform plan/,
    ],
    ['a list', '- a\n', /neither a CloudFormation template/],
    [
      'no CloudTrail resources',
      'Resources:\n  B:\n    Type: AWS::S3::Bucket\n',
      /^t\.yaml: no CloudTrail resources/,
    ],
    [
      'unknown intrinsic',
      trail('      TrailName: !Nope x\n'),
      /^t\.yaml:7: unknown intrinsic function !Nope/,
    ],
    [
      'properties not a map',
      'Resources:\n  T:\n    Type: AWS::CloudTrail::Trail\n    Properties: [1]\n',
      /^t\.yaml:2: T: Properties must be a map/,
    ],
    [
      'a bad selector',
      trail(
        '      AdvancedEventSelectors:\n        - FieldSelectors: [{ Field: eventCategry, Equals: [Management] }]\n',
      ),
      /^t\.yaml:2: T: .*unknown field "eventCategry"/,
    ],
  ] as [string, string, RegExp, string?][])('%s', (_, text, message, file) => {
    expect(read(text, file)).toThrow(TemplateError);
    expect(read(text, file)).toThrow(message);
  });
});

describe('templates: short-form intrinsics and what is known before deploy', () => {
  it('reads the short forms as their long forms', () => {
    const doc = readSource(
      // biome-ignore lint/suspicious/noTemplateCurlyInString: CloudFormation's own ${} syntax
      'A: !Ref X\nB: !GetAtt R.Arn\nC: !Sub "a-${X}"\nD: !If [Cond, !Join ["", [a, b]], !Ref AWS::NoValue]\nE: !Select [0, !GetAZs ""]\n',
      't.yaml',
    );
    expect(doc.data).toEqual({
      A: { Ref: 'X' },
      B: { 'Fn::GetAtt': ['R', 'Arn'] },
      // biome-ignore lint/suspicious/noTemplateCurlyInString: CloudFormation's own ${} syntax
      C: { 'Fn::Sub': 'a-${X}' },
      D: { 'Fn::If': ['Cond', { 'Fn::Join': ['', ['a', 'b']] }, { Ref: 'AWS::NoValue' }] },
      E: { 'Fn::Select': [0, { 'Fn::GetAZs': '' }] },
    });
    expect(doc.line(['D'])).toBe(4);
  });

  it('resolves the partition, the Region and named buckets; nothing else is guessed', () => {
    const ctx = { partition: 'aws-cn', region: 'cn-north-1', bucketNames: new Map([['B', 'named']]) };
    // biome-ignore lint/suspicious/noTemplateCurlyInString: CloudFormation's own ${} syntax
    expect(resolve({ 'Fn::Sub': 'arn:${AWS::Partition}:s3:::x-${AWS::Region}/' }, ctx)).toEqual({
      known: true,
      value: 'arn:aws-cn:s3:::x-cn-north-1/',
    });
    expect(resolve({ 'Fn::Join': ['', [{ 'Fn::GetAtt': ['B', 'Arn'] }, '/']] }, ctx)).toEqual({
      known: true,
      value: 'arn:aws-cn:s3:::named/',
    });
    expect(resolve([{ Ref: 'AWS::AccountId' }], ctx)).toEqual({
      known: false,
      expression: '!Ref AWS::AccountId',
    });
    // biome-ignore lint/suspicious/noTemplateCurlyInString: CloudFormation's own ${} syntax
    expect(resolve({ 'Fn::Sub': 'a-${Param}' }, ctx)).toMatchObject({ known: false });
    expect(resolve({ 'Fn::GetAtt': ['Other', 'Arn'] }, ctx)).toEqual({
      known: false,
      expression: '!GetAtt Other.Arn',
    });
    // biome-ignore lint/suspicious/noTemplateCurlyInString: CloudFormation's own ${} syntax
    expect(resolve({ 'Fn::Sub': 'literal ${!NotAVar}' }, ctx)).toEqual({
      known: true,
      // biome-ignore lint/suspicious/noTemplateCurlyInString: CloudFormation's own ${} syntax
      value: 'literal ${NotAVar}',
    });
  });

  it('absent settings take the documented defaults; strings CloudFormation accepts are coerced', () => {
    const t = readTemplates(
      [{ file: 't.yaml', text: trail('      IsMultiRegionTrail: "true"\n') }],
      'us-east-1',
    );
    const [entry] = t.snapshot.trails;
    expect(entry?.trail).toMatchObject({
      IsMultiRegionTrail: true,
      IncludeGlobalServiceEvents: true,
      LogFileValidationEnabled: false,
    });
    expect(entry?.eventSelectors).toEqual({
      EventSelectors: [
        {
          ReadWriteType: 'All',
          IncludeManagementEvents: true,
          DataResources: [],
          ExcludeManagementEventSources: [],
        },
      ],
    });
    expect(entry?.status).toEqual({ IsLogging: true });
  });
});
