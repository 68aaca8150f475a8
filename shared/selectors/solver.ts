import {
  andNot,
  type Bits,
  type BitsKey,
  bitsKey,
  isEmpty,
  isSubset,
  newBits,
  or,
  popAnd,
  setBit,
} from './bits.js';
import type { CompiledSelector, Constraint } from './compile.js';
import { FIELD_DOMAINS } from './fields.js';
import { constraintMatches } from './match.js';
import { narrowToMust } from './narrow.js';
import {
  type FieldConstraints,
  fieldRegions,
  maximalRegions,
  type Region,
  type RegionRep,
} from './regions.js';
import { arnShape, isDocumentedType } from './resourceTypes.js';
import { accepts, type Dfa, run } from './shape.js';
import { shapedRegions } from './shapedRegions.js';
import { shapeFree, universalLead, unusedCharacter } from './shapeFree.js';
import { type CloudTrailEvent, EVENT_FIELDS, type EventField } from './types.js';
import { preferredTypes, preferredValues, UNDOCUMENTED_TYPES } from './witness.js';

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
 *
 * resources.ARN is the exception: its value is an ARN of the shape of the event's resources.type
 * (in the partition of the trail). When both fields are constrained they are one joint problem:
 * for each region of the type (a documented type, an undocumented one, or a fresh string), the
 * ARN's regions are taken inside that type's shape (see shapedRegions.ts); a type with no
 * documented format, or a string that is no documented type, leaves the ARN any non-empty string.
 */

export interface SolveOptions {
  /**
   * The partition of the trail or event data store: resources.ARN has the shape of its type there.
   * Undefined: every known partition.
   */
  readonly partition?: string | undefined;
  /** Skip building the witness when only the yes/no answer is wanted. */
  readonly witness?: boolean;
}

interface JointRep {
  readonly kind: 'joint';
  readonly type: Region;
  readonly arn: Region;
  readonly shape: Dfa | undefined;
}

interface SearchRegion {
  readonly kill: Bits;
  readonly rep: RegionRep | JointRep;
}

interface Problem {
  /** The field's constraints, or the type's and the ARN's for the joint problem. */
  readonly fields: readonly FieldConstraints[];
  readonly regions: readonly SearchRegion[];
}

/**
 * An event that every selector of `must` matches and no selector of `mustNot` matches, or undefined
 * when there is none. Exact; the result is re-checked with the plain matcher.
 */
export function findEvent(
  must: readonly CompiledSelector[],
  mustNot: readonly CompiledSelector[],
  options: SolveOptions = {},
): CloudTrailEvent | undefined {
  // Only what can decide a match on events that meet `must` is kept (see narrow.ts); a selector
  // left with no constraint matches every such event.
  const relevant = narrowToMust(must, mustNot);
  if (relevant.some((s) => s.constraints.length === 0)) return undefined;
  const event = typicalEvent(must, relevant, options) ?? search(must, relevant, options);
  if (event && options.witness !== false) assertWitness(must, mustNot, event, options.partition);
  return event;
}

/**
 * The event a witness of `must` alone would be (the most natural one: `PutObject` on
 * `example-bucket/example-object.txt`), when no `mustNot` selector matches it. A coverage gap is
 * usually this plain, and finding it costs a search over `must`'s few constraints instead of the
 * whole list's; it is also the witness an auditor reads most easily. Exact either way: the event
 * is checked, and when it does not fit the full search decides.
 */
function typicalEvent(
  must: readonly CompiledSelector[],
  mustNot: readonly CompiledSelector[],
  options: SolveOptions,
): CloudTrailEvent | undefined {
  // Only where a witness is wanted: yes/no questions (merge asks thousands, each about another
  // selector) would build and remember an event for each. With nothing to avoid, the typical event
  // is the answer (remembered, where a search would build it anew).
  if (options.witness === false) return undefined;
  const event = typicalOf(must, options.partition);
  // Checked against both lists: the memo's key is a join, and a value could contain its separators.
  if (
    !event ||
    !must.every((s) => selectorMatches(s, event)) ||
    mustNot.some((s) => selectorMatches(s, event))
  )
    return undefined;
  return { ...event };
}

