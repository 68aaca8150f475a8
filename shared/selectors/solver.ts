import type { CompiledSelector, Constraint } from './compile.js';
import { FIELD_DOMAINS } from './fields.js';
import { constraintMatches } from './match.js';
import { type CloudTrailEvent, EVENT_FIELDS, type EventField } from './types.js';

/*
 * Decides "is there an event matching every selector in `must` and none in `mustNot`?" exactly,
 * and builds such an event.
 *
 * Why this is exact: a field's value only matters through which Equals/StartsWith/EndsWith atoms
 * it hits. A value that equals no constant is characterised by its longest prefix atom p and its
 * longest suffix atom q, and p + <fresh> + q realises exactly that combination. So each field has
 * finitely many regions (constants, absent, and one per (p, q) pair), and the question becomes a
 * search over one region per field: every `must` selector satisfied on every field, and every
 * `mustNot` selector failed on at least one field.
 */

type Bits = Uint32Array;

const newBits = (n: number): Bits => new Uint32Array((n + 31) >>> 5);
const setBit = (b: Bits, i: number): void => {
  b[i >>> 5] = (b[i >>> 5] as number) | (1 << (i & 31));
};
const hasBit = (b: Bits, i: number): boolean => (((b[i >>> 5] as number) >>> (i & 31)) & 1) === 1;
const isEmpty = (b: Bits): boolean => b.every((w) => w === 0);
const bitsKey = (b: Bits): string => {
  if (b.length === 1) return String(b[0]);
  let key = '';
  for (let i = 0; i < b.length; i++) key += `${b[i]},`;
  return key;
};
const isSubset = (a: Bits, b: Bits): boolean => a.every((w, i) => (w & ~(b[i] as number)) === 0);
const andNot = (a: Bits, b: Bits): Bits => a.map((w, i) => w & ~(b[i] as number));
const or = (a: Bits, b: Bits): Bits => a.map((w, i) => w | (b[i] as number));
const popAnd = (a: Bits, b: Bits): number => {
  let n = 0;
  for (let i = 0; i < a.length; i++) {
    let w = (a[i] as number) & (b[i] as number);
    while (w !== 0) {
      w &= w - 1;
      n++;
    }
  }
  return n;
};

/** How a region's representative value is described before a concrete string is chosen. */
type RegionRep =
  | { kind: 'absent' }
  | { kind: 'value'; value: string }
  | { kind: 'fresh'; prefix: string; suffix: string };

interface Region {
  /** mustNot selectors this region makes fail. */
  readonly kill: Bits;
  readonly rep: RegionRep;
}

interface FieldProblem {
  readonly field: EventField;
  /** Constraints on this field, with the mustNot selector owning each (-1 for must). */
  readonly constraints: readonly Constraint[];
  readonly owners: readonly number[];
  readonly regions: readonly Region[];
}

/**
 * Atoms of one kind (prefixes or suffixes) indexed by length, so that all atoms that are a prefix
 * (suffix) of a string are found with one hash lookup per distinct atom length.
 */
class AtomIndex {
  private readonly byAtom = new Map<string, { pos: number[]; neg: number[] }>();
  private lengths: number[] = [];
  constructor(private readonly suffix: boolean) {}

  add(atom: string, k: number, positive: boolean): void {
    let e = this.byAtom.get(atom);
    if (!e) {
      e = { pos: [], neg: [] };
      this.byAtom.set(atom, e);
      if (!this.lengths.includes(atom.length)) this.lengths.push(atom.length);
    }
    (positive ? e.pos : e.neg).push(k);
  }

  atoms(): IterableIterator<string> {
    return this.byAtom.keys();
  }

  /** Marks every constraint with an atom that is a prefix (suffix) of `s`. */
  hits(s: string, posOut: Bits, negOut: Bits): void {
    for (const len of this.lengths) {
      if (len > s.length) continue;
      const e = this.byAtom.get(this.suffix ? s.slice(s.length - len) : s.slice(0, len));
      if (!e) continue;
      for (const k of e.pos) setBit(posOut, k);
      for (const k of e.neg) setBit(negOut, k);
    }
  }
}

