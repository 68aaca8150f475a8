import { type Bits, type BitsKey, bitsKey, hasBit, newBits, setBit } from './bits.js';
import { getOrInsert } from './collections.js';
import type { Constraint } from './compile.js';
import { type FieldConstraints, type Region, RegionCollector } from './regions.js';
import type { Dfa } from './shape.js';

/*
 * The regions of a field whose values must have a shape (an ARN of its resource type), decided
 * exactly by walking the shape's automaton alongside the selectors' atoms:
 *
 * - All prefix atoms (StartsWith/NotStartsWith) and constants (Equals/NotEquals) form a trie.
 *   A value either ends on a trie node (finitely many: each is evaluated as it is), or leaves the
 *   trie after node v with a character that continues no atom. Then its prefix hits are those on
 *   the path to v, and it equals no constant.
 * - Its suffix hits (EndsWith/NotEndsWith) are read from the Aho–Corasick automaton of the suffix
 *   atoms, in the state where the value ends.
 * - Which suffix outcomes a value leaving at v can still reach, while ending in an accepting state
 *   of the shape, is a reachability question on (suffix automaton × shape automaton), answered once
 *   per state pair and cached.
 *
 * Values leaving the trie are grouped by their prefix hits (nodes between two atoms share them),
 * and a group stops looking once every suffix outcome is known to be reachable.
 */

// ---- the suffix atoms' automaton ---------------------------------------------------------------

interface SuffixAutomaton {
  readonly atoms: readonly string[];
  readonly size: number;
  /** Character codes that occur in some atom: every other character sends the automaton to its root. */
  readonly chars: ReadonlySet<number>;
  /** Per node, the id of the set of atoms that are suffixes of the text read so far. */
  readonly outId: Int32Array;
  /** Per id, the atoms (indices into `atoms`) of that set. */
  readonly outputs: readonly (readonly number[])[];
  step(node: number, code: number): number;
  /** Reachability results per shape automaton (by Dfa id). */
  readonly products: Map<number, ProductReach>;
}

function buildSuffixAutomaton(atoms: readonly string[]): SuffixAutomaton {
  const goto: Map<number, number>[] = [new Map()];
  const ends: number[][] = [[]];
  const chars = new Set<number>();
  atoms.forEach((atom, i) => {
    let node = 0;
    for (let j = 0; j < atom.length; j++) {
      const code = atom.charCodeAt(j);
      chars.add(code);
      const edges = goto[node] as Map<number, number>;
      let next = edges.get(code);
      if (next === undefined) {
        next = goto.length;
        goto.push(new Map());
        ends.push([]);
        edges.set(code, next);
      }
      node = next;
    }
    (ends[node] as number[]).push(i);
  });
  const size = goto.length;
  const fail = new Int32Array(size);
  const out: number[][] = ends.map((e) => [...e]);
  const queue: number[] = [];
  for (const child of (goto[0] as Map<number, number>).values()) {
    fail[child] = 0;
    queue.push(child);
  }
  for (let qi = 0; qi < queue.length; qi++) {
    const u = queue[qi] as number;
    out[u] = [...new Set([...(out[u] as number[]), ...(out[fail[u] as number] as number[])])].sort(
      (a, b) => a - b,
    );
    for (const [code, v] of goto[u] as Map<number, number>) {
      let f = fail[u] as number;
      while (f !== 0 && !(goto[f] as Map<number, number>).has(code)) f = fail[f] as number;
      const target = (goto[f] as Map<number, number>).get(code);
      fail[v] = target !== undefined && target !== v ? target : 0;
      queue.push(v);
    }
  }
  const idByKey = new Map<string, number>();
  const outputs: number[][] = [];
  const outId = new Int32Array(size);
  out.forEach((o, node) => {
    const key = o.join(',');
    let id = idByKey.get(key);
    if (id === undefined) {
      id = outputs.length;
      idByKey.set(key, id);
      outputs.push(o);
    }
    outId[node] = id;
  });
  const delta: Map<number, number>[] = goto.map(() => new Map());
  const step = (node: number, code: number): number => {
    if (!chars.has(code)) return 0;
    const memo = delta[node] as Map<number, number>;
    let r = memo.get(code);
    if (r === undefined) {
      let a = node;
      while (a !== 0 && !(goto[a] as Map<number, number>).has(code)) a = fail[a] as number;
      r = (goto[a] as Map<number, number>).get(code) ?? 0;
      memo.set(code, r);
    }
    return r;
  };
  return { atoms, size, chars, outId, outputs, step, products: new Map() };
}

