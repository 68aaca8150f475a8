import { execFile } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, inject, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');
const version = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version;
const exec = promisify(execFile);

/** Runs a command; returns exit code, stdout and stderr instead of throwing. */
async function run(file: string, args: string[], options: { cwd: string; env?: NodeJS.ProcessEnv }) {
  try {
    const { stdout, stderr } = await exec(file, args, {
      ...options,
      env: { ...(options.env ?? process.env), NO_COLOR: '1' },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}
const bin = (args: string[], env?: NodeJS.ProcessEnv) =>
  run(process.execPath, [join(root, 'bin', 'trailwarden.mjs'), ...args], {
    cwd: root,
    ...(env ? { env } : {}),
  });

/** Every file under a folder, recursively. */
const filesUnder = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? filesUnder(join(dir, e.name)) : [join(dir, e.name)],
  );

describe('the built CLI', () => {
  it('is built from the current sources before the tests run it', () => {
    const built = statSync(join(root, 'dist', 'cli.mjs')).mtimeMs;
    const newest = Math.max(...filesUnder(join(root, 'shared')).map((f) => statSync(f).mtimeMs));
    expect(built).toBeGreaterThanOrEqual(newest);
  });

  it('--version prints the package version', async () => {
    for (const flag of ['--version', '-V']) {
      const { code, stdout } = await bin([flag]);
      expect(code).toBe(0);
      expect(stdout).toBe(`${version}\n`);
    }
  });

  it('says how to build it when dist/ is missing, rather than crashing', async () => {
    const copy = mkdtempSync(join(tmpdir(), 'trailwarden-unbuilt-'));
    mkdirSync(join(copy, 'bin'));
    copyFileSync(join(root, 'bin', 'trailwarden.mjs'), join(copy, 'bin', 'trailwarden.mjs'));
    const { code, stderr } = await run(
      process.execPath,
      [join(copy, 'bin', 'trailwarden.mjs'), '--version'],
      {
        cwd: copy,
      },
    );
    expect(stderr).toBe(
      'trailwarden: the CLI is not built (dist/cli.mjs is missing): run `npm run build` in the repository\n',
    );
    expect(code).toBe(3);
  });

  it('live AWS on Node 22: no AWS SDK end-of-support warning on stderr', async () => {
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      AWS_ACCESS_KEY_ID: 'testing',
      AWS_SECRET_ACCESS_KEY: 'testing',
    };
    delete env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED;
    const { code, stdout, stderr } = await bin(
      ['check', '--region', 'us-east-1', '--endpoint-url', inject('motoEndpoint'), '--format', 'json'],
      env,
    );
    expect(stderr).toBe('');
    expect(JSON.parse(stdout).summary).toBeDefined();
    expect([0, 1]).toContain(code);
  });

  it('demo: without moto_server it says so and shows the snapshot demo', async () => {
    // Only node on the PATH, so moto_server cannot be found.
    const { code, stdout } = await bin(['demo'], { ...process.env, PATH: dirname(process.execPath) });
    expect(code).toBe(0);
    expect(stdout).toContain('The emulated demo needs moto (moto_server was not found. ');
    expect(stdout).toContain('showing the snapshot demo instead');
    expect(stdout).toContain('every remediate policy passes');
  });
});

describe('the CLI as npm installs it', () => {
  let prefix: string;

  beforeAll(async () => {
    const work = mkdtempSync(join(tmpdir(), 'trailwarden-pack-'));
    // The global setup built dist/ from the current sources: pack that, without rebuilding under
    // the other CLI tests' feet.
    const packed = await exec('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', work], {
      cwd: root,
    });
    const [{ filename }] = JSON.parse(packed.stdout);
    prefix = join(work, 'app');
    mkdirSync(prefix);
    writeFileSync(join(prefix, 'package.json'), '{ "name": "app", "private": true }\n');
    await exec('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', join(work, filename)], {
      cwd: prefix,
    });
  }, 300_000);

  const installed = (args: string[]) =>
    run(join(prefix, 'node_modules', '.bin', 'trailwarden'), args, { cwd: prefix });

  it('installs without its dev tools and prints its version', async () => {
    expect(existsSync(join(prefix, 'node_modules', 'trailwarden', 'dist', 'cli.mjs'))).toBe(true);
    expect(existsSync(join(prefix, 'node_modules', 'tsx'))).toBe(false);
    expect(existsSync(join(prefix, 'node_modules', 'esbuild'))).toBe(false);
    const { code, stdout } = await installed(['--version']);
    expect(code).toBe(0);
    expect(stdout).toBe(`${version}\n`);
  });

  it('checks the demo snapshot with its built-in policies, from any working directory', async () => {
    const snapshot = join(prefix, 'node_modules', 'trailwarden', 'examples', 'demo-account', 'snapshot.json');
    const { code, stdout, stderr } = await installed(['check', '--snapshot', snapshot, '--format', 'json']);
    expect(stderr).toBe('');
    expect(code).toBe(1);
    const { findings, summary } = JSON.parse(stdout);
    expect(summary.fail).toBeGreaterThan(0);
    expect(new Set(findings.map((f: { policyId: string }) => f.policyId))).toContain(
      'cis-3.1-multi-region-management',
    );
  });

  it('ships what the CLI reads at run time and no sources or tests', () => {
    const pkg = join(prefix, 'node_modules', 'trailwarden');
    const files = filesUnder(pkg).map((f) => f.slice(pkg.length + 1));
    expect(files).toEqual(
      expect.arrayContaining([
        'bin/trailwarden.mjs',
        'dist/cli.mjs',
        'policies/cis-aws-foundations.yaml',
        'policies/security-hub-cloudtrail.yaml',
        'examples/demo-account/snapshot.json',
        'package.json',
        'README.md',
      ]),
    );
    expect(files.filter((f) => /^(shared|test|functions|stack|bench|scripts)\/|\.ts$/.test(f))).toEqual([]);
  });
});
