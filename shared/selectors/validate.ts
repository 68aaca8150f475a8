import { checkSelectorRules, type Purpose } from './categoryChecks.js';
import { EQUALS_ONLY_FIELDS, EXCLUDABLE_MANAGEMENT_SOURCES, FIELD_RULES } from './categoryRules.js';
import { BASIC_DATA_RESOURCE_TYPES, isWholeServiceValue, toAdvanced } from './convert.js';
import { covers, deadSelectors, redundantSelectors } from './decide.js';
import { isEventField } from './fields.js';
import {
  arnValueFit,
  hasArnShape,
  RESOURCE_TYPES,
  type ResourceTypeInfo,
  resourceTypeInfo,
} from './resourceTypes.js';
import { closest } from './suggest.js';
import { EVENT_FIELDS, type EventSelector, OPERATORS, type ResourceKind } from './types.js';

/** One finding of `validate`: errors make AWS reject the list (or make it meaningless), warnings are lint. */
export interface Problem {
  readonly severity: 'error' | 'warning';
  readonly code: string;
  readonly path: string;
  readonly message: string;
}

export const LIMITS = {
  basicSelectorsPerTrail: 5,
  basicDataResourcesPerTrail: 250,
  advancedValuesPerTrail: 500,
  advancedSelectorsPerEventDataStore: 5,
  valueLength: 2048,
} as const;

export type { Purpose };

/**
 * `arn:aws:s3:::bucket`, a whole bucket name with no slash: as a prefix it also matches
 * `bucket-logs`, `bucket2`, … (a shorter value such as `arn:aws:s3:::a` is a deliberate prefix).
 */
const namesBucketWithoutSlash = (v: string) =>
  /^arn:[^:]+:s3:::[^/]+$/.test(v) && hasArnShape('AWS::S3::Object', `${v}/k`) === true;

const isRecord = (x: unknown): x is Record<string, unknown> =>
  typeof x === 'object' && x !== null && !Array.isArray(x);

class Collector {
  readonly problems: Problem[] = [];
  error(code: string, path: string, message: string) {
    this.problems.push({ severity: 'error', code, path, message });
  }
  warn(code: string, path: string, message: string) {
    this.problems.push({ severity: 'warning', code, path, message });
  }
}

function unknownKey(out: Collector, path: string, key: string, allowed: readonly string[]) {
  const hint = closest(key, allowed);
  out.error(
    'unknown-key',
    `${path}.${key}`,
    `unknown key "${key}"${hint ? `; did you mean "${hint}"?` : ''}`,
  );
}

function checkStringList(out: Collector, path: string, value: unknown): value is string[] {
  if (!Array.isArray(value)) {
    out.error('wrong-type', path, 'expected a list of strings');
    return false;
  }
  if (value.length === 0) {
    out.error('empty-list', path, 'expected at least one value');
    return false;
  }
  let ok = true;
  value.forEach((v, i) => {
    if (typeof v !== 'string') {
      out.error('wrong-type', `${path}[${i}]`, 'expected a string');
      ok = false;
    } else if (v.length < 1 || v.length > LIMITS.valueLength) {
      out.error(
        'value-length',
        `${path}[${i}]`,
        `expected 1 to ${LIMITS.valueLength} characters, got ${v.length}`,
      );
    }
  });
  const seen = new Set<unknown>();
  value.forEach((v, i) => {
    if (seen.has(v)) out.warn('duplicate-value', `${path}[${i}]`, `duplicate value ${JSON.stringify(v)}`);
    seen.add(v);
  });
  return ok;
}

