/*
 * Small regular descriptions of string shapes (literal parts, character classes with length bounds,
 * choices, optional and repeated parts) and the deterministic automata they compile to. A shape can
 * be matched and reasoned about: the solver walks its automaton alongside the selectors' atoms, and
 * `validate` asks whether a value is, starts or ends an ARN of the shape.
 *
 * Strings are read as UTF-16 code units, exactly like `startsWith`/`endsWith` in the plain matcher.
 */

/** A set of characters: the listed ones, or (negated) every character except them. */
export interface CharSet {
  readonly chars: string;
  readonly negated: boolean;
}

export type Shape =
  | { readonly kind: 'literal'; readonly text: string }
  | {
      readonly kind: 'repeat';
      readonly set: CharSet;
      readonly min: number;
      readonly max: number;
      readonly example: string;
    }
  | { readonly kind: 'sequence'; readonly parts: readonly Shape[]; readonly example?: string }
  | { readonly kind: 'choice'; readonly parts: readonly Shape[]; readonly example?: string }
  | { readonly kind: 'oneOrMore'; readonly part: Shape };

const span = (from: string, to: string) => {
  let out = '';
  for (let c = from.charCodeAt(0); c <= to.charCodeAt(0); c++) out += String.fromCharCode(c);
  return out;
};
export const LOWER = span('a', 'z');
export const UPPER = span('A', 'Z');
export const DIGITS = span('0', '9');
export const HEX = `${DIGITS}abcdef`;

export const oneOf = (chars: string): CharSet => ({ chars, negated: false });
export const noneOf = (chars: string): CharSet => ({ chars, negated: true });
export const ANY: CharSet = noneOf('');

export const lit = (text: string): Shape => ({ kind: 'literal', text });
export const chars = (set: CharSet, min: number, max: number, example: string): Shape => ({
  kind: 'repeat',
  set,
  min,
  max,
  example,
});
export const seq = (parts: readonly Shape[], example?: string): Shape => ({
  kind: 'sequence',
  parts,
  ...(example === undefined ? {} : { example }),
});
export const choice = (parts: readonly Shape[], example?: string): Shape => ({
  kind: 'choice',
  parts,
  ...(example === undefined ? {} : { example }),
});
export const optional = (part: Shape): Shape => choice([lit(''), part], '');
export const oneOrMore = (part: Shape): Shape => ({ kind: 'oneOrMore', part });

/** A string of the shape built from each part's example (the first choice unless one is given). */
export function exampleOf(shape: Shape): string {
  switch (shape.kind) {
    case 'literal':
      return shape.text;
    case 'repeat':
      return shape.example;
    case 'sequence':
      return shape.example ?? shape.parts.map(exampleOf).join('');
    case 'choice':
      return shape.example ?? exampleOf(shape.parts[0] as Shape);
    case 'oneOrMore':
      return exampleOf(shape.part);
  }
}

// ---- compilation -------------------------------------------------------------------------------

/**
 * A trimmed DFA over character classes: every state can still reach acceptance; a missing
 * transition is -1. Characters with identical transitions share a class; characters no part of the
 * shape lists all fall in `otherClass`.
 */
export interface Dfa {
  readonly id: number;
  readonly stateCount: number;
  readonly classCount: number;
  /** next[state * classCount + class]: the next state, or -1. */
  readonly next: Int32Array;
  readonly accepting: Uint8Array;
  /** States from which every continuation is accepted (the language from there is everything). */
  readonly universal: Uint8Array;
  readonly otherClass: number;
  /** The explicitly listed characters of each class (the other class holds more than these). */
  readonly classChars: readonly string[];
  classOf(code: number): number;
}

interface NfaEdge {
  readonly set: CharSet | undefined; // undefined: epsilon
  readonly to: number;
}