const suffixCache = new Map<string, SuffixAutomaton>();

function suffixAutomaton(atoms: readonly string[]): SuffixAutomaton {
  const key = atoms.join('\u0000');
  let ac = suffixCache.get(key);
  if (!ac) {
    if (suffixCache.size >= 32) suffixCache.clear();
    ac = buildSuffixAutomaton(atoms);
    suffixCache.set(key, ac);
  }
  return ac;
}

// ---- readable characters -----------------------------------------------------------------------

const READABLE = 'exampleobjctdfghiknqrsuvwyz0123456789-_.ABCDEFGHIJKLMNOPQRSTUVWXYZ/:~!+=,;@';
const RANK = new Int32Array(128).fill(-1);
for (let i = 0; i < READABLE.length; i++) RANK[READABLE.charCodeAt(i)] = i;
const rank = (code: number) =>
  code < 128 && (RANK[code] as number) >= 0 ? (RANK[code] as number) : READABLE.length + code;

const sortedClassChars = new WeakMap<Dfa, number[][]>();

/** Character codes, with a membership test. */
interface Codes {
  readonly codes: readonly number[];
  has(code: number): boolean;
}

const codesOf = (set: ReadonlySet<number>): Codes => ({ codes: [...set], has: (c) => set.has(c) });

/** A readable character of class `cls` that is not in `avoid`, if there is one. */
function representative(dfa: Dfa, cls: number, avoid: Codes): number | undefined {
  let sorted = sortedClassChars.get(dfa);
  if (!sorted) {
    sorted = dfa.classChars.map((chars) =>
      [...chars].map((c) => c.charCodeAt(0)).sort((a, b) => rank(a) - rank(b)),
    );
    sortedClassChars.set(dfa, sorted);
  }
  const listed = sorted[cls] as number[];
  for (const code of listed) if (!avoid.has(code)) return code;
  if (cls !== dfa.otherClass) return undefined;
  for (const ch of READABLE) {
    const code = ch.charCodeAt(0);
    if (!avoid.has(code) && dfa.classOf(code) === cls) return code;
  }
  // Characters nobody lists: one of these is neither in the shape's lists nor in an atom.
  for (let code = 0xc0; ; code++) if (!avoid.has(code) && dfa.classOf(code) === cls) return code;
}

interface Symbol {
  readonly code: number;
  readonly cls: number;
}

/** One character per way the pair (suffix automaton, shape automaton) can move, readable first. */
function symbolsFor(dfa: Dfa, chars: Codes): Symbol[] {
  const out: Symbol[] = chars.codes.map((code) => ({ code, cls: dfa.classOf(code) }));
  for (let cls = 0; cls < dfa.classCount; cls++) {
    const code = representative(dfa, cls, chars);
    if (code !== undefined) out.push({ code, cls });
  }
  return out.sort((a, b) => rank(a.code) - rank(b.code));
}

// ---- reachability on (suffix automaton × shape automaton) --------------------------------------

/** For a state pair, the suffix outcomes (output ids) of the accepted strings that continue from it. */
class ProductReach {
  /** Per state pair (a * stateCount + d), the id of its outcome set; -1 while unknown. */
  private memo: Int32Array | undefined;
  /** Tarjan's working arrays, per state pair. */
  private work: { index: Int32Array; low: Int32Array; onStack: Uint8Array } | undefined;
  /** Outcome sets, interned: few distinct ones, shared by many state pairs. */
  private readonly sets: Bits[] = [];
  private readonly setIds = new Map<BitsKey, number>();
  readonly all: Bits;
  readonly symbols: Symbol[];
  constructor(
    private readonly ac: SuffixAutomaton,
    private readonly dfa: Dfa,
  ) {
    this.all = newBits(ac.outputs.length);
    for (let i = 0; i < ac.outputs.length; i++) setBit(this.all, i);
    this.symbols = symbolsFor(dfa, codesOf(ac.chars));
  }