function validateBasic(out: Collector, list: unknown, target: ResourceKind, lint: boolean) {
  const path = 'EventSelectors';
  if (target === 'eventDataStore') {
    out.error('basic-on-event-data-store', path, 'event data stores take AdvancedEventSelectors only');
  }
  if (!Array.isArray(list)) {
    out.error('wrong-type', path, 'expected a list of event selectors');
    return;
  }
  if (list.length > LIMITS.basicSelectorsPerTrail) {
    out.error(
      'too-many-selectors',
      path,
      `at most ${LIMITS.basicSelectorsPerTrail} event selectors, got ${list.length}`,
    );
  }
  let resources = 0;
  list.forEach((sel, i) => {
    const p = `${path}[${i}]`;
    if (!isRecord(sel)) {
      out.error('wrong-type', p, 'expected an event selector object');
      return;
    }
    const keys = [
      'ReadWriteType',
      'IncludeManagementEvents',
      'DataResources',
      'ExcludeManagementEventSources',
    ];
    for (const key of Object.keys(sel)) if (!keys.includes(key)) unknownKey(out, p, key, keys);
    if (
      sel.ReadWriteType !== undefined &&
      !['ReadOnly', 'WriteOnly', 'All'].includes(sel.ReadWriteType as string)
    ) {
      out.error('invalid-value', `${p}.ReadWriteType`, 'expected ReadOnly, WriteOnly or All');
    }
    if (sel.IncludeManagementEvents !== undefined && typeof sel.IncludeManagementEvents !== 'boolean') {
      out.error('wrong-type', `${p}.IncludeManagementEvents`, 'expected true or false');
    }
    const exclude = sel.ExcludeManagementEventSources;
    if (exclude !== undefined) {
      if (!Array.isArray(exclude))
        out.error('wrong-type', `${p}.ExcludeManagementEventSources`, 'expected a list');
      else
        exclude.forEach((src, k) => {
          if (!(EXCLUDABLE_MANAGEMENT_SOURCES as readonly unknown[]).includes(src)) {
            out.error(
              'invalid-excluded-source',
              `${p}.ExcludeManagementEventSources[${k}]`,
              `only ${EXCLUDABLE_MANAGEMENT_SOURCES.join(' and ')} can be excluded, got ${JSON.stringify(src)}`,
            );
          }
        });
    }
    const drs = sel.DataResources;
    if (drs === undefined) return;
    if (!Array.isArray(drs)) {
      out.error('wrong-type', `${p}.DataResources`, 'expected a list');
      return;
    }
    drs.forEach((dr, j) => {
      const dp = `${p}.DataResources[${j}]`;
      if (!isRecord(dr)) {
        out.error('wrong-type', dp, 'expected {Type, Values}');
        return;
      }
      for (const key of Object.keys(dr))
        if (key !== 'Type' && key !== 'Values') unknownKey(out, dp, key, ['Type', 'Values']);
      const type = dr.Type;
      if (!(BASIC_DATA_RESOURCE_TYPES as readonly unknown[]).includes(type)) {
        out.error(
          'invalid-resource-type',
          `${dp}.Type`,
          `basic selectors take ${BASIC_DATA_RESOURCE_TYPES.join(', ')}; use advanced selectors for ${JSON.stringify(type)}`,
        );
      }
      if (!checkStringList(out, `${dp}.Values`, dr.Values)) return;
      (dr.Values as string[]).forEach((v, k) => {
        if (isWholeServiceValue(type as string, v)) return;
        resources++;
        if (type === 'AWS::S3::Object' && namesBucketWithoutSlash(v)) {
          out.warn(
            's3-prefix-without-slash',
            `${dp}.Values[${k}]`,
            `"${v}" also matches other buckets whose names start the same; use "${v}/" for this bucket only`,
          );
        }
      });
    });
  });
  if (lint && !out.problems.some((p) => p.severity === 'error')) lintBasic(out, list as EventSelector[]);
  if (resources > LIMITS.basicDataResourcesPerTrail) {
    out.error(
      'too-many-data-resources',
      path,
      `at most ${LIMITS.basicDataResourcesPerTrail} data resources across all selectors, got ${resources}`,
    );
  }
}

