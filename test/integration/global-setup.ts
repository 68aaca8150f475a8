import type { TestProject } from 'vitest/node';
import { startMoto } from '../../shared/emulator/moto.js';

/** One moto_server for the run; the integration tests reset it between tests. */
export default async function setup(project: TestProject) {
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