  private successors(v: number, visit: (w: number) => void) {
    const { ac, dfa } = this;
    const S = dfa.stateCount;
    const a = Math.floor(v / S);
    const d = v - a * S;
    for (const sym of this.symbols) {
      const d2 = dfa.next[d * dfa.classCount + sym.cls] as number;
      if (d2 < 0) continue;
      visit(ac.step(a, sym.code) * S + d2);
    }
  }

  private intern(b: Bits): number {
    const key = bitsKey(b);
    let id = this.setIds.get(key);
    if (id === undefined) {
      id = this.sets.length;
      this.sets.push(b);
      this.setIds.set(key, id);
    }
    return id;
  }

  get(a: number, d: number): Bits {
    // From a universal state every continuation is accepted: after a character no atom contains,
    // any suffix atom can be written last, so every outcome is reachable.
    if (this.dfa.universal[d]) return this.all;
    this.memo ??= new Int32Array(this.ac.size * this.dfa.stateCount).fill(-1);
    const v = a * this.dfa.stateCount + d;
    if ((this.memo[v] as number) < 0) this.tarjan(v, this.memo);
    return this.sets[this.memo[v] as number] as Bits;
  }

  /** Iterative Tarjan: strongly connected components finish in reverse topological order. */
  private tarjan(root: number, memo: Int32Array) {
    const { ac, dfa } = this;
    const S = dfa.stateCount;
    // Allocated once per product: a node a finished run visited has its memo set and is never
    // looked at again, and a run leaves no node on the stack, so nothing needs resetting.
    this.work ??= {
      index: new Int32Array(memo.length).fill(-1),
      low: new Int32Array(memo.length),
      onStack: new Uint8Array(memo.length),
    };
    const { index, low, onStack } = this.work;
    let counter = 0;
    const stack: number[] = [];
    const work: { v: number; succ: number[]; i: number }[] = [];
    const open = (v: number) => {
      index[v] = counter;
      low[v] = counter++;
      stack.push(v);
      onStack[v] = 1;
      const succ: number[] = [];
      this.successors(v, (w) => succ.push(w));
      work.push({ v, succ, i: 0 });
    };
    open(root);
    while (work.length > 0) {
      const top = work[work.length - 1] as { v: number; succ: number[]; i: number };
      if (top.i < top.succ.length) {
        const w = top.succ[top.i++] as number;
        if ((memo[w] as number) >= 0 || dfa.universal[w % S]) continue;
        if ((index[w] as number) < 0) open(w);
        else if (onStack[w]) low[top.v] = Math.min(low[top.v] as number, index[w] as number);
        continue;
      }
      work.pop();
      const parent = work[work.length - 1];
      if (parent) low[parent.v] = Math.min(low[parent.v] as number, low[top.v] as number);
      if (low[top.v] !== index[top.v]) continue;
      const members: number[] = [];
      for (;;) {
        const w = stack.pop() as number;
        onStack[w] = 0;
        members.push(w);
        if (w === top.v) break;
      }
      const inScc = new Set(members);
      const reach = newBits(ac.outputs.length);
      for (const m of members) {
        const a = Math.floor(m / S);
        const d = m - a * S;
        if (dfa.accepting[d]) setBit(reach, ac.outId[a] as number);
        this.successors(m, (w) => {
          if (inScc.has(w)) return;
          const r = dfa.universal[w % S] ? this.all : (this.sets[memo[w] as number] as Bits);
          for (let i = 0; i < reach.length; i++) reach[i] = (reach[i] as number) | (r[i] as number);
        });
      }
      const id = this.intern(reach);
      for (const m of members) memo[m] = id;
    }
  }

  /** The shortest readable continuation from (a, d) that ends accepted with outcome `id`. */
  complete(a: number, d: number, id: number): string {
    const { ac, dfa } = this;
    const S = dfa.stateCount;
    const start = a * S + d;
    const from = new Map<number, { prev: number; code: number }>([[start, { prev: -1, code: 0 }]]);
    const queue = [start];
    for (let qi = 0; qi < queue.length; qi++) {
      const v = queue[qi] as number;
      const va = Math.floor(v / S);
      const vd = v - va * S;
      if (dfa.accepting[vd] && ac.outId[va] === id) {
        let text = '';
        for (let at = v; at !== start; ) {
          const step = from.get(at) as { prev: number; code: number };
          text = String.fromCharCode(step.code) + text;
          at = step.prev;
        }
        return text;
      }
      for (const sym of this.symbols) {
        const d2 = dfa.next[vd * dfa.classCount + sym.cls] as number;
        if (d2 < 0) continue;
        const w = ac.step(va, sym.code) * S + d2;
        if (from.has(w)) continue;
        from.set(w, { prev: v, code: sym.code });
        queue.push(w);
      }
    }
    throw new Error('internal: a reachable suffix outcome has no continuation');
  }
}