class Nfa {
  readonly edges: NfaEdge[][] = [];
  state(): number {
    this.edges.push([]);
    return this.edges.length - 1;
  }
  edge(from: number, set: CharSet | undefined, to: number) {
    (this.edges[from] as NfaEdge[]).push({ set, to });
  }
  /** Adds `shape` between a fresh start state and a fresh end state. */
  build(shape: Shape): { start: number; end: number } {
    const start = this.state();
    const end = this.add(shape, start);
    return { start, end };
  }
  private add(shape: Shape, from: number): number {
    switch (shape.kind) {
      case 'literal': {
        let at = from;
        for (const ch of shape.text) {
          const to = this.state();
          for (let i = 0; i < ch.length; i++) {
            const mid = i === ch.length - 1 ? to : this.state();
            this.edge(at, oneOf(ch[i] as string), mid);
            at = mid;
          }
        }
        return at;
      }
      case 'repeat': {
        let at = from;
        for (let i = 0; i < shape.min; i++) {
          const to = this.state();
          this.edge(at, shape.set, to);
          at = to;
        }
        const end = this.state();
        this.edge(at, undefined, end);
        if (shape.max === Number.POSITIVE_INFINITY) {
          this.edge(at, shape.set, at);
        } else {
          for (let i = shape.min; i < shape.max; i++) {
            const to = this.state();
            this.edge(at, shape.set, to);
            this.edge(to, undefined, end);
            at = to;
          }
        }
        return end;
      }
      case 'sequence': {
        let at = from;
        for (const part of shape.parts) at = this.add(part, at);
        return at;
      }
      case 'choice': {
        const end = this.state();
        for (const part of shape.parts) this.edge(this.add(part, from), undefined, end);
        return end;
      }
      case 'oneOrMore': {
        const start = this.state();
        this.edge(from, undefined, start);
        const last = this.add(shape.part, start);
        this.edge(last, undefined, start);
        return last;
      }
    }
  }
}

function charSets(shape: Shape, into: Map<string, CharSet>) {
  const add = (set: CharSet) => into.set(`${set.negated ? '^' : ''}${set.chars}`, set);
  switch (shape.kind) {
    case 'literal':
      for (let i = 0; i < shape.text.length; i++) add(oneOf(shape.text[i] as string));
      return;
    case 'repeat':
      add(shape.set);
      return;
    case 'sequence':
    case 'choice':
      for (const p of shape.parts) charSets(p, into);
      return;
    case 'oneOrMore':
      charSets(shape.part, into);
  }
}

const setHas = (set: CharSet, ch: string | undefined) =>
  ch === undefined ? set.negated : set.chars.includes(ch) !== set.negated;

let nextDfaId = 1;

