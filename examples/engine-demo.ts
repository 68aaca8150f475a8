/**
 * `npm run demo`: the selector engine's verdicts on the classic mistakes other checkers get wrong,
 * each with the example event that proves it.
 */
import {
  type AdvancedEventSelector,
  type CloudTrailEvent,
  covers,
  type EventSelector,
  merge,
  overlaps,
  toAdvanced,
  validate,
} from '../shared/selectors/index.js';

const management: AdvancedEventSelector[] = [
  { FieldSelectors: [{ Field: 'eventCategory', Equals: ['Management'] }] },
];
const writeManagement: AdvancedEventSelector[] = [
  {
    FieldSelectors: [
      { Field: 'eventCategory', Equals: ['Management'] },
      { Field: 'readOnly', Equals: ['false'] },
    ],
  },
];
const payrollWrites: AdvancedEventSelector[] = [
  {
    Name: 'S3 writes on the payroll bucket',
    FieldSelectors: [
      { Field: 'eventCategory', Equals: ['Data'] },
      { Field: 'resources.type', Equals: ['AWS::S3::Object'] },
      { Field: 'readOnly', Equals: ['false'] },
      { Field: 'resources.ARN', StartsWith: ['arn:aws:s3:::payroll/'] },
    ],
  },
];

const show = (e: CloudTrailEvent) =>
  Object.entries(e)
    .filter(([k]) =>
      (e.eventCategory === 'Data'
        ? ['eventCategory', 'readOnly', 'resources.type', 'resources.ARN']
        : ['eventCategory', 'readOnly', 'eventSource']
      ).includes(k),
    )
    .map(([k, v]) => `${k}=${v}`)
    .join(', ');

function verdict(title: string, trail: AdvancedEventSelector[], required: AdvancedEventSelector[]) {
  const result = covers(trail, required);
  console.log(`\n• ${title}`);
  if (result.covered) console.log('  PASS  every required event is logged');
  else console.log(`  FAIL  this call would not be logged: ${show(result.witness)}`);
}

const basic = (...s: EventSelector[]) => toAdvanced(s);

console.log('Trailwarden selector engine: exact verdicts with example events');
verdict(
  'Two advanced selectors, readOnly=true and readOnly=false, against "all management events"',
  [
    {
      Name: 'reads',
      FieldSelectors: [
        { Field: 'eventCategory', Equals: ['Management'] },
        { Field: 'readOnly', Equals: ['true'] },
      ],
    },
    {
      Name: 'writes',
      FieldSelectors: [
        { Field: 'eventCategory', Equals: ['Management'] },
        { Field: 'readOnly', Equals: ['false'] },
      ],
    },
  ],
  management,
);
verdict(
  'Basic selector excluding KMS, against "all management events"',
  basic({ ReadWriteType: 'All', ExcludeManagementEventSources: ['kms.amazonaws.com'] }),
  management,
);
verdict(
  'Read-only basic selector, against "write management events"',
  basic({ ReadWriteType: 'ReadOnly' }),
  writeManagement,
);
{
  const trail: AdvancedEventSelector[] = [
    {
      FieldSelectors: [
        { Field: 'eventCategory', Equals: ['Data'] },
        { Field: 'resources.type', Equals: ['AWS::S3::Object'] },
        { Field: 'resources.ARN', NotEquals: ['arn:aws:s3:::payroll/'] },
      ],
    },
  ];
  const result = overlaps(trail, payrollWrites);
  console.log(
    '\n• S3 selector with NotEquals "arn:aws:s3:::payroll/", meant to stop logging the payroll bucket',
  );
  if (result.overlaps) console.log(`  FAIL  payroll objects are still logged, e.g. ${show(result.witness)}`);
  else console.log('  PASS  no payroll object is logged');
}
verdict(
  'Basic S3 prefix "arn:aws:s3:::payroll" (no slash), against payroll writes',
  basic({
    IncludeManagementEvents: false,
    DataResources: [{ Type: 'AWS::S3::Object', Values: ['arn:aws:s3:::payroll'] }],
  }),
  payrollWrites,
);

console.log('\n• Lint of the NotEquals mistake above:');
for (const p of validate(
  {
    AdvancedEventSelectors: [
      {
        FieldSelectors: [
          { Field: 'eventCategory', Equals: ['Data'] },
          { Field: 'resources.type', Equals: ['AWS::S3::Object'] },
          { Field: 'resources.ARN', NotEquals: ['arn:aws:s3:::payroll/'] },
        ],
      },
    ],
  },
  'trail',
)) {
  console.log(`  ${p.severity.toUpperCase()} ${p.path}: ${p.message}`);
}

console.log(
  '\n• Safe merge: a write-only basic trail that must log all management events and payroll writes',
);
const merged = merge({ EventSelectors: [{ ReadWriteType: 'WriteOnly' }] }, [...management, ...payrollWrites]);
console.log(`  style kept: ${merged.style}; PutEventSelectors input:`);
console.log(`  ${JSON.stringify(merged.selectors)}`);
console.log(
  `  merging again changes nothing: ${!merge(merged.selectors, [...management, ...payrollWrites]).changed}`,
);
