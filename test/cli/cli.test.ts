import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');
const fixtures = join(import.meta.dirname, 'fixtures');
const demo = join(root, 'examples', 'demo-account', 'snapshot.json');
const run = promisify(execFile);

/** Runs the real bin as a child process; returns exit code, stdout and stderr. */
async function cli(...args: string[]) {
  try {
    const { stdout, stderr } = await run(process.execPath, [join(root, 'bin', 'trailwarden.mjs'), ...args], {
      cwd: root,
      env: { ...process.env, NO_COLOR: '1' },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

const f = (name: string) => join(fixtures, name);

describe('trailwarden CLI', () => {
  it('check: exit 1 on failures, JSON exactly as the contract', async () => {
    const { code, stdout } = await cli('check', '--snapshot', demo, '--format', 'json');
    expect(code).toBe(1);
    const out = JSON.parse(stdout);
    expect(Object.keys(out)).toEqual(['findings', 'plan', 'summary']);
    expect(out.summary).toEqual({
      pass: expect.any(Number),
      fail: expect.any(Number),
      error: 0,
      skipped: expect.any(Number),
    });
    for (const finding of out.findings) {
      expect(finding).toEqual(
        expect.objectContaining({
          id: expect.stringMatching(/^[0-9a-f]{20}$/),
          policyId: expect.any(String),
          resource: expect.stringMatching(/^arn:aws:cloudtrail:/),
          status: expect.stringMatching(/^(PASS|FAIL|ERROR|SKIPPED)$/),
          check: expect.any(String),
          severity: expect.any(String),
          message: expect.any(String),
        }),
      );
    }
    expect(out.findings.some((x: { witness?: unknown }) => x.witness)).toBe(true);
    for (const step of out.plan)
      expect(Object.keys(step)).toEqual(['resource', 'region', 'operation', 'input', 'findings']);
  });

  it('check: exit 0 when compliant; plain text without a TTY', async () => {
    const { code, stdout } = await cli(
      'check',
      '--snapshot',
      f('compliant.json'),
      '--policies',
      f('policy-ok.yaml'),
    );
    expect(code).toBe(0);
    expect(stdout).toContain('1 passed, 0 failed');
    expect(stdout.includes('\u001b[')).toBe(false);
  });

  it('check: stable ids across runs', async () => {
    const a = JSON.parse((await cli('check', '--snapshot', demo, '--format', 'json')).stdout);
    const b = JSON.parse((await cli('check', '--snapshot', demo, '--format', 'json')).stdout);
    expect(a.findings.map((x: { id: string }) => x.id)).toEqual(b.findings.map((x: { id: string }) => x.id));
  });

  it('plan: the exact requests, as JSON and markdown', async () => {
    const json = await cli('plan', '--snapshot', demo, '--policies', 'policies/examples', '--format', 'json');
    const plan = JSON.parse(json.stdout).plan;
    expect(plan).toContainEqual(
      expect.objectContaining({
        operation: 'UpdateTrail',
        region: 'us-east-1',
        input: expect.objectContaining({
          Name: 'arn:aws:cloudtrail:us-east-1:111122223333:trail/app-writes',
          EnableLogFileValidation: true,
        }),
      }),
    );
    const md = await cli(
      'plan',
      '--snapshot',
      demo,
      '--policies',
      'policies/examples',
      '--format',
      'markdown',
    );
    expect(md.stdout).toContain('**PutEventSelectors**');
  });

  it('explain: says which selector logs an event, or why none does', async () => {
    const logged = await cli(
      'explain',
      '--snapshot',
      demo,
      '--resource',
      'security',
      '--event',
      '{"eventCategory":"Management","readOnly":"false"}',
    );
    expect(logged.code).toBe(0);
    expect(logged.stdout).toContain('LOGGED by security: matches selector #1 "Write management events"');
    const missed = await cli(
      'explain',
      '--snapshot',
      demo,
      '--resource',
      'audit-no-kms-events',
      '--event',
      '{"eventCategory":"Management","readOnly":"false","eventSource":"kms.amazonaws.com"}',
    );
    expect(missed.code).toBe(1);
    expect(missed.stdout).toContain('NOT LOGGED by audit-no-kms-events');
    expect(missed.stdout).toContain(
      'eventSource is "kms.amazonaws.com", which does not match {"Field":"eventSource","NotEquals":["kms.amazonaws.com"]}',
    );
  });

  it('validate: policies and the selectors of a snapshot', async () => {
    const { code, stdout } = await cli('validate', '--snapshot', demo);
    expect(code).toBe(0);
    expect(stdout).toMatch(/\d+ policies valid/);
    expect(stdout).toContain(
      'data-events: warning: AdvancedEventSelectors[0].FieldSelectors[3].NotEquals[0]: NotEquals "arn:aws:s3:::acme-payroll/" matches no object',
    );
  });

  it('demo: on an emulated account (moto) it applies and verifies; with --snapshot-only it checks and plans', async () => {
    const emulated = await cli('demo');
    expect(emulated.code).toBe(0);
    expect(emulated.stdout).toMatch(/\d+ findings remediated and verified/);
    expect(emulated.stdout).toContain('Nothing left to plan.');
    const snapshot = await cli('demo', '--snapshot-only');
    expect(snapshot.code).toBe(0);
    expect(snapshot.stdout).toContain('every remediate policy passes');
  });

  it('check --format asff: Security Hub findings ready for BatchImportFindings', async () => {
    const { code, stdout } = await cli('check', '--snapshot', demo, '--format', 'asff');
    expect(code).toBe(1);
    const { Findings } = JSON.parse(stdout);
    expect(Findings.length).toBeGreaterThan(10);
    expect(Findings[0]).toMatchObject({
      SchemaVersion: '2018-10-08',
      AwsAccountId: '111122223333',
      ProductArn: 'arn:aws:securityhub:us-east-1:111122223333:product/111122223333/default',
    });
    expect(Findings.some((x: { Compliance: { Status: string } }) => x.Compliance.Status === 'FAILED')).toBe(
      true,
    );
  });

  it('help shows examples', async () => {
    const { code, stdout } = await cli('check', '--help');
    expect(code).toBe(0);
    expect(stdout).toContain('Examples:');
  });
});

describe('trailwarden CLI: bad input exits 2 with one clear message', () => {
  it.each([
    [
      'malformed YAML',
      ['check', '--snapshot', f('compliant.json'), '--policies', f('policy-malformed.yaml')],
      /policy-malformed\.yaml:\d+:\d+: error: YAML: /,
    ],
    [
      'unknown key',
      ['check', '--snapshot', f('compliant.json'), '--policies', f('policy-unknown-key.yaml')],
      /policy-unknown-key\.yaml:4:5: error: policies\[0\]\.sevrity: unknown key "sevrity"; did you mean "severity"\?/,
    ],
    [
      'invalid selector',
      ['validate', '--policies', f('policy-bad-selector.yaml')],
      /policy-bad-selector\.yaml:6:\d+: error: policies\[0\]\.require\.logEvents\[0\]\.FieldSelectors: resources\.type is required for data events/,
    ],
    [
      'conflicting require/forbid',
      ['validate', '--policies', f('policy-conflict.yaml')],
      /policy-conflict\.yaml:6:\d+: error: policies\[0\]\.require\.logEvents\[0\]: requires events that policies\[0\]\.forbid\.logEvents\[0\] \(line 9\) forbids/,
    ],
    [
      'bad snapshot',
      ['check', '--snapshot', f('bad-snapshot.json')],
      /bad-snapshot\.json: \$\.trails\[0\]\.trail\.Name: /,
    ],
    ['snapshot not JSON', ['check', '--snapshot', f('not-json.txt')], /not-json\.txt: not valid JSON/],
    ['missing snapshot', ['check', '--snapshot', f('nope.json')], /snapshot .*nope\.json: no such file/],
    [
      'missing policies',
      ['check', '--snapshot', f('compliant.json'), '--policies', f('nope')],
      /policies .*nope: no such file or folder/,
    ],
    ['no Region for live mode', ['check'], /no Region: pass --region/],
    [
      'snapshot and live options together',
      ['check', '--snapshot', f('compliant.json'), '--region', 'us-east-1'],
      /use either --snapshot FILE or live AWS options/,
    ],
    ['apply on a snapshot', ['apply', '--snapshot', f('compliant.json')], /apply changes live AWS/],
    [
      'bad concurrency',
      ['check', '--region', 'us-east-1', '--concurrency', '0'],
      /--concurrency 0: expected a whole number/,
    ],
    [
      'asff for plan',
      ['plan', '--snapshot', f('compliant.json'), '--format', 'asff'],
      /--format asff is for check/,
    ],
    [
      'unknown format',
      ['check', '--snapshot', f('compliant.json'), '--format', 'xml'],
      /argument 'xml' is invalid/,
    ],
    [
      'event not JSON',
      ['explain', '--snapshot', demo, '--resource', 'security', '--event', '{nope'],
      /--event: not valid JSON/,
    ],
    [
      'unknown resource',
      ['explain', '--snapshot', demo, '--resource', 'nope', '--event', '{}'],
      /--resource nope: no trail or event data store/,
    ],
    ['unknown command', ['chek'], /unknown command 'chek'/],
  ])('%s', async (_, args, message) => {
    const { code, stderr } = await cli(...args);
    expect(stderr).toMatch(message);
    expect(code).toBe(2);
  });
});
