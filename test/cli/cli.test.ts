import { execFile } from 'node:child_process';
import { mkdtempSync, truncateSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');
const fixtures = join(import.meta.dirname, 'fixtures');
const demo = join(root, 'examples', 'demo-account', 'snapshot.json');
const run = promisify(execFile);

/** Runs the real bin as a child process; returns exit code, stdout and stderr. */
async function cli(...args: string[]) {
  return cliWith({}, ...args);
}

async function cliWith(env: Record<string, string>, ...args: string[]) {
  try {
    const { stdout, stderr } = await run(process.execPath, [join(root, 'bin', 'trailwarden.mjs'), ...args], {
      cwd: root,
      env: { ...process.env, NO_COLOR: '1', ...env },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

const f = (name: string) => join(fixtures, name);

/** Generated inputs (too big, binary, empty) live in a temporary folder. */
const tmp = mkdtempSync(join(tmpdir(), 'trailwarden-cli-'));
const file = (name: string, content: string | Uint8Array) => {
  const path = join(tmp, name);
  writeFileSync(path, content);
  return path;
};
const bigPolicy = file(
  'big.yaml',
  `version: 1\npolicies: []\n${'# padding to make the file larger than any real policy file\n'.repeat(20_000)}`,
);
const hugeSnapshot = (() => {
  const path = file('huge.json', '');
  truncateSync(path, 300 * 1024 * 1024); // sparse: no disk, no time
  return path;
})();
const binaryPolicy = file(
  'binary.yaml',
  Uint8Array.from({ length: 4096 }, (_, i) => (i * 7919) % 256),
);
const emptySnapshot = file('empty.json', '[]\n');

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
      suppressed: 0,
    });
    for (const finding of out.findings) {
      expect(finding).toEqual(
        expect.objectContaining({
          id: expect.stringMatching(/^[0-9a-f]{20}$/),
          policyId: expect.any(String),
          account: expect.stringMatching(/^\d{12}$/),
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
      expect(Object.keys(step)).toEqual(['resource', 'account', 'region', 'operation', 'input', 'findings']);
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

  it('check and explain agree over real ARNs: witnesses are NOT LOGGED, real objects are LOGGED', async () => {
    const snapshot = f('s3-prefix-snapshot.json');
    const { code, stdout } = await cli(
      'check',
      '--snapshot',
      snapshot,
      '--policies',
      f('policy-all-s3-objects.yaml'),
      '--format',
      'json',
    );
    expect(code).toBe(1);
    const findings = JSON.parse(stdout).findings as {
      resourceName: string;
      status: string;
      message: string;
      witness?: Record<string, string>;
    }[];
    const byName = new Map(findings.map((x) => [x.resourceName, x]));
    // StartsWith arn:aws:s3::: logs every S3 object: PASS, as explain says of a real object.
    expect(byName.get('all-objects')?.status).toBe('PASS');
    const real = await cli(
      'explain',
      '--snapshot',
      snapshot,
      '--resource',
      'all-objects',
      '--event',
      '{"eventCategory":"Data","readOnly":"false","resources.type":"AWS::S3::Object","resources.ARN":"arn:aws:s3:::acme-payroll/q3.csv"}',
    );
    expect(real.code).toBe(0);
    expect(real.stdout).toContain('LOGGED by all-objects');
    // The failure names a real object, shown in the message, that explain confirms is not logged.
    const failed = byName.get('payroll-only');
    expect(failed?.status).toBe('FAIL');
    const arn = failed?.witness?.['resources.ARN'] as string;
    expect(arn).toMatch(/^arn:aws:s3:::[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]\/.+/);
    expect(failed?.message).toContain(`resources.ARN=${arn}`);
    const witness = await cli(
      'explain',
      '--snapshot',
      snapshot,
      '--resource',
      'payroll-only',
      '--event',
      JSON.stringify(failed?.witness),
    );
    expect(witness.code).toBe(1);
    expect(witness.stdout).toContain('NOT LOGGED by payroll-only');
  });

  it('check decides in the trail partition (aws-cn)', async () => {
    const { stdout } = await cli(
      'check',
      '--snapshot',
      f('s3-prefix-snapshot-aws-cn.json'),
      '--policies',
      f('policy-all-s3-objects.yaml'),
      '--format',
      'json',
    );
    const findings = JSON.parse(stdout).findings as {
      resourceName: string;
      status: string;
      witness?: Record<string, string>;
    }[];
    expect(findings.find((x) => x.resourceName === 'china')?.status).toBe('PASS');
    const wrong = findings.find((x) => x.resourceName === 'china-wrong-partition');
    expect(wrong?.status).toBe('FAIL');
    expect(wrong?.witness?.['resources.ARN']).toBe('arn:aws-cn:s3:::example-bucket/example-object.txt');
  });

  it("explain: an event whose ARN does not have its type's shape is bad input", async () => {
    const bad = await cli(
      'explain',
      '--snapshot',
      f('s3-prefix-snapshot.json'),
      '--resource',
      'all-objects',
      '--event',
      '{"eventCategory":"Data","resources.type":"AWS::S3::Object","resources.ARN":"arn:aws:example:us-east-1:123456789012:resource/example"}',
    );
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain(
      '--event: resources.ARN "arn:aws:example:us-east-1:123456789012:resource/example" is no AWS::S3::Object ARN in partition aws; expected arn:aws:s3:::<bucket_name>/<object_path>',
    );
    const otherPartition = await cli(
      'explain',
      '--snapshot',
      f('s3-prefix-snapshot-aws-cn.json'),
      '--resource',
      'china',
      '--event',
      '{"eventCategory":"Data","resources.type":"AWS::S3::Object","resources.ARN":"arn:aws:s3:::acme/q3.csv"}',
    );
    expect(otherPartition.code).toBe(2);
    expect(otherPartition.stderr).toContain('in partition aws-cn');
  });

  it('validate: policies and the selectors of a snapshot', async () => {
    const { code, stdout } = await cli('validate', '--snapshot', demo);
    expect(code).toBe(0);
    expect(stdout).toMatch(/\d+ policies valid/);
    expect(stdout).toContain(
      'data-events: warning: AdvancedEventSelectors[0].FieldSelectors[3].NotEquals[0]: NotEquals "arn:aws:s3:::acme-payroll/" excludes no S3 object',
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

  it('help shows examples, exit codes, timeouts, and offers only what each command accepts', async () => {
    const check = await cli('check', '--help');
    expect(check.code).toBe(0);
    // Help wraps to the terminal width: compare with single spaces.
    const text = check.stdout.replace(/\s+/g, ' ');
    expect(text).toContain('Examples:');
    expect(text).toContain(
      '--connect-timeout <seconds> seconds to wait for a connection to an endpoint (default 10)',
    );
    expect(text).toContain(
      '--request-timeout <seconds> seconds to wait for the answer to each request (default 30)',
    );
    expect(text).toContain('output format: table, json, markdown, asff');
    expect(text).toContain('default: the CIS and Security Hub packs');
    const plan = await cli('plan', '--help');
    expect(plan.stdout).toContain('output format: table, json, markdown');
    expect(plan.stdout).not.toContain('asff');
    expect(plan.stdout).toContain('1 the plan has steps');
    const apply = await cli('apply', '--help');
    expect(apply.stdout).not.toContain('asff');
    expect(apply.stdout).not.toContain('--snapshot');
    const explain = await cli('explain', '--help');
    expect(explain.stdout).toContain('0 LOGGED, 1 NOT LOGGED');
  });

  it('plan: exit 1 when it has steps, 0 when there is nothing to do', async () => {
    const steps = await cli('plan', '--snapshot', demo, '--policies', 'policies/examples');
    expect(steps.code).toBe(1);
    const none = await cli('plan', '--snapshot', f('compliant.json'), '--policies', f('policy-ok.yaml'));
    expect(none.stdout).toContain('Nothing to change.');
    expect(none.code).toBe(0);
  });

  it('by default reads the CIS and Security Hub packs only, never the examples', async () => {
    const { stdout } = await cli('check', '--snapshot', demo, '--format', 'json');
    const ids = new Set(JSON.parse(stdout).findings.map((x: { policyId: string }) => x.policyId));
    expect([...ids].every((id) => /^(cis-|securityhub-)/.test(id as string))).toBe(true);
    expect(ids).toContain('cis-3.1-delivery-health');
    expect(ids).not.toContain('payroll-bucket-data-events');
  });

  it('a malformed selector in a snapshot is an ERROR for that resource only; validate exits 1', async () => {
    const check = await cli(
      'check',
      '--snapshot',
      f('bad-selector-snapshot.json'),
      '--policies',
      f('policy-ok.yaml'),
      '--format',
      'json',
    );
    const findings = JSON.parse(check.stdout).findings as { status: string; message: string }[];
    expect(findings).toContainEqual(
      expect.objectContaining({
        status: 'ERROR',
        message: expect.stringContaining(
          'its event selectors are malformed: $.trails[0].eventSelectors.AdvancedEventSelectors[0].FieldSelectors[0].Field: unknown field "eventCategry"',
        ),
      }),
    );
    expect(check.code).toBe(3);
    const validate = await cli(
      'validate',
      '--policies',
      f('policy-ok.yaml'),
      '--snapshot',
      f('bad-selector-snapshot.json'),
    );
    expect(validate.stdout).toContain('main: error: its event selectors are malformed');
    expect(validate.code).toBe(1);
  });

  it('an endpoint that accepts connections and never answers fails, naming it, instead of hanging', async () => {
    const server = createServer(() => undefined);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    try {
      const started = Date.now();
      const { code, stderr } = await cliWith(
        { AWS_ACCESS_KEY_ID: 'testing', AWS_SECRET_ACCESS_KEY: 'testing', AWS_PROFILE: '' },
        'check',
        '--region',
        'us-east-1',
        '--endpoint-url',
        `http://127.0.0.1:${port}`,
        '--request-timeout',
        '0.3',
      );
      expect(stderr).toMatch(
        new RegExp(
          `error: AWS endpoint http://127\\.0\\.0\\.1:${port}: GetCallerIdentity: no answer in time`,
        ),
      );
      expect(code).toBe(3);
      expect(Date.now() - started).toBeLessThan(60_000);
    } finally {
      server.close();
    }
  });
});

describe('trailwarden CLI: bad input exits 2 with one clear message', () => {
  it('names a profile that does not exist, and the ones that do', async () => {
    const { code, stderr } = await cliWith(
      { AWS_CONFIG_FILE: f('aws-config'), AWS_SHARED_CREDENTIALS_FILE: f('nope') },
      'check',
      '--region',
      'us-east-1',
      '--profile',
      'nonexistent',
    );
    expect(stderr).toMatch(
      /--profile nonexistent: no such profile in .*aws-config or .*nope \(profiles there: default, audit\)/,
    );
    expect(code).toBe(2);
  });

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
    ['asff for apply', ['apply', '--region', 'us-east-1', '--format', 'asff'], /--format asff is for check/],
    [
      'YAML alias to a missing anchor',
      ['check', '--snapshot', f('compliant.json'), '--policies', f('policy-alias.yaml')],
      /policy-alias\.yaml:4:5: error: YAML: alias \*missing refers to no anchor &missing defined before it/,
    ],
    ['empty Region', ['check', '--region', ''], /--region "": empty; expected a Region such as us-east-1/],
    [
      'Region with spaces',
      ['check', '--region', 'us east 1'],
      /--region "us east 1": not a Region code; expected a Region such as us-east-1/,
    ],
    [
      'endpoint that is not a URL',
      ['check', '--region', 'us-east-1', '--endpoint-url', 'not-a-url'],
      /--endpoint-url "not-a-url": not an endpoint URL; expected http:\/\/host:port or https:\/\/host/,
    ],
    [
      'snapshot --out into a missing folder',
      ['snapshot', '--region', 'us-east-1', '--out', join(tmp, 'missing', 'snap.json')],
      /--out .*missing\/snap\.json: the folder .*missing does not exist/,
    ],
    [
      'snapshot --out onto a folder',
      ['snapshot', '--region', 'us-east-1', '--out', tmp],
      /--out .*: is a folder; give a file name/,
    ],
    [
      'a policy file far larger than any real one',
      ['validate', '--policies', bigPolicy],
      /policy file .*big\.yaml: 1\.\d MiB is more than the 1 MiB a policy file may have/,
    ],
    [
      'a snapshot far larger than any real one',
      ['check', '--snapshot', hugeSnapshot],
      /snapshot .*huge\.json: 300 MiB is more than the 256 MiB a snapshot may have/,
    ],
    [
      'a binary policy file',
      ['validate', '--policies', binaryPolicy],
      /^error: policy file .*binary\.yaml: not a text file \(binary content at byte 0\)\n$/,
    ],
    [
      'an empty snapshot list',
      ['check', '--snapshot', emptySnapshot],
      /empty\.json: \$: an empty list holds no Region/,
    ],
    [
      'an unknown event field',
      ['explain', '--snapshot', demo, '--resource', 'security', '--event', '{"eventCategori":"Data"}'],
      /--event: unknown field "eventCategori"; did you mean "eventCategory"\?/,
    ],
    [
      'an event far larger than any real one',
      [
        'explain',
        '--snapshot',
        demo,
        '--resource',
        'security',
        '--event',
        JSON.stringify({ eventName: 'x'.repeat(70_000) }),
      ],
      /--event: 68\.4 KiB is more than the 64 KiB an event may have/,
    ],
    [
      'a snapshot on apply',
      ['apply', '--snapshot', f('compliant.json'), '--region', 'us-east-1'],
      /apply changes live AWS/,
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