/** Collects the regions of one field that satisfy all `must` constraints, with the maximal kill sets. */
function fieldRegions(
  field: EventField,
  constraints: readonly Constraint[],
  owners: readonly number[],
  n: number,
) {
  const K = constraints.length;
  const domain = FIELD_DOMAINS[field];
  const hasPos = newBits(K);
  const mustMask = newBits(K);
  const prefixes = new AtomIndex(false);
  const suffixes = new AtomIndex(true);
  const hasSuffixPos = newBits(K);
  const eqMap = new Map<string, { eq: number[]; neq: number[] }>();
  const entry = (v: string) => {
    let e = eqMap.get(v);
    if (!e) {
      e = { eq: [], neq: [] };
      eqMap.set(v, e);
    }
    return e;
  };
  constraints.forEach((c, k) => {
    if (c.eq.length + c.sw.length + c.ew.length > 0) setBit(hasPos, k);
    if ((owners[k] as number) < 0) setBit(mustMask, k);
    for (const v of c.eq) entry(v).eq.push(k);
    for (const v of c.neq) entry(v).neq.push(k);
    for (const p of c.sw) prefixes.add(p, k, true);
    for (const p of c.nsw) prefixes.add(p, k, false);
    for (const s of c.ew) suffixes.add(s, k, true);
    for (const s of c.new) suffixes.add(s, k, false);
    if (c.ew.length > 0) setBit(hasSuffixPos, k);
  });

  const byKill = new Map<string, Region>();
  const killScratch = newBits(n);
  // `rep` is built lazily: most pairs repeat a kill set already seen.
  const consider = (sat: Bits, rep: () => RegionRep) => {
    if (!isSubset(mustMask, sat)) return;
    killScratch.fill(0);
    for (let k = 0; k < K; k++) {
      const owner = owners[k] as number;
      if (owner >= 0 && !hasBit(sat, k)) setBit(killScratch, owner);
    }
    const key = bitsKey(killScratch);
    if (!byKill.has(key)) byKill.set(key, { kill: killScratch.slice(), rep: rep() });
  };

  // sat = (!hasPos | posHit) & !negHit, computed word by word.
  const combine = (posHit: Bits, negHit: Bits): Bits =>
    hasPos.map((w, i) => (~w | (posHit[i] as number)) & ~(negHit[i] as number));

  const evalValue = (v: string): Bits => {
    const pos = newBits(K);
    const neg = newBits(K);
    prefixes.hits(v, pos, neg);
    suffixes.hits(v, pos, neg);
    const e = eqMap.get(v);
    if (e) {
      for (const k of e.eq) setBit(pos, k);
      for (const k of e.neq) setBit(neg, k);
    }
    return combine(pos, neg);
  };

  if (domain.optional) {
    // Absent: every positive half fails, every negative half holds.
    consider(
      hasPos.map((w) => ~w),
      () => ({ kind: 'absent' }),
    );
  }
  if (domain.values) {
    for (const v of domain.values) consider(evalValue(v), () => ({ kind: 'value', value: v }));
  } else {
    for (const v of eqMap.keys()) if (v !== '') consider(evalValue(v), () => ({ kind: 'value', value: v }));
    // Group prefix atoms (and suffix atoms) that hit the same constraints: they are interchangeable.
    // Groups that already break a `must` constraint on their own side are dropped before pairing.
    const groups = (index: AtomIndex, viable: (pos: Bits, neg: Bits) => boolean) => {
      const seen = new Map<string, { atom: string; pos: Bits; neg: Bits }>();
      for (const atom of ['', ...index.atoms()]) {
        const pos = newBits(K);
        const neg = newBits(K);
        index.hits(atom, pos, neg);
        if (!viable(pos, neg)) continue;
        const key = `${bitsKey(pos)}|${bitsKey(neg)}`;
        const prev = seen.get(key);
        // Prefer the shortest atom: it makes the most readable witness.
        if (!prev || atom.length < prev.atom.length) seen.set(key, { atom, pos, neg });
      }
      return [...seen.values()];
    };
    // A must constraint's positive half can only be met by the suffix side if it has EndsWith values.
    const prefixViable = (pos: Bits, neg: Bits) =>
      mustMask.every(
        (m, i) =>
          (m &
            ((neg[i] as number) |
              ((hasPos[i] as number) & ~(pos[i] as number) & ~(hasSuffixPos[i] as number)))) ===
          0,
      );
    const suffixViable = (_pos: Bits, neg: Bits) => mustMask.every((m, i) => (m & (neg[i] as number)) === 0);
    const pGroups = groups(prefixes, prefixViable);
    const qGroups = groups(suffixes, suffixViable);
    const sat = newBits(K);
    for (const p of pGroups) {
      for (const q of qGroups) {
        for (let i = 0; i < sat.length; i++) {
          const pos = (p.pos[i] as number) | (q.pos[i] as number);
          const neg = (p.neg[i] as number) | (q.neg[i] as number);
          sat[i] = (~(hasPos[i] as number) | pos) & ~neg;
        }
        consider(sat, () => ({ kind: 'fresh', prefix: p.atom, suffix: q.atom }));
      }
    }
  }

  return maximalRegions([...byKill.values()]);
}

