// Builds the CLI: bundles the TypeScript sources into one ESM file, dist/cli.mjs, which
// bin/trailwarden.mjs runs. npm's dependencies stay external (installed beside the package).
// `prepare` runs this on `npm ci` and `npm pack`; the integration tests run it before the CLI tests.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

let esbuild;
try {
  esbuild = await import('esbuild');
} catch {
  // `npm ci --omit=dev` runs `prepare` without the dev tools: keep whatever dist/ holds.
  if (process.env.npm_lifecycle_event === 'prepare') {
    console.warn('trailwarden: esbuild is not installed (--omit=dev), so dist/ is not rebuilt');
    process.exit(0);
  }
  console.error('trailwarden: the build needs esbuild, a devDependency: run npm ci');
  process.exit(1);
}

await esbuild.build({
  absWorkingDir: root,
  entryPoints: ['shared/cli/entry.ts'],
  outfile: 'dist/cli.mjs',
  bundle: true,
  packages: 'external',
  platform: 'node',
  format: 'esm',
  target: 'node22',
  logLevel: 'warning',
});
