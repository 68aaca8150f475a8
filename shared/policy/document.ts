/**
 * Policies from already-decoded data: validation against the schema and the checks registry, with
 * problems placed by a locator. Free of the YAML parser, so Lambda bundles can embed policies as data.
 */

import { z } from 'zod';
import { TrailwardenError } from '../errors.js';
import { type AdvancedEventSelector, overlaps } from '../selectors/index.js';
import { closest } from '../selectors/suggest.js';
import { describeEvent } from './describe.js';
import { ExceptionSchema, exceptionsFor, type PolicyException, unknownCheckEntries } from './exceptions.js';
import { checksFor, findCheck } from './registry.js';
import { type PolicyBase, PolicyBaseSchema, PolicyFileBaseSchema, SelectSchema } from './schema.js';

/** The base schema with every field falling back to a default, to keep checking a policy past its first errors. */
const PolicyBaseLooseSchema = z.object({
  ...PolicyBaseSchema.shape,
  id: PolicyBaseSchema.shape.id.catch('?'),
  description: PolicyBaseSchema.shape.description.catch(undefined),
  severity: PolicyBaseSchema.shape.severity.catch('medium'),
  resource: PolicyBaseSchema.shape.resource.catch('trail'),
  select: PolicyBaseSchema.shape.select.catch(undefined),
  quantifier: PolicyBaseSchema.shape.quantifier.catch('every'),
  action: PolicyBaseSchema.shape.action.catch('report'),
  require: PolicyBaseSchema.shape.require.catch(undefined),
  forbid: PolicyBaseSchema.shape.forbid.catch(undefined),
});

import type { Check, ResourceKind, Severity } from './types.js';

/** One problem in a policy file, with its place. */
export interface PolicyProblem {
  readonly severity: 'error' | 'warning';
  readonly file: string;
  readonly line: number;
  readonly column: number;
  /** Dotted path such as `policies[0].require.logEvents[1].FieldSelectors[0].Field`. */
  readonly path: string;
  readonly message: string;
}

export interface PolicyCheck {
  readonly definition: Check;
  readonly params: unknown;
}

export interface Policy {
  readonly id: string;
  readonly description: string | undefined;
  readonly severity: Severity;
  readonly resource: ResourceKind;
  readonly select: PolicyBase['select'];
  readonly quantifier: 'every' | 'any' | 'union';
  readonly action: 'report' | 'remediate';
  readonly checks: readonly PolicyCheck[];
  readonly source: { readonly file: string; readonly line: number };
  /** The exceptions (from any loaded file) that may suppress this policy's findings. */
  readonly exceptions?: readonly PolicyException[];
}

export class PolicyLoadError extends TrailwardenError {
  readonly problems: readonly PolicyProblem[];
  constructor(problems: readonly PolicyProblem[]) {
    super(problems.map(formatProblem).join('\n'));
    this.name = 'PolicyLoadError';
    this.problems = problems;
  }
}

export function formatProblem(p: PolicyProblem): string {
  return `${p.file}:${p.line}:${p.column}: ${p.severity}: ${p.path ? `${p.path}: ` : ''}${p.message}`;
}

export type Segment = string | number;

function formatPath(path: readonly Segment[]): string {
  return path.map((s, i) => (typeof s === 'number' ? `[${s}]` : i === 0 ? s : `.${s}`)).join('');
}

/** `[0].FieldSelectors[1].Equals` → [0, 'FieldSelectors', 1, 'Equals']. */
function parseRelativePath(path: string): Segment[] {
  const out: Segment[] = [];
  for (const m of path.matchAll(/\[(\d+)\]|\.?([^.[\]]+)/g))
    out.push(m[1] !== undefined ? Number(m[1]) : (m[2] as string));
  return out;
}

/** Finds where a path points in the YAML document: the key itself when `key` is set, else the value. */
/** Where a path points in the source file, when the source has positions (YAML does, embedded data does not). */
export type Locator = (path: readonly Segment[], key: boolean) => { line: number; col: number } | undefined;

export class Problems {
  readonly list: PolicyProblem[] = [];
  constructor(
    private readonly file: string,
    private readonly locate: Locator,
  ) {}
  add(
    path: readonly Segment[],
    message: string,
    options: { key?: boolean; severity?: 'error' | 'warning' } = {},
  ) {
    const pos = this.locate(path, options.key ?? false) ?? { line: 1, col: 1 };
    this.list.push({
      severity: options.severity ?? 'error',
      file: this.file,
      line: pos.line,
      column: pos.col,
      path: formatPath(path),
      message,
    });
  }
  line(path: readonly Segment[]): number {
    return this.locate(path, false)?.line ?? 1;
  }
  fromZod(
    base: readonly Segment[],
    error: z.ZodError,
    allowed: (path: readonly Segment[]) => readonly string[],
    input: unknown,
    keyRule: (path: readonly Segment[], key: string) => string | undefined = () => undefined,
  ) {
    for (const issue of error.issues) {
      const path = [...base, ...(issue.path as Segment[])];
      if (issue.code === 'unrecognized_keys') {
        for (const k of issue.keys) {
          const rule = keyRule(issue.path as Segment[], k);
          if (rule) {
            this.add([...path, k], rule, { key: true });
            continue;
          }
          const hint = closest(k, allowed(issue.path as Segment[]));
          this.add([...path, k], `unknown key "${k}"${hint ? `; did you mean "${hint}"?` : ''}`, {
            key: true,
          });
        }
      } else {
        this.add(path, expectation(issue, valueAt(input, issue.path as Segment[])));
      }
    }
  }
}

