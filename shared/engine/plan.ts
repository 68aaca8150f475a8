import { eventConfigurationProblem } from '../policy/checks/eventConfiguration.js';
import { insightPairs } from '../policy/checks/insights.js';
import { describeEvent } from '../policy/describe.js';
import type { Fix, ResourceKind, ResourceView } from '../policy/types.js';
import {
  type AdvancedEventSelector,
  MergeError,
  merge,
  PolicyConflictError,
  partitionOf,
  SelectorError,
} from '../selectors/index.js';
import type { Finding, PendingFix } from './evaluate.js';
import type { EventConfiguration, InsightSelector, Snapshot } from './snapshot.js';

/** One AWS call, with the exact input to send, in the resource's home region. */
export interface PlanStep {
  readonly resource: string;
  /** The account the step is sent in (through its member role when it is not the caller's). */
  readonly account: string;
  readonly region: string;
  readonly operation:
    | 'StartLogging'
    | 'UpdateTrail'
    | 'PutEventSelectors'
    | 'PutInsightSelectors'
    | 'PutEventConfiguration'
    | 'StartEventDataStoreIngestion'
    | 'UpdateEventDataStore';
  readonly input: Record<string, unknown>;
  /** Ids of the findings this step repairs. */
  readonly findings: readonly string[];
}

/** semantics.md §5: logging first, then settings, selectors, Insights (which need the events), configuration. */
const ORDER: PlanStep['operation'][] = [
  'StartLogging',
  'StartEventDataStoreIngestion',
  'UpdateTrail',
  'UpdateEventDataStore',
  'PutEventSelectors',
  'PutInsightSelectors',
  'PutEventConfiguration',
];

/** Why a resource cannot be written from this snapshot, if it cannot. */
function notHere(r: ResourceView, snapshot: Snapshot): string | undefined {
  if (r.homeRegion !== snapshot.region)
    return `shadow of a trail whose home Region is ${r.homeRegion}: repaired only from there`;
  if (r.isOrganization && r.owner !== snapshot.account) {
    return `organization ${r.kind === 'trail' ? 'trail' : 'event data store'} owned by account ${r.owner}: cannot remediate from account ${snapshot.account}`;
  }
  return undefined;
}

/** The whole insight list to send: what is there plus what is missing (PutInsightSelectors replaces the list). */
export function mergeInsights(
  current: readonly InsightSelector[],
  add: readonly InsightSelector[],
): InsightSelector[] {
  const byType = new Map<string, Set<string>>();
  for (const pair of [...insightPairs(current), ...insightPairs(add)]) {
    const [type, category] = pair.split('/') as [string, string];
    byType.set(type, (byType.get(type) ?? new Set()).add(category));
  }
  return [...byType].map(([InsightType, cats]) => ({ InsightType, EventCategories: [...cats].sort() }));
}

/**
 * The configuration to send: the current one plus every requirement, with only the keys this
 * resource kind takes (a key of the other kind read from the current configuration is dropped,
 * never sent back). Context keys force Large events.
 */
export function mergeEventConfiguration(
  kind: ResourceKind,
  current: EventConfiguration,
  wants: readonly EventConfiguration[],
): EventConfiguration {
  const out: EventConfiguration = {};
  if (kind === 'trail') {
    const templates = new Map<string, Set<string>>();
    for (const a of [
      ...(current.AggregationConfigurations ?? []),
      ...wants.flatMap((w) => w.AggregationConfigurations ?? []),
    ]) {
      templates.set(a.EventCategory, new Set([...(templates.get(a.EventCategory) ?? []), ...a.Templates]));
    }
    if (templates.size > 0)
      out.AggregationConfigurations = [...templates].map(([EventCategory, t]) => ({
        Templates: [...t],
        EventCategory,
      }));
    return out;
  }
  const keys = new Map<string, Set<string>>();
  for (const s of [
    ...(current.ContextKeySelectors ?? []),
    ...wants.flatMap((w) => w.ContextKeySelectors ?? []),
  ]) {
    keys.set(s.Type, new Set([...(keys.get(s.Type) ?? []), ...s.Equals]));
  }
  const large =
    keys.size > 0 || current.MaxEventSize === 'Large' || wants.some((w) => w.MaxEventSize === 'Large');
  const size = large ? 'Large' : (current.MaxEventSize ?? wants.find((w) => w.MaxEventSize)?.MaxEventSize);
  if (size) out.MaxEventSize = size;
  if (keys.size > 0) out.ContextKeySelectors = [...keys].map(([Type, k]) => ({ Type, Equals: [...k] }));
  return out;
}

