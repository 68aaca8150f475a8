import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { startMoto } from '../../shared/emulator/moto.js';

const root = join(import.meta.dirname, '..', '..');

/**
 * Before the integration tests: the CLI is built from the current sources (the CLI tests run the
 * real bin, which runs dist/cli.mjs, so a stale build is never tested), and one moto_server is
 * started for the run; the tests reset it between tests.
 */
export default async function setup(project: TestProject) {
  execFileSync(process.execPath, [join(root, 'scripts', 'build.mjs')], { cwd: root, stdio: 'inherit' });
  const moto = await startMoto();
  project.provide('motoEndpoint', moto.endpoint);
  return async () => {
    await moto.stop();
  };
}

declare module 'vitest' {
  export interface ProvidedContext {
    motoEndpoint: string;
  }
}
