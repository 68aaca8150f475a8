/**
 * The coverage matrix of the HTML report: one row per trail or event data store, one column per
 * kind of event or setting. Every selector cell is decided by the exact engine (`covers`, with the
 * event that is not logged; else `overlaps`, with one that is), never by reading names or flags.
 */
import type { ResourceView } from '../policy/types.js';
import {
  type AdvancedEventSelector,
  type CloudTrailEvent,
  covers,
  overlaps,
  SelectorEngineError,
} from '../selectors/index.js';

export type CellState = 'green' | 'red' | 'grey';

export interface Cell {
  readonly state: CellState;
  /** A word or two for the cell itself. */
  readonly label: string;
  /** One sentence for the hover. */
  readonly detail: string;
  /** For selector cells: an event not logged (red) or one that is (green). */
  readonly witness?: CloudTrailEvent;
}

export interface Column {
  readonly id: string;
  readonly title: string;
}

export interface CoverageRow {
  readonly arn: string;
  readonly name: string;
  readonly kind: ResourceView['kind'];
  readonly region: string | undefined;
  readonly cells: Readonly<Record<string, Cell>>;
}

export interface CoverageMatrix {
  readonly columns: readonly Column[];
  readonly rows: readonly CoverageRow[];
}

const sel = (...fields: AdvancedEventSelector['FieldSelectors']): AdvancedEventSelector => ({
  FieldSelectors: fields,
});
const MANAGEMENT = { Field: 'eventCategory', Equals: ['Management'] };

/** Data resource types always shown, plus any named by a resource's selectors or a policy. */
const COMMON_DATA_TYPES = ['AWS::S3::Object', 'AWS::Lambda::Function', 'AWS::DynamoDB::Table'];

function selectorCell(r: ResourceView, required: AdvancedEventSelector, what: string): Cell {
  if (!r.selectors)
    return { state: 'grey', label: 'not known', detail: `${what}: the event selectors are not known` };
  try {
    const c = covers(r.selectors, [required]);
    if (r.active === false) {
      const example = c.covered ? overlaps(r.selectors, [required]) : undefined;
      return {
        state: 'red',
        label: 'stopped',
        detail: `${what}: selected, but ${r.kind === 'trail' ? 'the trail is not logging' : 'ingestion is stopped'}, so nothing is delivered`,
        ...(c.covered ? (example?.overlaps ? { witness: example.witness } : {}) : { witness: c.witness }),
      };
    }
    if (c.covered) {
      const o = overlaps(r.selectors, [required]);
      return {
        state: 'green',
        label: 'all',
        detail: `${what}: every such event is logged`,
        ...(o.overlaps ? { witness: o.witness } : {}),
      };
    }
    const partial = overlaps(r.selectors, [required]).overlaps;
    return {
      state: 'red',
      label: partial ? 'partial' : 'none',
      detail: `${what}: ${partial ? 'some are logged, not all' : 'none is logged'}; this one is not`,
      witness: c.witness,
    };
  } catch (error) {
    if (!(error instanceof SelectorEngineError)) throw error;
    return { state: 'grey', label: 'invalid', detail: `${what}: ${error.message}` };
  }
}

const flag = (value: unknown, yes: string, no: string, what: string): Cell =>
  value === true
    ? { state: 'green', label: yes, detail: `${what}: ${yes}` }
    : value === false
      ? { state: 'red', label: no, detail: `${what}: ${no}` }
      : { state: 'grey', label: 'not known', detail: `${what}: not known` };

function dataTypes(resources: readonly ResourceView[], extra: readonly string[]): string[] {
  const named = resources.flatMap((r) =>
    (r.selectors ?? []).flatMap((s) =>
      s.FieldSelectors.filter((f) => f.Field === 'resources.type').flatMap((f) => f.Equals ?? []),
    ),
  );
  return [...new Set([...COMMON_DATA_TYPES, ...named, ...extra])].sort();
}

const shortType = (t: string) => t.replace(/^AWS::/, '').replace(/::/g, ' ');

