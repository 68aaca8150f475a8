/**
 * Evaluation benchmarks (issue targets in brackets):
 *  1. evaluate a generated 10,000-trail snapshot with the CIS pack [< 2 s, < 300 MB RSS]
 *  2. `trailwarden check` on the demo snapshot, wall time of the real command [< 1 s]
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { evaluate, parseSnapshot } from '../shared/engine/index.js';
import { parsePolicyFiles } from '../shared/policy/loader.js';

const root = process.cwd();
const cis = join(root, 'policies', 'cis-aws-foundations.yaml');
const { policies } = parsePolicyFiles([{ file: cis, text: readFileSync(cis, 'utf8') }]);

const account = '111122223333';
const mgmt = { FieldSelectors: [{ Field: 'eventCategory', Equals: ['Management'] }] };
function trail(i: number) {
  const name = `trail-${i}`;
  const kind = i % 5;
  const eventSelectors =
    kind === 0
      ? { EventSelectors: [{ ReadWriteType: 'All', IncludeManagementEvents: true }] }
      : kind === 1
        ? {
            EventSelectors: [
              { ReadWriteType: 'WriteOnly', ExcludeManagementEventSources: ['kms.amazonaws.com'] },
              {
                IncludeManagementEvents: false,
                DataResources: [{ Type: 'AWS::S3::Object', Values: [`arn:aws:s3:::bucket-${i}/`] }],
              },
            ],
          }
        : {
            AdvancedEventSelectors: [
              mgmt,
              ...Array.from({ length: kind * 3 }, (_, j) => ({
                FieldSelectors: [
                  { Field: 'eventCategory', Equals: ['Data'] },
                  { Field: 'resources.type', Equals: ['AWS::S3::Object'] },
                  {
                    Field: 'resources.ARN',
                    StartsWith: [`arn:aws:s3:::bucket-${(i + j) % 97}/`],
                    NotEndsWith: ['.tmp'],
                  },
                  ...(j % 2 ? [{ Field: 'readOnly', Equals: ['true'] }] : []),
                ],
              })),
            ],
          };
  return {
    trail: {
      Name: name,
      TrailARN: `arn:aws:cloudtrail:us-east-1:${account}:trail/${name}`,
      HomeRegion: 'us-east-1',
      IsMultiRegionTrail: i % 3 === 0,
      IncludeGlobalServiceEvents: true,
      LogFileValidationEnabled: i % 4 !== 0,
      ...(i % 2 ? { KmsKeyId: 'arn:aws:kms:us-east-1:111122223333:key/k' } : {}),
    },
    status: { IsLogging: i % 7 !== 0 },
    eventSelectors,
    insightSelectors: [],
    eventConfiguration: {},
    tags: [],
  };
}

const rss = () => `${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`;
const raw = {
  version: 1,
  account,
  region: 'us-east-1',
  trails: Array.from({ length: 10_000 }, (_, i) => trail(i)),
  eventDataStores: [],
};
let t = performance.now();
const snapshot = parseSnapshot(raw);
const parseMs = performance.now() - t;
t = performance.now();
const result = evaluate(snapshot, policies, new Date(0));
const evalMs = performance.now() - t;
console.log(
  `1. evaluate 10,000 trails × CIS pack (${policies.length} policies): ${(evalMs / 1000).toFixed(2)} s ` +
    `(+ ${(parseMs / 1000).toFixed(2)} s snapshot parsing), ${result.findings.length} findings, ${result.summary.fail} FAIL, peak RSS ${rss()}`,
);

const demo = join(root, 'examples', 'demo-account', 'snapshot.json');
const times: number[] = [];
for (let i = 0; i < 5; i++) {
  t = performance.now();
  try {
    execFileSync(
      process.execPath,
      [join(root, 'bin', 'trailwarden.mjs'), 'check', '--snapshot', demo, '--format', 'json'],
      { stdio: 'pipe' },
    );
  } catch {
    // exit 1: the demo account has findings
  }
  times.push(performance.now() - t);
}
times.sort((a, b) => a - b);
console.log(
  `2. trailwarden check on the demo snapshot: median ${times[2]?.toFixed(0)} ms, max ${times[4]?.toFixed(0)} ms wall (5 runs)`,
);
