/**
 * Organization benchmark on moto: 50 accounts (the management account and 49 members) × 2 Regions ×
 * 20 trails, read by `trailwarden check --org` through the real bin.
 *  1. wall time at --concurrency 1 and 20, with the CPU the CLI and moto each spent
 *  2. calls per trail (≤ 5) and AssumeRole per member account (1), counted in process; evaluation time
 *  3. how the wall time grows with the number of accounts (10, 25, 50 at concurrency 20)
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { promisify } from 'node:util';
import pLimit from 'p-limit';
import { AwsClients } from '../shared/aws/clients.js';
import { readLive } from '../shared/cli/accounts.js';
import { loadPolicies } from '../shared/cli/io.js';
import { CallCounter, isWrite } from '../shared/emulator/callCounter.js';
import { startMoto } from '../shared/emulator/moto.js';
import { createOrganization, credentialsIn, MANAGEMENT_ACCOUNT } from '../shared/emulator/organization.js';
import { EMULATOR_CREDENTIALS, type SeedAccount, seedAccount } from '../shared/emulator/seed.js';
import { evaluateAll } from '../shared/engine/index.js';

const ACCOUNTS = 50;
const REGIONS = ['us-east-1', 'eu-west-1'];
const TRAILS = 20;
const TOTAL = ACCOUNTS * REGIONS.length * TRAILS;
// The bundle runs from dist/bench/.
const root = join(import.meta.dirname, '..', '..');

const account = (i: number): SeedAccount => ({
  bucket: `bench-org-logs-${i}`,
  trails: REGIONS.flatMap((region) =>
    Array.from({ length: TRAILS }, (_, t) => ({
      name: `trail-${region}-${String(t).padStart(2, '0')}`,
      region,
      options: { EnableLogFileValidation: true },
      selectors: { EventSelectors: [{ ReadWriteType: 'All' as const, IncludeManagementEvents: true }] },
      // moto answers GetInsightSelectors only for a trail that has some.
      insights: [{ InsightType: 'ApiCallRateInsight' as const }],
      logging: true,
    })),
  ),
});

const moto = await startMoto();
try {
  let t = performance.now();
  const org = await createOrganization(moto.endpoint, {
    members: Array.from({ length: ACCOUNTS - 1 }, (_, i) => ({
      name: `member-${i}`,
      unit: i % 2 ? 'prod' : 'dev',
    })),
  });
  const seed = pLimit(4);
  await Promise.all([
    seedAccount(moto.endpoint, account(0)),
    ...org.members.map((m, i) =>
      seed(async () => seedAccount(moto.endpoint, account(i + 1), await credentialsIn(moto.endpoint, m))),
    ),
  ]);
  console.log(
    `seeded ${ACCOUNTS} accounts × ${REGIONS.length} Regions × ${TRAILS} trails (${TOTAL} trails) in ${((performance.now() - t) / 1000).toFixed(0)} s`,
  );

  /** CPU seconds (user + system) moto_server has used so far, from /proc (clock ticks of 1/100 s). */
  const motoCpu = () => {
    const fields = readFileSync(`/proc/${moto.pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    return (Number(fields[11]) + Number(fields[12])) / 100;
  };
  const env = {
    ...process.env,
    AWS_ACCESS_KEY_ID: EMULATOR_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: EMULATOR_CREDENTIALS.secretAccessKey,
    NO_COLOR: '1',
  };
  const regionArgs = REGIONS.flatMap((r) => ['--region', r]);
  /** The real bin, timed: wall seconds, its own CPU seconds (GNU time) and moto's. */
  const check = async (args: string[]) => {
    const start = performance.now();
    const motoBefore = motoCpu();
    const argv = [join(root, 'bin', 'trailwarden.mjs'), 'check', ...args, ...regionArgs];
    const r = await promisify(execFile)(
      '/usr/bin/time',
      ['-f', 'cpu %U %S', process.execPath, ...argv, '--endpoint-url', moto.endpoint, '--format', 'json'],
      { env, maxBuffer: 512 * 1024 * 1024 },
    ).catch((e: { stdout: string; stderr: string }) => e);
    const seconds = (performance.now() - start) / 1000;
    const [, user, system] = /cpu ([\d.]+) ([\d.]+)/.exec(r.stderr) ?? [];
    const out = JSON.parse(r.stdout) as { findings: { account: string }[] };
    return {
      seconds,
      cpu: `CPU: trailwarden ${(Number(user) + Number(system)).toFixed(1)} s, moto ${(motoCpu() - motoBefore).toFixed(1)} s`,
      accounts: new Set(out.findings.map((f) => f.account)).size,
    };
  };
  const perTrail = (seconds: number, trails: number) =>
    `${((seconds * 1000) / trails).toFixed(1)} ms per trail`;

  for (const concurrency of [1, 20]) {
    const r = await check(['--org', '--concurrency', String(concurrency)]);
    console.log(
      `1. check --org, ${r.accounts} accounts, --concurrency ${concurrency}: ${r.seconds.toFixed(1)} s wall (${perTrail(r.seconds, TOTAL)}); ${r.cpu}`,
    );
  }

  const counter = new CallCounter();
  const clients = new AwsClients(
    { endpoint: moto.endpoint, credentials: async () => EMULATOR_CREDENTIALS },
    counter,
  );
  t = performance.now();
  const { snapshots } = await readLive(
    clients,
    REGIONS,
    { org: true },
    { concurrency: 20, organization: false },
  );
  const readMs = performance.now() - t;
  clients.destroy();
  t = performance.now();
  const evaluation = evaluateAll(snapshots, loadPolicies([join(root, 'policies')]).policies, new Date(0));
  const evaluateMs = performance.now() - t;
  const trails = snapshots.reduce((n, s) => n + s.trails.length, 0);
  const listing = [
    'DescribeTrails',
    'ListEventDataStores',
    'GetCallerIdentity',
    'AssumeRole',
    'ListAccounts',
    'ListDelegatedAdministrators',
  ];
  console.log(
    `2. ${trails} trails in ${snapshots.length} account-Regions read in process in ${(readMs / 1000).toFixed(1)} s (concurrency 20): ` +
      `${(counter.total((op) => !listing.includes(op) && !isWrite(op)) / trails).toFixed(2)} reads per trail, ` +
      `${counter.byOperation.get('AssumeRole') ?? 0} AssumeRole for ${ACCOUNTS - 1} member accounts (the caller's own account needs none), ` +
      `${counter.total(isWrite)} writes`,
  );
  console.log(`   by operation: ${[...counter.byOperation].map(([k, v]) => `${k} ${v}`).join(', ')}`);
  console.log(
    `   evaluating them against the default policies (${evaluation.findings.length} findings): ${(evaluateMs / 1000).toFixed(1)} s`,
  );

  for (const n of [10, 25, 50]) {
    const ids = [MANAGEMENT_ACCOUNT, ...org.members].slice(0, n).join(',');
    const r = await check(['--accounts', ids, '--concurrency', '20']);
    console.log(
      `3. --accounts (${r.accounts}), --concurrency 20: ${r.seconds.toFixed(1)} s wall (${perTrail(r.seconds, n * REGIONS.length * TRAILS)}); ${r.cpu}`,
    );
  }
} finally {
  await moto.stop();
}
