import { EQUALS_ONLY_FIELDS } from './categoryRules.js';
import {
  type CompiledSelector,
  type Constraint,
  compileSelector,
  compileSelectors,
  constraintHasPositive,
  constraintToFieldSelector,
} from './compile.js';
import { asAdvanced, BASIC_DATA_RESOURCE_TYPES, toAdvanced } from './convert.js';
import { sameEvents } from './decide.js';
import { MergeError, PolicyConflictError } from './errors.js';
import { FIELD_DOMAINS } from './fields.js';
import { constraintMatches } from './match.js';
import { findEvent, type SolveOptions } from './solver.js';
import type {
  AdvancedEventSelector,
  EventSelector,
  ReadWriteType,
  ResourceKind,
  SelectorConfig,
} from './types.js';
import { errorsOf, validate } from './validate.js';

export interface MergeOptions {
  target?: ResourceKind;
  /**
   * The resource's partition (from its ARN): decisions are taken over ARNs of that partition, and a
   * whole-service basic value (`arn:aws:s3`) is written in it. Undefined: every known partition is
   * considered, and `aws` is written.
   */
  partition?: string;
}

export interface MergeResult {
  /** The configuration to send with PutEventSelectors (equal to the input when `changed` is false). */
  readonly selectors: SelectorConfig;
  readonly changed: boolean;
  readonly style: 'basic' | 'advanced';
  /** Indices of required selectors that were not yet covered. */
  readonly addedRequirements: readonly number[];
  /** Whether forbidden events had to be removed from what was logged. */
  readonly removedForbidden: boolean;
}

type Advanced = AdvancedEventSelector;

const isBasic = (c: SelectorConfig): c is { EventSelectors: EventSelector[] } =>
  !('AdvancedEventSelectors' in c);

/** Whether `selector` matches some event `list` misses, in the partition of `solve`. */
const uncovered = (list: readonly CompiledSelector[], selector: CompiledSelector, solve: SolveOptions) =>
  findEvent([selector], list, solve) !== undefined;

/** Whether the selectors match some event together. */
const meet = (selectors: readonly CompiledSelector[], solve: SolveOptions) =>
  findEvent(selectors, [], solve) !== undefined;

/**
 * Safe remediation (docs/semantics.md, "6. Changing a trail safely"): the result logs everything `current` logged, everything
 * `required` matches and nothing `forbidden` matches; keeps the basic style when it can; adds only
 * what is missing; and is a fixed point. Every changed result passes `validate(result, target)`:
 * the per-category field table decides what may be added and how a forbidden set is cut out.
 * Throws PolicyConflictError when required and forbidden meet; MergeError when no list the target
 * accepts can express the result (a missing requirement the target cannot take, a forbidden set it
 * cannot remove exactly, a limit), with the rule broken in `problems`; SelectorError on malformed input.
 */
