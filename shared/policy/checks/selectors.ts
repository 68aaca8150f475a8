import { z } from 'zod';
import {
  type AdvancedEventSelector,
  covers,
  EVENT_FIELDS,
  OPERATORS,
  overlaps,
  type Purpose,
  partitionOf,
  validate,
} from '../../selectors/index.js';
import { describeEvent, label } from '../describe.js';
import type {
  Check,
  CheckDefinition,
  CheckOutcome,
  CloudTrailRead,
  ResourceKind,
  ResourceView,
} from '../types.js';

const FieldSelectorSchema = z.strictObject({
  Field: z.enum(EVENT_FIELDS),
  ...Object.fromEntries(OPERATORS.map((op) => [op, z.array(z.string()).optional()])),
}) as unknown as z.ZodType<AdvancedEventSelector['FieldSelectors'][number]>;

/** Advanced event selectors in AWS spelling, as policies write them. */
const SelectorListSchema: z.ZodType<AdvancedEventSelector[]> = z.array(
  z.strictObject({ Name: z.string().optional(), FieldSelectors: z.array(FieldSelectorSchema) }),
) as unknown as z.ZodType<AdvancedEventSelector[]>;

const READ = (kind: ResourceKind) =>
  kind === 'trail' ? ['cloudtrail:GetEventSelectors'] : ['cloudtrail:GetEventDataStore'];
/**
 * A trail's selectors come from GetEventSelectors; an event data store's are in GetEventDataStore.
 * (Whether a trail delivers matters to `quantifier: union` only, which asks for GetTrailStatus.)
 */
const READS = (kind: ResourceKind): readonly CloudTrailRead[] =>
  kind === 'trail' ? ['DescribeTrails', 'GetEventSelectors'] : ['ListEventDataStores', 'GetEventDataStore'];
const WRITE = (kind: ResourceKind) =>
  kind === 'trail' ? ['cloudtrail:PutEventSelectors'] : ['cloudtrail:UpdateEventDataStore'];

/**
 * `require.logEvents` is checked as what may have to be written to this kind of resource;
 * `forbid.logEvents` as a set of events, which is never written (validate's forbid purpose).
 */
function validateSelectors(kind: ResourceKind, purpose: Purpose) {
  return (list: AdvancedEventSelector[]) =>
    validate(list, kind, { purpose, listPath: '' }).map((p) => ({
      path: p.path,
      message: p.message,
      severity: p.severity,
    }));
}

/** The ERROR of a check that needs selectors the snapshot does not give (missing, or malformed). */
export const unknownSelectors = (r: ResourceView): CheckOutcome => ({
  status: 'ERROR',
  message: r.selectorProblem
    ? `${label(r)}: ${r.selectorProblem}`
    : `${label(r)}: its event selectors are not known${r.loadErrors.length ? ` (${r.loadErrors.map((e) => e.message).join('; ')})` : ''}`,
});

/** Decisions about a resource are taken over ARNs of its own partition (read from its ARN). */
const within = (r: ResourceView) => ({ partition: partitionOf(r.arn) });

/** The partition shared by all `resources` (every known partition when they have none in common). */
function commonPartition(resources: readonly ResourceView[]) {
  const partitions = new Set(resources.map((r) => partitionOf(r.arn)));
  return { partition: partitions.size === 1 ? [...partitions][0] : undefined };
}

/** Only resources that deliver events log anything; an unknown state is given the benefit of the doubt. */
const delivering = (resources: readonly ResourceView[]) => resources.filter((r) => r.active !== false);

