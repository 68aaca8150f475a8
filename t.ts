import { readdirSync, readFileSync } from 'node:fs';
import { evaluate, parseSnapshot } from './shared/engine/index.js';
import { parsePolicyFiles } from './shared/policy/loader.js';

const files = [
  'policies/cis-aws-foundations.yaml',
  ...readdirSync('policies/examples').map((f) => `policies/examples/${f}`),
];
const { policies } = parsePolicyFiles(files.map((file) => ({ file, text: readFileSync(file, 'utf8') })));
const snap = parseSnapshot(JSON.parse(readFileSync('examples/demo-account/snapshot.json', 'utf8')));
const t = performance.now();
const r = evaluate(snap, policies);
console.log((performance.now() - t).toFixed(1), 'ms');
for (const f of r.findings)
  if (f.status !== 'PASS')
    console.log(
      f.status,
      f.policyId,
      f.resourceName,
      f.check,
      '|',
      f.message,
      f.remediation ? JSON.stringify(f.remediation) : '',
    );
for (const s of r.plan)
  console.log(s.operation, s.resource.split(':').pop(), JSON.stringify(s.input).slice(0, 300));
console.log(r.summary);
