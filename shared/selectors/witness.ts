import {
  EXAMPLE_ACCOUNT,
  exampleArn,
  exampleRegion,
  hasArnShape,
  KNOWN_PARTITIONS,
  partitionOf,
  RESOURCE_TYPES,
  resourceTypeInfo,
} from './resourceTypes.js';
import type { CloudTrailEvent, EventField } from './types.js';

/*
 * What a witness shows in the fields no selector decides. The model treats these as free strings
 * (docs/semantics.md, "9. What is deliberately not modelled"), so this is presentation only: values an auditor would recognise, agreeing with
 * each other (an S3 object read is GetObject from s3.amazonaws.com), never a placeholder. Every
 * witness is still re-checked with the plain matcher.
 */

/** Real resource types the reference does not document (so their ARNs have no documented shape). */
export const UNDOCUMENTED_TYPES: readonly {
  type: string;
  eventSource: string;
  readEvents: readonly string[];
  writeEvents: readonly string[];
  arn: (partition: string) => string;
}[] = [
  {
    type: 'AWS::SNS::Topic',
    eventSource: 'sns.amazonaws.com',
    readEvents: ['Publish'],
    writeEvents: ['Publish'],
    arn: (p) => `arn:${p}:sns:${exampleRegion(p)}:${EXAMPLE_ACCOUNT}:example-topic`,
  },
  {
    type: 'AWS::SQS::Queue',
    eventSource: 'sqs.amazonaws.com',
    readEvents: ['ReceiveMessage'],
    writeEvents: ['SendMessage', 'DeleteMessage'],
    arn: (p) => `arn:${p}:sqs:${exampleRegion(p)}:${EXAMPLE_ACCOUNT}:example-queue`,
  },
];

/** Bucket names by first character, so that a witness bucket reads naturally whatever it must start with. */
const BUCKETS = [
  'amzn-s3-demo-bucket',
  'backups',
  'customer-data',
  'data-lake',
  'finance-reports',
  'github-artifacts',
  'hr-records',
  'images',
  'jenkins-artifacts',
  'kinesis-archive',
  'logs-archive',
  'media-assets',
  'network-logs',
  'ops-data',
  'payroll-data',
  'quarterly-reports',
  'reports',
  'static-site',
  'terraform-state',
  'uploads',
  'vpc-flow-logs',
  'web-assets',
  'xray-traces',
  'yearly-archive',
  'zip-archive',
  ...'0123456789'.split('').map((d) => `${d}-archive`),
];
const REGIONS = [
  'us-west-2',
  'eu-west-1',
  'ap-southeast-2',
  'ca-central-1',
  'sa-east-1',
  'me-south-1',
  'il-central-1',
];

const examplesCache = new Map<string, readonly string[]>();

/**
 * ARNs of a type a witness can start from: the plain example, then variants with other bucket
 * names, Regions and a Lambda qualifier. Each has the type's shape in the partition.
 */
function exampleArns(type: string, partition: string): readonly string[] {
  const key = `${type}\u0000${partition}`;
  let list = examplesCache.get(key);
  if (!list) {
    const base = exampleArn(type, partition);
    if (!base) return UNDOCUMENTED_TYPES.filter((u) => u.type === type).map((u) => u.arn(partition));
    const region = exampleRegion(partition);
    const variants = [
      base,
      ...(base.includes('example-bucket') ? BUCKETS.map((b) => base.replace('example-bucket', b)) : []),
      ...(base.includes(`:${region}:`) ? REGIONS.map((r) => base.replace(`:${region}:`, `:${r}:`)) : []),
      ...(type === 'AWS::Lambda::Function' ? [`${base}:prod`] : []),
    ];
    list = variants.filter((v) => hasArnShape(type, v, partition));
    if (examplesCache.size > 256) examplesCache.clear();
    examplesCache.set(key, list);
  }
  return list;
}

