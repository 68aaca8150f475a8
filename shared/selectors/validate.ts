import { checkSelectorRules, type Purpose } from './categoryChecks.js';
import { EQUALS_ONLY_FIELDS, EXCLUDABLE_MANAGEMENT_SOURCES, FIELD_RULES } from './categoryRules.js';
import { BASIC_DATA_RESOURCE_TYPES, isWholeServiceValue, toAdvanced } from './convert.js';
import { covers, deadSelectors, redundantSelectors } from './decide.js';
import { isEventField } from './fields.js';
import { closest } from './suggest.js';
import { EVENT_FIELDS, type EventSelector, OPERATORS, type Target } from './types.js';

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

/** ARN formats for Equals/NotEquals on resources.ARN, from create_event_data_store.txt. */
const ARN_FORMATS: Record<string, { pattern: RegExp; example: string }> = {
  'AWS::S3::Object': {
    pattern: /^arn:[^:]+:s3:::[^/]+\/.*$/,
    example: 'arn:<partition>:s3:::<bucket_name>/<object_path>',
  },
  'AWS::DynamoDB::Table': {
    pattern: /^arn:[^:]+:dynamodb:[^:]+:\d{12}:table\/[^/]+$/,
    example: 'arn:<partition>:dynamodb:<region>:<account_ID>:table/<table_name>',
  },
  'AWS::Lambda::Function': {
    pattern: /^arn:[^:]+:lambda:[^:]+:\d{12}:function:[^:]+$/,
    example: 'arn:<partition>:lambda:<region>:<account_ID>:function:<function_name>',
  },
  'AWS::CloudTrail::Channel': {
    pattern: /^arn:[^:]+:cloudtrail:[^:]+:\d{12}:channel\/[^/]+$/,
    example: 'arn:<partition>:cloudtrail:<region>:<account_ID>:channel/<channel_UUID>',
  },
  'AWS::Cognito::IdentityPool': {
    pattern: /^arn:[^:]+:cognito-identity:[^:]+:\d{12}:identitypool\/[^/]+$/,
    example: 'arn:<partition>:cognito-identity:<region>:<account_ID>:identitypool/<identity_pool_ID>',
  },
  'AWS::DynamoDB::Stream': {
    pattern: /^arn:[^:]+:dynamodb:[^:]+:\d{12}:table\/[^/]+\/stream\/[^/]+$/,
    example: 'arn:<partition>:dynamodb:<region>:<account_ID>:table/<table_name>/stream/<date_time>',
  },
  'AWS::EC2::Snapshot': {
    pattern: /^arn:[^:]+:ec2:[^:]+::snapshot\/[^/]+$/,
    example: 'arn:<partition>:ec2:<region>::snapshot/<snapshot_ID>',
  },
  'AWS::FinSpace::Environment': {
    pattern: /^arn:[^:]+:finspace:[^:]+:\d{12}:environment\/[^/]+$/,
    example: 'arn:<partition>:finspace:<region>:<account_ID>:environment/<environment_ID>',
  },
  'AWS::Glue::Table': {
    pattern: /^arn:[^:]+:glue:[^:]+:\d{12}:table\/[^/]+\/[^/]+$/,
    example: 'arn:<partition>:glue:<region>:<account_ID>:table/<database_name>/<table_name>',
  },
  'AWS::GuardDuty::Detector': {
    pattern: /^arn:[^:]+:guardduty:[^:]+:\d{12}:detector\/[^/]+$/,
    example: 'arn:<partition>:guardduty:<region>:<account_ID>:detector/<detector_ID>',
  },
  'AWS::KendraRanking::ExecutionPlan': {
    pattern: /^arn:[^:]+:kendra-ranking:[^:]+:\d{12}:rescore-execution-plan\/[^/]+$/,
    example:
      'arn:<partition>:kendra-ranking:<region>:<account_ID>:rescore-execution-plan/<rescore_execution_plan_ID>',
  },
  'AWS::ManagedBlockchain::Node': {
    pattern: /^arn:[^:]+:managedblockchain:[^:]+:\d{12}:nodes\/[^/]+$/,
    example: 'arn:<partition>:managedblockchain:<region>:<account_ID>:nodes/<node_ID>',
  },
  'AWS::SageMaker::ExperimentTrialComponent': {
    pattern: /^arn:[^:]+:sagemaker:[^:]+:\d{12}:experiment-trial-component\/[^/]+$/,
    example:
      'arn:<partition>:sagemaker:<region>:<account_ID>:experiment-trial-component/<experiment_trial_component_name>',
  },
  'AWS::SageMaker::FeatureGroup': {
    pattern: /^arn:[^:]+:sagemaker:[^:]+:\d{12}:feature-group\/[^/]+$/,
    example: 'arn:<partition>:sagemaker:<region>:<account_ID>:feature-group/<feature_group_name>',
  },
  'AWS::S3::AccessPoint': {
    pattern: /^arn:[^:]+:s3:[^:]+:\d{12}:accesspoint\/[^/]+(\/object\/.+)?$/,
    example:
      'arn:<partition>:s3:<region>:<account_ID>:accesspoint/<access_point_name>[/object/<object_path>]',
  },
  'AWS::S3ObjectLambda::AccessPoint': {
    pattern: /^arn:[^:]+:s3-object-lambda:[^:]+:\d{12}:accesspoint\/[^/]+$/,
    example: 'arn:<partition>:s3-object-lambda:<region>:<account_ID>:accesspoint/<access_point_name>',
  },
  'AWS::S3Outposts::Object': {
    pattern: /^arn:[^:]+:s3-outposts:[^:]+:\d{12}:.+$/,
    example: 'arn:<partition>:s3-outposts:<region>:<account_ID>:<object_path>',
  },
};

