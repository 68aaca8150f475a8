import { Atoms } from './atoms.js';
import { type Bits, type BitsKey, bitsKey, isSubset, newBits, popcount, setBit } from './bits.js';
import { getOrInsert } from './collections.js';
import type { Constraint } from './compile.js';
import { FIELD_DOMAINS } from './fields.js';
import type { EventField } from './types.js';

/*
 * The regions of one field: sets of values that hit the same Equals/StartsWith/EndsWith atoms, so
 * that every value of a region satisfies and fails the same constraints. A region is kept by what
 * it achieves: satisfying every `must` constraint on the field, and failing (killing) a set of
 * `mustNot` selectors.
 */

/** How a region's representative value is described before a concrete string is chosen. */
export type RegionRep =
  | { readonly kind: 'absent' }
  | { readonly kind: 'value'; readonly value: string }
  /** Any value equal to no constant, starting with `prefix` and ending with `suffix`. */
  | { readonly kind: 'fresh'; readonly prefix: string; readonly suffix: string }
  /**
   * A value of a shaped field that leaves the atoms' trie after `node` (with `head`, one character
   * more) and ends with the suffix atom `ending`; `complete()` builds the shortest such value.
   */
  | {
      readonly kind: 'shaped';
      readonly node: string;
      readonly head: string;
      readonly ending: string;
      readonly complete: () => string;
    };

export interface Region {
  /** mustNot selectors this region makes fail. */
  readonly kill: Bits;
  readonly rep: RegionRep;
}

/** The constraints on one field, with the mustNot selector owning each (-1 for must). */
export interface FieldConstraints {
  readonly field: EventField;
  readonly constraints: readonly Constraint[];
  readonly owners: readonly number[];
}

/**
 * Turns "which constraints a value satisfies" into regions: drops values that break a `must`
 * constraint, and keeps one region per distinct kill set.
 */
export class RegionCollector {
  readonly K: number;
  readonly hasPos: Bits;
  readonly mustMask: Bits;
  /** Constraints owned by a mustNot selector. */
  private readonly owned: Bits;
  /** Every constraint: sat sets keep no bit past K, so that small ones stay number keys. */
  readonly valid: Bits;
  private readonly byKill = new Map<BitsKey, Region>();
  /** Regions kept, in order (every candidate with `keepAll`, else one per kill set). */
  private readonly all: Region[] = [];
  private readonly killScratch: Bits;

  /** With `keepAll`, every candidate that meets the must constraints is kept, even with a repeated kill set. */
  constructor(
    readonly fc: FieldConstraints,
    readonly n: number,
    private readonly keepAll = false,
  ) {
    this.K = fc.constraints.length;
    this.hasPos = newBits(this.K);
    this.mustMask = newBits(this.K);
    this.owned = newBits(this.K);
    fc.constraints.forEach((c, k) => {
      if (c.eq.length + c.sw.length + c.ew.length > 0) setBit(this.hasPos, k);
      if ((fc.owners[k] as number) < 0) setBit(this.mustMask, k);
      else setBit(this.owned, k);
    });
    this.valid = this.mustMask.map((m, i) => m | (this.owned[i] as number));
    this.killScratch = newBits(n);
  }

  /** sat = (!hasPos | posHit) & !negHit, word by word. */
  sat(posHit: Bits, negHit: Bits, out: Bits = newBits(this.K)): Bits {
    for (let i = 0; i < out.length; i++)
      out[i] =
        (~(this.hasPos[i] as number) | (posHit[i] as number)) &
        ~(negHit[i] as number) &
        (this.valid[i] as number);
    return out;
  }

  /** `rep` is built lazily: most candidates repeat a kill set already seen. */
  /**
   * A candidate value with these satisfied constraints; its representative is `rep(a, b)`, built
   * only when the region is new (most candidates repeat a kill set), from arguments rather than a
   * closure per candidate.
   */
  consider<A, B>(sat: Bits, rep: (a: A, b: B) => RegionRep, a?: A, b?: B): void {
    if (!isSubset(this.mustMask, sat)) return;
    const kill = this.killScratch;
    kill.fill(0);
    // Only the constraints the value fails, owned by a mustNot selector: usually a few bits.
    const owners = this.fc.owners;
    for (let i = 0; i < sat.length; i++) {
      let w = ~(sat[i] as number) & (this.owned[i] as number);
      while (w !== 0) {
        const low = w & -w;
        setBit(kill, owners[(i << 5) | (31 - Math.clz32(low))] as number);
        w ^= low;
      }
    }
    if (this.keepAll) {
      this.all.push({ kill: kill.slice(), rep: rep(a as A, b as B) });
      return;
    }
    const key = bitsKey(kill);
    if (!this.byKill.has(key)) {
      const region = { kill: kill.slice(), rep: rep(a as A, b as B) };
      this.byKill.set(key, region);
      this.all.push(region);
    }
  }

