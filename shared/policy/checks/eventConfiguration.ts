import { z } from 'zod';
import type { EventConfiguration } from '../../engine/snapshot.js';
import { label } from '../describe.js';
import type { CheckDefinition, CheckOutcome, ResourceKind } from '../types.js';

export const EventConfigurationParams = z.strictObject({
  MaxEventSize: z.enum(['Standard', 'Large']).optional(),
  ContextKeySelectors: z
    .array(
      z.strictObject({
        Type: z.enum(['TagContext', 'RequestContext']),
        Equals: z.array(z.string().min(1)).min(1),
      }),
    )
    .optional(),
  AggregationConfigurations: z
    .array(
      z.strictObject({
        Templates: z.array(z.enum(['API_ACTIVITY', 'RESOURCE_ACCESS', 'USER_ACTIONS'])).min(1),
        EventCategory: z.literal('Data'),
      }),
    )
    .optional(),
});
type Params = z.infer<typeof EventConfigurationParams>;

/** What `have` lacks of `want` (semantics §6: context keys need Large events). */
export function eventConfigurationGaps(have: EventConfiguration, want: Params): string[] {
  const gaps: string[] = [];
  const needsLarge =
    want.MaxEventSize === 'Large' ||
    (want.ContextKeySelectors?.length ?? 0) > 0 ||
    (have.ContextKeySelectors?.length ?? 0) > 0;
  if (needsLarge && have.MaxEventSize !== 'Large') {
    gaps.push(
      `MaxEventSize is ${have.MaxEventSize ?? 'Standard'}${(want.ContextKeySelectors?.length ?? 0) > 0 ? ', and context keys need Large' : ', expected Large'}`,
    );
  }
  for (const sel of want.ContextKeySelectors ?? []) {
    const keys = new Set(
      (have.ContextKeySelectors ?? []).filter((h) => h.Type === sel.Type).flatMap((h) => h.Equals),
    );
    const missing = sel.Equals.filter((k) => !keys.has(k));
    if (missing.length > 0) gaps.push(`${sel.Type} keys ${missing.join(', ')} are not included`);
  }
  for (const agg of want.AggregationConfigurations ?? []) {
    const templates = new Set(
      (have.AggregationConfigurations ?? [])
        .filter((h) => h.EventCategory === agg.EventCategory)
        .flatMap((h) => h.Templates),
    );
    const missing = agg.Templates.filter((t) => !templates.has(t));
    if (missing.length > 0)
      gaps.push(
        `aggregation templates ${missing.join(', ')} on ${agg.EventCategory} events are not configured`,
      );
  }
  return gaps;
}

function eventConfigurationCheck(resource: ResourceKind): CheckDefinition<Params> {
  return {
    key: 'eventConfiguration',
    section: 'require',
    resource,
    check: 'eventConfiguration',
    description:
      'Event configuration: MaxEventSize, ContextKeySelectors (which need MaxEventSize Large) and AggregationConfigurations on data events.',
    params: EventConfigurationParams,
    iam: { evaluate: ['cloudtrail:GetEventConfiguration'], remediate: ['cloudtrail:PutEventConfiguration'] },
    example:
      resource === 'trail'
        ? {
            AggregationConfigurations: [
              { Templates: ['API_ACTIVITY', 'USER_ACTIONS'], EventCategory: 'Data' },
            ],
          }
        : {
            MaxEventSize: 'Large',
            ContextKeySelectors: [{ Type: 'TagContext', Equals: ['project', 'cost-center'] }],
          },
    validateParams(p) {
      return p.MaxEventSize === 'Standard' && (p.ContextKeySelectors?.length ?? 0) > 0
        ? [
            {
              path: '.MaxEventSize',
              message: 'ContextKeySelectors need MaxEventSize Large',
              severity: 'error',
            },
          ]
        : [];
    },
    evaluate(r, want): CheckOutcome {
      if (!r.eventConfiguration)
        return { status: 'ERROR', message: `${label(r)}: its event configuration is not known` };
      const gaps = eventConfigurationGaps(r.eventConfiguration, want);
      if (gaps.length === 0)
        return { status: 'PASS', message: `${label(r)} has the required event configuration` };
      return {
        status: 'FAIL',
        message: `${label(r)}: ${gaps.join('; ')}`,
        fixes: [{ kind: 'eventConfiguration', require: want as EventConfiguration }],
      };
    },
  };
}

export const eventConfigurationChecks = [
  eventConfigurationCheck('trail'),
  eventConfigurationCheck('eventDataStore'),
] as CheckDefinition<never>[];
