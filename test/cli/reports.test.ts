import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');
const fixtures = join(import.meta.dirname, 'fixtures');
const f = (name: string) => join(fixtures, name);
const run = promisify(execFile);

/** Runs the real bin as a child process; returns exit code, stdout and stderr. */
async function cli(...args: string[]) {
  try {
    const { stdout, stderr } = await run(process.execPath, [join(root, 'bin', 'trailwarden.mjs'), ...args], {
      cwd: root,
      env: { ...process.env, NO_COLOR: '1' },
      maxBuffer: 64 * 1024 * 1024,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('exceptions on the command line', () => {
  it('check: a suppressed finding does not count toward the exit code and is shown with its reason', async () => {
    const json = await cli(
      'check',
      '--snapshot',
      f('compliant.json'),
      '--policies',
      f('policy-exceptions.yaml'),
      '--format',
      'json',
    );
    expect(json.code).toBe(0);
    const out = JSON.parse(json.stdout);
    expect(out.summary).toEqual({ pass: 0, fail: 0, error: 0, skipped: 0, suppressed: 1 });
    expect(out.findings[0]).toMatchObject({
      status: 'SUPPRESSED',
      exception: { reason: 'tagging lands with the account migration (OPS-7)', expires: '2099-12-31' },
    });
    const table = await cli(
      'check',
      '--snapshot',
      f('compliant.json'),
      '--policies',
      f('policy-exceptions.yaml'),
    );
    expect(table.stdout).toContain('SUPPRESSED');
    expect(table.stdout).toMatch(
      /exception \(.*policy-exceptions\.yaml:8\): tagging lands with the account migration \(OPS-7\); expires 2099-12-31/,
    );
    expect(table.stdout).toContain('0 passed, 0 failed, 0 errors, 0 skipped, 1 suppressed');
  });

  it('validate: warns about exceptions expiring within 14 days, expired ones and ones matching nothing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tw-exceptions-'));
    const soon = new Date(Date.now() + 5 * 86_400_000).toISOString().slice(0, 10);
    const file = join(dir, 'p.yaml');
    writeFileSync(
      file,
      [
        'version: 1',
        'policies:',
        '  - id: team-tag',
        '    require: { tags: { team: true } }',
        'exceptions:',
        `  - { resources: [main], reason: soon, expires: ${soon} }`,
        '  - { resources: [main], reason: old, expires: 2020-01-01 }',
        '  - { resources: [gone], reason: stale, expires: never }',
        '',
      ].join('\n'),
    );
    const { code, stdout } = await cli('validate', '--policies', file, '--snapshot', f('compliant.json'));
    expect(code).toBe(0);
    expect(stdout).toContain(`p.yaml:6: warning: exception expires on ${soon}, within 14 days (soon)`);
    expect(stdout).toContain('p.yaml:7: warning: exception expired on 2020-01-01; it is ignored (old)');
    expect(stdout).toContain('p.yaml:8: warning: exception matches no finding');
    expect(stdout).toContain('1 policies valid, 3 warnings');
  });

  it('an exception without an expiry is rejected: exit 2 naming file, line and field', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tw-exceptions-'));
    const file = join(dir, 'p.yaml');
    writeFileSync(
      file,
      'version: 1\npolicies:\n  - id: a\n    require: { logging: true }\nexceptions:\n  - resources: [main]\n    reason: r\n',
    );
    const { code, stderr } = await cli('check', '--snapshot', f('compliant.json'), '--policies', file);
    expect(code).toBe(2);
    expect(stderr).toMatch(/p\.yaml:6:5: error: exceptions\[0\]\.expires: is required/);
  });
});

// Written at run time: the linter would reject a malformed .json fixture in the repository.
const MALFORMED_JSON = join(mkdtempSync(join(tmpdir(), 'tw-template-')), 'malformed.json');
writeFileSync(MALFORMED_JSON, '{"Resources": {"Trail": {"Type": "AWS::CloudTrail::Trail",}}}\n');

const golden = (path: string) => join(root, 'test', 'iac', 'golden', path);