  /** The regions worth searching: maximal kill sets (or every kept candidate with `keepAll`). */
  regions(): Region[] {
    return this.keepAll ? this.all : maximalRegions(this.all);
  }
}

/** Regions whose kill set is not contained in another's (distinct kill sets assumed). */
export function maximalRegions<R extends { readonly kill: Bits }>(regions: R[]): R[] {
  // Largest first (stable), so that a region is only compared with those kept before it. An
  // insertion sort of indices: the lists are short, and this runs several times a decision.
  const n = regions.length;
  const size = new Int32Array(n);
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const s = popcount((regions[i] as R).kill);
    let j = i;
    while (j > 0 && (size[j - 1] as number) < s) {
      size[j] = size[j - 1] as number;
      order[j] = order[j - 1] as number;
      j--;
    }
    size[j] = s;
    order[j] = i;
  }
  const kept: R[] = [];
  for (let i = 0; i < n; i++) {
    const r = regions[order[i] as number] as R;
    let covered = false;
    for (let j = 0; !covered && j < kept.length; j++) covered = isSubset(r.kill, (kept[j] as R).kill);
    if (!covered) kept.push(r);
  }
  return kept;
}

const valueRep = (value: string): RegionRep => ({ kind: 'value', value });
const freshRep = (prefix: string, suffix: string): RegionRep => ({ kind: 'fresh', prefix, suffix });

/**
 * The regions of a field whose values are any non-empty string (or one of an enumerated domain):
 * constants, absent, and one region per (longest prefix atom, longest suffix atom) pair.
 * With `splitValues`, every constant keeps a region of its own even when another region kills
 * more (the caller attaches something to each constant, such as the ARN shape of a resource type).
 */
