/**
 * Live benchmarks on moto (issue targets in brackets):
 *  1. AWS calls per trail in a sweep with no drift [≤ 5 reads per trail, no writes]
 *  2. a sweep of 200 trails: wall time and calls
 *  3. time from apply start to verified state, one trail
 */
import { performance } from 'node:perf_hooks';
import { StopLoggingCommand } from '@aws-sdk/client-cloudtrail';
import { applyAndVerify } from '../shared/aws/apply.js';
import { AwsClients } from '../shared/aws/clients.js';
import { loadRegions } from '../shared/aws/loader.js';
import { CallCounter, isWrite } from '../shared/emulator/callCounter.js';
import { startMoto } from '../shared/emulator/moto.js';
import { seedAccount } from '../shared/emulator/seed.js';
import { evaluate } from '../shared/engine/index.js';
import { parsePolicyFiles } from '../shared/policy/loader.js';

Object.assign(process.env, { AWS_ACCESS_KEY_ID: 'bench', AWS_SECRET_ACCESS_KEY: 'bench' });
const moto = await startMoto();
try {
  const region = 'us-east-1';
  // 200 compliant trails: the sweep below finds no drift.
  await seedAccount(moto.endpoint, {
    bucket: 'bench-logs',
    trails: Array.from({ length: 200 }, (_, i) => ({
      name: `trail-${String(i).padStart(3, '0')}`,
      region,
      options: { EnableLogFileValidation: true },
      selectors: { EventSelectors: [{ ReadWriteType: 'All' as const, IncludeManagementEvents: true }] },
      insights: [{ InsightType: 'ApiCallRateInsight' as const }],
      logging: true,
    })),
  });
  const { policies } = parsePolicyFiles([
    {
      file: 'bench.yaml',
      text: 'version: 1\npolicies:\n  - id: b\n    action: remediate\n    require:\n      logging: true\n      logFileValidation: true\n      logEvents: [{ FieldSelectors: [{ Field: eventCategory, Equals: [Management] }] }]\n',
    },
  ]);

  const counter = new CallCounter();
  const clients = new AwsClients({ endpoint: moto.endpoint }, counter);
  let t = performance.now();
  const [snapshot] = await loadRegions(clients, [region], { account: '123456789012' });
  const sweepMs = performance.now() - t;
  if (!snapshot) throw new Error('no snapshot');
  const result = evaluate(snapshot, policies, new Date(0));
  const perTrail =
    counter.total((op) => !['DescribeTrails', 'ListEventDataStores', 'GetCallerIdentity'].includes(op)) /
    snapshot.trails.length;
  console.log(
    `1. calls per trail (no drift): ${perTrail.toFixed(2)} reads, ${counter.total(isWrite)} writes, plan steps ${result.plan.length}`,
  );
  console.log(`   by operation: ${[...counter.byOperation].map(([k, v]) => `${k} ${v}`).join(', ')}`);
  console.log(
    `2. sweep of ${snapshot.trails.length} trails on moto: ${(sweepMs / 1000).toFixed(2)} s wall, ${counter.total()} calls (concurrency 5)`,
  );

  await clients.cloudTrail(region).send(new StopLoggingCommand({ Name: 'trail-042' }));
  const [drifted] = await loadRegions(clients, [region], { account: '123456789012' });
  if (!drifted) throw new Error('no snapshot');
  const before = evaluate(drifted, policies, new Date(0));
  t = performance.now();
  const outcome = await applyAndVerify(clients, drifted, policies, before, { now: new Date(0) });
  const applyMs = performance.now() - t;
  console.log(
    `3. apply → verified, one trail: ${applyMs.toFixed(0)} ms (${outcome.steps.map((s) => `${s.step.operation} ${s.status}`).join(', ')}; ` +
      `${outcome.findings.filter((f) => f.status === 'REMEDIATED').length} finding remediated)`,
  );
  clients.destroy();
} finally {
  await moto.stop();
}
