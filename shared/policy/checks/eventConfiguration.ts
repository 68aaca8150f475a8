import { z } from 'zod';
import type { EventConfiguration } from '../awsShapes.js';
import { label } from '../describe.js';
import type { Check, CheckDefinition, CheckOutcome, ResourceKind } from '../types.js';

/*
 * PutEventConfiguration sets "the maximum event size and context key selectors for event data
 * store" and "aggregation settings for the trail": each resource kind has its own parameters, and
 * a request never carries the other kind's.
 */

const RULE =
  'PutEventConfiguration: event size and context keys for event data stores, aggregation for trails';

/** At most two context key selectors, one per Type in practice (TagContext, RequestContext). */
const MAX_CONTEXT_KEY_SELECTORS = 2;

const ContextKeySelectors = z
  .array(
    z.strictObject({
      Type: z.enum(['TagContext', 'RequestContext']),
      Equals: z.array(z.string().min(1)).min(1),
    }),
  )
  .min(1)
  .max(MAX_CONTEXT_KEY_SELECTORS, {
    error: (issue) =>
      `at most ${MAX_CONTEXT_KEY_SELECTORS} context key selectors, got ${Array.isArray(issue.input) ? issue.input.length : '?'}`,
  });

const AggregationConfigurations = z
  .array(
    z.strictObject({
      Templates: z.array(z.enum(['API_ACTIVITY', 'RESOURCE_ACCESS', 'USER_ACTIONS'])).min(1),
      EventCategory: z.literal('Data'),
    }),
  )
  .min(1);

/** "Asks for nothing" is said only of an object with no other problem (e.g. a key of the other kind). */
const onlyIfWellFormed = (payload: { issues: readonly unknown[] }) => payload.issues.length === 0;

/** What an event data store's event configuration may require. */
const StoreEventConfigurationParams = z
  .strictObject({
    MaxEventSize: z.enum(['Standard', 'Large']).optional(),
    ContextKeySelectors: ContextKeySelectors.optional(),
  })
  .refine((v) => v.MaxEventSize !== undefined || v.ContextKeySelectors !== undefined, {
    message: 'expected MaxEventSize or ContextKeySelectors',
    when: onlyIfWellFormed,
  });

/** What a trail's event configuration may require: aggregation of data events only. */
const TrailEventConfigurationParams = z
  .strictObject({ AggregationConfigurations: AggregationConfigurations.optional() })
  .refine((v) => v.AggregationConfigurations !== undefined, {
    message: 'expected AggregationConfigurations',
    when: onlyIfWellFormed,
  });

type StoreParams = z.infer<typeof StoreEventConfigurationParams>;
type TrailParams = z.infer<typeof TrailEventConfigurationParams>;
type Params = StoreParams | TrailParams;

/** Why a key of the other resource kind is not taken, for the loader's message. */
const KEY_RULES: Record<ResourceKind, Record<string, string>> = {
  trail: {
    MaxEventSize: `MaxEventSize is set on event data stores only; a trail takes AggregationConfigurations only (${RULE})`,
    ContextKeySelectors: `ContextKeySelectors is set on event data stores only; a trail takes AggregationConfigurations only (${RULE})`,
  },
  eventDataStore: {
    AggregationConfigurations: `AggregationConfigurations is set on trails only; an event data store takes MaxEventSize and ContextKeySelectors (${RULE})`,
  },
};

/** What `have` lacks of `want`, reading only the keys the resource kind takes. */
function eventConfigurationGaps(
  kind: ResourceKind,
  have: EventConfiguration,
  want: EventConfiguration,
): string[] {
  const gaps: string[] = [];
  if (kind === 'eventDataStore') {
    // Context keys need Large events (docs/semantics.md, "7. What AWS accepts"), whether the policy or the store has them.
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
    return gaps;
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

/**
 * Why a merged configuration cannot be sent to this resource kind, if it cannot: checked against
 * the same parameter schema as policies, so no plan carries what the API rejects.
 */
export function eventConfigurationProblem(
  kind: ResourceKind,
  config: EventConfiguration,
): string | undefined {
  const schema = kind === 'trail' ? TrailEventConfigurationParams : StoreEventConfigurationParams;
  const parsed = schema.safeParse(config);
  if (parsed.success) {
    return kind === 'eventDataStore' &&
      (config.ContextKeySelectors?.length ?? 0) > 0 &&
      config.MaxEventSize !== 'Large'
      ? 'ContextKeySelectors need MaxEventSize Large'
      : undefined;
  }
  return parsed.error.issues.map((i) => `${i.path.join('.') || 'configuration'}: ${i.message}`).join('; ');
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

function eventConfigurationCheck(kind: ResourceKind): CheckDefinition<Params> {
  return {
    key: 'eventConfiguration',
    section: 'require',
    resource: kind,
    check: 'eventConfiguration',
    description:
      kind === 'trail'
        ? 'Event configuration of a trail: AggregationConfigurations (templates API_ACTIVITY, RESOURCE_ACCESS, USER_ACTIONS on Data events).'
        : 'Event configuration of an event data store: MaxEventSize, and up to 2 ContextKeySelectors (which need MaxEventSize Large).',
    params: (kind === 'trail'
      ? TrailEventConfigurationParams
      : StoreEventConfigurationParams) as unknown as z.ZodType<Params>,
    keyRules: KEY_RULES[kind],
    iam: { evaluate: ['cloudtrail:GetEventConfiguration'], remediate: ['cloudtrail:PutEventConfiguration'] },
    reads:
      kind === 'trail'
        ? ['DescribeTrails', 'GetEventConfiguration']
        : ['ListEventDataStores', 'GetEventDataStore', 'GetEventConfiguration'],
    example:
      kind === 'trail'
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
      const store = p as StoreParams;
      return store.MaxEventSize === 'Standard' && (store.ContextKeySelectors?.length ?? 0) > 0
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
      const gaps = eventConfigurationGaps(kind, r.eventConfiguration, want as EventConfiguration);
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

export const eventConfigurationChecks: Check[] = [
  eventConfigurationCheck('trail'),
  eventConfigurationCheck('eventDataStore'),
];