export function merge(
  current: SelectorConfig,
  required: readonly Advanced[],
  forbidden: readonly Advanced[] = [],
  options: MergeOptions = {},
): MergeResult {
  const target = options.target ?? 'trail';
  const partition = options.partition ?? 'aws';
  const solve: SolveOptions = { partition: options.partition, witness: false };
  const req = compileSelectors(required, 'require.logEvents');
  const forb = compileSelectors(forbidden, 'forbid.logEvents');
  rejectMeaningless(forbidden, target);
  req.forEach((r, j) => {
    forb.forEach((f, k) => {
      const witness = findEvent([r, f], [], { partition: options.partition });
      if (witness)
        throw new PolicyConflictError(`require.logEvents[${j}]`, `forbid.logEvents[${k}]`, witness);
    });
  });

  const before = asAdvanced(current);
  const beforeCompiled = compileSelectors(before);
  const missing = req.flatMap((r, j) => (uncovered(beforeCompiled, r, solve) ? [j] : []));
  const logsForbidden = beforeCompiled.some((s) => forb.some((f) => meet([s, f], solve)));
  if (missing.length === 0 && !logsForbidden) {
    return {
      selectors: current,
      changed: false,
      style: isBasic(current) ? 'basic' : 'advanced',
      addedRequirements: [],
      removedForbidden: false,
    };
  }

  const check = (candidate: SelectorConfig): boolean => {
    if (errorsOf(validate(candidate, target, { lint: false })).length > 0) return false;
    const afterList = asAdvanced(candidate);
    const after = compileSelectors(afterList);
    if (req.some((r) => uncovered(after, r, solve))) return false;
    if (after.some((s) => forb.some((f) => meet([s, f], solve)))) return false;
    // Nothing logged before is lost, except what the policy forbids. A selector kept verbatim is
    // trivially still logged; the rest are proved with the solver.
    const kept = new Set(afterList.map((s) => JSON.stringify(s.FieldSelectors)));
    return beforeCompiled.every(
      (s, i) =>
        kept.has(JSON.stringify(before[i]?.FieldSelectors)) || !uncovered([...after, ...forb], s, solve),
    );
  };

  const result = (selectors: SelectorConfig, style: 'basic' | 'advanced'): MergeResult => ({
    selectors,
    changed: true,
    style,
    addedRequirements: missing,
    removedForbidden: logsForbidden,
  });

  if (isBasic(current) && !logsForbidden && target === 'trail') {
    const basic = mergeBasic(
      current.EventSelectors,
      missing.map((j) => required[j] as Advanced),
      partition,
      solve,
    );
    if (basic && check({ EventSelectors: basic })) return result({ EventSelectors: basic }, 'basic');
  }

  let list: Advanced[] = [...before];
  for (const j of missing) {
    const r = required[j] as Advanced;
    if (uncovered(compileSelectors(list), req[j] as CompiledSelector, solve)) {
      assertWritable(r, target, `require.logEvents[${j}]`, `require.logEvents[${j}]`);
      list.push({ ...r, Name: r.Name ?? `Required by policy (require.logEvents[${j}])` });
    }
  }
  if (logsForbidden) {
    list = dropRedundant(subtract(list, forb, target, solve), () => true, solve);
  } else {
    // Drop the original selectors that the additions alone now cover, then any addition covered by the rest.
    const added = compileSelectors(list.slice(before.length));
    const originals = compileSelectors(before);
    list = list.filter(
      (_, i) => i >= before.length || uncovered(added, originals[i] as CompiledSelector, solve),
    );
    const firstAdded = list.length - added.length;
    list = dropRedundant(list, (_, i) => i >= firstAdded, solve);
  }
  // Back to the basic style when every resulting selector has an exact basic form.
  if (isBasic(current) && target === 'trail') {
    const basic = list.map((s) => toBasic(s, partition, options.partition));
    if (basic.every((b) => b !== undefined)) {
      const list5 = basic as EventSelector[];
      const candidate = { EventSelectors: list5.length > 5 ? consolidateBasic(list5) : list5 };
      if (check(candidate)) return result(candidate, 'basic');
    }
  }
  const candidate = { AdvancedEventSelectors: list };
  const problems = errorsOf(validate(candidate, target, { lint: false }));
  if (problems.length > 0) {
    throw new MergeError(
      `the merged selectors cannot be written: ${problems.map((p) => `${p.path}: ${p.message}`).join('; ')}`,
      problems,
    );
  }
  if (!check(candidate)) throw new MergeError('internal: the merged selectors failed verification');
  return result(candidate, 'advanced');
}

/**
 * Throws MergeError when one selector breaks a rule of the target (field table, operators,
 * values); `what` names it in the message and `at` prefixes the problems' paths.
 */
function assertWritable(selector: Advanced, target: ResourceKind, what: string, at: string) {
  const problems = errorsOf(validate([selector], target, { lint: false, selectorPath: () => at }));
  if (problems.length === 0) return;
  throw new MergeError(
    `${what} cannot be written to ${target === 'trail' ? 'a trail' : 'an event data store'}: ${problems.map((p) => p.message).join('; ')}`,
    problems,
  );
}