describe('check --template: infrastructure as code before deploy', () => {
  it('SARIF points at the template file and line of each resource; exit 1 on failures', async () => {
    const { code, stdout } = await cli(
      'check',
      '--template',
      golden('yaml-short-form/cloudtrail.yaml'),
      '--template',
      golden('terraform-write-only/plan.json'),
      '--policies',
      golden('yaml-short-form/policies.yaml'),
      '--format',
      'sarif',
    );
    expect(code).toBe(1);
    const sarif = JSON.parse(stdout);
    const results = sarif.runs[0].results as {
      ruleId: string;
      message: { text: string };
      locations: { physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number } } }[];
    }[];
    const logging = results.find((r) => r.ruleId === 'management-read-and-write/logging');
    expect(logging?.message.text).toContain('IsLogging is !Ref EnableLogging, known only at deploy time');
    expect(logging?.locations[0]?.physicalLocation).toEqual({
      artifactLocation: { uri: 'test/iac/golden/yaml-short-form/cloudtrail.yaml', uriBaseId: '%SRCROOT%' },
      region: { startLine: 18 },
    });
    expect(
      results.some((r) =>
        r.locations[0]?.physicalLocation.artifactLocation.uri.endsWith('terraform-write-only/plan.json'),
      ),
    ).toBe(true);
  });

  it('plan --template: each repair as the template change, at its line', async () => {
    const { stdout } = await cli(
      'plan',
      '--template',
      golden('yaml-short-form/cloudtrail.yaml'),
      '--policies',
      golden('yaml-short-form/policies.yaml'),
    );
    expect(stdout).toContain(
      '1. test/iac/golden/yaml-short-form/cloudtrail.yaml:55 AuditLake  (UpdateEventDataStore after deploy)',
    );
    expect(stdout).toContain('{"RetentionPeriod":365,"TerminationProtectionEnabled":true}');
    const tf = await cli(
      'plan',
      '--template',
      golden('terraform-write-only/plan.json'),
      '--policies',
      golden('terraform-write-only/policies.yaml'),
    );
    expect(tf.stdout).toContain('plan.json:47 aws_cloudtrail.main  (PutEventSelectors after deploy)');
    expect(tf.stdout).toContain(
      '{"event_selector":[{"read_write_type":"All","include_management_events":true,"data_resource":[]}]}',
    );
  });

  it.each([
    ['malformed YAML', 'malformed.yaml', /^error: template .*malformed\.yaml:\d+:\d+: not valid YAML: /],
    ['malformed JSON', MALFORMED_JSON, /^error: template .*malformed\.json:1:\d+: not valid JSON: /],
    [
      'not CloudFormation or Terraform',
      'not-a-template.yaml',
      /neither a CloudFormation template .* nor a Terraform plan/,
    ],
    ['no CloudTrail resources', 'no-cloudtrail.yaml', /no-cloudtrail\.yaml: no CloudTrail resources/],
    ['missing file', 'nope.yaml', /^error: template .*nope\.yaml: no such file/],
  ])('bad template, %s: exit 2, one message', async (_, file, message) => {
    const { code, stderr } = await cli(
      'check',
      '--template',
      file.startsWith('/') ? file : f(`templates/${file}`),
    );
    expect(stderr).toMatch(message);
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(code).toBe(2);
  });

  it('--template with --snapshot is bad input', async () => {
    const { code, stderr } = await cli(
      'check',
      '--template',
      golden('cdk-synth/template.json'),
      '--snapshot',
      f('compliant.json'),
    );
    expect(code).toBe(2);
    expect(stderr).toContain('use --template FILE on its own');
  });
});

describe('report', () => {
  it('writes the HTML report of a template, with each resource at its file and line', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'tw-report-')), 'r.html');
    const { code, stdout } = await cli(
      'report',
      '--template',
      golden('cdk-synth/template.json'),
      '--policies',
      golden('cdk-synth/policies.yaml'),
      '--out',
      out,
    );
    expect(code).toBe(1);
    expect(stdout).toMatch(/^wrote .*r\.html: 2 trails and event data stores, 3 passed, 2 failed, 1 errors/);
    const html = readFileSync(out, 'utf8');
    expect(html).toContain('template.json:62 (AuditTrail8B1F4C2A)');
    expect(html).toContain('KMSKeyId is !GetAtt TrailKey5C6D7E8F.Arn, known only at deploy time');
  });

  it('report with a --format is bad input', async () => {
    const { code, stderr } = await cli('report', '--snapshot', f('compliant.json'), '--format', 'json');
    expect(code).toBe(2);
    expect(stderr).toContain('--format json: report writes HTML');
  });

  it('an unwritable --out is bad input', async () => {
    const { code, stderr } = await cli(
      'report',
      '--snapshot',
      f('compliant.json'),
      '--policies',
      f('policy-ok.yaml'),
      '--out',
      '/nonexistent/dir/r.html',
    );
    expect(code).toBe(2);
    expect(stderr).toContain('--out /nonexistent/dir/r.html: cannot write: ENOENT');
  });
});

describe('--format on the demo account', () => {
  const demo = join(root, 'examples', 'demo-account', 'snapshot.json');
  it.each([
    ['sarif', (s: string) => expect(JSON.parse(s).version).toBe('2.1.0')],
    ['ocsf', (s: string) => expect(JSON.parse(s)[0].class_uid).toBe(2003)],
    ['junit', (s: string) => expect(s).toMatch(/^<\?xml/)],
    ['csv', (s: string) => expect(s.split('\r\n')[0]).toMatch(/^id,status,severity,policy,check,/)],
  ])('check --format %s', async (format, assert) => {
    const { code, stdout } = await cli('check', '--snapshot', demo, '--format', format);
    expect(code).toBe(1);
    assert(stdout);
  });

  it('plan rejects finding formats', async () => {
    const { code, stderr } = await cli('plan', '--snapshot', demo, '--format', 'sarif');
    expect(code).toBe(2);
    expect(stderr).toContain('--format sarif is for check (findings)');
  });
});
