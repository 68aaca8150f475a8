import { describe, expect, it } from 'vitest';
import {
  formatProblem,
  PolicyLoadError,
  parsePolicyFiles,
  parsePolicyText,
} from '../../shared/policy/loader.js';

const problems = (text: string) => parsePolicyText(text, 'p.yaml').problems.map(formatProblem);

const wrap = (body: string) => `version: 1\npolicies:\n${body}`;

describe('policy loader: bad input gets one clear message with file, line and column', () => {
  it('reports malformed YAML with its position', () => {
    expect(problems('version: 1\npolicies:\n  - id: a\n   bad: [')).toEqual([
      expect.stringMatching(/^p\.yaml:4:\d+: error: YAML: /),
    ]);
  });

  it('suggests the closest key for a typo, at the key', () => {
    expect(problems(wrap('  - id: a\n    quantifer: any\n    require: { logging: true }\n'))).toEqual([
      'p.yaml:4:5: error: policies[0].quantifer: unknown key "quantifer"; did you mean "quantifier"?',
    ]);
  });

  it('names unknown checks with the valid ones', () => {
    const [p] = problems(wrap('  - id: a\n    require: { multiRegon: true }\n'));
    expect(p).toMatch(
      /^p\.yaml:4:16: error: policies\[0\]\.require\.multiRegon: unknown check "multiRegon" for trail policies; did you mean "multiRegion"\?/,
    );
    const [q] = problems(
      wrap('  - id: a\n    resource: eventDataStore\n    require: { logFileValidation: true }\n'),
    );
    expect(q).toContain('unknown check "logFileValidation" for eventDataStore policies');
  });

  it('says what was expected for wrong values', () => {
    expect(problems(wrap('  - id: a\n    severity: urgent\n    require: { logging: yes }\n'))).toEqual([
      'p.yaml:4:15: error: policies[0].severity: expected one of "info", "low", "medium", "high", "critical", got "urgent"',
      'p.yaml:5:25: error: policies[0].require.logging: expected boolean, got "yes"',
    ]);
    expect(problems('version: 2\npolicies: []\n')).toEqual([
      'p.yaml:1:10: error: version: expected 1, got 2',
    ]);
    expect(problems('policies: []\n')).toEqual(['p.yaml:1:1: error: version: is required (expected 1)']);
  });

  it('checks selectors inside policies with the engine, with their path', () => {
    const text = wrap(
      [
        '  - id: a',
        '    require:',
        '      logEvents:',
        '        - FieldSelectors:',
        '            - { Field: eventCategory, Equals: [Data] }',
        '            - { Field: resources.ARN, Equal: ["arn:aws:s3:::bkt/"] }',
        '  - id: b',
        '    require:',
        '      logEvents:',
        '        - FieldSelectors:',
        '            - { Field: eventCategory, Equals: [Data] }',
        '            - { Field: resources.type, Equals: ["AWS::S3::Object"] }',
        '            - { Field: resources.ARN, NotEquals: ["arn:aws:s3:::bkt/"] }',
        '',
      ].join('\n'),
    );
    const out = parsePolicyText(text, 'p.yaml').problems.map(formatProblem);
    expect(out).toEqual([
      'p.yaml:8:39: error: policies[0].require.logEvents[0].FieldSelectors[1].Equal: unknown key "Equal"; did you mean "Equals"?',
      'p.yaml:15:51: warning: policies[1].require.logEvents[0].FieldSelectors[2].NotEquals[0]: NotEquals "arn:aws:s3:::bkt/" excludes no S3 object (it is no S3 object ARN, which has the form arn:<partition>:s3:::<bucket_name>/<object_path>); did you mean NotStartsWith?',
    ]);
  });

  it('rejects a policy that requires and forbids the same events, naming both places', () => {
    const text = wrap(
      [
        '  - id: a',
        '    require:',
        '      logEvents:',
        '        - FieldSelectors: [{ Field: eventCategory, Equals: [Data] }, { Field: resources.type, Equals: ["AWS::S3::Object"] }]',
        '    forbid:',
        '      logEvents:',
        '        - FieldSelectors: [{ Field: eventCategory, Equals: [Data] }, { Field: resources.type, Equals: ["AWS::S3::Object"] }, { Field: readOnly, Equals: ["true"] }]',
        '',
      ].join('\n'),
    );
    const [p] = problems(text);
    expect(p).toMatch(
      /^p\.yaml:6:11: error: policies\[0\]\.require\.logEvents\[0\]: requires events that policies\[0\]\.forbid\.logEvents\[0\] \(line 9\) forbids, for example: eventCategory=Data, readOnly=true/,
    );
  });

  it('rejects checks a union cannot decide, and empty policies', () => {
    expect(problems(wrap('  - id: a\n    quantifier: union\n    require: { logging: true }\n'))).toEqual([
      'p.yaml:5:16: error: policies[0].require.logging: logging cannot be decided for a union of resources; use quantifier any or every',
    ]);
    expect(problems(wrap('  - id: a\n'))).toEqual([
      'p.yaml:3:5: error: policies[0]: a policy needs at least one check under require or forbid',
    ]);
  });

  it('rejects duplicate ids across files, naming both', () => {
    const text = wrap('  - id: same\n    require: { logging: true }\n');
    const attempt = () =>
      parsePolicyFiles([
        { file: 'a.yaml', text },
        { file: 'b.yaml', text },
      ]);
    expect(attempt).toThrow(PolicyLoadError);
    expect(attempt).toThrow(
      'b.yaml:3:1: error: id: policy id "same" is already defined at a.yaml:3; ids must be unique across all loaded files',
    );
  });

  it('names an alias to a missing anchor, and refuses an alias bomb, without throwing', () => {
    expect(problems(wrap('  - *nope\n'))).toEqual([
      'p.yaml:3:5: error: YAML: alias *nope refers to no anchor &nope defined before it',
    ]);
    const bomb = [
      'a: &a [x, x, x, x, x, x, x, x, x, x]',
      'b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]',
      'c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]',
      'd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]',
      'version: 1',
      'policies: [*d]',
    ].join('\n');
    expect(problems(bomb)).toEqual([expect.stringMatching(/^p\.yaml:1:1: error: YAML: .*alias/i)]);
  });

  it('accepts a KMS key id or key ARN, and rejects an alias it cannot compare', () => {
    const kms = (key: string) =>
      problems(wrap(`  - id: a\n    require: { kmsEncrypted: { kmsKeyId: "${key}" } }\n`));
    expect(kms('1234abcd-12ab-34cd-56ef-1234567890ab')).toEqual([]);
    expect(kms('mrk-1234abcd12ab34cd56ef1234567890ab')).toEqual([]);
    expect(kms('arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab')).toEqual([]);
    expect(kms('alias/cloudtrail')).toEqual([
      expect.stringMatching(
        /^p\.yaml:4:\d+: error: policies\[0\]\.require\.kmsEncrypted\.kmsKeyId: "alias\/cloudtrail" is an alias; CloudTrail reports the key ARN.*give the key id or key ARN/,
      ),
    ]);
    expect(kms('arn:aws:kms:us-east-1:111122223333:alias/cloudtrail')[0]).toContain('is an alias');
    expect(kms('my-key')[0]).toContain('"my-key" is not a KMS key id');
  });

  it('reads defaults and all fields of a valid policy', () => {
    const { policies } = parsePolicyFiles([
      {
        file: 'a.yaml',
        text: wrap('  - id: a\n    select: { names: [x] }\n    require: { logging: true }\n'),
      },
    ]);
    expect(policies[0]).toMatchObject({
      id: 'a',
      severity: 'medium',
      resource: 'trail',
      quantifier: 'every',
      action: 'report',
      select: { names: ['x'] },
      source: { file: 'a.yaml', line: 3 },
    });
  });
});
