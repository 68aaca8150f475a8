import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { cycles, type Edge, layerViolations, readGraph } from './importGraph.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

/**
 * Arrows accepted for now, each owned by work in progress elsewhere; remove an entry when its
 * arrow is gone (the test then keeps it gone).
 */
const KNOWN: Record<string, string> = {};

describe('import graph', () => {
  const edges = readGraph(root);

  it('reads the product: every relative import resolves to a file', () => {
    expect(edges.length).toBeGreaterThan(300);
    expect(edges.filter((e) => !existsSync(`${root}/${e.to}`)).map((e) => `${e.from} -> ${e.to}`)).toEqual(
      [],
    );
  });

  it('has no import cycle', () => {
    expect(cycles(edges)).toEqual([]);
  });

  it('points down only: shared/errors.ts ← selectors ← policy ← engine ← report/iac ← aws/state/notify/events ← app ← cli/functions', () => {
    expect(layerViolations(edges, { known: KNOWN })).toEqual([]);
  });

  it('uses every known exception (a stale one would hide a new arrow)', () => {
    const raw = layerViolations(edges);
    for (const arrow of Object.keys(KNOWN)) {
      const [a, b] = arrow.split(' -> ');
      expect(
        raw.some(
          (v) => v.includes(`shared/${b}/`) && (v.startsWith(`shared/${a}/`) || v.startsWith(`${a}/`)),
        ),
        arrow,
      ).toBe(true);
    }
  });
});

describe('the rules catch what they must', () => {
  const e = (from: string, to: string): Edge => ({ from, to });

  it('an upward arrow', () => {
    expect(layerViolations([e('shared/policy/types.ts', 'shared/engine/snapshot.ts')])).toEqual([
      'shared/policy/types.ts -> shared/engine/snapshot.ts: policy is below engine; imports point down only',
    ]);
  });

  it('an arrow between peers, and a module in no layer', () => {
    expect(layerViolations([e('shared/iac/index.ts', 'shared/report/types.ts')])).toEqual([
      'shared/iac/index.ts -> shared/report/types.ts: iac and report are peers; neither imports the other',
    ]);
    expect(layerViolations([e('shared/engine/a.ts', 'shared/misc/b.ts')])).toEqual([
      'shared/engine/a.ts -> shared/misc/b.ts: misc is in no layer (add it to LAYERS)',
    ]);
  });

  it('support code in the product, except the CLI demo', () => {
    expect(layerViolations([e('shared/aws/loader.ts', 'shared/emulator/moto.ts')])).toHaveLength(1);
    expect(layerViolations([e('shared/cli/emulated-demo.ts', 'shared/emulator/moto.ts')])).toEqual([]);
  });

  it('a cycle, also through type-only imports', () => {
    expect(cycles([e('a.ts', 'b.ts'), e('b.ts', 'c.ts'), e('c.ts', 'a.ts'), e('c.ts', 'd.ts')])).toEqual([
      ['a.ts', 'b.ts', 'c.ts'],
    ]);
    expect(cycles([e('a.ts', 'b.ts'), e('b.ts', 'c.ts')])).toEqual([]);
  });
});