function validateAdvanced(
  out: Collector,
  list: unknown,
  target: ResourceKind,
  lint: boolean,
  purpose: Purpose,
  path: string,
  at: (index: number) => string,
) {
  if (!Array.isArray(list)) {
    out.error('wrong-type', path, 'expected a list of advanced event selectors');
    return;
  }
  // Count limits bound what is written; a forbidden set is never written.
  const written = purpose === 'write';
  if (written && target === 'eventDataStore' && list.length > LIMITS.advancedSelectorsPerEventDataStore) {
    out.error(
      'too-many-selectors',
      path,
      `at most ${LIMITS.advancedSelectorsPerEventDataStore} advanced selectors on an event data store, got ${list.length}`,
    );
  }
  let values = 0;
  let structurallyValid = true;
  list.forEach((sel, i) => {
    const p = at(i);
    const before = out.problems.length;
    values += validateAdvancedSelector(out, sel, p, target, purpose);
    if (out.problems.slice(before).some((x) => x.severity === 'error')) structurallyValid = false;
  });
  if (written && target === 'trail' && values > LIMITS.advancedValuesPerTrail) {
    out.error(
      'too-many-values',
      path,
      `at most ${LIMITS.advancedValuesPerTrail} values across all selectors, got ${values}`,
    );
  }
  if (!structurallyValid || !lint) return;
  // Dead and redundant selectors are only meaningful once every selector is well-formed.
  const selectors = list as Parameters<typeof deadSelectors>[0];
  for (const i of deadSelectors(selectors)) {
    out.warn('dead-selector', at(i), 'this selector matches no event at all');
  }
  for (const i of redundantSelectors(selectors)) {
    out.warn(
      'redundant-selector',
      at(i),
      'every event this selector matches is already logged by the others',
    );
  }
}

/** Checks one advanced selector; returns how many values it holds. */
function validateAdvancedSelector(
  out: Collector,
  sel: unknown,
  p: string,
  target: ResourceKind,
  purpose: Purpose,
): number {
  if (!isRecord(sel)) {
    out.error('wrong-type', p, 'expected an object with FieldSelectors');
    return 0;
  }
  for (const key of Object.keys(sel))
    if (key !== 'Name' && key !== 'FieldSelectors') unknownKey(out, p, key, ['Name', 'FieldSelectors']);
  if (sel.Name !== undefined && typeof sel.Name !== 'string')
    out.error('wrong-type', `${p}.Name`, 'expected a string');
  const fss = sel.FieldSelectors;
  if (!Array.isArray(fss)) {
    out.error('wrong-type', `${p}.FieldSelectors`, 'expected a list of field selectors');
    return 0;
  }
  if (fss.length === 0)
    out.error('empty-list', `${p}.FieldSelectors`, 'expected at least one field selector');
  let values = 0;
  const byField = new Map<string, { index: number; fs: Record<string, unknown> }[]>();
  fss.forEach((fs, j) => {
    const fp = `${p}.FieldSelectors[${j}]`;
    if (!isRecord(fs)) {
      out.error('wrong-type', fp, 'expected an object with Field and operators');
      return;
    }
    if (typeof fs.Field !== 'string') {
      out.error('wrong-type', `${fp}.Field`, 'expected a field name');
      return;
    }
    if (!isEventField(fs.Field)) {
      const hint = closest(fs.Field, EVENT_FIELDS);
      out.error(
        'unknown-field',
        `${fp}.Field`,
        `unknown field "${fs.Field}"${hint ? `; did you mean "${hint}"?` : ''}`,
      );
    }
    byField.set(fs.Field, [...(byField.get(fs.Field) ?? []), { index: j, fs }]);
    let operators = 0;
    for (const [key, value] of Object.entries(fs)) {
      if (key === 'Field') continue;
      if (!(OPERATORS as readonly string[]).includes(key)) {
        const hint = closest(key, OPERATORS);
        out.error(
          'unknown-operator',
          `${fp}.${key}`,
          `unknown operator "${key}"${hint ? `; did you mean "${hint}"?` : ''}`,
        );
        continue;
      }
      operators++;
      if (checkStringList(out, `${fp}.${key}`, value)) values += value.length;
      if (EQUALS_ONLY_FIELDS.has(fs.Field) && key !== 'Equals') {
        const values = isEventField(fs.Field) ? FIELD_RULES[fs.Field]?.values : undefined;
        out.error(
          'equals-only',
          `${fp}.${key}`,
          `${fs.Field} takes the Equals operator only${values && fs.Field !== 'eventCategory' ? ` (Equals ${values.join(' or ')})` : ''}`,
        );
      }
    }
    if (operators === 0)
      out.error('no-operator', fp, 'expected at least one operator (Equals, StartsWith, …)');
  });

  if (!byField.has('eventCategory')) {
    out.error('missing-event-category', `${p}.FieldSelectors`, 'eventCategory is required (with Equals)');
    return values;
  }
  // Which fields, operators and values this category takes on this target: the one table.
  for (const problem of checkSelectorRules(byField, p, target, purpose)) out.problems.push(problem);
  const types = byField.get('resources.type') ?? [];
  const typeValues = Array.isArray(types[0]?.fs.Equals) ? (types[0]?.fs.Equals as string[]) : [];
  typeValues.forEach((t, k) => {
    if (typeof t !== 'string' || resourceTypeInfo(t)) return;
    const hint = closest(t, RESOURCE_TYPES);
    out.error(
      'unknown-resource-type',
      `${p}.FieldSelectors[${types[0]?.index}].Equals[${k}]`,
      `unknown resources.type "${t}"; ${hint ? `did you mean "${hint}"?` : `the documented types are ${RESOURCE_TYPES.join(', ')}`}`,
    );
  });
  const type = typeValues.length === 1 ? typeValues[0] : undefined;
  const info = typeof type === 'string' ? resourceTypeInfo(type) : undefined;
  if (info)
    for (const { index, fs } of byField.get('resources.ARN') ?? [])
      lintArnValues(out, `${p}.FieldSelectors[${index}]`, fs, info);
  return values;
}