/** Compiles a shape to its trimmed DFA (subset construction, then classes of equivalent characters). */
export function compileShape(shape: Shape): Dfa {
  const nfa = new Nfa();
  const { start, end } = nfa.build(shape);
  // Symbols: listed characters that belong to the same sets behave alike, and so do all the
  // characters no part lists (the last symbol, undefined).
  const sets = [
    ...(() => {
      const m = new Map<string, CharSet>();
      charSets(shape, m);
      return m.values();
    })(),
  ];
  const listed = new Set<string>();
  for (const s of sets) for (let i = 0; i < s.chars.length; i++) listed.add(s.chars[i] as string);
  const signature = (ch: string | undefined) => sets.map((s) => (setHas(s, ch) ? '1' : '0')).join('');
  const symbolBySignature = new Map<string, number>();
  const symbols: (string | undefined)[] = [];
  const symbolOfChar = new Map<string, number>();
  for (const ch of [undefined, ...listed]) {
    const sig = signature(ch);
    let sym = symbolBySignature.get(sig);
    if (sym === undefined) {
      sym = symbols.length;
      symbolBySignature.set(sig, sym);
      symbols.push(ch);
    }
    if (ch !== undefined) symbolOfChar.set(ch, sym);
  }

  // The epsilon closure of each NFA state, and its character edges by symbol, computed once.
  const nfaSize = nfa.edges.length;
  const eps: number[][] = [];
  const seenAt = new Int32Array(nfaSize).fill(-1);
  for (let s = 0; s < nfaSize; s++) {
    const closure = [s];
    seenAt[s] = s;
    for (let i = 0; i < closure.length; i++)
      for (const e of nfa.edges[closure[i] as number] as NfaEdge[])
        if (e.set === undefined && seenAt[e.to] !== s) {
          seenAt[e.to] = s;
          closure.push(e.to);
        }
    eps.push(closure);
  }
  // Character edges of each NFA state, with the symbols each one reads (computed once per set).
  const readsOf = new Map<string, Uint8Array>();
  const reads = (set: CharSet) => {
    const key = `${set.negated ? '^' : ''}${set.chars}`;
    let r = readsOf.get(key);
    if (!r) {
      r = Uint8Array.from(symbols, (sym) => (setHas(set, sym) ? 1 : 0));
      readsOf.set(key, r);
    }
    return r;
  };
  const steps = nfa.edges.map((edges) =>
    edges.filter((e) => e.set !== undefined).map((e) => ({ to: e.to, reads: reads(e.set as CharSet) })),
  );

  const subsets: number[][] = [];
  const index = new Map<string, number>();
  const rows: number[][] = [];
  const mark = new Int32Array(nfaSize).fill(-1);
  let stamp = 0;
  /** The DFA state for the closure of `targets`, created on first sight; -1 when empty. */
  const intern = (targets: readonly number[]): number => {
    stamp++;
    const set: number[] = [];
    for (const t of targets)
      for (const c of eps[t] as number[])
        if (mark[c] !== stamp) {
          mark[c] = stamp;
          set.push(c);
        }
    if (set.length === 0) return -1;
    set.sort((a, b) => a - b);
    const key = set.join(',');
    let i = index.get(key);
    if (i === undefined) {
      i = subsets.length;
      subsets.push(set);
      index.set(key, i);
    }
    return i;
  };
  intern([start]);
  for (let i = 0; i < subsets.length; i++) {
    const row: number[] = [];
    for (let sym = 0; sym < symbols.length; sym++) {
      const targets: number[] = [];
      for (const s of subsets[i] as number[])
        for (const step of steps[s] as { to: number; reads: Uint8Array }[])
          if (step.reads[sym]) targets.push(step.to);
      row.push(intern(targets));
    }
    rows.push(row);
  }
  const accepting = subsets.map((set) => set.includes(end));

  // Trim: keep states that can reach acceptance (backwards from the accepting states).
  const reverse: number[][] = rows.map(() => []);
  rows.forEach((row, i) => {
    for (const t of row) if (t >= 0) (reverse[t] as number[]).push(i);
  });
  const live = accepting.slice();
  const queue = accepting.flatMap((a, i) => (a ? [i] : []));
  for (let qi = 0; qi < queue.length; qi++)
    for (const p of reverse[queue[qi] as number] as number[])
      if (!live[p]) {
        live[p] = true;
        queue.push(p);
      }
  if (!live[0]) throw new Error('internal: a shape with no strings');
  const renumber = new Map<number, number>();
  live.forEach((l, i) => {
    if (l) renumber.set(i, renumber.size);
  });
  const trimmed = rows
    .filter((_, i) => live[i])
    .map((row) => row.map((t) => (t >= 0 && live[t] ? (renumber.get(t) as number) : -1)));
  const acc = accepting.filter((_, i) => live[i]);

  // Classes: symbols whose columns agree. The other symbol (0) comes first, so that its class
  // is found as "everything not listed" plus any listed look-alikes.
  const columnKey = (sym: number) => trimmed.map((row) => row[sym]).join(',');
  const classByKey = new Map<string, number>();
  const classOfSymbol: number[] = [];
  const classChars: string[] = [];
  symbols.forEach((_, sym) => {
    const key = columnKey(sym);
    let c = classByKey.get(key);
    if (c === undefined) {
      c = classChars.length;
      classByKey.set(key, c);
      classChars.push('');
    }
    classOfSymbol[sym] = c;
  });
  for (const [ch, sym] of symbolOfChar) classChars[classOfSymbol[sym] as number] += ch;
  const classCount = classChars.length;
  const stateCount = trimmed.length;
  const next = new Int32Array(stateCount * classCount).fill(-1);
  trimmed.forEach((row, s) => {
    row.forEach((t, sym) => {
      next[s * classCount + (classOfSymbol[sym] as number)] = t;
    });
  });
  const otherClass = classOfSymbol[0] as number;
  const ascii = new Int16Array(128).fill(otherClass);
  const wide = new Map<number, number>();
  for (const [ch, sym] of symbolOfChar) {
    const code = ch.charCodeAt(0);
    if (code < 128) ascii[code] = classOfSymbol[sym] as number;
    else wide.set(code, classOfSymbol[sym] as number);
  }

  // Universal states: accepting, and every class stays among universal states. A state is not
  // universal when it rejects, misses a class, or can move to a state that is not universal.
  const universal = Uint8Array.from(acc, () => 1);
  const preds: number[][] = Array.from({ length: stateCount }, () => []);
  const bad: number[] = [];
  for (let s = 0; s < stateCount; s++) {
    let ok = acc[s] === true;
    for (let c = 0; c < classCount; c++) {
      const t = next[s * classCount + c] as number;
      if (t < 0) ok = false;
      else (preds[t] as number[]).push(s);
    }
    if (!ok) {
      universal[s] = 0;
      bad.push(s);
    }
  }
  for (let qi = 0; qi < bad.length; qi++)
    for (const p of preds[bad[qi] as number] as number[])
      if (universal[p]) {
        universal[p] = 0;
        bad.push(p);
      }

  return {
    id: nextDfaId++,
    stateCount,
    classCount,
    next,
    accepting: Uint8Array.from(acc, (a) => (a ? 1 : 0)),
    universal,
    otherClass,
    classChars,
    classOf: (code: number) => (code < 128 ? (ascii[code] as number) : (wide.get(code) ?? otherClass)),
  };
}