export function coverageMatrix(
  resources: readonly ResourceView[],
  policyDataTypes: readonly string[] = [],
): CoverageMatrix {
  const types = dataTypes(resources, policyDataTypes);
  const columns: Column[] = [
    { id: 'management-read', title: 'Management read' },
    { id: 'management-write', title: 'Management write' },
    ...types.map((t) => ({ id: `data:${t}`, title: `Data: ${shortType(t)}` })),
    { id: 'network-activity', title: 'Network activity' },
    { id: 'insights', title: 'Insights' },
    { id: 'event-size', title: 'Event size' },
    { id: 'delivery', title: 'Delivery health' },
    { id: 'logging', title: 'Logging' },
    { id: 'multi-region', title: 'Multi-Region' },
  ];
  const rows = resources.map((r): CoverageRow => {
    const cells: Record<string, Cell> = {
      'management-read': selectorCell(
        r,
        sel(MANAGEMENT, { Field: 'readOnly', Equals: ['true'] }),
        'Management read events',
      ),
      'management-write': selectorCell(
        r,
        sel(MANAGEMENT, { Field: 'readOnly', Equals: ['false'] }),
        'Management write events',
      ),
    };
    for (const t of types)
      cells[`data:${t}`] = selectorCell(
        r,
        sel({ Field: 'eventCategory', Equals: ['Data'] }, { Field: 'resources.type', Equals: [t] }),
        `Data events on ${t}`,
      );
    // Network activity events need an event source; "every service" is what the cell asks.
    cells['network-activity'] = selectorCell(
      r,
      sel(
        { Field: 'eventCategory', Equals: ['NetworkActivity'] },
        { Field: 'eventSource', StartsWith: [''] },
      ),
      'Network activity events',
    );
    const insights = r.insightSelectors;
    cells.insights =
      insights === undefined
        ? { state: 'grey', label: 'not known', detail: 'Insights: not known' }
        : insights.length > 0
          ? {
              state: 'green',
              label: insights.map((i) => i.InsightType.replace(/Insight$/, '')).join(', '),
              detail: `Insights: ${insights.map((i) => `${i.InsightType} on ${(i.EventCategories ?? ['Management']).join(', ')}`).join('; ')}`,
            }
          : { state: 'red', label: 'off', detail: 'Insights: no insight selectors' };
    cells['event-size'] =
      r.kind === 'trail'
        ? { state: 'grey', label: 'n/a', detail: 'Event size: set on event data stores only' }
        : r.eventConfiguration === undefined
          ? { state: 'grey', label: 'not known', detail: 'Event size: not known' }
          : r.eventConfiguration.MaxEventSize === 'Large'
            ? {
                state: 'green',
                label: 'Large',
                detail: 'Event size: Large (up to 1 MB, context keys allowed)',
              }
            : { state: 'red', label: 'Standard', detail: 'Event size: Standard (up to 256 KB)' };
    cells.delivery =
      r.kind !== 'trail'
        ? { state: 'grey', label: 'n/a', detail: 'Delivery health: trails only' }
        : r.active === undefined || r.deliveryErrors === undefined
          ? { state: 'grey', label: 'not known', detail: 'Delivery health: the trail status is not known' }
          : r.deliveryErrors.length > 0
            ? {
                state: 'red',
                label: 'error',
                // Every destination the trail uses that reports a failure (S3, digests, CloudWatch Logs, SNS).
                detail: `Delivery health: delivery failed: ${r.deliveryErrors.map((e) => `${e.destination}: ${e.error}`).join('; ')}`,
              }
            : r.active
              ? { state: 'green', label: 'ok', detail: 'Delivery health: no delivery error reported' }
              : { state: 'grey', label: 'stopped', detail: 'Delivery health: the trail is not logging' };
    cells.logging = flag(
      r.active,
      r.kind === 'trail' ? 'logging' : 'ingesting',
      r.kind === 'trail' ? 'stopped' : 'stopped',
      r.kind === 'trail' ? 'Logging' : 'Ingestion',
    );
    cells['multi-region'] = flag(
      r.kind === 'trail' ? r.settings.IsMultiRegionTrail : r.settings.MultiRegionEnabled,
      'all Regions',
      'one Region',
      'Multi-Region',
    );
    return { arn: r.arn, name: r.name, kind: r.kind, region: r.homeRegion, cells };
  });
  return { columns, rows };
}