/** A forbidden set must be one the target could log at all (validate's forbid purpose). */
function rejectMeaningless(forbidden: readonly Advanced[], target: ResourceKind) {
  const problems = errorsOf(
    validate(forbidden, target, { lint: false, purpose: 'forbid', listPath: 'forbid.logEvents' }),
  );
  if (problems.length > 0)
    throw new MergeError(
      `the forbidden events are not a set this target can log: ${problems.map((p) => `${p.path}: ${p.message}`).join('; ')}`,
      problems,
    );
}

/** Removes dead selectors, then selectors covered by the rest (older ones first), among the candidates. */
function dropRedundant(
  list: readonly Advanced[],
  candidate: (s: CompiledSelector, i: number) => boolean,
  solve: SolveOptions,
): Advanced[] {
  const compiled = compileSelectors(list);
  const keep = compiled.map((s, i) => !candidate(s, i) || meet([s], solve));
  for (let i = 0; i < compiled.length; i++) {
    if (!keep[i] || !candidate(compiled[i] as CompiledSelector, i)) continue;
    const others = compiled.filter((_, j) => j !== i && keep[j]);
    if (!uncovered(others, compiled[i] as CompiledSelector, solve)) keep[i] = false;
  }
  return list.filter((_, i) => keep[i]);
}

// ---- basic style -------------------------------------------------------------------------------

const SERVICE: Record<string, string> = {
  'AWS::S3::Object': 's3',
  'AWS::Lambda::Function': 'lambda',
  'AWS::DynamoDB::Table': 'dynamodb',
};

/**
 * A basic selector logging exactly what `r` logs, if there is one; whole-service values are written
 * in `partition`, and equivalence is decided in `shapePartition` (every known partition when undefined).
 */
export function toBasic(r: Advanced, partition = 'aws', shapePartition?: string): EventSelector | undefined {
  let c: CompiledSelector;
  try {
    c = compileSelector(r, 'selector');
  } catch {
    return undefined;
  }
  const field = (name: string) => c.constraints.filter((x) => x.field === name);
  const single = (name: string) => {
    const xs = field(name);
    return xs.length === 1 ? xs[0] : undefined;
  };
  const onlyEquals = (x: Constraint | undefined) =>
    x && x.sw.length + x.ew.length + x.neq.length + x.nsw.length + x.new.length === 0 ? x.eq : undefined;
  const category = onlyEquals(single('eventCategory'));
  if (category?.length !== 1) return undefined;
  let rw: ReadWriteType = 'All';
  if (field('readOnly').length > 0) {
    const ro = onlyEquals(single('readOnly'));
    if (ro?.length !== 1) return undefined;
    rw = ro[0] === 'true' ? 'ReadOnly' : 'WriteOnly';
  }
  let candidate: EventSelector | undefined;
  if (category[0] === 'Management') {
    const src = field('eventSource');
    if (c.constraints.length !== 1 + field('readOnly').length + src.length || src.length > 1)
      return undefined;
    candidate = { ReadWriteType: rw, IncludeManagementEvents: true, DataResources: [] };
    if (src[0]) candidate.ExcludeManagementEventSources = [...src[0].neq];
  } else if (category[0] === 'Data') {
    const type = onlyEquals(single('resources.type'));
    const t = type?.[0];
    if (type?.length !== 1 || !t || !(BASIC_DATA_RESOURCE_TYPES as readonly string[]).includes(t))
      return undefined;
    const arns = field('resources.ARN');
    if (c.constraints.length !== 2 + field('readOnly').length + arns.length || arns.length > 1)
      return undefined;
    const arn = arns[0];
    const values = arn ? [...arn.sw, ...arn.eq] : [`arn:${partition}:${SERVICE[t]}`];
    candidate = {
      ReadWriteType: rw,
      IncludeManagementEvents: false,
      DataResources: [{ Type: t, Values: values }],
    };
  } else {
    return undefined;
  }
  // The conversion decides; this only proposes.
  return sameEvents(toAdvanced([candidate]), [r], { partition: shapePartition }) ? candidate : undefined;
}

