import { SelectorError } from './errors.js';
import { eventField } from './fields.js';
import { type AdvancedEventSelector, type EventField, OPERATORS, type Operator } from './types.js';

/** One field selector in the engine's internal form; empty lists mean "operator not used". */
export interface Constraint {
  readonly field: EventField;
  readonly eq: readonly string[];
  readonly sw: readonly string[];
  readonly ew: readonly string[];
  readonly neq: readonly string[];
  readonly nsw: readonly string[];
  readonly new: readonly string[];
}

/** An advanced event selector as a conjunction of constraints. */
export interface CompiledSelector {
  readonly constraints: readonly Constraint[];
}

const OPERATOR_KEY: Record<Operator, keyof Omit<Constraint, 'field'>> = {
  Equals: 'eq',
  StartsWith: 'sw',
  EndsWith: 'ew',
  NotEquals: 'neq',
  NotStartsWith: 'nsw',
  NotEndsWith: 'new',
};

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/**
 * Turns an advanced selector list (possibly straight from untrusted JSON/YAML) into the internal form.
 * Throws a SelectorError naming the path of the first structural problem; semantic limits are `validate`'s job.
 */
export function compileSelectors(input: unknown, path = 'AdvancedEventSelectors'): CompiledSelector[] {
  if (!Array.isArray(input))
    throw new SelectorError('not-a-list', path, 'expected a list of advanced event selectors');
  // Paths are built only for an error: every covers call compiles its inputs.
  return input.map((sel, i) => compileAt(sel, path, i));
}

export function compileSelector(sel: unknown, path: string): CompiledSelector {
  return compileAt(sel, path, -1);
}

/** Where a selector (j = -1) or field selector is: `base[i].FieldSelectors[j]` (no `[i]` when i is -1). */
interface At {
  readonly base: string;
  readonly i: number;
}

const selectorPath = (at: At) => (at.i < 0 ? at.base : `${at.base}[${at.i}]`);
const fieldPath = (at: At, j: number) => `${selectorPath(at)}.FieldSelectors[${j}]`;

/** The selector at `base[i]` (at `base` itself when `i` is -1). */
function compileAt(sel: unknown, base: string, i: number): CompiledSelector {
  const at = { base, i };
  if (!isRecord(sel))
    throw new SelectorError('wrong-type', selectorPath(at), 'expected an object with FieldSelectors');
  const fieldSelectors = sel.FieldSelectors;
  if (!Array.isArray(fieldSelectors)) {
    throw new SelectorError(
      'wrong-type',
      `${selectorPath(at)}.FieldSelectors`,
      'expected a list of field selectors',
    );
  }
  const constraints: Constraint[] = [];
  for (let j = 0; j < fieldSelectors.length; j++)
    constraints.push(compileFieldSelector(fieldSelectors[j], at, j));
  return { constraints };
}

// Not frozen: a frozen array has its own elements kind, and loops that meet both kinds run slower
// and allocate an iterator per loop (the type keeps it read-only).
const NONE: readonly string[] = [];

function stringList(value: unknown, at: At, j: number, key: string): readonly string[] {
  let ok = Array.isArray(value);
  // An indexed loop: for-of over input arrays of several kinds allocated an iterator each.
  if (ok)
    for (let i = 0; i < (value as unknown[]).length; i++)
      if (typeof (value as unknown[])[i] !== 'string') ok = false;
  if (!ok) throw new SelectorError('wrong-type', `${fieldPath(at, j)}.${key}`, 'expected a list of strings');
  return value as string[];
}

// Hot path (every covers call compiles its inputs): a plain loop, no intermediate objects.
function compileFieldSelector(fs: unknown, at: At, j: number): Constraint {
  if (!isRecord(fs))
    throw new SelectorError('wrong-type', fieldPath(at, j), 'expected an object with Field and operators');
  const name = fs.Field;
  if (typeof name !== 'string')
    throw new SelectorError('wrong-type', `${fieldPath(at, j)}.Field`, 'expected a field name');
  const field = eventField(name);
  if (field === undefined)
    throw new SelectorError('unknown-field', `${fieldPath(at, j)}.Field`, `unknown field "${name}"`);
  const c: { -readonly [K in keyof Constraint]: Constraint[K] } = {
    field,
    eq: NONE,
    sw: NONE,
    ew: NONE,
    neq: NONE,
    nsw: NONE,
    new: NONE,
  };
  for (const key in fs) {
    if (key === 'Field') continue;
    const value = fs[key];
    const op = OPERATOR_KEY[key as Operator];
    if (op === undefined || !Object.hasOwn(OPERATOR_KEY, key)) {
      throw new SelectorError('unknown-operator', `${fieldPath(at, j)}.${key}`, `unknown operator "${key}"`);
    }
    if (value !== undefined) c[op] = stringList(value, at, j, key);
  }
  return c;
}

/** The compiled form back in AWS spelling (used when the engine builds new selectors). */
export function constraintToFieldSelector(c: Constraint): AdvancedEventSelector['FieldSelectors'][number] {
  const fs: AdvancedEventSelector['FieldSelectors'][number] = { Field: c.field };
  for (const op of OPERATORS) {
    const values = c[OPERATOR_KEY[op]];
    if (values.length > 0) fs[op] = [...values];
  }
  return fs;
}

export function constraintHasPositive(c: Constraint): boolean {
  return c.eq.length > 0 || c.sw.length > 0 || c.ew.length > 0;
}
