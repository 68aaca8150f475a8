/** Starts and stops moto_server, a local AWS emulator, for the demo, integration tests and benchmarks. */
import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';

/** A free loopback port, from the OS. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

export const MOTO_MISSING =
  "moto_server was not found. The integration tests and the emulated demo need moto 5 (a local AWS emulator): install it with pip install 'moto[server]'";

export interface Moto {
  readonly endpoint: string;
  /** The moto_server process, e.g. to read the CPU time it spent (benchmarks). */
  readonly pid: number | undefined;
  stop(): Promise<void>;
}

/** Starts moto_server on a free loopback port and waits until it answers. */
export async function startMoto(): Promise<Moto> {
  const port = await freePort();
  const child: ChildProcess = spawn('moto_server', ['-H', '127.0.0.1', '-p', String(port)], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (d) => {
    stderr += String(d);
  });
  const spawnError = new Promise<never>((_, reject) => {
    child.on('error', (e: NodeJS.ErrnoException) =>
      reject(e.code === 'ENOENT' ? new Error(MOTO_MISSING) : e),
    );
    child.on('exit', (code) =>
      reject(new Error(`moto_server exited with code ${code}: ${stderr.slice(-500)}`)),
    );
  });
  const endpoint = `http://127.0.0.1:${port}`;
  // Set once the start has succeeded or failed, so the polling below stops at once.
  let settled = false;
  const ready = (async () => {
    for (let i = 0; i < 150 && !settled; i++) {
      try {
        const r = await fetch(`${endpoint}/moto-api/data.json`);
        if (r.ok) return;
      } catch {
        // not listening yet
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    if (!settled) throw new Error(`moto_server did not answer on ${endpoint} within 15 s`);
  })();
  // A crash after a successful start is not an error of the start.
  spawnError.catch(() => {});
  try {
    await Promise.race([ready, spawnError]);
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  } finally {
    settled = true;
  }
  return {
    endpoint,
    pid: child.pid,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.removeAllListeners('exit');
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 3000).unref();
      }),
  };
}

export async function resetMoto(endpoint: string): Promise<void> {
  const r = await fetch(`${endpoint}/moto-api/reset`, { method: 'POST' });
  if (!r.ok) throw new Error(`moto reset failed: HTTP ${r.status}`);
}
