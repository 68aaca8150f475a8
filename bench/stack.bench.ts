/**
 * Stack benchmarks (issue targets in brackets):
 *  1. bundle size per function [< 400 KB minified]
 *  2. cold import time of each bundle as a ratio to `node -e 0` [< 1.6×]
 *  3. handler latency from event to verified remediation, on moto
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { StopLoggingCommand } from '@aws-sdk/client-cloudtrail';
import { onTrailChange, type RemediationRequest, remediate } from '../shared/app/flows.js';
import type { AwsClients } from '../shared/aws/clients.js';
import { startMoto } from '../shared/emulator/moto.js';
import { motoFlowDeps, seedDriftedAccount } from '../test/integration/seed.js';

const root = process.cwd();
const out = mkdtempSync(join(tmpdir(), 'trailwarden-bench-'));
execFileSync(
  process.execPath,
  [
    join(root, 'node_modules', 'serverless', 'bin', 'serverless.js'),
    'package',
    '--stage',
    'bench',
    '--package',
    out,
  ],
  {
    env: { ...process.env, AWS_ACCESS_KEY_ID: '', AWS_SECRET_ACCESS_KEY: '' },
    stdio: 'pipe',
  },
);
const bundles = mkdtempSync(join(tmpdir(), 'trailwarden-bundles-'));
for (const zip of readdirSync(out).filter((f) => f.endsWith('.zip')))
  execFileSync('unzip', ['-q', '-o', join(out, zip), '-d', join(bundles, zip.replace('.zip', ''))]);

const time = (args: string[], runs: number) => {
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    // The Lambda runtime provides @aws-sdk/*; here they resolve from the repository's node_modules.
    execFileSync(process.execPath, args, {
      env: { ...process.env, NODE_PATH: join(root, 'node_modules') },
      stdio: 'pipe',
    });
    samples.push(performance.now() - t);
  }
  return samples.sort((a, b) => a - b)[Math.floor(runs / 2)] as number;
};
const baseline = time(['-e', '0'], 15);
for (const fn of readdirSync(bundles)) {
  const file = join(bundles, fn, 'functions', `${fn}.cjs`);
  const size = statSync(file).size;
  const cold = time(['-e', `require(${JSON.stringify(file)})`], 15);
  console.log(
    `${fn}: bundle ${(size / 1024).toFixed(0)} KB minified; cold import ${cold.toFixed(0)} ms vs node -e 0 ${baseline.toFixed(0)} ms = ${(cold / baseline).toFixed(2)}×`,
  );
}

Object.assign(process.env, {
  AWS_ACCESS_KEY_ID: 'bench',
  AWS_SECRET_ACCESS_KEY: 'bench',
});
const moto = await startMoto();
try {
  await seedDriftedAccount(moto.endpoint);
  // No breaker here: the benchmark repairs the same trail on purpose.
  const { deps, requests } = await motoFlowDeps(moto.endpoint, {
    breaker: { maxRemediations: 100, windowMinutes: 60 },
  });
  const clients = deps.clients as AwsClients;
  const fixture = JSON.parse(
    readFileSync(join(root, 'test', 'events', 'fixtures', 'StopLogging.json'), 'utf8'),
  );
  const event = {
    ...fixture,
    account: '123456789012',
    detail: { ...fixture.detail, requestParameters: { name: 'security-trail' } },
  };
  const samples: number[] = [];
  for (let i = 0; i < 10; i++) {
    await clients.cloudTrail('us-east-1').send(new StopLoggingCommand({ Name: 'security-trail' }));
    const t = performance.now();
    await onTrailChange(event, deps);
    await remediate(requests.at(-1) as RemediationRequest, deps);
    samples.push(performance.now() - t);
  }
  samples.sort((a, b) => a - b);
  console.log(
    `event → verified remediation on moto (onTrailChange + remediate, in process): median ${samples[5]?.toFixed(0)} ms, max ${samples[9]?.toFixed(0)} ms`,
  );
  clients.destroy();
} finally {
  await moto.stop();
}
