import { type Bits, hasBit, isSubset, newBits, setBit } from './bits.js';
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
    if (suffixCache.size >= 64) suffixCache.clear();
    ac = buildSuffixAutomaton(atoms);
    suffixCache.set(key, ac);
  }
  return ac;
}

// ---- readable characters -----------------------------------------------------------------------

const READABLE = 'exampleobjctdfghiknqrsuvwyz0123456789-_.ABCDEFGHIJKLMNOPQRSTUVWXYZ/:~!+=,;@';
const rank = (code: number) => {
  const i = READABLE.indexOf(String.fromCharCode(code));
  return i < 0 ? READABLE.length + code : i;
};

const sortedClassChars = new WeakMap<Dfa, number[][]>();

/** A readable character of class `cls` that is not in `avoid`, if there is one. */
function representative(dfa: Dfa, cls: number, avoid: ReadonlySet<number>): number | undefined {
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
function symbolsFor(dfa: Dfa, chars: ReadonlySet<number>): Symbol[] {
  const out: Symbol[] = [...chars].map((code) => ({ code, cls: dfa.classOf(code) }));
  for (let cls = 0; cls < dfa.classCount; cls++) {
    const code = representative(dfa, cls, chars);
    if (code !== undefined) out.push({ code, cls });
  }
  return out.sort((a, b) => rank(a.code) - rank(b.code));
}

// ---- reachability on (suffix automaton × shape automaton) --------------------------------------

/** For a state pair, the suffix outcomes (output ids) of the accepted strings that continue from it. */
class ProductReach {
  private readonly memo = new Map<number, Bits>();
  readonly all: Bits;
  readonly symbols: Symbol[];
  constructor(
    private readonly ac: SuffixAutomaton,
    private readonly dfa: Dfa,
  ) {
    this.all = newBits(ac.outputs.length);
    for (let i = 0; i < ac.outputs.length; i++) setBit(this.all, i);
    this.symbols = symbolsFor(dfa, ac.chars);
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

  get(a: number, d: number): Bits {
    // From a universal state every continuation is accepted: after a character no atom contains,
    // any suffix atom can be written last, so every outcome is reachable.
    if (this.dfa.universal[d]) return this.all;
    const v = a * this.dfa.stateCount + d;
    const known = this.memo.get(v);
    if (known) return known;
    this.tarjan(v);
    return this.memo.get(v) as Bits;
  }

  /** Iterative Tarjan: strongly connected components finish in reverse topological order. */
  private tarjan(root: number) {
    const { ac, dfa, memo } = this;
    const S = dfa.stateCount;
    const index = new Map<number, number>();
    const low = new Map<number, number>();
    const onStack = new Set<number>();
    const stack: number[] = [];
    const work: { v: number; succ: number[]; i: number }[] = [];
    const open = (v: number) => {
      index.set(v, index.size);
      low.set(v, index.size - 1);
      stack.push(v);
      onStack.add(v);
      const succ: number[] = [];
      this.successors(v, (w) => succ.push(w));
      work.push({ v, succ, i: 0 });
    };
    open(root);
    while (work.length > 0) {
      const top = work[work.length - 1] as { v: number; succ: number[]; i: number };
      if (top.i < top.succ.length) {
        const w = top.succ[top.i++] as number;
        if (memo.has(w) || dfa.universal[w % S]) continue;
        if (!index.has(w)) open(w);
        else if (onStack.has(w)) low.set(top.v, Math.min(low.get(top.v) as number, index.get(w) as number));
        continue;
      }
      work.pop();
      const parent = work[work.length - 1];
      if (parent) low.set(parent.v, Math.min(low.get(parent.v) as number, low.get(top.v) as number));
      if (low.get(top.v) !== index.get(top.v)) continue;
      const members: number[] = [];
      for (;;) {
        const w = stack.pop() as number;
        onStack.delete(w);
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
          const r = dfa.universal[w % S] ? this.all : (memo.get(w) as Bits);
          for (let i = 0; i < reach.length; i++) reach[i] = (reach[i] as number) | (r[i] as number);
        });
      }
      for (const m of members) memo.set(m, reach);
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

interface TrieAtom {
  readonly sw: number[];
  readonly nsw: number[];
  readonly eq: number[];
  readonly neq: number[];
}

interface Frame {
  readonly depth: number;
  /** The atom this frame's string is a prefix of (the frame's string is text.slice(0, depth)). */
  readonly text: string;
  readonly d: number;
  readonly a: number;
  readonly pos: Bits;
  readonly neg: Bits;
  readonly group: number;
  readonly children: number[];
  /** The atom ending at this node, if any. */
  readonly atom: TrieAtom | undefined;
  /** Prefix-only must constraints (bit j for prefixOnly[j]) whose StartsWith atoms are on the path. */
  readonly hit: number;
  /** Nothing under this node is a value that meets the must constraints (or has the shape). */
  readonly skip: boolean;
  /** Must constraints (bit j for prefixOnly[j]) some atom at or under this node can satisfy. */
  sub: number;
}

interface PrefixFamily {
  readonly atoms: ReadonlySet<string>;
  /** Every non-empty prefix of an atom. */
  readonly ancestors: ReadonlySet<string>;
  readonly lengths: readonly number[];
}

const familyCache = new Map<string, PrefixFamily>();

/** A must constraint's StartsWith and Equals atoms, with their prefixes (cached: requirements repeat). */
function prefixFamily(c: Constraint): PrefixFamily {
  const key = `${c.sw.join('\u0000')}\u0001${c.eq.join('\u0000')}`;
  let family = familyCache.get(key);
  if (!family) {
    const atoms = new Set([...c.sw, ...c.eq]);
    const ancestors = new Set<string>();
    for (const a of atoms) for (let i = 1; i <= a.length; i++) ancestors.add(a.slice(0, i));
    family = { atoms, ancestors, lengths: [...new Set([...atoms].map((a) => a.length))] };
    if (familyCache.size >= 256) familyCache.clear();
    familyCache.set(key, family);
  }
  return family;
}

/** The regions of a shaped field (see the comment at the top). */
export function shapedRegions(fc: FieldConstraints, n: number, dfa: Dfa): Region[] {
  const { constraints, owners } = fc;
  const K = constraints.length;
  const collector = new RegionCollector(fc, n);
  const { mustMask } = collector;

  const trie = new Map<string, TrieAtom>();
  const suffix = new Map<string, { pos: number[]; neg: number[] }>();
  const atomAt = (v: string) => {
    let e = trie.get(v);
    if (!e) {
      e = { sw: [], nsw: [], eq: [], neq: [] };
      trie.set(v, e);
    }
    return e;
  };
  const suffixAt = (v: string) => {
    let e = suffix.get(v);
    if (!e) {
      e = { pos: [], neg: [] };
      suffix.set(v, e);
    }
    return e;
  };
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
  const relevant = (v: string) =>
    mustAtoms.every(
      ({ atoms, ancestors, lengths }) =>
        ancestors.has(v) || lengths.some((len) => len <= v.length && atoms.has(v.slice(0, len))),
    );
  constraints.forEach((c, k) => {
    const at = atomAt;
    if ((owners[k] as number) < 0 || mustAtoms.length === 0) {
      for (const v of c.sw) at(v).sw.push(k);
      for (const v of c.nsw) at(v).nsw.push(k);
      for (const v of c.eq) at(v).eq.push(k);
      for (const v of c.neq) at(v).neq.push(k);
    } else {
      for (const v of c.sw) if (relevant(v)) at(v).sw.push(k);
      for (const v of c.nsw) if (relevant(v)) at(v).nsw.push(k);
      for (const v of c.eq) if (relevant(v)) at(v).eq.push(k);
      for (const v of c.neq) if (relevant(v)) at(v).neq.push(k);
    }
    for (const v of c.ew) suffixAt(v).pos.push(k);
    for (const v of c.new) suffixAt(v).neg.push(k);
  });
  /** Bit j for each prefixOnly[j] among `ks`. */
  const mustBits = (ks: readonly number[] | undefined) => {
    let bits = 0;
    if (ks)
      for (let j = 0; j < prefixOnly.length; j++) if (ks.includes(prefixOnly[j] as number)) bits |= 1 << j;
    return bits;
  };
  const mustBitsOf = (atom: TrieAtom | undefined) => mustBits(atom?.sw) | mustBits(atom?.eq);
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

  const atomChars = new Set<number>(ac.chars);
  for (const v of trie.keys()) for (let i = 0; i < v.length; i++) atomChars.add(v.charCodeAt(i));
  const fallSymbols = symbolsFor(dfa, atomChars);

  const groupFound: Bits[] = [];
  let groups = 0;
  const posScratch = newBits(K);
  const negScratch = newBits(K);
  const satScratch = newBits(K);
  const consider = (pos: Bits, neg: Bits, extraPos: Bits, extraNeg: Bits, rep: () => Region['rep']) => {
    for (let i = 0; i < posScratch.length; i++) {
      posScratch[i] = (pos[i] as number) | (extraPos[i] as number);
      negScratch[i] = (neg[i] as number) | (extraNeg[i] as number);
    }
    collector.consider(collector.sat(posScratch, negScratch, satScratch), rep);
  };
  const mustDead = (neg: Bits) => {
    for (let i = 0; i < neg.length; i++)
      if (((neg[i] as number) & (mustMask[i] as number)) !== 0) return true;
    return false;
  };
  const withAtom = (bits: Bits, ks: readonly number[]) => {
    if (ks.length === 0) return bits;
    const out = bits.slice();
    for (const k of ks) setBit(out, k);
    return out;
  };

  const full = (found: Bits) => {
    for (let i = 0; i < found.length; i++) if (found[i] !== (product.all[i] as number)) return false;
    return true;
  };
  const evaluate = (f: Frame) => {
    if (f.skip || ((f.hit | f.sub) & prefixOnlyAll) !== prefixOnlyAll) return;
    let found = groupFound[f.group];
    if (!found) {
      found = newBits(outCount);
      groupFound[f.group] = found;
    }
    const atom = f.atom;
    if (f.depth > 0 && dfa.accepting[f.d]) {
      const id = ac.outId[f.a] as number;
      if (atom && atom.eq.length + atom.neq.length > 0) {
        consider(
          withAtom(f.pos, atom.eq),
          withAtom(f.neg, atom.neq),
          outPos[id] as Bits,
          outNeg[id] as Bits,
          () => ({
            kind: 'value',
            value: f.text.slice(0, f.depth),
          }),
        );
      } else if (!hasBit(found, id)) {
        setBit(found, id);
        consider(f.pos, f.neg, outPos[id] as Bits, outNeg[id] as Bits, () => ({
          kind: 'value',
          value: f.text.slice(0, f.depth),
        }));
      }
    }
    if (full(found)) return;
    for (const sym of fallSymbols) {
      if (f.children.includes(sym.code)) continue;
      const d2 = dfa.next[f.d * dfa.classCount + sym.cls] as number;
      if (d2 < 0) continue;
      const a2 = ac.step(f.a, sym.code);
      const reach = outCount === 1 ? ONE : product.get(a2, d2);
      if (isSubset(reach, found)) continue;
      for (let id = 0; id < outCount; id++) {
        if (!hasBit(reach, id) || hasBit(found, id)) continue;
        consider(f.pos, f.neg, outPos[id] as Bits, outNeg[id] as Bits, () => {
          const node = f.text.slice(0, f.depth);
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
      for (let i = 0; i < found.length; i++) found[i] = (found[i] as number) | (reach[i] as number);
      if (full(found)) return;
    }
  };

  const rootAtom = trie.get('');
  const rootPos = withAtom(newBits(K), rootAtom?.sw ?? []);
  const rootNeg = withAtom(newBits(K), rootAtom?.nsw ?? []);
  const stack: Frame[] = [
    {
      depth: 0,
      text: '',
      d: 0,
      a: 0,
      pos: rootPos,
      neg: rootNeg,
      group: groups++,
      children: [],
      atom: rootAtom,
      hit: mustBits(rootAtom?.sw),
      skip: mustDead(rootNeg),
      sub: mustBitsOf(rootAtom),
    },
  ];
  // Frames are evaluated after the walk (when their children and subtrees are known), in the order
  // they were opened: values that leave the trie near the root come first, and the first value of
  // each kill set is the one a witness starts from (`arn:aws:lambda:eu-west-1:…` rather than a
  // near miss such as `…:us-east-10:…`).
  const opened: Frame[] = [stack[0] as Frame];
  const pop = () => {
    const f = stack.pop() as Frame;
    const parent = stack[stack.length - 1];
    if (parent) parent.sub |= f.sub;
  };
  const texts = [...trie.keys()].filter((v) => v !== '').sort();
  let prev = '';
  for (const text of texts) {
    let l = 0;
    while (l < prev.length && l < text.length && prev.charCodeAt(l) === text.charCodeAt(l)) l++;
    prev = text;
    while ((stack[stack.length - 1] as Frame).depth > l) pop();
    if ((stack[stack.length - 1] as Frame).skip) continue;
    // Only the whole text is an atom here: a shorter atom sorts earlier and shares the prefix.
    for (let t = (stack[stack.length - 1] as Frame).depth; t < text.length; t++) {
      const parent = stack[stack.length - 1] as Frame;
      const code = text.charCodeAt(t);
      parent.children.push(code);
      const d = dfa.next[parent.d * dfa.classCount + dfa.classOf(code)] as number;
      const atom = t + 1 === text.length ? trie.get(text) : undefined;
      const prefixAtom = atom !== undefined && atom.sw.length + atom.nsw.length > 0;
      const neg = prefixAtom ? withAtom(parent.neg, (atom as TrieAtom).nsw) : parent.neg;
      const frame: Frame = {
        depth: t + 1,
        text,
        d,
        a: d < 0 ? 0 : ac.step(parent.a, code),
        pos: prefixAtom ? withAtom(parent.pos, (atom as TrieAtom).sw) : parent.pos,
        neg,
        group: prefixAtom ? groups++ : parent.group,
        children: [],
        atom,
        hit: parent.hit | mustBits(atom?.sw),
        skip: d < 0 || (prefixAtom && mustDead(neg)),
        sub: mustBitsOf(atom),
      };
      stack.push(frame);
      opened.push(frame);
      if (frame.skip) break;
    }
  }
  while (stack.length > 0) pop();
  for (const f of opened) evaluate(f);
  return collector.regions();
}
