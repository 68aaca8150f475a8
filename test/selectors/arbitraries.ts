import fc from 'fast-check';
import type {
  AdvancedEventSelector,
  AdvancedFieldSelector,
  CloudTrailEvent,
  EventSelector,
} from '../../shared/selectors/index.js';
import { EVENT_CATEGORIES } from '../../shared/selectors/index.js';

/**
 * Generators biased toward shared literals and prefixes, so that selectors really overlap and
 * coverage questions are hard: atoms are short strings over {a, b}, events use {a, b, c}.
 */

/** Fixed seed so CI is deterministic; FC_SEED overrides it for exploration. */
export const SEED = process.env.FC_SEED ? Number(process.env.FC_SEED) : 20261121;
export const RUNS = process.env.FC_RUNS ? Number(process.env.FC_RUNS) : 2000;

export const atom = fc.constantFrom('a', 'b', 'aa', 'ab', 'ba', 'bb', 'a', 'ab');
const atoms = fc.uniqueArray(atom, { minLength: 1, maxLength: 3 });

const OPS = ['Equals', 'StartsWith', 'EndsWith', 'NotEquals', 'NotStartsWith', 'NotEndsWith'] as const;

/** One field selector on a free-string field with 1–2 operators. */
function freeFieldSelector(field: string) {
  return fc
    .uniqueArray(fc.constantFrom(...OPS), { minLength: 1, maxLength: 2 })
    .chain((ops) => fc.tuple(...ops.map((op) => atoms.map((values) => [op, values] as const))))
    .map((pairs) => {
      const fs: AdvancedFieldSelector = { Field: field };
      for (const [op, values] of pairs) fs[op] = [...values];
      return fs;
    });
}

function enumFieldSelector(field: string, values: readonly string[]) {
  return fc.oneof(
    fc
      .uniqueArray(fc.constantFrom(...values), { minLength: 1, maxLength: 2 })
      .map((v) => ({ Field: field, Equals: v })),
    fc
      .uniqueArray(fc.constantFrom(...values), { minLength: 1, maxLength: 1 })
      .map((v) => ({ Field: field, NotEquals: v })),
  );
}

export const FREE_FIELDS = ['eventName', 'resources.ARN', 'errorCode'] as const;
const CATEGORY_VALUES = ['Management', 'Data', 'Insight', 'Bogus'];
const BOOL_VALUES = ['true', 'false', 'maybe'];

const fieldSelector = fc.oneof(
  { weight: 2, arbitrary: enumFieldSelector('eventCategory', CATEGORY_VALUES) },
  { weight: 2, arbitrary: enumFieldSelector('readOnly', BOOL_VALUES) },
  { weight: 1, arbitrary: enumFieldSelector('sessionCredentialFromConsole', BOOL_VALUES) },
  ...FREE_FIELDS.map((f) => ({ weight: 3, arbitrary: freeFieldSelector(f) })),
);

export const selector: fc.Arbitrary<AdvancedEventSelector> = fc
  .array(fieldSelector, { minLength: 1, maxLength: 3 })
  .map((FieldSelectors) => ({ FieldSelectors }));

export const selectorList = fc.array(selector, { minLength: 0, maxLength: 4 });

const eventString = fc.stringMatching(/^[abc]{1,5}$/);

export const event: fc.Arbitrary<CloudTrailEvent> = fc.record({
  eventCategory: fc.constantFrom(...EVENT_CATEGORIES.slice(0, 3)),
  readOnly: fc.constantFrom('true', 'false'),
  eventName: eventString,
  'resources.ARN': eventString,
  errorCode: fc.option(eventString, { nil: undefined }),
  sessionCredentialFromConsole: fc.option(fc.constantFrom('true', 'false'), { nil: undefined }),
});

/** Every string over {a, b, c} of length 1..5: enough to realise every region of atoms up to length 2. */
export const UNIVERSE_STRINGS: readonly string[] = (() => {
  const out: string[] = [];
  let layer = [''];
  for (let len = 1; len <= 5; len++) {
    layer = layer.flatMap((s) => ['a', 'b', 'c'].map((ch) => s + ch));
    out.push(...layer);
  }
  return out;
})();

// ---- realistic, valid selectors for merge ----------------------------------------------------

const BUCKETS = [
  'arn:aws:s3:::logs/',
  'arn:aws:s3:::payroll/',
  'arn:aws:s3:::payroll/2026/',
  'arn:aws:s3:::app/',
];
const FUNCTIONS = [
  'arn:aws:lambda:us-east-1:111122223333:function:a',
  'arn:aws:lambda:us-east-1:111122223333:function:ab',
];

const readOnlyOpt = fc.option(fc.constantFrom('true', 'false'), { nil: undefined });

const managementSelector = fc.record({ readOnly: readOnlyOpt, excludeKms: fc.boolean() }).map(
  ({ readOnly, excludeKms }): AdvancedEventSelector => ({
    FieldSelectors: [
      { Field: 'eventCategory', Equals: ['Management'] },
      ...(readOnly ? [{ Field: 'readOnly', Equals: [readOnly] }] : []),
      ...(excludeKms ? [{ Field: 'eventSource', NotEquals: ['kms.amazonaws.com'] }] : []),
    ],
  }),
);