/** The longest suffix atom a value with outcome `id` ends with ('' when none). */
function longestAtom(ac: SuffixAutomaton, id: number): string {
  let best = '';
  for (const i of ac.outputs[id] as number[])
    if ((ac.atoms[i] as string).length > best.length) best = ac.atoms[i] as string;
  return best;
}

function productReach(ac: SuffixAutomaton, dfa: Dfa): ProductReach {
  let p = ac.products.get(dfa.id);
  if (!p) {
    p = new ProductReach(ac, dfa);
    ac.products.set(dfa.id, p);
  }
  return p;
}

// ---- the trie walk -----------------------------------------------------------------------------

/** Operators of prefix and constant atoms, as bits (so that several can be asked at once). */
const SW = 1;
const NSW = 2;
const EQ = 4;
const NEQ = 8;
/** Atom flags: some entry is a prefix (StartsWith/NotStartsWith) or a constant (Equals/NotEquals). */
const PREFIX = 1;
const CONSTANT = 2;

let entryArrays: Int32Array[] = [];

/** Reused arrays: entry list head and flags per atom; next, constraint and operator per entry. */
function entryScratch(entries: number): Int32Array[] {
  if ((entryArrays[0]?.length ?? 0) < entries + 1)
    entryArrays = Array.from({ length: 5 }, () => new Int32Array(Math.max(1024, 2 * (entries + 1))));
  return entryArrays;
}

/**
 * The trie of a sorted list of texts, flat: nodes are numbered in pre-order, so the subtree of node
 * v is the range v .. end[v] - 1. Node v spells texts[text[v]].slice(0, depth[v]).
 */
interface FlatTrie {
  readonly size: number;
  readonly parent: Int32Array;
  readonly depth: Int32Array;
  readonly text: Int32Array;
  readonly code: Int32Array;
  readonly firstChild: Int32Array;
  readonly nextSibling: Int32Array;
  readonly end: Int32Array;
  /** The text ending at the node (the atom there), or -1. */
  readonly atom: Int32Array;
}

const words: Uint32Array[] = [new Uint32Array(1024), new Uint32Array(1024)];

/** A zeroed buffer of at least `length` words, reused from call to call (slot 0 or 1). */
function wordScratch(slot: number, length: number): Uint32Array {
  let b = words[slot] as Uint32Array;
  if (b.length < length) {
    b = new Uint32Array(Math.max(length, 2 * b.length));
    words[slot] = b;
  }
  b.fill(0, 0, length);
  return b;
}

/**
 * Node arrays are reused from call to call (a covers decision builds several tries): nothing keeps
 * them once shapedRegions returns, and shapedRegions does not call itself.
 */
let buffers = { capacity: 0, arrays: [] as Int32Array[] };

function scratch(capacity: number): Int32Array[] {
  if (buffers.capacity < capacity) {
    const size = Math.max(capacity, 2 * buffers.capacity, 1024);
    buffers = { capacity: size, arrays: Array.from({ length: 14 }, () => new Int32Array(size)) };
  }
  return buffers.arrays;
}

