import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { MOTO_MISSING, startMoto } from '../../shared/emulator/moto.js';

const path = process.env.PATH;
afterEach(() => {
  process.env.PATH = path;
  vi.restoreAllMocks();
});

describe('the moto launcher', () => {
  it('says how to install moto when moto_server is not on the PATH, and stops waiting for it', async () => {
    process.env.PATH = mkdtempSync(join(tmpdir(), 'no-moto-'));
    const fetch = vi.spyOn(globalThis, 'fetch');
    await expect(startMoto()).rejects.toThrow(MOTO_MISSING);
    expect(MOTO_MISSING).toContain("pip install 'moto[server]'");
    // Polling on would keep a CLI without moto alive for 15 s before the snapshot demo exits.
    const polls = fetch.mock.calls.length;
    await new Promise((r) => setTimeout(r, 500));
    expect(fetch.mock.calls.length).toBeLessThanOrEqual(polls + 1);
  });
});