function mergeBasic(
  current: readonly EventSelector[],
  missing: readonly Advanced[],
  partition: string,
  solve: SolveOptions,
) {
  let list: EventSelector[] = current.map((s) => structuredClone(s));
  for (const r of missing) {
    if (!uncovered(compileSelectors(toAdvanced(list)), compileSelector(r, 'required'), solve)) continue;
    const b = toBasic(r, partition, solve.partition);
    if (!b) return undefined;
    list.push(b);
  }
  list = dropRedundantBasic(list, solve);
  if (list.length > 5) list = consolidateBasic(list);
  return list;
}

function dropRedundantBasic(list: readonly EventSelector[], solve: SolveOptions): EventSelector[] {
  const keep = list.map(() => true);
  for (let i = 0; i < list.length; i++) {
    const others = list.filter((_, j) => j !== i && keep[j]);
    const mine = compileSelectors(toAdvanced([list[i] as EventSelector]));
    const rest = compileSelectors(toAdvanced(others));
    if (mine.every((s) => !uncovered(rest, s, solve))) keep[i] = false;
  }
  return list.filter((_, i) => keep[i]);
}

/** Folds data-only selectors into one selector per ReadWriteType, to stay within five selectors. */
function consolidateBasic(list: readonly EventSelector[]): EventSelector[] {
  const out: EventSelector[] = [];
  for (const sel of list) {
    const rw = sel.ReadWriteType ?? 'All';
    const host = out.find(
      (o) =>
        (o.ReadWriteType ?? 'All') === rw &&
        ((o.IncludeManagementEvents ?? true) === false || (sel.IncludeManagementEvents ?? true) === false),
    );
    if (!host || (sel.IncludeManagementEvents ?? true)) {
      if (host && (sel.IncludeManagementEvents ?? true) && !(host.IncludeManagementEvents ?? true)) {
        // Move the data resources gathered so far onto this management selector.
        out.splice(out.indexOf(host), 1, {
          ...structuredClone(sel),
          DataResources: [...(sel.DataResources ?? []), ...(host.DataResources ?? [])],
        });
        continue;
      }
      out.push(structuredClone(sel));
      continue;
    }
    host.DataResources = [...(host.DataResources ?? []), ...(sel.DataResources ?? [])];
  }
  for (const sel of out) {
    const byType = new Map<string, string[]>();
    for (const dr of sel.DataResources ?? [])
      byType.set(dr.Type ?? '', [...(byType.get(dr.Type ?? '') ?? []), ...(dr.Values ?? [])]);
    sel.DataResources = [...byType].map(([Type, Values]) => ({ Type, Values: [...new Set(Values)] }));
  }
  return out;
}

// ---- subtraction of forbidden events -----------------------------------------------------------

/** `list` minus every event some forbidden selector matches, as advanced selectors. */
function subtract(
  list: readonly Advanced[],
  forbidden: readonly CompiledSelector[],
  target: ResourceKind,
  solve: SolveOptions,
): Advanced[] {
  let pieces = [...list];
  for (const f of forbidden) pieces = pieces.flatMap((a) => minus(a, f, target, solve));
  return pieces;
}

/** a ∧ ¬f = OR over f's constraints c of (a ∧ ¬c). */
function minus(a: Advanced, f: CompiledSelector, target: ResourceKind, solve: SolveOptions): Advanced[] {
  const ac = compileSelector(a, 'selector');
  if (!meet([ac, f], solve)) return [a];
  const out: Advanced[] = [];
  const unwritable: { branch: Constraint; error: MergeError }[] = [];
  for (const c of f.constraints) {
    for (const branch of negate(c)) {
      try {
        const piece = conjoin(a, branch, solve);
        // The table decides whether the target takes this piece (e.g. a trail's management
        // eventSource only as NotEquals kms/rdsdata); one it does not take is unwritable.
        if (piece) {
          assertWritable(
            piece,
            target,
            `what is left of ${a.Name ? `"${a.Name}"` : JSON.stringify(a.FieldSelectors)} without the forbidden events`,
            'selector',
          );
          out.push(piece);
        }
      } catch (error) {
        if (!(error instanceof MergeError)) throw error;
        unwritable.push({ branch, error });
      }
    }
  }
  // A branch AWS cannot express is harmless when the written pieces already log its events.
  const written = compileSelectors(out);
  for (const { branch, error } of unwritable) {
    if (uncovered(written, { constraints: [...ac.constraints, branch] }, solve)) throw error;
  }
  return out;
}

