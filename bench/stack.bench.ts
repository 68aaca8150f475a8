/**
 * Stack benchmarks (issue targets in brackets):
 *  1. bundle size per function [< 400 KB minified]
 *  2. cold import time of each bundle as a ratio to `node -e 0` [< 1.6×]
 *  3. on moto, in process, with finding state in DynamoDB and the stack's default channels (SNS and
 *     EventBridge): event → notification (onTrailChange's handler time, every transition delivered)
 *     and event → verified repair (onTrailChange, then remediate: re-read, write, read back, notify)
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { StartLoggingCommand, StopLoggingCommand } from '@aws-sdk/client-cloudtrail';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { CreateTopicCommand, SNSClient } from '@aws-sdk/client-sns';
import { onTrailChange, type RemediationRequest, remediate } from '../shared/app/flows.js';
import type { AwsClients } from '../shared/aws/clients.js';
import { startMoto } from '../shared/emulator/moto.js';
import { publishToEventBridge } from '../shared/notify/eventbridge.js';
import type { Channel } from '../shared/notify/notifier.js';
import { publishToSns } from '../shared/notify/sns.js';
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
      // The settings the stack gives every function: the cold start parses them.
      env: {
        ...process.env,
        NODE_PATH: join(root, 'node_modules'),
        AWS_REGION: 'us-east-1',
        TABLE_NAME: 'findings',
      },
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
const median = (samples: number[]) => [...samples].sort((a, b) => a - b)[Math.floor(samples.length / 2)] ?? 0;
const max = (samples: number[]) => Math.max(...samples);
try {
  await seedDriftedAccount(moto.endpoint);
  const sns = new SNSClient({ region: 'us-east-1', endpoint: moto.endpoint });
  const events = new EventBridgeClient({ region: 'us-east-1', endpoint: moto.endpoint });
  const topic = (await sns.send(new CreateTopicCommand({ Name: 'findings' }))).TopicArn as string;
  const channels: Channel[] = [
    { name: 'sns', send: async (ns) => void (await Promise.all(ns.map((n) => publishToSns(sns, topic, n)))) },
    {
      name: 'eventbridge',
      send: async (ns) => void (await Promise.all(ns.map((n) => publishToEventBridge(events, n)))),
    },
  ];
  // No breaker here: the benchmark repairs the same trail on purpose.
  const { deps, requests } = await motoFlowDeps(moto.endpoint, {
    channels,
    breaker: { maxRemediations: 1000, windowMinutes: 60 },
  });
  const clients = deps.clients as AwsClients;
  const trail = clients.cloudTrail('us-east-1');
  const fixture = JSON.parse(
    readFileSync(join(root, 'test', 'events', 'fixtures', 'StopLogging.json'), 'utf8'),
  );
  let id = 0;
  // Each change is its own CloudTrail event, with its own EventBridge id.
  const event = (eventName: string) => ({
    ...fixture,
    id: `bench-${++id}`,
    account: '123456789012',
    detail: {
      ...fixture.detail,
      eventName,
      recipientAccountId: '123456789012',
      requestParameters: { name: 'security-trail' },
    },
  });

  // Event → notification: a stop opens findings, a start resolves them; each run delivers them.
  const notified: number[] = [];
  const report = { ...deps, remediationEnabled: false };
  for (let i = 0; i < 10; i++) {
    for (const change of ['StopLogging', 'StartLogging'] as const) {
      await trail.send(
        change === 'StopLogging'
          ? new StopLoggingCommand({ Name: 'security-trail' })
          : new StartLoggingCommand({ Name: 'security-trail' }),
      );
      const t = performance.now();
      const outcome = await onTrailChange(event(change), report);
      notified.push(performance.now() - t);
      if (outcome.outcome !== 'evaluated' || outcome.notifications === 0)
        throw new Error(`no notification: ${JSON.stringify(outcome)}`);
    }
  }
  console.log(
    `event → notification on moto (onTrailChange: read the Region, evaluate, record, deliver to SNS and EventBridge): median ${median(notified).toFixed(0)} ms, max ${max(notified).toFixed(0)} ms (${notified.length} runs)`,
  );

  // Event → verified repair.
  const repaired: number[] = [];
  for (let i = 0; i < 10; i++) {
    await trail.send(new StopLoggingCommand({ Name: 'security-trail' }));
    const t = performance.now();
    await onTrailChange(event('StopLogging'), deps);
    const request = requests
      .filter((r) => r.resource.endsWith('/security-trail'))
      .at(-1) as RemediationRequest;
    const outcome = await remediate(request, deps);
    repaired.push(performance.now() - t);
    if (outcome.outcome !== 'applied') throw new Error(`not repaired: ${JSON.stringify(outcome)}`);
  }
  console.log(
    `event → verified repair on moto (onTrailChange + remediate, in process): median ${median(repaired).toFixed(0)} ms, max ${max(repaired).toFixed(0)} ms (${repaired.length} runs)`,
  );
  clients.destroy();
} finally {
  await moto.stop();
}