/**
 * The typical event of `must` in `partition`, remembered by content: a policy asks the same
 * requirement of every trail, and building the event is most of the cost of asking.
 */
const typicalEvents = new Map<string, CloudTrailEvent | null>();

function typicalOf(must: readonly CompiledSelector[], partition: string | undefined) {
  let key = partition ?? '';
  for (const s of must) {
    key += '\u0002';
    for (const c of s.constraints)
      key += `\u0001${c.field}\u0000${c.eq.join('\u0000')}\u0003${c.sw.join('\u0000')}\u0003${c.ew.join('\u0000')}\u0003${c.neq.join('\u0000')}\u0003${c.nsw.join('\u0000')}\u0003${c.new.join('\u0000')}`;
  }
  let event = typicalEvents.get(key);
  if (event === undefined) {
    event = search(must, [], { partition, witness: true }) ?? null;
    if (typicalEvents.size >= 256) typicalEvents.clear();
    typicalEvents.set(key, event);
  }
  return event;
}

/** Joint regions of (resources.type, resources.ARN): each type region with the ARN regions of its shape. */
function jointRegions(
  typeFc: FieldConstraints,
  arnFc: FieldConstraints,
  n: number,
  partition: string | undefined,
): SearchRegion[] {
  const byShape = new Map<number, Region[]>();
  const out = new Map<BitsKey, SearchRegion>();
  for (const t of fieldRegions(typeFc, n, { splitValues: true })) {
    const shape = t.rep.kind === 'value' ? arnShape(t.rep.value, partition) : undefined;
    const key = shape?.id ?? 0;
    let arnRegions = byShape.get(key);
    if (!arnRegions) {
      // The shape walk only where the shape can change the regions (see shapeFree.ts).
      arnRegions =
        shape && !shapeFree(arnFc, shape) ? shapedRegions(arnFc, n, shape) : fieldRegions(arnFc, n);
      byShape.set(key, arnRegions);
    }
    for (const a of arnRegions) {
      const kill = or(t.kill, a.kill);
      const k = bitsKey(kill);
      if (!out.has(k)) out.set(k, { kill, rep: { kind: 'joint', type: t, arn: a, shape } });
    }
  }
  return maximalRegions([...out.values()]);
}