const popcount = (b: Bits): number => {
  let n = 0;
  for (let i = 0; i < b.length; i++) {
    let w = b[i] as number;
    while (w !== 0) {
      w &= w - 1;
      n++;
    }
  }
  return n;
};

/** Regions whose kill set is not contained in another's (distinct kill sets assumed). */
function maximalRegions(regions: Region[]): Region[] {
  const sorted = regions.map((r) => ({ r, size: popcount(r.kill) })).sort((a, b) => b.size - a.size);
  const kept: Region[] = [];
  for (const { r } of sorted) if (!kept.some((k) => isSubset(r.kill, k.kill))) kept.push(r);
  return kept;
}

/** Placeholder values of witness fields no selector constrains (readers may hide them). */
export const WITNESS_DEFAULTS: Readonly<Record<EventField, string>> = {
  eventCategory: 'Management',
  readOnly: 'false',
  eventSource: 'example.amazonaws.com',
  eventName: 'ExampleAction',
  eventType: 'AwsApiCall',
  'resources.type': 'AWS::Example::Resource',
  'resources.ARN': 'arn:aws:example:us-east-1:123456789012:resource/example',
  'userIdentity.arn': 'arn:aws:iam::123456789012:role/example',
  sessionCredentialFromConsole: 'false',
  errorCode: 'AccessDenied',
  vpcEndpointId: 'vpce-0123456789abcdef0',
};

/** A concrete value inside `region`: readable candidates first, the guaranteed fresh string last. */
function concreteValue(problem: FieldProblem, region: Region, n: number): string | undefined {
  const { rep } = region;
  if (rep.kind === 'absent') return undefined;
  if (rep.kind === 'value') return rep.value;
  const fits = (v: string) => {
    if (v === '') return false;
    const kill = newBits(n);
    for (let k = 0; k < problem.constraints.length; k++) {
      const ok = constraintMatches(problem.constraints[k] as Constraint, v);
      const owner = problem.owners[k] as number;
      if (owner < 0 && !ok) return false;
      if (owner >= 0 && !ok) setBit(kill, owner);
    }
    return isSubset(region.kill, kill);
  };
  const candidates = [
    ...(rep.prefix === '' && rep.suffix === '' ? [WITNESS_DEFAULTS[problem.field]] : []),
    `${rep.prefix}example${rep.suffix}`,
    `${rep.prefix}x${rep.suffix}`,
  ];
  for (const c of candidates) if (fits(c)) return c;
  // A character no atom contains cannot extend any prefix or suffix atom: this value is in the region.
  const used = new Set<string>();
  for (const c of problem.constraints)
    for (const v of [...c.eq, ...c.neq, ...c.sw, ...c.nsw, ...c.ew, ...c.new])
      for (const ch of v) used.add(ch);
  let code = 0x7a; // 'z'
  while (used.has(String.fromCodePoint(code))) code = code === 0x7a ? 0x2460 : code + 1;
  return `${rep.prefix}${String.fromCodePoint(code)}${rep.suffix}`;
}

/**
 * An event that every selector of `must` matches and no selector of `mustNot` matches, or undefined
 * when there is none. Exact; the result is re-checked with the plain matcher.
 */
export function findEvent(
  must: readonly CompiledSelector[],
  mustNot: readonly CompiledSelector[],
): CloudTrailEvent | undefined {
  // A mustNot selector with no field selectors matches every event.
  if (mustNot.some((s) => s.constraints.length === 0)) return undefined;
  // Selectors that cannot match together with `must` play no part; dropping them keeps the search small.
  const relevant = mustNot.filter((s) => compatible(must, s));
  const event = search(must, relevant);
  if (event) assertWitness(must, mustNot, event);
  return event;
}

/**
 * A cheap, sound test: false only when `must` pins a field to finitely many values (Equals, or an
 * enumerated domain) and none of them satisfies `s` there.
 */