const EMPTY = { eq: [], sw: [], ew: [], neq: [], nsw: [], new: [] } as const;

/** ¬c as a disjunction of constraints: the positive half fails, or the negative half fails. */
function negate(c: Constraint): Constraint[] {
  const branches: Constraint[] = [];
  if (constraintHasPositive(c)) branches.push({ ...EMPTY, field: c.field, neq: c.eq, nsw: c.sw, new: c.ew });
  if (c.neq.length + c.nsw.length + c.new.length > 0)
    branches.push({ ...EMPTY, field: c.field, eq: c.neq, sw: c.nsw, ew: c.new });
  return branches;
}

/** a ∧ c as one selector, written so that AWS accepts it where possible; undefined when empty. */
function conjoin(a: Advanced, c: Constraint, solve: SolveOptions): Advanced | undefined {
  const compiled = compileSelector(a, 'selector');
  const sameField = compiled.constraints.filter((x) => x.field === c.field);
  const others = compiled.constraints.filter((x) => x.field !== c.field);
  // Optional fields are left alone: an Equals list would drop the events where the field is absent.
  const domain = FIELD_DOMAINS[c.field].optional ? undefined : FIELD_DOMAINS[c.field].values;
  let merged: Constraint[];
  const pureEquals = sameField.find((x) => x.eq.length > 0 && x.sw.length + x.ew.length === 0);
  if (pureEquals) {
    // Filter the listed values through every condition on the field.
    const eq = pureEquals.eq.filter((v) => [...sameField, c].every((x) => constraintMatches(x, v)));
    if (eq.length === 0) return undefined;
    merged = [{ ...EMPTY, field: c.field, eq }];
  } else if (domain) {
    const eq = domain.filter((v) => [...sameField, c].every((x) => constraintMatches(x, v)));
    if (eq.length === 0) return undefined;
    merged = eq.length === domain.length ? [] : [{ ...EMPTY, field: c.field, eq }];
  } else if (EQUALS_ONLY_FIELDS.has(c.field) && !constraintHasPositive(c)) {
    const message = `cannot express "${c.field} not in [${c.neq.join(', ')}]" with the Equals-only operator; narrow the forbidden selector`;
    throw new MergeError(message, [{ code: 'equals-only', path: c.field, message }]);
  } else if (
    !constraintHasPositive(c) &&
    sameField.length === 1 &&
    !constraintHasPositive(sameField[0] as Constraint)
  ) {
    const x = sameField[0] as Constraint;
    const nsw = [...new Set([...x.nsw, ...c.nsw])];
    const nnew = [...new Set([...x.new, ...c.new])];
    // A NotEquals value already excluded by a NotStartsWith/NotEndsWith value adds nothing.
    const neq = [...new Set([...x.neq, ...c.neq])].filter(
      (v) => !nsw.some((p) => v.startsWith(p)) && !nnew.some((e) => v.endsWith(e)),
    );
    merged = [{ ...x, neq, nsw, new: nnew }];
  } else {
    merged = [...sameField, c];
  }
  const constraints = [...others, ...merged];
  const order = a.FieldSelectors.map((fs) => fs.Field);
  constraints.sort((x, y) => rank(order, x.field) - rank(order, y.field));
  const piece: Advanced = { FieldSelectors: constraints.map(constraintToFieldSelector) };
  if (a.Name !== undefined) piece.Name = a.Name;
  return meet([compileSelector(piece, 'selector')], solve) ? piece : undefined;
}

const rank = (order: readonly string[], field: string) => {
  const i = order.indexOf(field);
  return i < 0 ? order.length : i;
};
