import type { Bits } from './bits.js';
import { hasPrefix, hasSuffix } from './strings.js';

/*
 * The prefix atoms (StartsWith/NotStartsWith values) or suffix atoms (EndsWith/NotEndsWith) of one
 * field, with, for each atom, every constraint it hits: the constraints of the atoms that are a
 * prefix (suffix) of it, itself included. Sorting the atoms puts every atom right after the atoms
 * that begin it, so one pass with a stack gives each atom its longest such atom (its parent), and
 * its hits are its parent's plus its own: no per-atom lookups, and one buffer for all the sets.
 */

/** Code-unit order of the strings read backwards (suffix atoms). */
function compareReversed(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 1; i <= n; i++) {
    const d = a.charCodeAt(a.length - i) - b.charCodeAt(b.length - i);
    if (d !== 0) return d;
  }
  return a.length - b.length;
}

const compareForward = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

export class Atoms {
  private readonly values: string[] = [];
  private readonly owners: number[] = [];
  /** Distinct atoms in order, the empty atom first. */
  private sorted: string[] = [];
  private parent: Int32Array = new Int32Array(0);
  /** pos and neg hit sets of atom i at words [i * 2W, i * 2W + W) and [i * 2W + W, (i + 1) * 2W). */
  private hitWords: Uint32Array = new Uint32Array(0);

  constructor(
    private readonly suffix: boolean,
    /** Words of a set over the field's constraints. */
    private readonly W: number,
  ) {}

  /** Constraint `k` has `atom` among its positive (StartsWith/EndsWith) or negative values. */
  add(atom: string, k: number, positive: boolean): void {
    this.values.push(atom);
    this.owners.push(positive ? k : ~k);
  }

  /** Sorts the atoms and computes their hit sets; call once, after the last `add`. */
  seal(): void {
    const { values, owners, W, suffix } = this;
    const compare = suffix ? compareReversed : compareForward;
    const order = values.map((_, i) => i).sort((i, j) => compare(values[i] as string, values[j] as string));
    const startsWithIt = suffix ? hasSuffix : hasPrefix;
    const sorted: string[] = [''];
    for (const i of order) if (values[i] !== sorted[sorted.length - 1]) sorted.push(values[i] as string);
    const words = new Uint32Array(sorted.length * 2 * W);
    const parent = new Int32Array(sorted.length).fill(-1);
    // Own values first: atom i's constraints, found by walking `order` alongside `sorted`.
    let at = 0;
    for (const i of order) {
      const v = values[i] as string;
      while (sorted[at] !== v) at++;
      const owner = owners[i] as number;
      const k = owner >= 0 ? owner : ~owner;
      const base = at * 2 * W + (owner >= 0 ? 0 : W) + (k >>> 5);
      words[base] = (words[base] as number) | (1 << (k & 31));
    }
    const stack: number[] = [0];
    for (let a = 1; a < sorted.length; a++) {
      const atom = sorted[a] as string;
      while (!startsWithIt(atom, sorted[stack[stack.length - 1] as number] as string)) stack.pop();
      const p = stack[stack.length - 1] as number;
      parent[a] = p;
      for (let w = 0; w < 2 * W; w++)
        words[a * 2 * W + w] = (words[a * 2 * W + w] as number) | (words[p * 2 * W + w] as number);
      stack.push(a);
    }
    this.sorted = sorted;
    this.parent = parent;
    this.hitWords = words;
  }

  /** Number of distinct atoms, the empty atom (index 0) included. */
  get count(): number {
    return this.sorted.length;
  }

  atom(i: number): string {
    return this.sorted[i] as string;
  }

  /** Offset of atom i's positive hits in `words` (its negative hits follow, W words on). */
  offset(i: number): number {
    return i * 2 * this.W;
  }

  get words(): Uint32Array {
    return this.hitWords;
  }

  /** Adds to `pos` and `neg` the hits of every atom that is a prefix (suffix) of `s`. */
  hits(s: string, pos: Bits, neg: Bits): void {
    const { sorted, suffix, W } = this;
    const compare = suffix ? compareReversed : compareForward;
    const startsWithIt = suffix ? hasSuffix : hasPrefix;
    // The last atom not after `s`; the atoms that begin `s` are it or its ancestors.
    let lo = 0;
    let hi = sorted.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (compare(sorted[mid] as string, s) <= 0) lo = mid;
      else hi = mid - 1;
    }
    let a = lo;
    while (a > 0 && !startsWithIt(s, sorted[a] as string)) a = this.parent[a] as number;
    const base = a * 2 * W;
    for (let w = 0; w < W; w++) {
      pos[w] = (pos[w] as number) | (this.hitWords[base + w] as number);
      neg[w] = (neg[w] as number) | (this.hitWords[base + W + w] as number);
    }
  }
}
