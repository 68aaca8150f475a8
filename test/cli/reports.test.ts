import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');
const fixtures = join(import.meta.dirname, 'fixtures');
const f = (name: string) => join(fixtures, name);
const run = promisify(execFile);

/** Runs the real bin as a child process; returns exit code, stdout and stderr. */
export async function cli(...args: string[]) {
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
