import type { Constraint } from './compile.js';
import type { FieldConstraints } from './regions.js';
import { type Dfa, run } from './shape.js';
import { hasPrefix } from './strings.js';

/*
 * When a shape cannot change a field's regions, the plain regions of any string (fieldRegions) are
 * exact and much cheaper than walking the shape (shapedRegions). Those plain regions are realised by
 * constants and by values `p + f + q`: a prefix atom p (or nothing), a character f that occurs in no
 * atom, and a suffix atom q (or nothing). Each is also a value of the shape when:
 *
 * - every constant (Equals/NotEquals) has the shape;
 * - after every prefix atom (StartsWith/NotStartsWith), reading f leaves the shape in a universal
 *   state (every continuation accepted), so p + f + q has the shape for every q;
 * - some value of the shape reaches a universal state without starting with any prefix atom (the
 *   `lead`), so lead + f + q stands in for the values that start with no atom.
 *
 * f hides no atom, so these values hit exactly the atoms of p and q as before. Then every region of
 * any string is a region of the shape too, and the shape's regions are among them: the two agree.
 */

/**
 * One-byte letters tried in turn: valid inside every documented ARN shape's names (so the shape
 * walk is rarely needed), rare in atoms, and searched natively. Searching one-byte atoms for a
 * two-byte character with includes() copies them (40 KB a decision on a 500-value trail), so
 * two-byte characters (① and on) come only after these, found by one scan.
 */
const CANDIDATES = ['z', 'q', 'j', 'x', 'k', 'v', 'w', 'y', 'Z', 'Q', 'J', 'X', 'K', 'V', 'W', 'Y'];

/** A character that occurs in no atom of `fc`: it extends no prefix atom and ends no suffix atom. */
export function unusedCharacter(fc: FieldConstraints): string {
  for (const ch of CANDIDATES) if (!fc.constraints.some((c) => mentions(c, ch))) return ch;
  const used = new Set<number>();
  for (const c of fc.constraints)
    for (const list of [c.eq, c.neq, c.sw, c.nsw, c.ew, c.new])
      for (const v of list) for (let i = 0; i < v.length; i++) used.add(v.charCodeAt(i));
  let code = 0x2460;
  while (used.has(code)) code++;
  return String.fromCharCode(code);
}

const anyIncludes = (values: readonly string[], ch: string) => {
  for (let j = 0; j < values.length; j++) if ((values[j] as string).includes(ch)) return true;
  return false;
};

/** Whether a value of `c` contains `ch` (plain loops: this runs for every decision). */
const mentions = (c: Constraint, ch: string) =>
  anyIncludes(c.eq, ch) ||
  anyIncludes(c.neq, ch) ||
  anyIncludes(c.sw, ch) ||
  anyIncludes(c.nsw, ch) ||
  anyIncludes(c.ew, ch) ||
  anyIncludes(c.new, ch);

const READABLE = 'exampleobjctdfghiknqrsuvwyz0123456789-_.ABCDEFGHIJKLMNOPQRSTUVWXYZ';

const leads = new WeakMap<Dfa, string | null>();

/** A shortest value prefix that brings the shape to a universal state (null when none does). */
export function universalLead(dfa: Dfa): string | null {
  let lead = leads.get(dfa);
  if (lead !== undefined) return lead;
  lead = null;
  // One character per class: the listed ones first (readable), then one the lists leave out.
  const symbols: number[] = [];
  for (let cls = 0; cls < dfa.classCount; cls++) {
    const listed = dfa.classChars[cls] ?? '';
    let code = listed.length > 0 ? listed.charCodeAt(0) : -1;
    for (let i = 0; code < 0 && i < READABLE.length; i++)
      if (dfa.classOf(READABLE.charCodeAt(i)) === cls) code = READABLE.charCodeAt(i);
    for (let c = 0x21; code < 0 && c < 0x3000; c++) if (dfa.classOf(c) === cls) code = c;
    symbols.push(code);
  }
  const from = new Int32Array(dfa.stateCount).fill(-2);
  const via = new Int32Array(dfa.stateCount);
  from[0] = -1;
  const queue = [0];
  for (let qi = 0; qi < queue.length; qi++) {
    const d = queue[qi] as number;
    if (dfa.universal[d]) {
      let text = '';
      for (let at = d; at !== 0; at = from[at] as number)
        text = String.fromCharCode(via[at] as number) + text;
      lead = text;
      break;
    }
    for (let cls = 0; cls < dfa.classCount; cls++) {
      const code = symbols[cls] as number;
      const e = dfa.next[d * dfa.classCount + cls] as number;
      if (code < 0 || e < 0 || (from[e] as number) !== -2) continue;
      from[e] = d;
      via[e] = code;
      queue.push(e);
    }
  }
  leads.set(dfa, lead);
  return lead;
}

const states = new WeakMap<Dfa, Map<string, number>>();

/** run(dfa, v), remembered: trails and requirements repeat their atoms from decision to decision. */
function stateAfter(dfa: Dfa, v: string): number {
  let known = states.get(dfa);
  if (!known) {
    known = new Map();
    states.set(dfa, known);
  }
  let d = known.get(v);
  if (d === undefined) {
    d = run(dfa, v);
    if (known.size >= 8192) known.clear();
    known.set(v, d);
  }
  return d;
}

/** Whether the regions of `fc` inside `dfa` are those of any string (see the comment at the top). */
export function shapeFree(fc: FieldConstraints, dfa: Dfa): boolean {
  const lead = universalLead(dfa);
  if (lead === null) return false;
  let fresh = -1; // its class, found when first needed
  const leadsOn = (p: string) => {
    if (hasPrefix(lead, p)) return false;
    const d = stateAfter(dfa, p);
    if (d < 0) return false;
    if (dfa.universal[d]) return true;
    if (fresh < 0) fresh = dfa.classOf(unusedCharacter(fc).charCodeAt(0));
    const e = dfa.next[d * dfa.classCount + fresh] as number;
    return e >= 0 && dfa.universal[e] === 1;
  };
  const hasShape = (v: string) => {
    const d = stateAfter(dfa, v);
    return d >= 0 && dfa.accepting[d] === 1;
  };
  for (const c of fc.constraints) {
    // Indexed loops: for-of over these lists (of several array kinds) allocated an iterator each.
    for (let i = 0; i < c.sw.length; i++) if (!leadsOn(c.sw[i] as string)) return false;
    for (let i = 0; i < c.nsw.length; i++) if (!leadsOn(c.nsw[i] as string)) return false;
    for (let i = 0; i < c.eq.length; i++) if (!hasShape(c.eq[i] as string)) return false;
    for (let i = 0; i < c.neq.length; i++) if (!hasShape(c.neq[i] as string)) return false;
  }
  return true;
}