/**
 * resources.ARN values against the ARN shape of the selector's resource type (in any partition):
 * Equals/NotEquals values must be ARNs of that type, and a value no ARN of the type can start or
 * end with matches nothing. The same shapes decide coverage, so this lint and `check` agree.
 */
function lintArnValues(out: Collector, path: string, fs: Record<string, unknown>, info: ResourceTypeInfo) {
  for (const op of OPERATORS) {
    const list = fs[op];
    if (!Array.isArray(list)) continue;
    const negative = op.startsWith('Not');
    const verb = negative ? 'excludes' : 'matches';
    list.forEach((v, k) => {
      if (typeof v !== 'string' || v.length === 0) return;
      const vp = `${path}.${op}[${k}]`;
      const fit = arnValueFit(info.type, v);
      if (!fit) return;
      if (op === 'Equals' || op === 'NotEquals') {
        if (fit.isArn) return;
        const instead = op === 'Equals' ? 'StartsWith' : 'NotStartsWith';
        if (fit.acceptedAnyway) {
          out.warn(
            's3-equals-trailing-slash',
            vp,
            `${op} "${v}" ${verb} no ${info.noun} (it is no ${info.noun} ARN, which has the form ${info.format}); did you mean ${instead}?`,
          );
          return;
        }
        out.error(
          'invalid-arn-format',
          vp,
          `${op} on resources.ARN for ${info.type} needs the form ${info.format}${fit.startsSome ? `; "${v}" is only the beginning of one: use ${instead} for every ${info.noun} whose ARN starts with it` : ''}`,
        );
      } else if (op === 'StartsWith' || op === 'NotStartsWith') {
        if (!fit.startsSome) {
          out.warn(
            'arn-prefix-matches-nothing',
            vp,
            `no ${info.noun} ARN starts with "${v}" (the form is ${info.format}), so this value ${verb} nothing`,
          );
        } else if (info.type === 'AWS::S3::Object' && namesBucketWithoutSlash(v)) {
          out.warn(
            's3-prefix-without-slash',
            vp,
            `"${v}" also matches other buckets whose names start the same; use "${v}/" for this bucket only`,
          );
        }
      } else if (!fit.endsSome) {
        out.warn(
          'arn-suffix-matches-nothing',
          vp,
          `no ${info.noun} ARN ends with "${v}" (the form is ${info.format}), so this value ${verb} nothing`,
        );
      }
    });
  }
}

