/**
 * The stack's lazy loading of SDK clients no function needs at cold start: the bundle imports
 * without loading them, and the first use loads the real package (same classes, so instanceof and
 * every export still work).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');
const require = createRequire(join(root, 'package.json'));
const plugins = require(join(root, 'stack', 'esbuild-plugins.cjs'));

async function bundled(source: string, stack = plugins): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'tw-lazy-src-'));
  writeFileSync(join(dir, 'entry.ts'), source);
  const outfile = join(mkdtempSync(join(tmpdir(), 'tw-lazy-')), 'entry.cjs');
  await build({
    entryPoints: [join(dir, 'entry.ts')],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node22',
    external: ['@aws-sdk/*'],
    supported: { 'dynamic-import': false },
    plugins: stack,
    logLevel: 'error',
  });
  return outfile;
}

/** Requires the bundle in a fresh process; reports whether the SDK packages were loaded. */
function loads(file: string, then = ''): { sts: boolean; organizations: boolean; out: string } {
  const probe = `const m=require(${JSON.stringify(file)});${then};const c=Object.keys(require.cache);console.log(JSON.stringify({sts:c.some(p=>p.includes('client-sts')),organizations:c.some(p=>p.includes('client-organizations')),out:String(globalThis.out??'')}))`;
  // The Lambda runtime provides @aws-sdk/*; here they resolve from the repository's node_modules.
  const env = { ...process.env, NODE_PATH: join(root, 'node_modules') };
  return JSON.parse(execFileSync(process.execPath, ['-e', probe], { cwd: root, env, encoding: 'utf8' }));
}

const SOURCE = `import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { type OrganizationsClient, paginateListAccounts } from '@aws-sdk/client-organizations';
export const use = () => {
  const c = new AssumeRoleCommand({ RoleArn: 'arn:aws:iam::111122223333:role/r', RoleSessionName: 's' });
  return [c instanceof AssumeRoleCommand, typeof STSClient, typeof paginateListAccounts, c.input.RoleSessionName].join(' ');
};
export type Unused = OrganizationsClient;
`;

describe('stack/esbuild-plugins.cjs: lazyPackages', () => {
  it('the stack loads STS and Organizations on first use, not when a bundle is imported', async () => {
    expect(plugins.LAZY_SDK).toEqual(['@aws-sdk/client-sts', '@aws-sdk/client-organizations']);
    const file = await bundled(SOURCE);
    expect(loads(file)).toEqual({ sts: false, organizations: false, out: '' });
    expect(loads(file, 'globalThis.out=m.use()')).toEqual({
      sts: true,
      organizations: true,
      out: 'true function function s',
    });
  });

  it('without it, importing the bundle loads both', async () => {
    const file = await bundled(
      SOURCE,
      plugins.filter((p: { name: string }) => p.name !== 'trailwarden-lazy-packages'),
    );
    expect(loads(file)).toMatchObject({ sts: true, organizations: true });
  });
});
