import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { readGraph, registryBypasses } from './importGraph.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

/** Product files outside the checks themselves. */
function productFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return path.endsWith(join('policy', 'checks')) ? [] : productFiles(path);
    return e.name.endsWith('.ts') ? [path] : [];
  });
}

describe('the checks registry is never bypassed', () => {
  it('no module but the registry imports a check', () => {
    expect(registryBypasses(readGraph(root))).toEqual([]);
    expect(
      registryBypasses([{ from: 'shared/engine/plan.ts', to: 'shared/policy/checks/insights.ts' }]),
    ).toHaveLength(1);
    expect(
      registryBypasses([{ from: 'shared/policy/registry.ts', to: 'shared/policy/checks/insights.ts' }]),
    ).toEqual([]);
  });

  it('nothing decides by a check’s name: behaviour comes from the check’s hooks', () => {
    const switches = /\.(key|check)\s*===\s*['"`]/;
    const offenders = [...productFiles(join(root, 'shared')), ...productFiles(join(root, 'functions'))]
      .flatMap((file) =>
        readFileSync(file, 'utf8')
          .split('\n')
          .map((line, i) => ({ file: file.slice(root.length), line: i + 1, text: line.trim() }))
          .filter((l) => switches.test(l.text)),
      )
      .map((l) => `${l.file}:${l.line}: ${l.text}`);
    expect(offenders).toEqual([]);
    expect(switches.test("c.definition.key === 'logEvents'")).toBe(true);
  });
});