/** The state after reading `s` from `state`, or -1 once no string of the shape can continue. */
export function run(dfa: Dfa, s: string, state = 0): number {
  let d = state;
  for (let i = 0; i < s.length && d >= 0; i++)
    d = dfa.next[d * dfa.classCount + dfa.classOf(s.charCodeAt(i))] as number;
  return d;
}

/** Whether `s` has the shape. */
export function accepts(dfa: Dfa, s: string): boolean {
  const d = run(dfa, s);
  return d >= 0 && dfa.accepting[d] === 1;
}

/** Whether some string of the shape starts with `s`. */
export function startsSome(dfa: Dfa, s: string): boolean {
  return run(dfa, s) >= 0;
}

/** Whether some string of the shape ends with `s`. */
export function endsSome(dfa: Dfa, s: string): boolean {
  // Every state of a trimmed DFA is reachable from the start, so try reading `s` from each.
  let states = new Uint8Array(dfa.stateCount).fill(1);
  for (let i = 0; i < s.length; i++) {
    const cls = dfa.classOf(s.charCodeAt(i));
    const next = new Uint8Array(dfa.stateCount);
    let any = false;
    for (let d = 0; d < dfa.stateCount; d++) {
      if (!states[d]) continue;
      const t = dfa.next[d * dfa.classCount + cls] as number;
      if (t >= 0) {
        next[t] = 1;
        any = true;
      }
    }
    if (!any) return false;
    states = next;
  }
  for (let d = 0; d < dfa.stateCount; d++) if (states[d] && dfa.accepting[d]) return true;
  return false;
}