function compatible(must: readonly CompiledSelector[], s: CompiledSelector): boolean {
  for (const c of s.constraints) {
    const pinned = pinnedValues(must, c.field);
    if (
      pinned &&
      !pinned.some((v) => s.constraints.every((x) => x.field !== c.field || constraintMatches(x, v)))
    )
      return false;
  }
  return true;
}

function pinnedValues(must: readonly CompiledSelector[], field: EventField): string[] | undefined {
  let values: readonly string[] | undefined = FIELD_DOMAINS[field].values;
  const own: Constraint[] = [];
  for (const m of must) {
    for (const c of m.constraints) {
      if (c.field !== field) continue;
      own.push(c);
      if (c.eq.length > 0 && c.sw.length + c.ew.length === 0) values = c.eq;
    }
  }
  if (!values || FIELD_DOMAINS[field].optional) return undefined;
  return values.filter((v) => own.every((c) => constraintMatches(c, v)));
}

function search(
  must: readonly CompiledSelector[],
  mustNot: readonly CompiledSelector[],
): CloudTrailEvent | undefined {
  const n = mustNot.length;

  const perField = new Map<EventField, { constraints: Constraint[]; owners: number[] }>();
  const add = (c: Constraint, owner: number) => {
    let e = perField.get(c.field);
    if (!e) {
      e = { constraints: [], owners: [] };
      perField.set(c.field, e);
    }
    e.constraints.push(c);
    e.owners.push(owner);
  };
  for (const s of must) for (const c of s.constraints) add(c, -1);
  mustNot.forEach((s, i) => {
    for (const c of s.constraints) add(c, i);
  });

  const problems: FieldProblem[] = [];
  for (const [field, { constraints, owners }] of perField) {
    const regions = fieldRegions(field, constraints, owners, n);
    if (regions.length === 0) return undefined;
    problems.push({ field, constraints, owners, regions });
  }
  // Fields with few regions first: they are forced choices and prune early.
  problems.sort((a, b) => a.regions.length - b.regions.length);

  const killableFrom: Bits[] = [];
  let acc = newBits(n);
  killableFrom[problems.length] = acc;
  for (let i = problems.length - 1; i >= 0; i--) {
    for (const r of (problems[i] as FieldProblem).regions) acc = or(acc, r.kill);
    killableFrom[i] = acc;
  }

  const chosen: Region[] = [];
  const failed: Set<string>[] = problems.map(() => new Set());
  const dfs = (i: number, alive: Bits): boolean => {
    if (isEmpty(alive)) {
      for (let j = i; j < problems.length; j++)
        chosen[j] = (problems[j] as FieldProblem).regions[0] as Region;
      return true;
    }
    if (i === problems.length || !isSubset(alive, killableFrom[i] as Bits)) return false;
    const key = bitsKey(alive);
    const memo = failed[i] as Set<string>;
    if (memo.has(key)) return false;
    const options = (problems[i] as FieldProblem).regions
      .map((r) => ({ r, gain: popAnd(r.kill, alive) }))
      .sort((a, b) => b.gain - a.gain);
    const tried = new Set<string>();
    for (const { r } of options) {
      const next = andNot(alive, r.kill);
      const nextKey = bitsKey(next);
      if (tried.has(nextKey)) continue;
      tried.add(nextKey);
      chosen[i] = r;
      if (dfs(i + 1, next)) return true;
    }
    memo.add(key);
    return false;
  };
  const all = newBits(n);
  for (let i = 0; i < n; i++) setBit(all, i);
  if (!dfs(0, all)) return undefined;

  const event: CloudTrailEvent = {};
  for (const field of EVENT_FIELDS)
    if (!FIELD_DOMAINS[field].optional) event[field] = WITNESS_DEFAULTS[field];
  problems.forEach((p, i) => {
    const value = concreteValue(p, chosen[i] as Region, n);
    if (value === undefined) delete event[p.field];
    else event[p.field] = value;
  });
  return event;
}

function selectorMatches(s: CompiledSelector, e: CloudTrailEvent): boolean {
  return s.constraints.every((c) => constraintMatches(c, e[c.field]));
}

function assertWitness(
  must: readonly CompiledSelector[],
  mustNot: readonly CompiledSelector[],
  e: CloudTrailEvent,
) {
  if (!must.every((s) => selectorMatches(s, e)) || mustNot.some((s) => selectorMatches(s, e))) {
    // Unreachable if the region argument holds; failing loudly beats a wrong verdict.
    throw new Error(`internal: witness ${JSON.stringify(e)} does not check out`);
  }
}