const s3Arn = fc.oneof(
  fc
    .uniqueArray(fc.constantFrom(...BUCKETS), { minLength: 1, maxLength: 2 })
    .map((v) => ({ Field: 'resources.ARN', StartsWith: v })),
  fc
    .uniqueArray(fc.constantFrom(...BUCKETS), { minLength: 1, maxLength: 2 })
    .map((v) => ({ Field: 'resources.ARN', NotStartsWith: v })),
  fc.constantFrom('.tmp', '.csv').map((v) => ({ Field: 'resources.ARN', NotEndsWith: [v] })),
);

const dataSelector = fc.oneof(
  fc.record({ readOnly: readOnlyOpt, arn: fc.option(s3Arn, { nil: undefined }), putOnly: fc.boolean() }).map(
    ({ readOnly, arn, putOnly }): AdvancedEventSelector => ({
      FieldSelectors: [
        { Field: 'eventCategory', Equals: ['Data'] },
        { Field: 'resources.type', Equals: ['AWS::S3::Object'] },
        ...(readOnly ? [{ Field: 'readOnly', Equals: [readOnly] }] : []),
        ...(arn ? [arn] : []),
        ...(putOnly ? [{ Field: 'eventName', StartsWith: ['Put'] }] : []),
      ],
    }),
  ),
  fc
    .record({
      readOnly: readOnlyOpt,
      fns: fc.option(fc.uniqueArray(fc.constantFrom(...FUNCTIONS), { minLength: 1 }), { nil: undefined }),
    })
    .map(
      ({ readOnly, fns }): AdvancedEventSelector => ({
        FieldSelectors: [
          { Field: 'eventCategory', Equals: ['Data'] },
          { Field: 'resources.type', Equals: ['AWS::Lambda::Function'] },
          ...(readOnly ? [{ Field: 'readOnly', Equals: [readOnly] }] : []),
          ...(fns ? [{ Field: 'resources.ARN', Equals: fns }] : []),
        ],
      }),
    ),
);

export const validSelector = fc.oneof(managementSelector, dataSelector);
export const validList = (max: number) => fc.array(validSelector, { minLength: 0, maxLength: max });

export const basicSelector: fc.Arbitrary<EventSelector> = fc.record(
  {
    ReadWriteType: fc.constantFrom('ReadOnly', 'WriteOnly', 'All'),
    IncludeManagementEvents: fc.boolean(),
    ExcludeManagementEventSources: fc.subarray(['kms.amazonaws.com', 'rdsdata.amazonaws.com']),
    DataResources: fc.array(
      fc.oneof(
        fc.record({
          Type: fc.constant('AWS::S3::Object'),
          Values: fc.uniqueArray(fc.constantFrom('arn:aws:s3', ...BUCKETS, 'arn:aws:s3:::pay'), {
            minLength: 1,
            maxLength: 2,
          }),
        }),
        fc.record({
          Type: fc.constant('AWS::Lambda::Function'),
          Values: fc.uniqueArray(
            fc.constantFrom('arn:aws:lambda', 'arn:aws:lambda:us-east-1:', ...FUNCTIONS),
            { minLength: 1, maxLength: 2 },
          ),
        }),
      ),
      { maxLength: 2 },
    ),
  },
  { requiredKeys: ['IncludeManagementEvents'] },
);

export const realisticEvent: fc.Arbitrary<CloudTrailEvent> = fc.record({
  eventCategory: fc.constantFrom('Management', 'Data', 'NetworkActivity'),
  readOnly: fc.constantFrom('true', 'false'),
  eventSource: fc.constantFrom('kms.amazonaws.com', 'rdsdata.amazonaws.com', 's3.amazonaws.com'),
  eventName: fc.constantFrom('PutObject', 'GetObject', 'Invoke', 'Put'),
  'resources.type': fc.constantFrom('AWS::S3::Object', 'AWS::Lambda::Function', 'AWS::DynamoDB::Table'),
  'resources.ARN': fc.oneof(
    fc.constantFrom(...FUNCTIONS, `${FUNCTIONS[0]}b`, 'arn:aws:lambda:us-east-1:x'),
    fc
      .tuple(
        fc.constantFrom(...BUCKETS, 'arn:aws:s3:::pay', 'arn:aws:s3:::payroll'),
        fc.constantFrom('', 'x', 'f.tmp', 'f.csv'),
      )
      .map(([b, k]) => b + k),
  ),
});

// ---- selectors valid for one target, and forbidden sets, for merge on trails and event data stores ----

const SOURCES = ['kms.amazonaws.com', 's3.amazonaws.com', 'ec2.amazonaws.com'] as const;
const NAMES = ['Decrypt', 'PutObject', 'GetObject', 'ConsoleLogin'] as const;

