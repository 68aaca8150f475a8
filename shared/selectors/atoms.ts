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

const ONLY_EMPTY = [''];
const NO_PARENT = new Int32Array([-1]);
const NO_PREFIXES: Atoms[] = [];
const NO_SUFFIXES: Atoms[] = [];

export class Atoms {
  /** Distinct atoms in the order first added, and per added value its atom and owner. */
  private readonly distinct: string[] = [];
  private readonly idOf = new Map<string, number>();
  private readonly valueAtom: number[] = [];
  private readonly owners: number[] = [];
  /** Distinct atoms in order, the empty atom first. */
  private sorted: string[] = [];
  private parent: Int32Array = new Int32Array(0);
  /** pos and neg hit sets of atom i at words [i * 2W, i * 2W + W) and [i * 2W + W, (i + 1) * 2W). */
  private hitWords: Uint32Array = new Uint32Array(0);
  /** The order atoms are sorted in, and whether the first string begins (ends) with the second. */
  private readonly compare: (a: string, b: string) => number;
  private readonly begins: (s: string, atom: string) => boolean;

  constructor(
    suffix: boolean,
    /** Words of a set over the field's constraints. */
    private readonly W: number,
  ) {
    this.compare = suffix ? compareReversed : compareForward;
    this.begins = suffix ? hasSuffix : hasPrefix;
  }

  /**
   * No atoms of this kind, sealed: shared, since nothing is added to it and its hit sets are zero
   * (most fields have no StartsWith or EndsWith values, and every decision asks about several).
   */
  static none(suffix: boolean, W: number): Atoms {
    const cache = suffix ? NO_SUFFIXES : NO_PREFIXES;
    let atoms = cache[W];
    if (!atoms) {
      atoms = new Atoms(suffix, W);
      atoms.seal();
      cache[W] = atoms;
    }
    return atoms;
  }

  /** Constraint `k` has `atom` among its positive (StartsWith/EndsWith) or negative values. */
  add(atom: string, k: number, positive: boolean): void {
    // Trails repeat a few atoms many times (EndsWith ".tmp" on every selector): sort distinct ones.
    let id = this.idOf.get(atom);
    if (id === undefined) {
      id = this.distinct.length;
      this.distinct.push(atom);
      this.idOf.set(atom, id);
    }
    this.valueAtom.push(id);
    this.owners.push(positive ? k : ~k);
  }

  /** Sorts the atoms and computes their hit sets; call once, after the last `add`. */
  seal(): void {
    const { distinct, owners, valueAtom, W, compare, begins } = this;
    if (distinct.length === 0) {
      // Only the empty atom, which hits nothing.
      this.sorted = ONLY_EMPTY;
      this.parent = NO_PARENT;
      this.hitWords = new Uint32Array(2 * W);
      return;
    }
    const sorted = ['', ...distinct.filter((a) => a !== '').sort(compare)];
    const rankOf = new Int32Array(distinct.length);
    for (let r = 0; r < sorted.length; r++) {
      const id = this.idOf.get(sorted[r] as string);
      if (id !== undefined) rankOf[id] = r;
    }
    const words = new Uint32Array(sorted.length * 2 * W);
    const parent = new Int32Array(sorted.length).fill(-1);
    for (let i = 0; i < valueAtom.length; i++) {
      const owner = owners[i] as number;
      const k = owner >= 0 ? owner : ~owner;
      const base = (rankOf[valueAtom[i] as number] as number) * 2 * W + (owner >= 0 ? 0 : W) + (k >>> 5);
      words[base] = (words[base] as number) | (1 << (k & 31));
    }
    const stack: number[] = [0];
    for (let a = 1; a < sorted.length; a++) {
      const atom = sorted[a] as string;
      while (!begins(atom, sorted[stack[stack.length - 1] as number] as string)) stack.pop();
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
    const { sorted, W, compare, begins } = this;
    // The last atom not after `s`; the atoms that begin `s` are it or its ancestors.
    let lo = 0;
    let hi = sorted.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (compare(sorted[mid] as string, s) <= 0) lo = mid;
      else hi = mid - 1;
    }
    let a = lo;
    while (a > 0 && !begins(s, sorted[a] as string)) a = this.parent[a] as number;
    const base = a * 2 * W;
    for (let w = 0; w < W; w++) {
      pos[w] = (pos[w] as number) | (this.hitWords[base + w] as number);
      neg[w] = (neg[w] as number) | (this.hitWords[base + W + w] as number);
    }
  }
}
