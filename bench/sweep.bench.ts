/**
 * Sweep cost on moto (issue 12, "Sweep cost"): a Region of N trails read and judged against
 * policies mirroring the peers' CloudTrail checks (multi-Region, logging, log file validation, KMS,
 * management and S3 data events), reading every part (before) and only the parts those policies'
 * checks declare (after). Reports AWS calls per trail, client CPU per trail (this process: SDK,
 * parsing, evaluation; moto runs in its own) and wall time. BENCH_TRAILS=500,2000 for several sizes.
 */
import { performance } from 'node:perf_hooks';
import { AwsClients } from '../shared/aws/clients.js';
import { loadRegions } from '../shared/aws/loader.js';
import { readsFor } from '../shared/aws/reads.js';
import { CallCounter } from '../shared/emulator/callCounter.js';
import { startMoto } from '../shared/emulator/moto.js';
import { seedAccount } from '../shared/emulator/seed.js';
import { evaluate } from '../shared/engine/index.js';
import { parsePolicyFiles } from '../shared/policy/loader.js';

const PEER_POLICIES = `version: 1
policies:
  - id: peers-trail
    severity: high
    quantifier: any
    require:
      multiRegion: true
      logging: true
      logFileValidation: true
      kmsEncrypted: true
      logEvents:
        - FieldSelectors: [{ Field: eventCategory, Equals: [Management] }]
        - FieldSelectors:
            - { Field: eventCategory, Equals: [Data] }
            - { Field: resources.type, Equals: ["AWS::S3::Object"] }
`;

const region = 'us-east-1';
const account = '123456789012';
const sizes = (process.env.BENCH_TRAILS ?? '500').split(',').map(Number);
const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
const { policies } = parsePolicyFiles([{ file: 'peers.yaml', text: PEER_POLICIES }]);

interface Run {
  calls: number;
  cpuMs: number;
  wallMs: number;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

async function sweep(endpoint: string, reads: ReturnType<typeof readsFor> | undefined): Promise<Run> {
  const counter = new CallCounter();
  const clients = new AwsClients({ endpoint }, counter);
  const cpu = process.cpuUsage();
  const t = performance.now();
  const snapshots = await loadRegions(clients, [region], { account, ...(reads ? { reads } : {}) });
  for (const s of snapshots) evaluate(s, policies, new Date());
  const wallMs = performance.now() - t;
  const used = process.cpuUsage(cpu);
  clients.destroy();
  return { calls: counter.total(), cpuMs: (used.user + used.system) / 1000, wallMs };
}

Object.assign(process.env, { AWS_ACCESS_KEY_ID: 'bench', AWS_SECRET_ACCESS_KEY: 'bench' });
const moto = await startMoto();
try {
  let seeded = 0;
  for (const n of sizes) {
    // Trails of a mature account: multi-Region, validated, logging, with selectors, Insights and tags.
    await seedAccount(moto.endpoint, {
      bucket: 'bench-logs',
      trails: Array.from({ length: n - seeded }, (_, i) => ({
        name: `trail-${String(seeded + i).padStart(4, '0')}`,
        region,
        options: {
          IsMultiRegionTrail: true,
          EnableLogFileValidation: true,
          TagsList: [{ Key: 'owner', Value: 'security' }],
        },
        selectors: { EventSelectors: [{ ReadWriteType: 'All' as const, IncludeManagementEvents: true }] },
        insights: [{ InsightType: 'ApiCallRateInsight' as const }],
        logging: true,
      })),
    });
    seeded = n;
    const before: Run[] = [];
    const after: Run[] = [];
    const needed = readsFor(policies);
    for (let r = 0; r < rounds; r++) {
      before.push(await sweep(moto.endpoint, undefined));
      after.push(await sweep(moto.endpoint, needed));
    }
    const line = (label: string, runs: Run[]) =>
      `   ${label}: ${(median(runs.map((x) => x.calls)) / n).toFixed(2)} calls per trail (${median(runs.map((x) => x.calls))} calls), ` +
      `${(median(runs.map((x) => x.cpuMs)) / n).toFixed(2)} ms client CPU per trail, ${(median(runs.map((x) => x.wallMs)) / 1000).toFixed(2)} s wall`;
    console.log(`sweep of ${n} trails on moto, peers' checks (median of ${rounds}, concurrency 5):`);
    console.log(line('every part (before)', before));
    console.log(line(`only what the checks read: ${[...needed].sort().join(', ')} (after)`, after));
    console.log(
      `   after / before: ${(median(after.map((x) => x.wallMs)) / median(before.map((x) => x.wallMs))).toFixed(2)}× wall, ${(median(after.map((x) => x.calls)) / median(before.map((x) => x.calls))).toFixed(2)}× calls`,
    );
  }
} finally {
  await moto.stop();
}