function flatTrie(texts: readonly string[], arrays: Int32Array[]): FlatTrie {
  let capacity = 1;
  for (const t of texts) capacity += t.length;
  const [parent, depth, text, code, firstChild, nextSibling, lastChild, end, atom] = arrays as [
    Int32Array,
    Int32Array,
    Int32Array,
    Int32Array,
    Int32Array,
    Int32Array,
    Int32Array,
    Int32Array,
    Int32Array,
  ];
  for (const a of [parent, code, firstChild, nextSibling, lastChild, atom]) a.fill(-1, 0, capacity);
  depth[0] = 0;
  let size = 1;
  const path = [0];
  let prev = '';
  texts.forEach((t, ti) => {
    let l = 0;
    while (l < prev.length && l < t.length && prev.charCodeAt(l) === t.charCodeAt(l)) l++;
    prev = t;
    while (path.length - 1 > l) end[path.pop() as number] = size;
    for (let d = l; d < t.length; d++) {
      const p = path[path.length - 1] as number;
      const v = size++;
      parent[v] = p;
      depth[v] = d + 1;
      text[v] = ti;
      code[v] = t.charCodeAt(d);
      if ((lastChild[p] as number) < 0) firstChild[p] = v;
      else nextSibling[lastChild[p] as number] = v;
      lastChild[p] = v;
      path.push(v);
    }
    atom[path[path.length - 1] as number] = ti;
  });
  while (path.length > 0) end[path.pop() as number] = size;
  return { size, parent, depth, text, code, firstChild, nextSibling, end, atom };
}

interface PrefixFamily {
  readonly atoms: ReadonlySet<string>;
  /** Every non-empty prefix of an atom. */
  readonly ancestors: ReadonlySet<string>;
  readonly lengths: readonly number[];
  /** Answers of `related`, by atom: trails repeat the same atoms from decision to decision. */
  readonly known: Map<string, boolean>;
}

/** Whether `v` is a prefix of an atom of the family or starts with one of them (the two are comparable). */
function related(family: PrefixFamily, v: string): boolean {
  let answer = family.known.get(v);
  if (answer === undefined) {
    const { atoms, ancestors, lengths } = family;
    answer = ancestors.has(v) || lengths.some((len) => len <= v.length && atoms.has(v.slice(0, len)));
    if (family.known.size >= 4096) family.known.clear();
    family.known.set(v, answer);
  }
  return answer;
}

const familyCache = new Map<string, PrefixFamily>();
// The last constraint asked about: covers and merge ask about one requirement many times in a row.
let lastConstraint: Constraint | undefined;
let lastFamily: PrefixFamily | undefined;

/** A must constraint's StartsWith and Equals atoms, with their prefixes (cached: requirements repeat). */
function prefixFamily(c: Constraint): PrefixFamily {
  if (c === lastConstraint && lastFamily) return lastFamily;
  lastFamily = familyByAtoms(c);
  lastConstraint = c;
  return lastFamily;
}

function familyByAtoms(c: Constraint): PrefixFamily {
  const key = `${c.sw.join('\u0000')}\u0001${c.eq.join('\u0000')}`;
  let family = familyCache.get(key);
  if (!family) {
    const atoms = new Set([...c.sw, ...c.eq]);
    const ancestors = new Set<string>();
    for (const a of atoms) for (let i = 1; i <= a.length; i++) ancestors.add(a.slice(0, i));
    family = { atoms, ancestors, lengths: [...new Set([...atoms].map((a) => a.length))], known: new Map() };
    if (familyCache.size >= 256) familyCache.clear();
    familyCache.set(key, family);
  }
  return family;
}

/** Which UTF-16 code units occur in the atoms of the current call (those marked with its stamp). */
const charMarks = new Uint32Array(65536);
let charStamp = 0;