/** Management calls per event source: [read, write]. */
const MANAGEMENT_CALLS: Readonly<Record<string, readonly [string, string]>> = {
  'dynamodb.amazonaws.com': ['DescribeTable', 'DeleteTable'],
  's3.amazonaws.com': ['GetBucketPolicy', 'PutBucketPolicy'],
  'lambda.amazonaws.com': ['GetFunction', 'UpdateFunctionConfiguration'],
  'kms.amazonaws.com': ['Decrypt', 'ScheduleKeyDeletion'],
  'rdsdata.amazonaws.com': ['ExecuteStatement', 'ExecuteStatement'],
  'cloudtrail.amazonaws.com': ['DescribeTrails', 'StopLogging'],
  'ec2.amazonaws.com': ['DescribeInstances', 'RunInstances'],
  'iam.amazonaws.com': ['GetRole', 'CreateAccessKey'],
};

const DATA_TYPES_FIRST = ['AWS::S3::Object', 'AWS::Lambda::Function', 'AWS::DynamoDB::Table'];
const MANAGEMENT_TYPES_FIRST = ['AWS::DynamoDB::Table', 'AWS::S3::Object', 'AWS::Lambda::Function'];

/** Documented resource types in the order a witness prefers them for this event category. */
export function preferredTypes(category: string | undefined): string[] {
  const first = category === 'Management' ? MANAGEMENT_TYPES_FIRST : DATA_TYPES_FIRST;
  return [...first, ...RESOURCE_TYPES.filter((t) => !first.includes(t))];
}

const userArn = (partition: string) => `arn:${partition}:iam::${EXAMPLE_ACCOUNT}:user/alice`;

/**
 * Values to try first for `field`, given the fields already chosen in `event` (category, readOnly
 * and the resource come first). The first one is used when no selector mentions the field.
 */
export function preferredValues(
  field: EventField,
  event: CloudTrailEvent,
  partition: string | undefined,
): string[] {
  // Who made the call is in the resource's partition.
  const home = partitionOf(event['resources.ARN'] ?? '') ?? partition ?? 'aws';
  const category = event.eventCategory;
  const read = event.readOnly === 'true';
  const type = event['resources.type'];
  const info =
    type === undefined
      ? undefined
      : (resourceTypeInfo(type) ?? UNDOCUMENTED_TYPES.find((u) => u.type === type));
  switch (field) {
    case 'eventCategory':
      return ['Management'];
    case 'readOnly':
      return ['false', 'true'];
    case 'sessionCredentialFromConsole':
      return ['false', 'true'];
    case 'resources.type':
      return preferredTypes(category);
    case 'resources.ARN': {
      if (type === undefined) return [];
      const examples =
        partition === undefined
          ? [
              ...exampleArns(type, 'aws'),
              ...KNOWN_PARTITIONS.slice(1).flatMap((other) => exampleArns(type, other).slice(0, 1)),
            ]
          : exampleArns(type, partition);
      return examples.length > 0
        ? [...examples]
        : [(UNDOCUMENTED_TYPES[0] as (typeof UNDOCUMENTED_TYPES)[number]).arn(partition ?? 'aws')];
    }
    case 'eventSource':
      return [
        ...(info ? [info.eventSource] : []),
        ...(category === 'Management' ? ['dynamodb.amazonaws.com'] : ['s3.amazonaws.com']),
      ];
    case 'eventName': {
      const source = event.eventSource ?? '';
      const calls: string[] = [];
      if (category === 'Management') {
        const management = MANAGEMENT_CALLS[source];
        if (management) calls.push(management[read ? 0 : 1]);
      } else if (info && info.eventSource === source) {
        calls.push(...(read ? info.readEvents : info.writeEvents));
      }
      calls.push(read ? 'GetResource' : 'UpdateResource');
      return calls;
    }
    case 'eventType':
      return ['AwsApiCall'];
    case 'userIdentity.arn':
      return [userArn(home)];
    case 'errorCode':
      return category === 'NetworkActivity' ? ['VpceAccessDenied', 'AccessDenied'] : ['AccessDenied'];
    case 'vpcEndpointId':
      return ['vpce-0123456789abcdef0'];
  }
}

/**
 * Whether `value` is the filler a witness uses for a field no selector decides and that says
 * nothing to a reader (who made the call, the event type): messages leave those out.
 */
export function isFiller(field: string, value: string): boolean {
  if (field === 'eventType') return value === 'AwsApiCall';
  if (field === 'userIdentity.arn') return value === userArn(partitionOf(value) ?? 'aws');
  return false;
}
