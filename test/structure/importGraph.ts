/**
 * The product's import graph (shared/ and functions/), read with the TypeScript compiler's own
 * pre-processor, and the layering rules it must keep (docs/architecture.md, "Layers").
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, posix, relative } from 'node:path';
import ts from 'typescript';

/**
 * Bottom to top. A module may import its own files and modules of lower layers, nothing else.
 * `shared` is the files directly in shared/ (the root error class), under everything.
 */
export const LAYERS: readonly (readonly string[])[] = [
  ['shared'],
  ['selectors'],
  ['policy'],
  ['engine'],
  ['report', 'iac'],
  ['aws', 'state', 'notify', 'events'],
  ['app'],
  ['cli', 'functions'],
];

/** Test and demo support: imports the product, and only the CLI's demo may import it. */
export const SUPPORT = 'emulator';

/** One import: `from` and `to` are repo-relative paths of .ts files. */
export interface Edge {
  readonly from: string;
  readonly to: string;
}

export interface Rules {
  /** `from -> to` module arrows accepted for now, each with why. */
  readonly known?: Readonly<Record<string, string>>;
}

/** The module a file belongs to: `shared/<module>/…`, `shared` for shared/<file>, or `functions`. */
export function moduleOf(file: string): string {
  const parts = file.split('/');
  if (parts[0] === 'functions') return 'functions';
  if (parts[0] === 'shared') return parts.length > 2 ? (parts[1] as string) : 'shared';
  return file;
}

const layerOf = (module: string) => LAYERS.findIndex((l) => l.includes(module));

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? tsFiles(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

/** Every relative import (static, type-only, re-export or dynamic) between the product's files. */
export function readGraph(root: string, folders = ['shared', 'functions']): Edge[] {
  const edges: Edge[] = [];
  for (const file of folders.flatMap((f) => tsFiles(join(root, f)))) {
    const from = relative(root, file).split('\\').join('/');
    const info = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
    for (const { fileName } of info.importedFiles) {
      if (!fileName.startsWith('.')) continue;
      const to = posix.normalize(posix.join(dirname(from), fileName)).replace(/\.js$/, '.ts');
      edges.push({ from, to });
    }
  }
  return edges;
}

/** What breaks the layering: upward or sideways arrows, support code in the product, bypassed registry. */
export function layerViolations(edges: readonly Edge[], rules: Rules = {}): string[] {
  const out = new Set<string>();
  for (const { from, to } of edges) {
    const a = moduleOf(from);
    const b = moduleOf(to);
    if (a === b) continue;
    if (rules.known?.[`${a} -> ${b}`] !== undefined) continue;
    if (b === SUPPORT) {
      if (!(a === 'cli' && /demo/i.test(from)))
        out.add(`${from} -> ${to}: ${SUPPORT} is test and demo support; only the CLI's demo imports it`);
      continue;
    }
    if (a === SUPPORT) {
      if (layerOf(b) < 0) out.add(`${from} -> ${to}: ${b} is in no layer`);
      continue;
    }
    const la = layerOf(a);
    const lb = layerOf(b);
    if (la < 0 || lb < 0) {
      out.add(`${from} -> ${to}: ${la < 0 ? a : b} is in no layer (add it to LAYERS)`);
      continue;
    }
    if (lb === la) out.add(`${from} -> ${to}: ${a} and ${b} are peers; neither imports the other`);
    else if (lb > la) out.add(`${from} -> ${to}: ${a} is below ${b}; imports point down only`);
  }
  return [...out].sort();
}

/** Imports of a check's own module from outside the checks and the registry. */
export function registryBypasses(edges: readonly Edge[]): string[] {
  return edges
    .filter(
      ({ from, to }) =>
        to.startsWith('shared/policy/checks/') &&
        !from.startsWith('shared/policy/checks/') &&
        from !== 'shared/policy/registry.ts',
    )
    .map(({ from, to }) => `${from} -> ${to}: a check is reached only through shared/policy/registry.ts`);
}

/** Every import cycle between files, each as the files in it (Tarjan's strongly connected components). */
export function cycles(edges: readonly Edge[]): string[][] {
  const next = new Map<string, string[]>();
  for (const { from, to } of edges) next.set(from, [...(next.get(from) ?? []), to]);
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  let counter = 0;
  const visit = (v: string) => {
    index.set(v, counter);
    low.set(v, counter);
    counter++;
    stack.push(v);
    onStack.add(v);
    for (const w of next.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v) as number, low.get(w) as number));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v) as number, index.get(w) as number));
      }
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop() as string;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      const selfLoop = next.get(v)?.includes(v) ?? false;
      if (component.length > 1 || selfLoop) found.push(component.sort());
    }
  };
  for (const v of [...next.keys()].sort()) if (!index.has(v)) visit(v);
  return found;
}