function valueAt(data: unknown, path: readonly Segment[]): unknown {
  let v = data;
  for (const seg of path)
    v = v !== null && typeof v === 'object' ? (v as Record<string, unknown>)[seg] : undefined;
  return v;
}

function expectation(issue: z.core.$ZodIssue, value: unknown): string {
  const got = value === undefined ? '' : `, got ${JSON.stringify(value)}`;
  if (issue.code === 'invalid_value') {
    const hint = typeof value === 'string' ? closest(value, issue.values.map(String)) : undefined;
    const values = issue.values.map((v) => JSON.stringify(v));
    const wanted = values.length === 1 ? values[0] : `one of ${values.join(', ')}`;
    if (value === undefined) return `is required (expected ${wanted})`;
    return `expected ${wanted}${got}${hint ? `; did you mean "${hint}"?` : ''}`;
  }
  if (issue.code === 'invalid_type') {
    // Account ids and other digit strings: YAML reads them unquoted as numbers.
    if (issue.expected === 'string' && typeof value === 'number')
      return `expected string${got}: quote it, as YAML reads unquoted digits as a number (and drops leading zeros)`;
    return value === undefined
      ? `is required (expected ${issue.expected})`
      : `expected ${issue.expected}${got}`;
  }
  if (issue.code === 'invalid_union') return 'does not match any allowed form';
  return issue.message;
}

/** The part of zod's schema definition the hints walk. */
interface SchemaDef {
  readonly type: string;
  readonly shape?: Record<string, unknown>;
  readonly element?: unknown;
  readonly innerType?: unknown;
  readonly in?: unknown;
}
const defOf = (schema: unknown) => (schema as { _zod?: { def?: SchemaDef } } | undefined)?._zod?.def;

/** Optional, default and refined wrappers say nothing about which keys an object takes. */
function unwrap(schema: unknown): SchemaDef | undefined {
  let def = defOf(schema);
  for (let i = 0; def && i < 10; i++) {
    const inner = def.innerType ?? (def.type === 'pipe' ? def.in : undefined);
    if (inner === undefined) break;
    def = defOf(inner);
  }
  return def;
}

/** The keys a parameter schema takes at `path` (inside lists and objects), for "did you mean" hints. */
function keysAt(schema: unknown, path: readonly Segment[]): string[] {
  let def = unwrap(schema);
  for (const seg of path) {
    if (typeof seg === 'number') def = def?.type === 'array' ? unwrap(def.element) : undefined;
    else def = def?.type === 'object' ? unwrap(def.shape?.[seg]) : undefined;
  }
  return def?.type === 'object' && def.shape ? Object.keys(def.shape) : [];
}

/** Keys allowed at a place in the policy, for "did you mean" hints. */
function allowedKeys(shape: Record<string, unknown>) {
  return () => Object.keys(shape);
}

/** Parses one policy file's text; never throws, returns policies and every problem found. */
/** Validates one policy file's decoded content. Never throws; returns policies and every problem. */
export function parsePolicyData(
  data: unknown,
  file: string,
  locate: Locator = () => undefined,
): { policies: Policy[]; problems: PolicyProblem[]; exceptions?: PolicyException[] } {
  const problems = new Problems(file, locate);
  const top = PolicyFileBaseSchema.safeParse(data);
  if (!top.success) {
    problems.fromZod([], top.error, allowedKeys(PolicyFileBaseSchema.shape), data);
    return { policies: [], problems: problems.list };
  }
  const policies: Policy[] = [];
  top.data.policies.forEach((raw, i) => {
    const policy = parsePolicy(raw, ['policies', i], problems, file);
    if (policy) policies.push(policy);
  });
  const exceptions: PolicyException[] = [];
  top.data.exceptions?.forEach((raw, i) => {
    const parsed = ExceptionSchema.safeParse(raw);
    if (!parsed.success) {
      problems.fromZod(['exceptions', i], parsed.error, () => Object.keys(ExceptionSchema.shape), raw);
      return;
    }
    exceptions.push({ ...parsed.data, source: `${file}:${problems.line(['exceptions', i])}` });
  });
  return { policies, problems: problems.list, exceptions };
}