/** `arn:aws:s3:::bucket` with no slash: as a prefix it also matches `bucket-logs`, `bucket2`, … */
const S3_BUCKET_WITHOUT_SLASH = /^arn:[^:]+:s3:::[^/]+$/;

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

function validateBasic(out: Collector, list: unknown, target: Target, lint: boolean) {
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
        if (type === 'AWS::S3::Object' && S3_BUCKET_WITHOUT_SLASH.test(v)) {
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

function validateAdvanced(out: Collector, list: unknown, target: Target, lint: boolean, purpose: Purpose) {
  const path = 'AdvancedEventSelectors';
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
    const p = `${path}[${i}]`;
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
    out.warn('dead-selector', `${path}[${i}]`, 'this selector matches no event at all');
  }
  for (const i of redundantSelectors(selectors)) {
    out.warn(
      'redundant-selector',
      `${path}[${i}]`,
      'every event this selector matches is already logged by the others',
    );
  }
}

/** Checks one advanced selector; returns how many values it holds. */
function validateAdvancedSelector(
  out: Collector,
  sel: unknown,
  p: string,
  target: Target,
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
  const type = typeValues.length === 1 ? typeValues[0] : undefined;
  for (const { index, fs } of byField.get('resources.ARN') ?? []) {
    for (const op of ['Equals', 'NotEquals'] as const) {
      const list = fs[op];
      if (!Array.isArray(list)) continue;
      list.forEach((v, k) => {
        if (typeof v !== 'string') return;
        const vp = `${p}.FieldSelectors[${index}].${op}[${k}]`;
        if (type === 'AWS::S3::Object' && v.endsWith('/')) {
          const suggestion = op === 'Equals' ? 'StartsWith' : 'NotStartsWith';
          out.warn(
            's3-equals-trailing-slash',
            vp,
            `${op} "${v}" matches no object (object ARNs do not end in "/"); did you mean ${suggestion}?`,
          );
          return;
        }
        const format = type ? ARN_FORMATS[type] : undefined;
        if (format && !format.pattern.test(v)) {
          out.error(
            'invalid-arn-format',
            vp,
            `${op} on resources.ARN for ${type} needs the form ${format.example}`,
          );
        }
      });
    }
    for (const op of ['StartsWith', 'NotStartsWith'] as const) {
      const list = fs[op];
      if (type !== 'AWS::S3::Object' || !Array.isArray(list)) continue;
      list.forEach((v, k) => {
        if (typeof v === 'string' && S3_BUCKET_WITHOUT_SLASH.test(v)) {
          out.warn(
            's3-prefix-without-slash',
            `${p}.FieldSelectors[${index}].${op}[${k}]`,
            `"${v}" also matches other buckets whose names start the same; use "${v}/" for this bucket only`,
          );
        }
      });
    }
  }
  return values;
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
}

/**
 * Every rule of semantics.md §6 for a selector configuration as GetEventSelectors returns it
 * (`{EventSelectors}` or `{AdvancedEventSelectors}`), or a bare advanced list. Never throws.
 */
export function validate(selectors: unknown, target: Target, options: ValidateOptions = {}): Problem[] {
  const lint = options.lint ?? true;
  const purpose = options.purpose ?? 'write';
  const out = new Collector();
  if (Array.isArray(selectors)) {
    validateAdvanced(out, selectors, target, lint, purpose);
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
    if (hasAdvanced) validateAdvanced(out, selectors.AdvancedEventSelectors, target, lint, purpose);
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