/** The regions of a shaped field (see the comment at the top). */
export function shapedRegions(fc: FieldConstraints, n: number, dfa: Dfa): Region[] {
  const { constraints, owners } = fc;
  const K = constraints.length;
  const collector = new RegionCollector(fc, n);
  const { mustMask } = collector;

  // Each value of a prefix or constant operator is an atom (one per distinct text) with a list of
  // entries (constraint, operator), kept flat to spare the collector.
  const atomIds = new Map<string, number>();
  let entryCount = 0;
  for (const c of constraints) entryCount += c.sw.length + c.nsw.length + c.eq.length + c.neq.length;
  const [entryHead, entryNext, entryK, entryOp, atomFlags] = entryScratch(entryCount) as [
    Int32Array,
    Int32Array,
    Int32Array,
    Int32Array,
    Int32Array,
  ];
  entryCount = 0;
  const atomAt = (v: string, k: number, op: number) => {
    let a = atomIds.get(v);
    if (a === undefined) {
      a = atomIds.size;
      atomIds.set(v, a);
      entryHead[a] = -1;
      atomFlags[a] = 0;
    }
    const e = entryCount++;
    entryK[e] = k;
    entryOp[e] = op;
    entryNext[e] = entryHead[a] as number;
    entryHead[a] = e;
    atomFlags[a] = (atomFlags[a] as number) | (op === SW || op === NSW ? PREFIX : CONSTANT);
  };
  const suffix = new Map<string, { pos: number[]; neg: number[] }>();
  const suffixAt = (v: string) => getOrInsert(suffix, v, () => ({ pos: [], neg: [] }));
  // Must constraints whose positive half only prefixes or constants can meet: a subtree without
  // any of their atoms holds no value for them. (At most 31, to fit one integer.)
  const prefixOnly: number[] = [];
  constraints.forEach((c, k) => {
    if (
      (owners[k] as number) < 0 &&
      c.ew.length === 0 &&
      c.sw.length + c.eq.length > 0 &&
      prefixOnly.length < 31
    )
      prefixOnly.push(k);
  });
  // Values that meet the prefix-only must constraints start with one of their atoms, and every
  // prefix atom of such a value is comparable (one a prefix of the other) with that atom. Other
  // atoms of mustNot selectors only ever split values that fail a must constraint: leave them out.
  const mustAtoms = prefixOnly.map((k) => prefixFamily(constraints[k] as Constraint));
  const relevant = (v: string) => mustAtoms.every((family) => related(family, v));
  constraints.forEach((c, k) => {
    const keep = (owners[k] as number) < 0 || mustAtoms.length === 0 ? () => true : relevant;
    // Indexed loops: for-of over these lists (of several array kinds) allocated an iterator each.
    for (let i = 0; i < c.sw.length; i++) if (keep(c.sw[i] as string)) atomAt(c.sw[i] as string, k, SW);
    for (let i = 0; i < c.nsw.length; i++) if (keep(c.nsw[i] as string)) atomAt(c.nsw[i] as string, k, NSW);
    for (let i = 0; i < c.eq.length; i++) if (keep(c.eq[i] as string)) atomAt(c.eq[i] as string, k, EQ);
    for (let i = 0; i < c.neq.length; i++) if (keep(c.neq[i] as string)) atomAt(c.neq[i] as string, k, NEQ);
    for (let i = 0; i < c.ew.length; i++) suffixAt(c.ew[i] as string).pos.push(k);
    for (let i = 0; i < c.new.length; i++) suffixAt(c.new[i] as string).neg.push(k);
  });
  const prefixIndex = new Int32Array(K).fill(-1);
  prefixOnly.forEach((k, j) => {
    prefixIndex[k] = j;
  });
  /** Sets bit k in `bits` (from word `base`) for every entry of `atom` with operator `op`. */
  const setEntries = (bits: Uint32Array, base: number, atom: number, op: number) => {
    for (let e = entryHead[atom] as number; e >= 0; e = entryNext[e] as number)
      if (entryOp[e] === op) {
        const k = entryK[e] as number;
        bits[base + (k >>> 5)] = (bits[base + (k >>> 5)] as number) | (1 << (k & 31));
      }
  };
  /** Bit j for each prefixOnly[j] that `atom` has an entry for, with one of the operators `ops`. */
  const mustBits = (atom: number, ops: number) => {
    let bits = 0;
    if (atom >= 0 && prefixOnly.length > 0)
      for (let e = entryHead[atom] as number; e >= 0; e = entryNext[e] as number) {
        const j = prefixIndex[entryK[e] as number] as number;
        if (j >= 0 && ((entryOp[e] as number) & ops) !== 0) bits |= 1 << j;
      }
    return bits;
  };
  const prefixOnlyAll = prefixOnly.length === 0 ? 0 : 2 ** prefixOnly.length - 1;

  const ac = suffixAutomaton([...suffix.keys()].sort());
  const outCount = ac.outputs.length;
  const outPos: Bits[] = [];
  const outNeg: Bits[] = [];
  for (const atoms of ac.outputs) {
    const pos = newBits(K);
    const neg = newBits(K);
    for (const i of atoms) {
      const e = suffix.get(ac.atoms[i] as string) as { pos: number[]; neg: number[] };
      for (const k of e.pos) setBit(pos, k);
      for (const k of e.neg) setBit(neg, k);
    }
    outPos.push(pos);
    outNeg.push(neg);
  }
  const product = productReach(ac, dfa);
  const ONE = newBits(1);
  setBit(ONE, 0);

  // Values in one group share their prefix hits: a group's pos and neg bits live side by side in
  // one buffer (W words each), and its found outcomes in another (O words).
  const W = newBits(K).length;
  const O = newBits(outCount).length;
  const texts = [...atomIds.keys()].filter((v) => v !== '').sort();
  const groupBits = wordScratch(0, (texts.length + 1) * 2 * W);
  const groupFound = wordScratch(1, (texts.length + 1) * O);
  let groups = 0;
  /** A new group: the parent group's hits plus the prefix atom's (a root group when parent < 0). */
  const newGroup = (parent: number, atom: number) => {
    const g = groups++;
    if (parent >= 0) groupBits.copyWithin(g * 2 * W, parent * 2 * W, (parent + 1) * 2 * W);
    if (atom >= 0) {
      setEntries(groupBits, g * 2 * W, atom, SW);
      setEntries(groupBits, g * 2 * W + W, atom, NSW);
    }
    return g;
  };
  const mustDead = (g: number) => {
    for (let i = 0; i < W; i++)
      if (((groupBits[g * 2 * W + W + i] as number) & (mustMask[i] as number)) !== 0) return true;
    return false;
  };
  const posScratch = newBits(K);
  const negScratch = newBits(K);
  const satScratch = newBits(K);
  /** A value of group g with suffix outcome id (and equal to the constant `atom`, if >= 0). */
  const consider = (g: number, id: number, atom: number, rep: () => Region['rep']) => {
    const extraPos = outPos[id] as Bits;
    const extraNeg = outNeg[id] as Bits;
    for (let i = 0; i < W; i++) {
      posScratch[i] = (groupBits[g * 2 * W + i] as number) | (extraPos[i] as number);
      negScratch[i] = (groupBits[g * 2 * W + W + i] as number) | (extraNeg[i] as number);
    }
    if (atom >= 0) {
      setEntries(posScratch, 0, atom, EQ);
      setEntries(negScratch, 0, atom, NEQ);
    }
    collector.consider(collector.sat(posScratch, negScratch, satScratch), rep);
  };
  const foundHas = (g: number, id: number) =>
    (((groupFound[g * O + (id >>> 5)] as number) >>> (id & 31)) & 1) === 1;
  const full = (g: number) => {
    for (let i = 0; i < O; i++) if (groupFound[g * O + i] !== (product.all[i] as number)) return false;
    return true;
  };
  /** Whether `reach` adds nothing to what group g has found; otherwise adds it. */
  const addFound = (g: number, reach: Bits) => {
    let added = false;
    for (let i = 0; i < O; i++) {
      const before = groupFound[g * O + i] as number;
      const after = before | (reach[i] as number);
      if (after !== before) {
        groupFound[g * O + i] = after;
        added = true;
      }
    }
    return added;
  };

  let capacity = 1;
  for (const text of texts) capacity += text.length;
  const arrays = scratch(capacity);
  const t = flatTrie(texts, arrays);
  const textAtom = texts.map((text) => atomIds.get(text) as number);
  // Characters that occur in an atom are symbols of their own; the others go by shape class.
  if (charStamp >= 0x7fffffff) {
    charMarks.fill(0);
    charStamp = 0;
  }
  const stamp = ++charStamp;
  const atomCodes: number[] = [];
  const mark = (c: number) => {
    if (charMarks[c] !== stamp) {
      charMarks[c] = stamp;
      atomCodes.push(c);
    }
  };
  for (const c of ac.chars) mark(c);
  for (let v = 1; v < t.size; v++) mark(t.code[v] as number);
  const atomChars: Codes = { codes: atomCodes, has: (c) => charMarks[c] === stamp };
  const fallSymbols = symbolsFor(dfa, atomChars);
  const rootAtom = atomIds.get('') ?? -1;
  /** The atom at node v (the root's is the empty string), or -1. */
  const atomAtNode = (v: number) =>
    v === 0 ? rootAtom : (t.atom[v] as number) < 0 ? -1 : (textAtom[t.atom[v] as number] as number);
  const nodeText = (v: number) =>
    v === 0 ? '' : (texts[t.text[v] as number] as string).slice(0, t.depth[v]);
  // Must constraints some atom at or under each node can satisfy (children come after parents).
  const [sub, state, acState, group, hit] = arrays.slice(9) as [
    Int32Array,
    Int32Array,
    Int32Array,
    Int32Array,
    Int32Array,
  ];
  if (prefixOnly.length > 0) {
    sub.fill(0, 0, t.size);
    for (let v = t.size - 1; v >= 0; v--) {
      sub[v] = (sub[v] as number) | mustBits(atomAtNode(v), SW | EQ);
      if (v > 0) sub[t.parent[v] as number] = (sub[t.parent[v] as number] as number) | (sub[v] as number);
    }
  }
  state[0] = 0;
  acState[0] = 0;
  const isChild = (v: number, c: number) => {
    for (let w = t.firstChild[v] as number; w >= 0; w = t.nextSibling[w] as number)
      if (t.code[w] === c) return true;
    return false;
  };

  /**
   * Values at node v: the node's own string, and the values that leave the trie there. Nodes are
   * visited in pre-order, so values that leave near the root come first, and the first value of
   * each kill set is the one a witness starts from (`arn:aws:lambda:eu-west-1:…` rather than a near
   * miss such as `…:us-east-10:…`).
   */
  const evaluate = (v: number) => {
    if (prefixOnlyAll !== 0 && (((hit[v] as number) | (sub[v] as number)) & prefixOnlyAll) !== prefixOnlyAll)
      return;
    const g = group[v] as number;
    const d = state[v] as number;
    const a = acState[v] as number;
    if (v > 0 && dfa.accepting[d]) {
      const id = ac.outId[a] as number;
      const atom = atomAtNode(v);
      if (atom >= 0 && ((atomFlags[atom] as number) & CONSTANT) !== 0) {
        consider(g, id, atom, () => ({ kind: 'value', value: nodeText(v) }));
      } else if (!foundHas(g, id)) {
        groupFound[g * O + (id >>> 5)] = (groupFound[g * O + (id >>> 5)] as number) | (1 << (id & 31));
        consider(g, id, -1, () => ({ kind: 'value', value: nodeText(v) }));
      }
    }
    if (full(g)) return;
    for (const sym of fallSymbols) {
      const d2 = dfa.next[d * dfa.classCount + sym.cls] as number;
      if (d2 < 0 || isChild(v, sym.code)) continue;
      const a2 = ac.step(a, sym.code);
      const reach = outCount === 1 ? ONE : product.get(a2, d2);
      for (let id = 0; id < outCount; id++) {
        if (!hasBit(reach, id) || foundHas(g, id)) continue;
        consider(g, id, -1, () => {
          const node = nodeText(v);
          const head = node + String.fromCharCode(sym.code);
          return {
            kind: 'shaped',
            node,
            head,
            ending: longestAtom(ac, id),
            complete: () => head + product.complete(a2, d2, id),
          };
        });
      }
      if (addFound(g, reach) && full(g)) return;
    }
  };

  group[0] = newGroup(-1, rootAtom);
  if (mustDead(0)) return [];
  hit[0] = mustBits(rootAtom, SW);
  evaluate(0);
  for (let v = 1; v < t.size; ) {
    const p = t.parent[v] as number;
    const from = state[p] as number;
    // From a universal state every continuation is accepted: any universal state stands for all.
    const d = dfa.universal[from]
      ? from
      : (dfa.next[from * dfa.classCount + dfa.classOf(t.code[v] as number)] as number);
    if (d < 0) {
      v = t.end[v] as number; // no value of the shape starts this way
      continue;
    }
    state[v] = d;
    acState[v] = ac.step(acState[p] as number, t.code[v] as number);
    const atom = atomAtNode(v);
    if (atom >= 0 && ((atomFlags[atom] as number) & PREFIX) !== 0) {
      const g = newGroup(group[p] as number, atom);
      if (mustDead(g)) {
        v = t.end[v] as number; // every value under here breaks a must constraint
        continue;
      }
      group[v] = g;
    } else {
      group[v] = group[p] as number;
    }
    hit[v] = prefixOnly.length === 0 ? 0 : (hit[p] as number) | mustBits(atom, SW);
    evaluate(v);
    v++;
  }
  return collector.regions();
}
