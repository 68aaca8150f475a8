/**
 * Imports of the event path's layers point down: the finding state knows nothing of notifications,
 * the flows nothing of the CLI, and the handlers compose the flows without reaching into the CLI.
 * Their settings come from the environment through one zod module, shared/app/config.ts.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '..', '..');

/** The layer a repository path belongs to: `shared/<folder>`, or its top folder. */
function layerOf(path: string): string {
  const parts = relative(root, path).split(/[\\/]/);
  return parts[0] === 'shared' ? `shared/${parts[1]}` : (parts[0] as string);
}

/** Every relative import (static, dynamic, type-only) of the TypeScript files under `folder`. */
function importsUnder(folder: string): { file: string; target: string }[] {
  const out: { file: string; target: string }[] = [];
  for (const name of readdirSync(join(root, folder), { recursive: true, encoding: 'utf8' })) {
    if (!name.endsWith('.ts')) continue;
    const file = join(root, folder, name);
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/(?:from\s+|import\s*\(\s*)['"](\.{1,2}\/[^'"]+)['"]/g))
      out.push({ file: relative(root, file), target: layerOf(resolve(dirname(file), m[1] as string)) });
  }
  return out;
}

const FORBIDDEN: Record<string, readonly string[]> = {
  'shared/state': ['shared/notify', 'shared/app', 'shared/cli', 'shared/events', 'functions'],
  'shared/app': ['shared/cli', 'functions'],
  functions: ['shared/cli'],
};

describe('the event path imports only downward', () => {
  for (const [layer, forbidden] of Object.entries(FORBIDDEN)) {
    it(`${layer} imports none of ${forbidden.join(', ')}`, () => {
      const upward = importsUnder(layer).filter((i) => forbidden.includes(i.target));
      expect(upward.map((i) => `${i.file} -> ${i.target}`)).toEqual([]);
    });
  }
});

describe('settings are read in one place', () => {
  it('no process.env in shared/app, shared/state or functions outside the config module', () => {
    const readers = ['shared/app', 'shared/state', 'functions'].flatMap((folder) =>
      readdirSync(join(root, folder), { recursive: true, encoding: 'utf8' })
        .filter((name) => name.endsWith('.ts'))
        .map((name) => join(folder, name))
        .filter((file) => file !== join('shared', 'app', 'config.ts'))
        .filter((file) => /\bprocess\.env\b/.test(readFileSync(join(root, file), 'utf8'))),
    );
    expect(readers).toEqual([]);
  });
});
