/**
 * Report benchmarks:
 *  1. exceptions: evaluate 5,000 trails × CIS pack with and without 100 exceptions
 *  2. output formats on that result: SARIF, JUnit, OCSF, CSV
 *  3. the HTML report of 500 trails (coverage matrix decided cell by cell by the engine)
 *  4. reading a CloudFormation template of 500 trails into the snapshot model
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { evaluate, parseSnapshot, resourceViews } from '../shared/engine/index.js';
import { readTemplates } from '../shared/iac/index.js';
import { parsePolicyFiles } from '../shared/policy/loader.js';
import { coverageMatrix } from '../shared/report/coverage.js';
import { toHtml } from '../shared/report/html.js';
import { REPORT_FORMATS, renderReport } from '../shared/report/index.js';

const root = process.cwd();
const cis = join(root, 'policies', 'cis-aws-foundations.yaml');
const text = readFileSync(cis, 'utf8');
const exceptions = Array.from(
  { length: 100 },
  (_, i) =>
    `  - { resources: ["trail-${i * 7}*"], checks: [cis-3.2-log-file-validation], reason: "accepted ${i}", expires: 2099-01-01 }`,
).join('\n');
const plain = parsePolicyFiles([{ file: cis, text }]).policies;
const withExceptions = parsePolicyFiles([
  { file: cis, text: `${text}\nexceptions:\n${exceptions}\n` },
]).policies;

const trail = (i: number) => ({
  trail: {
    Name: `trail-${i}`,
    TrailARN: `arn:aws:cloudtrail:us-east-1:111122223333:trail/trail-${i}`,
    HomeRegion: 'us-east-1',
    IsMultiRegionTrail: i % 3 === 0,
    LogFileValidationEnabled: i % 4 !== 0,
  },
  status: { IsLogging: i % 7 !== 0 },
  eventSelectors:
    i % 2
      ? {
          EventSelectors: [
            { ReadWriteType: 'WriteOnly', ExcludeManagementEventSources: ['kms.amazonaws.com'] },
          ],
        }
      : {
          AdvancedEventSelectors: [
            { FieldSelectors: [{ Field: 'eventCategory', Equals: ['Management'] }] },
            {
              FieldSelectors: [
                { Field: 'eventCategory', Equals: ['Data'] },
                { Field: 'resources.type', Equals: ['AWS::S3::Object'] },
                { Field: 'resources.ARN', StartsWith: [`arn:aws:s3:::bucket-${i % 97}/`] },
              ],
            },
          ],
        },
  insightSelectors: [],
  eventConfiguration: {},
  tags: [],
});
const snapshotOf = (n: number) =>
  parseSnapshot({
    version: 1,
    account: '111122223333',
    region: 'us-east-1',
    trails: Array.from({ length: n }, (_, i) => trail(i)),
    eventDataStores: [],
  });
const time = <T>(f: () => T): [T, number] => {
  const t = performance.now();
  const r = f();
  return [r, performance.now() - t];
};

const big = snapshotOf(5_000);
const now = new Date('2026-06-01T00:00:00Z');
const [, plainMs] = time(() => evaluate(big, plain, now));
const [result, exMs] = time(() => evaluate(big, withExceptions, now));
console.log(
  `1. evaluate 5,000 trails × CIS: ${plainMs.toFixed(0)} ms; with 100 exceptions ${exMs.toFixed(0)} ms, ${result.summary.suppressed} suppressed`,
);

const report = {
  ...result,
  policies: withExceptions,
  generatedAt: now,
  tool: { name: 'Trailwarden', version: 'bench' },
};
const formats = REPORT_FORMATS.map((f) => {
  const [out, ms] = time(() => renderReport(f, report));
  return `${f} ${ms.toFixed(0)} ms (${(out.length / 1e6).toFixed(1)} MB)`;
});
console.log(`2. ${result.findings.length} findings as ${formats.join(', ')}`);

const small = snapshotOf(500);
const smallResult = evaluate(small, plain, now);
const [matrix, matrixMs] = time(() => coverageMatrix(resourceViews(small)));
const [html, htmlMs] = time(() =>
  toHtml(
    { ...smallResult, policies: plain, generatedAt: now, tool: { name: 'Trailwarden', version: 'bench' } },
    matrix,
    {
      source: 'bench',
      account: '111122223333',
    },
  ),
);
console.log(
  `3. HTML report of 500 trails: matrix ${matrixMs.toFixed(0)} ms (${matrix.rows.length * matrix.columns.length} cells), rendering ${htmlMs.toFixed(0)} ms, ${(html.length / 1e6).toFixed(1)} MB`,
);

const template = JSON.stringify({
  Resources: Object.fromEntries(
    Array.from({ length: 500 }, (_, i) => [
      `Trail${i}ABCDEF01`,
      {
        Type: 'AWS::CloudTrail::Trail',
        Properties: {
          IsLogging: true,
          S3BucketName: { Ref: 'Logs' },
          IsMultiRegionTrail: i % 2 === 0,
          AdvancedEventSelectors: [
            {
              FieldSelectors: [
                { Field: 'eventCategory', Equals: ['Data'] },
                { Field: 'resources.type', Equals: ['AWS::S3::Object'] },
                {
                  Field: 'resources.ARN',
                  StartsWith: [
                    { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:s3:::bucket-${i}/`]] },
                  ],
                },
              ],
            },
          ],
        },
      },
    ]),
  ),
});
const [parsed, templateMs] = time(() => readTemplates([{ file: 'bench.json', text: template }], 'us-east-1'));
console.log(
  `4. CloudFormation template of 500 trails (${(template.length / 1e6).toFixed(1)} MB) read into the snapshot model: ${templateMs.toFixed(0)} ms, ${parsed.snapshot.trails.length} trails`,
);