export function fieldRegions(fc: FieldConstraints, n: number, options: { splitValues?: boolean } = {}) {
  const { field, constraints } = fc;
  const K = constraints.length;
  const domain = FIELD_DOMAINS[field];
  const collector = new RegionCollector(fc, n);
  const values = options.splitValues ? new RegionCollector(fc, n, true) : collector;
  const { hasPos, mustMask } = collector;
  const W = hasPos.length;
  let anyPrefix = false;
  let anySuffix = false;
  for (let k = 0; k < K; k++) {
    const c = constraints[k] as Constraint;
    if (c.sw.length + c.nsw.length > 0) anyPrefix = true;
    if (c.ew.length + c.new.length > 0) anySuffix = true;
  }
  const prefixes = anyPrefix ? new Atoms(false, W) : Atoms.none(false, W);
  const suffixes = anySuffix ? new Atoms(true, W) : Atoms.none(true, W);
  const hasSuffixPos = newBits(K);
  const eqMap = new Map<string, { eq: number[]; neq: number[] }>();
  const constants: string[] = [];
  const entry = (v: string) =>
    getOrInsert(eqMap, v, () => {
      constants.push(v);
      return { eq: [], neq: [] };
    });
  for (let k = 0; k < K; k++) {
    const c = constraints[k] as Constraint;
    // Indexed loops: for-of over these lists (of several array kinds) allocated an iterator each.
    for (let i = 0; i < c.eq.length; i++) entry(c.eq[i] as string).eq.push(k);
    for (let i = 0; i < c.neq.length; i++) entry(c.neq[i] as string).neq.push(k);
    for (let i = 0; i < c.sw.length; i++) prefixes.add(c.sw[i] as string, k, true);
    for (let i = 0; i < c.nsw.length; i++) prefixes.add(c.nsw[i] as string, k, false);
    for (let i = 0; i < c.ew.length; i++) suffixes.add(c.ew[i] as string, k, true);
    for (let i = 0; i < c.new.length; i++) suffixes.add(c.new[i] as string, k, false);
    if (c.ew.length > 0) setBit(hasSuffixPos, k);
  }
  if (anyPrefix) prefixes.seal();
  if (anySuffix) suffixes.seal();

  // Scratch sets: consider() reads a candidate's sat set and keeps nothing of it.
  const pos = newBits(K);
  const neg = newBits(K);
  const satOut = newBits(K);
  const evalValue = (v: string): Bits => {
    pos.fill(0);
    neg.fill(0);
    prefixes.hits(v, pos, neg);
    suffixes.hits(v, pos, neg);
    const e = eqMap.get(v);
    if (e) {
      for (const k of e.eq) setBit(pos, k);
      for (const k of e.neq) setBit(neg, k);
    }
    return collector.sat(pos, neg, satOut);
  };

  if (domain.optional) {
    // Absent: every positive half fails, every negative half holds.
    collector.consider(
      hasPos.map((w, i) => ~w & (collector.valid[i] as number)),
      () => ({ kind: 'absent' }),
    );
  }
  if (domain.values) {
    for (const v of domain.values) values.consider(evalValue(v), valueRep, v);
  } else {
    for (const v of constants) if (v !== '') values.consider(evalValue(v), valueRep, v);
    // Group prefix atoms (and suffix atoms) that hit the same constraints: they are interchangeable.
    // Groups that already break a `must` constraint on their own side are dropped before pairing.
    const groups = (atoms: Atoms, viable: (words: Uint32Array, at: number) => boolean) => {
      // Keyed by a hash of the hit sets, equal sets compared in full: no key string per atom.
      const byHash = new Map<number, { atom: string; at: number }[]>();
      const list: { atom: string; at: number }[] = [];
      const words = atoms.words;
      const same = (x: number, y: number) => {
        for (let w = 0; w < 2 * W; w++) if (words[x + w] !== words[y + w]) return false;
        return true;
      };
      for (let i = 0; i < atoms.count; i++) {
        const at = atoms.offset(i);
        if (!viable(words, at)) continue;
        let h = 0;
        for (let w = at; w < at + 2 * W; w++)
          h = Math.imul(h ^ (words[w] as number), 0x9e3779b1) & 0x3fffffff;
        const atom = atoms.atom(i);
        const bucket = byHash.get(h);
        const prev = bucket?.find((g) => same(g.at, at));
        if (!prev) {
          const group = { atom, at };
          if (bucket) bucket.push(group);
          else byHash.set(h, [group]);
          list.push(group);
        } else if (atom.length < prev.atom.length) {
          // Prefer the shortest atom: it makes the most readable witness.
          prev.atom = atom;
          prev.at = at;
        }
      }
      return list;
    };
    // A must constraint's positive half can only be met by the suffix side if it has EndsWith values.
    const prefixViable = (words: Uint32Array, at: number) => {
      for (let i = 0; i < W; i++) {
        const pos = words[at + i] as number;
        const neg = words[at + W + i] as number;
        const unmet = (hasPos[i] as number) & ~pos & ~(hasSuffixPos[i] as number);
        if (((mustMask[i] as number) & (neg | unmet)) !== 0) return false;
      }
      return true;
    };
    const suffixViable = (words: Uint32Array, at: number) => {
      for (let i = 0; i < W; i++)
        if (((mustMask[i] as number) & (words[at + W + i] as number)) !== 0) return false;
      return true;
    };
    const pGroups = groups(prefixes, prefixViable);
    const qGroups = groups(suffixes, suffixViable);
    const pw = prefixes.words;
    const qw = suffixes.words;
    const sat = newBits(K);
    const { valid } = collector;
    for (let a = 0; a < pGroups.length; a++) {
      const p = pGroups[a] as (typeof pGroups)[number];
      for (let b = 0; b < qGroups.length; b++) {
        const q = qGroups[b] as (typeof qGroups)[number];
        for (let i = 0; i < W; i++) {
          const pos = (pw[p.at + i] as number) | (qw[q.at + i] as number);
          const neg = (pw[p.at + W + i] as number) | (qw[q.at + W + i] as number);
          sat[i] = (~(hasPos[i] as number) | pos) & ~neg & (valid[i] as number);
        }
        collector.consider(sat, freshRep, p.atom, q.atom);
      }
    }
  }

  return values === collector ? collector.regions() : [...values.regions(), ...collector.regions()];
}