/**
 * Combines the fixes of failed findings into ordered steps per resource. Forbidden selectors of
 * every policy that applies to a resource are honoured by the merge, so no step creates a new violation.
 */
export function buildPlan(
  snapshot: Snapshot,
  findings: Finding[],
  pending: readonly PendingFix[],
  forbids: ReadonlyMap<string, readonly { policyId: string; selectors: readonly AdvancedEventSelector[] }[]>,
  partition: string,
): PlanStep[] {
  const byResource = new Map<string, { r: ResourceView; items: PendingFix[] }>();
  for (const p of pending) {
    const entry = byResource.get(p.resource.arn) ?? { r: p.resource, items: [] };
    entry.items.push(p);
    byResource.set(p.resource.arn, entry);
  }
  const steps: PlanStep[] = [];
  const mark = (indices: readonly number[], remediation: Finding['remediation']) => {
    for (const i of indices) {
      const f = findings[i] as Finding;
      // A finding keeps the first reason it cannot be planned.
      if (f.remediation?.planned === false && remediation?.planned) continue;
      findings[i] = { ...f, remediation };
    }
  };

  for (const [arn, { r, items }] of [...byResource].sort(([a], [b]) => a.localeCompare(b))) {
    const active = items.filter((p) => p.remediate);
    mark(
      items.filter((p) => !p.remediate).map((p) => p.findingIndex),
      { planned: false, reason: 'the policy only reports (action: report)' },
    );
    if (active.length === 0) continue;
    const blocked = notHere(r, snapshot);
    if (blocked) {
      mark(
        active.map((p) => p.findingIndex),
        { planned: false, reason: blocked },
      );
      continue;
    }
    const region = r.homeRegion as string;
    const ids = (ps: readonly PendingFix[]) => [
      ...new Set(ps.map((p) => (findings[p.findingIndex] as Finding).id)),
    ];
    const withKind = (kind: Fix['kind']) => active.filter((p) => p.fixes.some((f) => f.kind === kind));
    const fixesOf = <K extends Fix['kind']>(kind: K) =>
      active.flatMap((p) => p.fixes.filter((f): f is Extract<Fix, { kind: K }> => f.kind === kind));
    const add = (
      operation: PlanStep['operation'],
      input: Record<string, unknown>,
      ps: readonly PendingFix[],
    ) => {
      steps.push({ resource: arn, account: snapshot.account, region, operation, input, findings: ids(ps) });
      mark(
        ps.map((p) => p.findingIndex),
        { planned: true },
      );
    };
    const targetKey = r.kind === 'trail' ? 'TrailName' : 'EventDataStore';

    // The API takes the name or the ARN; the name is unambiguous here (home Region, owning account), and
    // it is the form every implementation accepts (moto 5 fails on an ARN).
    if (fixesOf('startLogging').length > 0) add('StartLogging', { Name: r.name }, withKind('startLogging'));
    if (fixesOf('startIngestion').length > 0)
      add('StartEventDataStoreIngestion', { EventDataStore: arn }, withKind('startIngestion'));

    const settings = Object.assign({}, ...fixesOf('updateSettings').map((f) => f.set)) as Record<
      string,
      unknown
    >;
    let selectorsInput: Record<string, unknown> | undefined;
    const selectorFixes = fixesOf('selectors');
    if (selectorFixes.length > 0) {
      const owners = withKind('selectors');
      // Parallel lists of selectors and the policy each came from, to name policies in a conflict.
      const required = owners.flatMap((p) =>
        p.fixes.flatMap((f) =>
          f.kind === 'selectors'
            ? f.require.map((s) => ({ s, policy: (findings[p.findingIndex] as Finding).policyId }))
            : [],
        ),
      );
      const forbidden = [
        ...(forbids.get(arn) ?? []).flatMap((f) => f.selectors.map((s) => ({ s, policy: f.policyId }))),
        ...owners.flatMap((p) =>
          p.fixes.flatMap((f) =>
            f.kind === 'selectors'
              ? f.forbid.map((s) => ({ s, policy: (findings[p.findingIndex] as Finding).policyId }))
              : [],
          ),
        ),
      ];
      try {
        if (!r.selectorConfig) throw new MergeError('its current event selectors are not known');
        const result = merge(
          r.selectorConfig,
          required.map((x) => x.s),
          forbidden.map((x) => x.s),
          { target: r.kind, partition: partitionOf(arn) ?? partition },
        );
        if (result.changed) selectorsInput = result.selectors as unknown as Record<string, unknown>;
        else
          mark(
            owners.map((p) => p.findingIndex),
            { planned: false, reason: 'the merged selectors already log everything required' },
          );
      } catch (error) {
        if (
          !(
            error instanceof PolicyConflictError ||
            error instanceof MergeError ||
            error instanceof SelectorError
          )
        )
          throw error;
        let reason = `cannot plan selectors: ${error.message}`;
        if (error instanceof PolicyConflictError) {
          const index = (path: string) => Number(/\[(\d+)\]$/.exec(path)?.[1] ?? -1);
          const req = required[index(error.requirePath)]?.policy;
          const forb = forbidden[index(error.forbidPath)]?.policy;
          reason = `policy conflict: policy '${req}' requires events that policy '${forb}' forbids, for example: ${describeEvent(error.witness)}; nothing planned`;
        }
        mark(
          owners.map((p) => p.findingIndex),
          { planned: false, reason },
        );
      }
    }
    if (r.kind === 'trail') {
      if (Object.keys(settings).length > 0)
        add('UpdateTrail', { Name: arn, ...settings }, withKind('updateSettings'));
      if (selectorsInput)
        add('PutEventSelectors', { TrailName: arn, ...selectorsInput }, withKind('selectors'));
    } else if (Object.keys(settings).length > 0 || selectorsInput) {
      add('UpdateEventDataStore', { EventDataStore: arn, ...settings, ...(selectorsInput ?? {}) }, [
        ...withKind('updateSettings'),
        ...(selectorsInput ? withKind('selectors') : []),
      ]);
    }

    const insightFixes = fixesOf('insights');
    if (insightFixes.length > 0) {
      const destination = insightFixes.find((f) => f.destination)?.destination ?? r.insightsDestination;
      add(
        'PutInsightSelectors',
        {
          [targetKey]: arn,
          InsightSelectors: mergeInsights(
            r.insightSelectors ?? [],
            insightFixes.flatMap((f) => f.add),
          ),
          ...(r.kind === 'eventDataStore' && destination ? { InsightsDestination: destination } : {}),
        },
        withKind('insights'),
      );
    }
    const configFixes = fixesOf('eventConfiguration');
    if (configFixes.length > 0) {
      const merged = mergeEventConfiguration(
        r.kind,
        r.eventConfiguration ?? {},
        configFixes.map((f) => f.require),
      );
      const problem = eventConfigurationProblem(r.kind, merged);
      if (problem)
        mark(
          withKind('eventConfiguration').map((p) => p.findingIndex),
          { planned: false, reason: `cannot plan the event configuration: ${problem}` },
        );
      else add('PutEventConfiguration', { [targetKey]: arn, ...merged }, withKind('eventConfiguration'));
    }
  }
  return steps.sort(
    (a, b) => a.resource.localeCompare(b.resource) || ORDER.indexOf(a.operation) - ORDER.indexOf(b.operation),
  );
}