export interface ValidateOptions {
  /** `false` skips the warnings that need the solver (dead and redundant selectors). */
  readonly lint?: boolean;
  /**
   * `write` (default): the list is sent to AWS, or a policy requires it logged; every rule applies.
   * `forbid`: the list is a set of events a policy forbids and is never written, so count limits,
   * required fields and the trail's management eventSource rule do not apply (see checkSelectorRules).
   */
  readonly purpose?: Purpose;
  /** Where the advanced list is, in the paths of problems (default `AdvancedEventSelectors`). */
  readonly listPath?: string;
  /** Where its selector `index` is (default `<listPath>[index]`). */
  readonly selectorPath?: (index: number) => string;
}

/**
 * Every rule of docs/semantics.md, "7. What AWS accepts" for a selector configuration as GetEventSelectors returns it
 * (`{EventSelectors}` or `{AdvancedEventSelectors}`), or a bare advanced list. Never throws.
 */
export function validate(selectors: unknown, target: ResourceKind, options: ValidateOptions = {}): Problem[] {
  const lint = options.lint ?? true;
  const purpose = options.purpose ?? 'write';
  const listPath = options.listPath ?? 'AdvancedEventSelectors';
  const at = options.selectorPath ?? ((i: number) => `${listPath}[${i}]`);
  const out = new Collector();
  if (Array.isArray(selectors)) {
    validateAdvanced(out, selectors, target, lint, purpose, listPath, at);
  } else if (!isRecord(selectors)) {
    out.error('wrong-type', '', 'expected {EventSelectors: [...]} or {AdvancedEventSelectors: [...]}');
  } else {
    const hasBasic = 'EventSelectors' in selectors && selectors.EventSelectors !== undefined;
    const hasAdvanced =
      'AdvancedEventSelectors' in selectors && selectors.AdvancedEventSelectors !== undefined;
    for (const key of Object.keys(selectors)) {
      if (key !== 'EventSelectors' && key !== 'AdvancedEventSelectors') {
        unknownKey(out, '', key, ['EventSelectors', 'AdvancedEventSelectors']);
      }
    }
    if (hasBasic && hasAdvanced) {
      out.error(
        'basic-and-advanced',
        '',
        'EventSelectors and AdvancedEventSelectors cannot be sent in one request',
      );
    }
    if (hasBasic) validateBasic(out, selectors.EventSelectors, target, lint);
    if (hasAdvanced)
      validateAdvanced(out, selectors.AdvancedEventSelectors, target, lint, purpose, listPath, at);
    if (!hasBasic && !hasAdvanced)
      out.error('missing-selectors', '', 'expected EventSelectors or AdvancedEventSelectors');
  }
  return out.problems.map((x) => (x.path.startsWith('.') ? { ...x, path: x.path.slice(1) } : x));
}

export const errorsOf = (problems: readonly Problem[]): Problem[] =>
  problems.filter((p) => p.severity === 'error');

/** Dead and redundant basic selectors, judged through their exact advanced form. */
function lintBasic(out: Collector, list: readonly EventSelector[]) {
  const kept = list.map(() => true);
  list.forEach((sel, i) => {
    if (toAdvanced([sel]).length === 0) {
      out.warn(
        'dead-selector',
        `EventSelectors[${i}]`,
        'this selector logs nothing (no management events and no data resources)',
      );
      kept[i] = false;
    }
  });
  for (let i = list.length - 1; i >= 0; i--) {
    if (!kept[i]) continue;
    const others = list.filter((_, j) => j !== i && kept[j]);
    if (covers(toAdvanced(others), toAdvanced([list[i] as EventSelector])).covered) {
      kept[i] = false;
      out.warn(
        'redundant-selector',
        `EventSelectors[${i}]`,
        'every event this selector logs is already logged by the others',
      );
    }
  }
}