function logEventsCheck(kind: ResourceKind): CheckDefinition<AdvancedEventSelector[]> {
  return {
    key: 'logEvents',
    section: 'require',
    resource: kind,
    check: 'logEvents',
    description:
      'Every event these advanced selectors match is logged, decided exactly over all selectors; a failure names an event that would not be logged.',
    params: SelectorListSchema,
    iam: { evaluate: READ(kind), remediate: WRITE(kind) },
    reads: READS(kind),
    example: [
      { FieldSelectors: [{ Field: 'eventCategory', Equals: ['Management'] }] },
      {
        Name: 'S3 writes on the payroll bucket',
        FieldSelectors: [
          { Field: 'eventCategory', Equals: ['Data'] },
          { Field: 'resources.type', Equals: ['AWS::S3::Object'] },
          { Field: 'readOnly', Equals: ['false'] },
          { Field: 'resources.ARN', StartsWith: ['arn:aws:s3:::payroll/'] },
        ],
      },
    ],
    validateParams: validateSelectors(kind, 'write'),
    selectors: (required) => required,
    evaluate(r, required) {
      if (!r.selectors) return unknownSelectors(r);
      const result = covers(r.selectors, required, within(r));
      if (result.covered) return { status: 'PASS', message: `${label(r)} logs every required event` };
      return {
        status: 'FAIL',
        message: `${label(r)} does not log every required event; this call would not be logged: ${describeEvent(result.witness)}`,
        witness: result.witness,
        fixes: [{ kind: 'selectors', require: required, forbid: [] }],
      };
    },
    evaluateUnion(resources, required) {
      const unknown = resources.find((r) => !r.selectors);
      if (unknown) return unknownSelectors(unknown);
      const union = delivering(resources).flatMap((r) => r.selectors ?? []);
      const result = covers(union, required, commonPartition(resources));
      const kind = resources[0]?.kind === 'eventDataStore' ? 'event data store' : 'trail';
      const names = resources.map((r) => r.name).join(', ');
      const what =
        resources.length === 0
          ? `no ${kind} records events here`
          : `${resources.length} ${kind}${resources.length > 1 ? 's' : ''} in scope (${names})`;
      if (result.covered)
        return { status: 'PASS', message: `together, the ${what} log every required event` };
      return {
        status: 'FAIL',
        message: `${resources.length === 0 ? what : `none of the ${what} logs this call`}: ${describeEvent(result.witness)}`,
        witness: result.witness,
      };
    },
  };
}

function forbidLogEventsCheck(kind: ResourceKind): CheckDefinition<AdvancedEventSelector[]> {
  return {
    key: 'logEvents',
    section: 'forbid',
    resource: kind,
    check: 'forbid.logEvents',
    description:
      'No event these advanced selectors match is logged (for example a cost guard); a failure names a logged event.',
    params: SelectorListSchema,
    iam: { evaluate: READ(kind), remediate: WRITE(kind) },
    reads: READS(kind),
    example: [
      {
        Name: 'All S3 object events',
        FieldSelectors: [
          { Field: 'eventCategory', Equals: ['Data'] },
          { Field: 'resources.type', Equals: ['AWS::S3::Object'] },
        ],
      },
    ],
    validateParams: validateSelectors(kind, 'forbid'),
    selectors: (forbidden) => forbidden,
    evaluate(r, forbidden) {
      if (!r.selectors) return unknownSelectors(r);
      const result = overlaps(r.selectors, forbidden, within(r));
      if (!result.overlaps) return { status: 'PASS', message: `${label(r)} logs no forbidden event` };
      return {
        status: 'FAIL',
        message: `${label(r)} logs events the policy forbids, for example: ${describeEvent(result.witness)}`,
        witness: result.witness,
        fixes: [{ kind: 'selectors', require: [], forbid: forbidden }],
      };
    },
    evaluateUnion(resources, forbidden) {
      for (const r of resources) {
        const outcome = this.evaluate(r, forbidden);
        if (outcome.status !== 'PASS') return outcome;
      }
      return { status: 'PASS', message: 'no selected resource logs a forbidden event' };
    },
  };
}

export const selectorChecks: Check[] = [
  logEventsCheck('trail'),
  forbidLogEventsCheck('trail'),
  logEventsCheck('eventDataStore'),
  forbidLogEventsCheck('eventDataStore'),
];
