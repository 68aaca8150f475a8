/**
 * Cold start of the onTrailChange bundle [target: import < 1.6× `node -e 0`, bundle < 400 KB]:
 * the time to load it in a fresh Node process (Node 22, as on Lambda's nodejs22.x), as a multiple
 * of starting Node with nothing to load. Built with serverless.yml's own esbuild settings, in
 * variants that differ only in which AWS SDK packages are left to the Lambda runtime:
 *   a. every @aws-sdk package from the runtime (as the stack was first built);
 *   b. the CloudTrail and DynamoDB clients, which every invocation needs, carried in the bundle
 *      (tree-shaken from their ES modules and minified); the others still from the runtime and
 *      loaded on first use;
 *   c. as a, with the SDK clients the cold start does not use (STS, Organizations: the central
 *      stack's, imported by shared/aws) loaded on first use (stack/esbuild-plugins.cjs'
 *      lazyPackages): what the stack builds;
 *   d. as b, with those clients loaded on first use.
 * Each line also lists the packages the bundle loads from outside while it is imported.
 * Rounds are interleaved (one run of each per round) so that load on the machine falls on all
 * alike; the median of each is reported.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { build } from 'esbuild';
import YAML from 'yaml';

const root = process.cwd();
const require = createRequire(join(root, 'package.json'));
const stack = YAML.parse(readFileSync(join(root, 'serverless.yml'), 'utf8'), { logLevel: 'silent' });
const settings = stack.custom.esbuild as {
  target: string;
  mainFields: string[];
  exclude: string[];
  supported: Record<string, boolean>;
  plugins: string;
};
const policyPaths = stack.params.default.policyPaths as string;
const stackPlugins = require(join(root, settings.plugins));
// The stack's plugins without its lazy loading (variants a and b), and with it (c and d).
const plugins = stackPlugins.filter((p: { name: string }) => p.name !== 'trailwarden-lazy-packages');
const LAZY: string[] = stackPlugins.LAZY_SDK;
const dependencies = Object.keys(JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).dependencies);
const CARRIED = ['@aws-sdk/client-cloudtrail', '@aws-sdk/client-dynamodb'];

const out = mkdtempSync(join(tmpdir(), 'trailwarden-coldstart-'));
async function bundle(name: string, external: string[], lazy = false): Promise<string> {
  const outfile = join(out, `${name}.cjs`);
  await build({
    entryPoints: [join(root, 'functions', 'onTrailChange.ts')],
    outfile,
    bundle: true,
    minify: true,
    platform: 'node',
    format: 'cjs',
    target: settings.target,
    mainFields: settings.mainFields,
    supported: settings.supported,
    external,
    plugins: lazy ? [...plugins, stackPlugins.lazyPackages(LAZY)] : plugins,
    define: { 'process.env.TRAILWARDEN_POLICY_PATHS': JSON.stringify(policyPaths) },
    logLevel: 'error',
  });
  return outfile;
}

const runtimeSdk = dependencies.filter((d) => d.startsWith('@aws-sdk/') && !CARRIED.includes(d));
const carried = [...runtimeSdk, ...settings.exclude.filter((e) => e !== '@aws-sdk/*')];
const variants = {
  a: await bundle('a-runtime-sdk', settings.exclude),
  b: await bundle('b-carried-clients', carried),
  c: await bundle('c-runtime-sdk-lazy', settings.exclude, true),
  d: await bundle('d-carried-clients-lazy', carried, true),
};

// The settings the stack gives the function: its cold start parses them.
const env = {
  ...process.env,
  // The Lambda runtime provides @aws-sdk/*; here they resolve from the repository's node_modules.
  NODE_PATH: join(root, 'node_modules'),
  AWS_REGION: 'us-east-1',
  TABLE_NAME: 'findings',
};
const run = (args: string[]) => {
  const t = performance.now();
  execFileSync(process.execPath, args, { env, stdio: 'pipe' });
  return performance.now() - t;
};

/** The packages a bundle requires while it is imported (what its cold start loads from outside). */
function requiredAtImport(file: string): string[] {
  const probe = `const M=require('module');const seen=new Set();const load=M._load;M._load=function(r,...a){if(!r.startsWith('.')&&!r.startsWith('/')&&!r.startsWith('node:'))seen.add(r.split('/').slice(0,r.startsWith('@')?2:1).join('/'));return load.call(this,r,...a)};require(${JSON.stringify(file)});process.stdout.write(JSON.stringify([...seen].sort()))`;
  return JSON.parse(execFileSync(process.execPath, ['-e', probe], { env, encoding: 'utf8' }));
}

const ROUNDS = 15;
const samples: Record<string, number[]> = { baseline: [], clients: [], a: [], b: [], c: [], d: [] };
const clientsAlone = CARRIED.map((c) => `require(${JSON.stringify(c)})`).join(';');
for (let i = 0; i < ROUNDS; i++) {
  samples.baseline?.push(run(['-e', '0']));
  samples.clients?.push(run(['-e', clientsAlone]));
  for (const [name, file] of Object.entries(variants))
    samples[name]?.push(run(['-e', `require(${JSON.stringify(file)})`]));
}
const median = (xs: readonly number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)] ?? 0;
const baseline = median(samples.baseline ?? []);
const clients = median(samples.clients ?? []);
console.log(
  `cold start of onTrailChange on Node ${process.versions.node}: node -e 0 takes ${baseline.toFixed(0)} ms; loading the CloudTrail and DynamoDB clients alone (from node_modules) ${clients.toFixed(0)} ms = ${(clients / baseline).toFixed(2)}×`,
);
const labels: Record<string, string> = {
  a: 'a. every @aws-sdk package from the runtime',
  b: 'b. CloudTrail and DynamoDB clients in the bundle',
  c: 'c. as a, STS and Organizations loaded on first use',
  d: 'd. as b, STS and Organizations loaded on first use',
};
for (const [name, file] of Object.entries(variants)) {
  const ms = median(samples[name] ?? []);
  console.log(
    `${labels[name]}: bundle ${(statSync(file).size / 1024).toFixed(0)} KB; import ${ms.toFixed(0)} ms = ${(ms / baseline).toFixed(2)}× node -e 0; loads at import: ${requiredAtImport(file).join(', ') || 'nothing outside the bundle'}`,
  );
}