/** One free-string field selector over realistic values: Equals/NotEquals/StartsWith/NotStartsWith. */
function realisticFreeField(field: string, values: readonly string[]) {
  return fc
    .tuple(
      fc.constantFrom('Equals', 'NotEquals', 'StartsWith', 'NotStartsWith'),
      fc.uniqueArray(fc.constantFrom(...values), { minLength: 1, maxLength: 2 }),
    )
    .map(([op, v]): AdvancedFieldSelector => ({ Field: field, [op]: v }));
}

/** Management selectors using the fields event data stores add (eventName, userIdentity.arn, eventSource in any form). */
const managementOnStore = fc
  .record({
    readOnly: readOnlyOpt,
    source: fc.option(realisticFreeField('eventSource', SOURCES), { nil: undefined }),
    name: fc.option(realisticFreeField('eventName', NAMES), { nil: undefined }),
    user: fc.option(
      realisticFreeField('userIdentity.arn', ['arn:aws:iam::111122223333:role/', 'arn:aws:sts::']),
      { nil: undefined },
    ),
  })
  .map(
    ({ readOnly, source, name, user }): AdvancedEventSelector => ({
      FieldSelectors: [
        { Field: 'eventCategory', Equals: ['Management'] },
        ...(readOnly ? [{ Field: 'readOnly', Equals: [readOnly] }] : []),
        ...(source ? [source] : []),
        ...(name ? [name] : []),
        ...(user ? [user] : []),
      ],
    }),
  );

/** Network activity selectors: eventSource (required, Equals), and the fields each target allows. */
const networkActivity = (target: 'trail' | 'eventDataStore') =>
  fc
    .record({
      source: fc.uniqueArray(fc.constantFrom(...SOURCES), { minLength: 1, maxLength: 2 }),
      name: fc.option(realisticFreeField('eventName', NAMES), { nil: undefined }),
      denied: fc.boolean(),
      endpoint: fc.option(realisticFreeField('vpcEndpointId', ['vpce-1', 'vpce-2']), { nil: undefined }),
      user: fc.option(realisticFreeField('userIdentity.arn', ['arn:aws:iam::111122223333:role/']), {
        nil: undefined,
      }),
    })
    .map(
      ({ source, name, denied, endpoint, user }): AdvancedEventSelector => ({
        FieldSelectors: [
          { Field: 'eventCategory', Equals: ['NetworkActivity'] },
          { Field: 'eventSource', Equals: source },
          ...(name ? [name] : []),
          ...(denied ? [{ Field: 'errorCode', Equals: ['VpceAccessDenied'] }] : []),
          ...(endpoint ? [endpoint] : []),
          ...(user && target === 'trail' ? [user] : []),
        ],
      }),
    );

/** Selectors of the categories only event data stores take (selected by category alone). */
const categoryOnly = fc
  .constantFrom('ConfigurationItem', 'Insight', 'ActivityAuditLog')
  .map((c): AdvancedEventSelector => ({ FieldSelectors: [{ Field: 'eventCategory', Equals: [c] }] }));

/** A selector AWS accepts on `target`, as merge may be asked to keep or add. */
export const writableSelector = (target: 'trail' | 'eventDataStore'): fc.Arbitrary<AdvancedEventSelector> =>
  target === 'trail'
    ? fc.oneof(managementSelector, dataSelector, networkActivity('trail'))
    : fc.oneof(
        managementSelector,
        managementOnStore,
        dataSelector,
        networkActivity('eventDataStore'),
        categoryOnly,
      );

export const writableList = (target: 'trail' | 'eventDataStore', max: number) =>
  fc.array(writableSelector(target), { minLength: 0, maxLength: max });

/**
 * A set of events a policy may forbid on `target` (validate's forbid purpose): what is writable,
 * plus whole categories (every data or network activity event), the cost guard
 * `eventSource Equals kms.amazonaws.com`, and on trails sets only an event data store can cut out exactly.
 */
export const forbiddenSelector = (target: 'trail' | 'eventDataStore'): fc.Arbitrary<AdvancedEventSelector> =>
  fc.oneof(
    { weight: 4, arbitrary: writableSelector(target) },
    {
      weight: 1,
      arbitrary: fc
        .constantFrom('Data', 'NetworkActivity')
        .map((c): AdvancedEventSelector => ({ FieldSelectors: [{ Field: 'eventCategory', Equals: [c] }] })),
    },
    {
      weight: 1,
      arbitrary: fc.record({ readOnly: readOnlyOpt }).map(
        ({ readOnly }): AdvancedEventSelector => ({
          FieldSelectors: [
            { Field: 'eventCategory', Equals: ['Management'] },
            { Field: 'eventSource', Equals: ['kms.amazonaws.com'] },
            ...(readOnly ? [{ Field: 'readOnly', Equals: [readOnly] }] : []),
          ],
        }),
      ),
    },
    { weight: 1, arbitrary: managementOnStore },
  );

export const forbiddenList = (target: 'trail' | 'eventDataStore', max: number) =>
  fc.array(forbiddenSelector(target), { minLength: 0, maxLength: max });