function search(
  must: readonly CompiledSelector[],
  mustNot: readonly CompiledSelector[],
  options: SolveOptions,
): CloudTrailEvent | undefined {
  const n = mustNot.length;

  const perField = new Map<EventField, { field: EventField; constraints: Constraint[]; owners: number[] }>();
  const add = (c: Constraint, owner: number) => {
    let e = perField.get(c.field);
    if (!e) {
      e = { field: c.field, constraints: [], owners: [] };
      perField.set(c.field, e);
    }
    e.constraints.push(c);
    e.owners.push(owner);
  };
  for (const s of must) for (const c of s.constraints) add(c, -1);
  mustNot.forEach((s, i) => {
    for (const c of s.constraints) add(c, i);
  });

  const typeFc = perField.get('resources.type');
  const arnFc = perField.get('resources.ARN');
  const joint = typeFc !== undefined && arnFc !== undefined;
  const problems: Problem[] = [];
  for (const fc of perField.values()) {
    if (joint && (fc === typeFc || fc === arnFc)) continue;
    const regions = fieldRegions(fc, n);
    if (regions.length === 0) return undefined;
    problems.push({ fields: [fc], regions });
  }
  if (joint) {
    const regions = jointRegions(typeFc, arnFc, n, options.partition);
    if (regions.length === 0) return undefined;
    problems.push({ fields: [typeFc, arnFc], regions });
  }
  // Fields with few regions first: they are forced choices and prune early.
  problems.sort((a, b) => a.regions.length - b.regions.length);

  const killableFrom: Bits[] = [];
  let acc = newBits(n);
  killableFrom[problems.length] = acc;
  for (let i = problems.length - 1; i >= 0; i--) {
    for (const r of (problems[i] as Problem).regions) acc = or(acc, r.kill);
    killableFrom[i] = acc;
  }

  const chosen: SearchRegion[] = [];
  const failed: Set<BitsKey>[] = problems.map(() => new Set());
  const dfs = (i: number, alive: Bits): boolean => {
    if (isEmpty(alive)) {
      for (let j = i; j < problems.length; j++)
        chosen[j] = (problems[j] as Problem).regions[0] as SearchRegion;
      return true;
    }
    if (i === problems.length || !isSubset(alive, killableFrom[i] as Bits)) return false;
    const key = bitsKey(alive);
    const memo = failed[i] as Set<BitsKey>;
    if (memo.has(key)) return false;
    const options = (problems[i] as Problem).regions
      .map((r) => ({ r, gain: popAnd(r.kill, alive) }))
      .sort((a, b) => b.gain - a.gain);
    const tried = new Set<BitsKey>();
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
  if (options.witness === false) return {};
  return new WitnessBuilder(problems, chosen, n, options.partition).build();
}

// ---- the witness -------------------------------------------------------------------------------

/** The mustNot selectors a value kills on this field, or undefined when it breaks a must constraint. */
function killOf(fc: FieldConstraints, v: string | undefined, n: number): Bits | undefined {
  const kill = newBits(n);
  for (let k = 0; k < fc.constraints.length; k++) {
    const ok = constraintMatches(fc.constraints[k] as Constraint, v);
    const owner = fc.owners[k] as number;
    if (owner < 0 && !ok) return undefined;
    if (owner >= 0 && !ok) setBit(kill, owner);
  }
  return kill;
}

/**
 * Readable values for a region of a shaped field, most natural first; the caller checks each and
 * stops at the first that fits (at most `budget` are offered).
 */
function* shapedCandidates(
  shape: Dfa,
  rep: { readonly node: string; readonly head: string; readonly ending: string },
  examples: readonly string[],
  budget = 400,
): Generator<string> {
  const seen = new Set<string>();
  const variants = (v: string) =>
    rep.ending === ''
      ? [v]
      : // Keep the value's own extension readable: example-object.txt becomes example-object.tmp.
        [v.replace(/\.[A-Za-z0-9]{1,5}$/, '') + rep.ending, v + rep.ending];
  const fresh = function* (v: string) {
    for (const x of variants(v)) {
      if (seen.has(x) || seen.size >= budget) continue;
      seen.add(x);
      yield x;
    }
  };
  /** The node, then the rest of an example from a separator on (`…:::payroll/` + `example-object.txt`). */
  const tails = function* (list: readonly string[]) {
    for (const e of list)
      for (let i = 1; i < e.length; i++) {
        const at = e[i] as string;
        const before = e[i - 1] as string;
        if (at === ':' || at === '/' || before === ':' || before === '/') yield* fresh(rep.node + e.slice(i));
      }
  };
  /** `base`, continued by an example from where the example is in the same state as `base`. */
  const aligned = function* (base: string, sameChar: boolean) {
    const state = run(shape, base);
    if (state < 0) return;
    for (const e of examples) {
      let d = 0;
      for (let i = 0; i <= e.length && d >= 0; i++) {
        if (d === state && (!sameChar || e[i - 1] === base[base.length - 1])) yield* fresh(base + e.slice(i));
        if (i < e.length) d = run(shape, e[i] as string, d);
      }
    }
  };
  // An example that already starts the right way (`arn:aws:s3:::pay` → `…:::payroll-data/…`).
  for (const e of examples) if (e.startsWith(rep.head) || e.startsWith(rep.node)) yield* fresh(e);
  // The rest of an example from where it is in the node's state (`…:::acme-payroll/` + `example-object.txt`).
  yield* aligned(rep.node, false);
  // `arn:aws:s3:::a` + `mzn-s3-demo-bucket/…`: an example with the same character there.
  yield* aligned(rep.head, true);
  yield* tails(examples);
  yield* aligned(rep.head, false);
}

/** False when a must constraint on the field can only be met by values no string of the shape starts as. */
function mayHaveShape(fc: FieldConstraints, shape: Dfa): boolean {
  return fc.constraints.every(
    (c, k) =>
      (fc.owners[k] as number) >= 0 ||
      c.ew.length > 0 ||
      c.eq.length + c.sw.length === 0 ||
      c.eq.some((v) => accepts(shape, v)) ||
      c.sw.some((v) => run(shape, v) >= 0),
  );
}

class WitnessBuilder {
  private readonly event: CloudTrailEvent = {};
  private readonly single = new Map<EventField, { fc: FieldConstraints; region: SearchRegion }>();
  private joint: { typeFc: FieldConstraints; arnFc: FieldConstraints; rep: JointRep } | undefined;

  constructor(
    problems: readonly Problem[],
    chosen: readonly SearchRegion[],
    private readonly n: number,
    private readonly shapePartition: string | undefined,
  ) {
    problems.forEach((p, i) => {
      const region = chosen[i] as SearchRegion;
      if (p.fields.length === 2)
        this.joint = {
          typeFc: p.fields[0] as FieldConstraints,
          arnFc: p.fields[1] as FieldConstraints,
          rep: region.rep as JointRep,
        };
      else
        this.single.set((p.fields[0] as FieldConstraints).field, {
          fc: p.fields[0] as FieldConstraints,
          region,
        });
    });
  }

  build(): CloudTrailEvent {
    for (const field of ['eventCategory', 'readOnly', 'sessionCredentialFromConsole'] as const)
      this.simple(field);
    this.resources();
    for (const field of [
      'eventSource',
      'eventName',
      'eventType',
      'userIdentity.arn',
      'errorCode',
      'vpcEndpointId',
    ] as const)
      this.simple(field);
    const ordered: CloudTrailEvent = {};
    for (const field of EVENT_FIELDS) if (this.event[field] !== undefined) ordered[field] = this.event[field];
    return ordered;
  }

  private set(field: EventField, value: string | undefined) {
    if (value === undefined) delete this.event[field];
    else this.event[field] = value;
  }

  private simple(field: EventField) {
    const preferred = preferredValues(field, this.event, this.shapePartition);
    const c = this.single.get(field);
    if (c) this.set(field, this.value(c.fc, c.region, preferred));
    else if (!FIELD_DOMAINS[field].optional) this.set(field, preferred[0]);
  }

  /** A concrete value inside `region`: readable candidates first, a value sure to be in it last. */
  private value(
    fc: FieldConstraints,
    region: SearchRegion,
    preferred: readonly string[],
    shape?: Dfa,
  ): string | undefined {
    const rep = region.rep as RegionRep;
    if (rep.kind === 'absent') return undefined;
    if (rep.kind === 'value') return rep.value;
    const fits = (v: string) => {
      if (v === '' || (shape && !accepts(shape, v))) return false;
      const kill = killOf(fc, v, this.n);
      return kill !== undefined && isSubset(region.kill, kill);
    };
    if (rep.kind === 'shaped') {
      for (const c of shapedCandidates(shape as Dfa, rep, preferred)) if (fits(c)) return c;
      const built = rep.complete();
      if (!fits(built)) throw new Error(`internal: ${built} is not in the region it was built for`);
      return built;
    }
    if (shape) {
      // A region of any string inside a shape that cannot change it (shapeFree.ts): the same
      // readable values as a region of the shape walk, first.
      const asShaped = { node: rep.prefix, head: rep.prefix, ending: rep.suffix };
      for (const c of shapedCandidates(shape, asShaped, preferred)) if (fits(c)) return c;
    }
    const fresh = unusedCharacter(fc);
    const candidates = [
      ...preferred,
      `${rep.prefix}example${rep.suffix}`,
      `${rep.prefix}x${rep.suffix}`,
      `${rep.prefix}${fresh}${rep.suffix}`,
    ];
    // With no prefix atom, the shape's lead to a universal state stands in for the empty prefix.
    const lead = shape && rep.prefix === '' ? universalLead(shape) : null;
    if (lead !== null) candidates.push(`${lead}${fresh}${rep.suffix}`);
    for (const c of candidates) if (fits(c)) return c;
    throw new Error('internal: no value found in a fresh region');
  }

  /** resources.type and resources.ARN together: the ARN has the type's shape. */
  private resources() {
    const p = this.shapePartition;
    if (this.joint) {
      const { typeFc, arnFc, rep } = this.joint;
      if (rep.type.rep.kind === 'value') {
        const type = rep.type.rep.value;
        this.set('resources.type', type);
        const preferred = preferredValues('resources.ARN', this.event, p);
        this.set('resources.ARN', this.value(arnFc, rep.arn, preferred, rep.shape));
        return;
      }
      this.chooseResource(typeFc, rep.type, arnFc, rep.arn);
      return;
    }
    const type = this.single.get('resources.type');
    const arn = this.single.get('resources.ARN');
    this.chooseResource(type?.fc, type?.region, arn?.fc, arn?.region);
  }

  /**
   * A real resource for a type region and an ARN region of any non-empty string: a documented type
   * whose ARN shape has a value in the region, else a real type the reference does not document.
   */
  private chooseResource(
    typeFc: FieldConstraints | undefined,
    typeRegion: SearchRegion | undefined,
    arnFc: FieldConstraints | undefined,
    arnRegion: SearchRegion | undefined,
  ) {
    const p = this.shapePartition;
    const typeFits = (t: string) => {
      if (!typeFc || !typeRegion) return true;
      const kill = killOf(typeFc, t, this.n);
      return kill !== undefined && isSubset(typeRegion.kill, kill);
    };
    const fixed = typeRegion && (typeRegion.rep as RegionRep).kind === 'value';
    const candidates = fixed
      ? [((typeRegion as SearchRegion).rep as { value: string }).value]
      : [...preferredTypes(this.event.eventCategory), ...UNDOCUMENTED_TYPES.map((u) => u.type)];
    for (const type of candidates) {
      if (!fixed && !typeFits(type)) continue;
      const shape = arnShape(type, this.shapePartition);
      this.set('resources.type', type);
      const preferred = preferredValues('resources.ARN', this.event, p);
      if (!arnFc || !arnRegion) {
        this.set('resources.ARN', preferred[0]);
        return;
      }
      if (!shape) {
        this.set('resources.ARN', this.value(arnFc, arnRegion, preferred));
        return;
      }
      // The ARN region was found without a shape; find one inside this type's shape that kills as much.
      if (!mayHaveShape(arnFc, shape)) continue;
      const inside = shapedRegions(arnFc, this.n, shape).find((r) => isSubset(arnRegion.kill, r.kill));
      if (inside) {
        this.set('resources.ARN', this.value(arnFc, inside, preferred, shape));
        return;
      }
    }
    // The type region asks for a string no real type matches (say, StartsWith "Custom::").
    const type = this.value(typeFc as FieldConstraints, typeRegion as SearchRegion, []) as string;
    if (isDocumentedType(type)) throw new Error(`internal: ${type} was expected to be undocumented`);
    this.set('resources.type', type);
    const preferred = preferredValues('resources.ARN', this.event, p);
    this.set('resources.ARN', arnFc && arnRegion ? this.value(arnFc, arnRegion, preferred) : preferred[0]);
  }
}

function selectorMatches(s: CompiledSelector, e: CloudTrailEvent): boolean {
  return s.constraints.every((c) => constraintMatches(c, e[c.field]));
}

function assertWitness(
  must: readonly CompiledSelector[],
  mustNot: readonly CompiledSelector[],
  e: CloudTrailEvent,
  partition: string | undefined,
) {
  const type = e['resources.type'];
  const arn = e['resources.ARN'];
  const shape = type === undefined ? undefined : arnShape(type, partition);
  if (
    !must.every((s) => selectorMatches(s, e)) ||
    mustNot.some((s) => selectorMatches(s, e)) ||
    (shape && (arn === undefined || !accepts(shape, arn)))
  ) {
    // Unreachable if the region argument holds; failing loudly beats a wrong verdict.
    throw new Error(`internal: witness ${JSON.stringify(e)} does not check out`);
  }
}
