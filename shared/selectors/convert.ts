import { SelectorError } from './errors.js';
import type {
  AdvancedEventSelector,
  AdvancedFieldSelector,
  EventSelector,
  ReadWriteType,
  SelectorConfig,
} from './types.js';

/** What AWS reports for a trail that never had selectors set: all management events, no data events. */
export const DEFAULT_TRAIL_EVENT_SELECTORS: readonly EventSelector[] = Object.freeze([
  {
    ReadWriteType: 'All',
    IncludeManagementEvents: true,
    DataResources: [],
    ExcludeManagementEventSources: [],
  },
]);

export const BASIC_DATA_RESOURCE_TYPES = [
  'AWS::S3::Object',
  'AWS::Lambda::Function',
  'AWS::DynamoDB::Table',
] as const;

const SERVICE_OF_TYPE: Record<string, string> = {
  'AWS::S3::Object': 's3',
  'AWS::Lambda::Function': 'lambda',
  'AWS::DynamoDB::Table': 'dynamodb',
};

/** `arn:<partition>:s3` (with or without a trailing colon) and the like: every resource of the type. */
export function isWholeServiceValue(type: string | undefined, value: string): boolean {
  const service = type === undefined ? undefined : SERVICE_OF_TYPE[type];
  if (!service) return false;
  return new RegExp(`^arn:[a-z0-9-]+:${service}:?$`).test(value);
}

function readOnlyField(rw: ReadWriteType | undefined): AdvancedFieldSelector[] {
  if (rw === 'ReadOnly') return [{ Field: 'readOnly', Equals: ['true'] }];
  if (rw === 'WriteOnly') return [{ Field: 'readOnly', Equals: ['false'] }];
  return [];
}

/** The resources.ARN conditions one DataResource stands for (docs/semantics.md, "3. Basic selectors are advanced selectors in disguise"). */
function arnConditions(
  type: string | undefined,
  values: readonly string[],
): (AdvancedFieldSelector | null)[] {
  if (values.some((v) => isWholeServiceValue(type, v))) return [null];
  if (type === 'AWS::S3::Object') return [{ Field: 'resources.ARN', StartsWith: [...values] }];
  const startsWith = values.filter((v) => v.split(':').length < 6);
  const equals = values.filter((v) => v.split(':').length >= 6);
  const out: AdvancedFieldSelector[] = [];
  if (startsWith.length > 0) out.push({ Field: 'resources.ARN', StartsWith: startsWith });
  if (equals.length > 0) out.push({ Field: 'resources.ARN', Equals: equals });
  return out;
}

const isList = (x: unknown) => x === undefined || Array.isArray(x);

/** Shape checks for basic selectors, so malformed input fails with a typed error naming the path. */
function checkBasic(basic: unknown): asserts basic is readonly EventSelector[] {
  if (!Array.isArray(basic))
    throw new SelectorError('not-a-list', 'EventSelectors', 'expected a list of event selectors');
  basic.forEach((sel: unknown, i) => {
    const path = `EventSelectors[${i}]`;
    if (typeof sel !== 'object' || sel === null || Array.isArray(sel))
      throw new SelectorError('wrong-type', path, 'expected an event selector object');
    const s = sel as Record<string, unknown>;
    if (!isList(s.DataResources))
      throw new SelectorError('wrong-type', `${path}.DataResources`, 'expected a list');
    if (!isList(s.ExcludeManagementEventSources))
      throw new SelectorError('wrong-type', `${path}.ExcludeManagementEventSources`, 'expected a list');
    ((s.DataResources as unknown[] | undefined) ?? []).forEach((dr, j) => {
      const drPath = `${path}.DataResources[${j}]`;
      if (typeof dr !== 'object' || dr === null)
        throw new SelectorError('wrong-type', drPath, 'expected {Type, Values}');
      const values = (dr as Record<string, unknown>).Values;
      if (!isList(values) || ((values as unknown[] | undefined) ?? []).some((v) => typeof v !== 'string')) {
        throw new SelectorError('wrong-type', `${drPath}.Values`, 'expected a list of strings');
      }
    });
  });
}

/** The exact advanced equivalent of a list of basic selectors. */
export function toAdvanced(basic: readonly EventSelector[]): AdvancedEventSelector[] {
  checkBasic(basic);
  const out: AdvancedEventSelector[] = [];
  basic.forEach((sel, i) => {
    const rw = sel.ReadWriteType ?? 'All';
    if (sel.IncludeManagementEvents ?? true) {
      const exclude = sel.ExcludeManagementEventSources ?? [];
      out.push({
        Name: `Management events (basic selector ${i + 1})`,
        FieldSelectors: [
          { Field: 'eventCategory', Equals: ['Management'] },
          ...readOnlyField(rw),
          ...(exclude.length > 0 ? [{ Field: 'eventSource', NotEquals: [...exclude] }] : []),
        ],
      });
    }
    for (const dr of sel.DataResources ?? []) {
      const values = dr.Values ?? [];
      if (values.length === 0) continue; // an empty value list selects nothing
      for (const arn of arnConditions(dr.Type, values)) {
        out.push({
          Name: `${dr.Type} data events (basic selector ${i + 1})`,
          FieldSelectors: [
            { Field: 'eventCategory', Equals: ['Data'] },
            { Field: 'resources.type', Equals: [dr.Type ?? ''] },
            ...readOnlyField(rw),
            ...(arn ? [arn] : []),
          ],
        });
      }
    }
  });
  return out;
}

/** The advanced list a GetEventSelectors-shaped configuration stands for. */
export function asAdvanced(config: SelectorConfig): AdvancedEventSelector[] {
  if (typeof config !== 'object' || config === null) {
    throw new SelectorError(
      'wrong-type',
      'selectors',
      'expected {EventSelectors: [...]} or {AdvancedEventSelectors: [...]}',
    );
  }
  return 'AdvancedEventSelectors' in config
    ? config.AdvancedEventSelectors
    : toAdvanced(config.EventSelectors);
}