/** Combines several files' results: ids must be unique across them. Throws PolicyLoadError on any error. */
export function combinePolicyResults(
  results: readonly { policies: Policy[]; problems: PolicyProblem[]; exceptions?: PolicyException[] }[],
): {
  policies: Policy[];
  warnings: PolicyProblem[];
} {
  const exceptions = results.flatMap((r) => r.exceptions ?? []);
  const loaded = results.flatMap((r) => r.policies);
  // Exceptions from any file apply to policies from every file.
  const all =
    exceptions.length === 0
      ? loaded
      : loaded.map((p) => ({ ...p, exceptions: exceptionsFor(p, exceptions) }));
  const problems = results.flatMap((r) => r.problems);
  for (const e of exceptions) {
    const at = e.source.lastIndexOf(':');
    for (const u of unknownCheckEntries(e, loaded)) {
      problems.push({
        severity: 'warning',
        file: e.source.slice(0, at),
        line: Number(e.source.slice(at + 1)),
        column: 1,
        path: `exceptions.checks[${u.index}]`,
        message: `${u.message}; this entry covers nothing`,
      });
    }
  }
  const seen = new Map<string, Policy>();
  for (const p of all) {
    const first = seen.get(p.id);
    if (first) {
      problems.push({
        severity: 'error',
        file: p.source.file,
        line: p.source.line,
        column: 1,
        path: 'id',
        message: `policy id "${p.id}" is already defined at ${first.source.file}:${first.source.line}; ids must be unique across all loaded files`,
      });
    } else {
      seen.set(p.id, p);
    }
  }
  const errors = problems.filter((p) => p.severity === 'error');
  if (errors.length > 0) throw new PolicyLoadError(errors);
  return { policies: all, warnings: problems.filter((p) => p.severity === 'warning') };
}

function parsePolicy(raw: unknown, at: Segment[], problems: Problems, file: string): Policy | undefined {
  const errorCount = () => problems.list.filter((x) => x.severity === 'error').length;
  const before = errorCount();
  let base = PolicyBaseSchema.safeParse(raw);
  if (!base.success) {
    problems.fromZod(
      at,
      base.error,
      (p) => (p[0] === 'select' ? Object.keys(SelectSchema.shape) : Object.keys(PolicyBaseSchema.shape)),
      raw,
    );
    // Keep going without the unknown keys, so one run reports the problems inside require/forbid too.
    base = PolicyBaseLooseSchema.safeParse(raw);
    if (!base.success) return undefined;
  }
  const p = base.data;
  const checks: PolicyCheck[] = [];
  const required: { key: string; list: readonly AdvancedEventSelector[] }[] = [];
  for (const section of ['require', 'forbid'] as const) {
    for (const [key, value] of Object.entries(p[section] ?? {})) {
      const path = [...at, section, key];
      const definition = findCheck(p.resource, section, key);
      if (!definition) {
        const valid = checksFor(p.resource, section).map((c) => c.key);
        const hint = closest(key, valid);
        problems.add(
          path,
          `unknown check "${key}" for ${p.resource} policies${hint ? `; did you mean "${hint}"?` : ''} (valid: ${valid.join(', ')})`,
          { key: true },
        );
        continue;
      }
      const parsed = definition.params.safeParse(value);
      if (!parsed.success) {
        problems.fromZod(
          path,
          parsed.error,
          (rel) => keysAt(definition.params, rel),
          value,
          (rel, k) => (rel.length === 0 ? definition.keyRules?.[k] : undefined),
        );
        continue;
      }
      for (const extra of definition.validateParams?.(parsed.data) ?? []) {
        problems.add([...path, ...parseRelativePath(extra.path)], extra.message, {
          severity: extra.severity,
        });
      }
      if (p.quantifier === 'union' && !definition.evaluateUnion) {
        problems.add(
          path,
          `${definition.check} cannot be decided for a union of resources; use quantifier any or every`,
          { key: true },
        );
      }
      // A policy that forbids events it also requires can never pass: say where, with an event.
      const declared = definition.selectors?.(parsed.data);
      if (declared && section === 'require') required.push({ key, list: declared });
      if (declared && section === 'forbid') {
        for (const { key: requiredKey, list } of required) {
          const overlap = overlaps(list, declared);
          if (overlap.overlaps) {
            const forbidPath = [...at, 'forbid', key, overlap.forbidden];
            problems.add(
              [...at, 'require', requiredKey, overlap.selector],
              `requires events that ${formatPath(forbidPath)} (line ${problems.line(forbidPath)}) forbids, for example: ${describeEvent(overlap.witness)}`,
            );
          }
        }
      }
      checks.push({ definition, params: parsed.data });
    }
  }
  if (checks.length === 0 && errorCount() === before) {
    problems.add(at, 'a policy needs at least one check under require or forbid');
  }
  if (errorCount() > before) return undefined;
  return {
    id: p.id,
    description: p.description,
    severity: p.severity,
    resource: p.resource,
    select: p.select,
    quantifier: p.quantifier,
    action: p.action,
    checks,
    source: { file, line: problems.line(at) },
  };
}

/** Parses several files together: ids must be unique across all of them. Throws PolicyLoadError on any error. */
