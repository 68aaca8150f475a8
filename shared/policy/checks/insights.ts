import { z } from 'zod';
import { type AdvancedEventSelector, overlaps, partitionOf } from '../../selectors/index.js';
import type { InsightSelector } from '../awsShapes.js';
import { label } from '../describe.js';
import type { Check, CheckDefinition, CheckOutcome, Fix, ResourceView } from '../types.js';
import { unknownSelectors } from './selectors.js';

const InsightType = z.enum(['ApiCallRateInsight', 'ApiErrorRateInsight']);
const TrailInsights = z.array(
  z.strictObject({
    InsightType,
    EventCategories: z
      .array(z.enum(['Management', 'Data']))
      .min(1)
      .optional(),
  }),
);
const StoreInsights = z.strictObject({
  selectors: z.array(
    z.strictObject({ InsightType, EventCategories: z.array(z.literal('Management')).min(1).optional() }),
  ),
  destination: z.string().min(1).optional(),
});

/** (type, category) pairs; omitted categories mean Management (put_insight_selectors.txt). */
function insightPairs(list: readonly InsightSelector[]): string[] {
  return list.flatMap((s) =>
    (s.EventCategories?.length ? s.EventCategories : ['Management']).map((c) => `${s.InsightType}/${c}`),
  );
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

const mgmt = (readOnly?: string): AdvancedEventSelector[] => [
  {
    Name: readOnly
      ? 'Write management events (needed by Insights)'
      : 'Management events (needed by Insights)',
    FieldSelectors: [
      { Field: 'eventCategory', Equals: ['Management'] },
      ...(readOnly ? [{ Field: 'readOnly', Equals: [readOnly] }] : []),
    ],
  },
];
const anyData: AdvancedEventSelector[] = [
  {
    FieldSelectors: [
      { Field: 'eventCategory', Equals: ['Data'] },
      { Field: 'resources.type', StartsWith: ['AWS::'] },
    ],
  },
];

/** What each Insights pair needs logged (docs/semantics.md, "7. What AWS accepts"), as a selector list to overlap with. */
const PREREQUISITES: Record<string, { needs: AdvancedEventSelector[]; says: string }> = {
  'ApiCallRateInsight/Management': { needs: mgmt('false'), says: 'write management events' },
  'ApiErrorRateInsight/Management': { needs: mgmt(), says: 'read or write management events' },
  'ApiCallRateInsight/Data': { needs: anyData, says: 'data events' },
  'ApiErrorRateInsight/Data': { needs: anyData, says: 'data events' },
};

/** Insights pairs in `pairs` whose prerequisite events the resource does not log. */
function unmetPrerequisites(r: ResourceView, pairs: readonly string[]) {
  return pairs.filter((p) => {
    const pre = PREREQUISITES[p];
    return (
      pre !== undefined &&
      r.selectors !== undefined &&
      !overlaps(r.selectors, pre.needs, { partition: partitionOf(r.arn) }).overlaps
    );
  });
}

function evaluateInsights(r: ResourceView, required: InsightSelector[], destination?: string): CheckOutcome {
  if (!r.insightSelectors)
    return { status: 'ERROR', message: `${label(r)}: its Insights selectors are not known` };
  if (!r.selectors) return unknownSelectors(r);
  const have = new Set(insightPairs(r.insightSelectors));
  const missing = insightPairs(required).filter((p) => !have.has(p));
  const unmet = unmetPrerequisites(r, [...new Set([...have, ...insightPairs(required)])]);
  const problems = [
    ...missing.map((p) => `${p.replace('/', ' on ')} events are not enabled`),
    ...unmet.map(
      (p) =>
        `${p.replace('/', ' on ')} needs ${PREREQUISITES[p]?.says} logged, and the ${r.kind === 'trail' ? 'trail' : 'event data store'} logs none`,
    ),
  ];
  if (problems.length === 0)
    return { status: 'PASS', message: `${label(r)} has the required Insights enabled` };
  const message = `${label(r)}: ${problems.join('; ')}`;
  const fixes: Fix[] = [];
  const manual: string[] = [];
  for (const p of unmet) {
    if (p.endsWith('/Management'))
      fixes.push({ kind: 'selectors', require: PREREQUISITES[p]?.needs ?? [], forbid: [] });
    else manual.push(`choose which data events to log for ${p.replace('/', ' on ')}`);
  }
  if (missing.length > 0) {
    if (r.kind === 'eventDataStore' && !(destination ?? r.insightsDestination))
      manual.push('set insights.destination (the Insights event data store)');
    else fixes.push({ kind: 'insights', add: required, ...(destination ? { destination } : {}) });
  }
  return manual.length > 0
    ? { status: 'FAIL', message, manual: manual.join('; ') }
    : { status: 'FAIL', message, fixes };
}

const trailInsights: CheckDefinition<z.infer<typeof TrailInsights>> = {
  key: 'insights',
  section: 'require',
  resource: 'trail',
  check: 'insights',
  description:
    'These Insights types and categories are enabled, and the events they analyse are logged (ApiCallRateInsight on Management needs write management events).',
  params: TrailInsights,
  iam: {
    evaluate: ['cloudtrail:GetInsightSelectors', 'cloudtrail:GetEventSelectors'],
    remediate: ['cloudtrail:PutInsightSelectors'],
  },
  // The events an Insights type analyses must be logged: the selectors are read too.
  reads: ['DescribeTrails', 'GetInsightSelectors', 'GetEventSelectors'],
  example: [
    { InsightType: 'ApiCallRateInsight', EventCategories: ['Management'] },
    { InsightType: 'ApiErrorRateInsight' },
  ],
  evaluate: (r, required) => evaluateInsights(r, required as InsightSelector[]),
};

const storeInsights: CheckDefinition<z.infer<typeof StoreInsights>> = {
  key: 'insights',
  section: 'require',
  resource: 'eventDataStore',
  check: 'insights',
  description:
    'Insights on management events are enabled, delivering to an Insights event data store (destination).',
  params: StoreInsights,
  iam: {
    evaluate: ['cloudtrail:GetInsightSelectors', 'cloudtrail:GetEventDataStore'],
    remediate: ['cloudtrail:PutInsightSelectors'],
  },
  reads: ['ListEventDataStores', 'GetEventDataStore', 'GetInsightSelectors'],
  example: {
    selectors: [{ InsightType: 'ApiCallRateInsight', EventCategories: ['Management'] }],
    destination: 'arn:aws:cloudtrail:us-east-1:111122223333:eventdatastore/insights-destination',
  },
  evaluate: (r, { selectors, destination }) =>
    evaluateInsights(r, selectors as InsightSelector[], destination),
};

export const insightChecks: Check[] = [trailInsights, storeInsights];
