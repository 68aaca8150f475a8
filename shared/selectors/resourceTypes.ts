import {
  ANY,
  accepts,
  type CharSet,
  chars,
  choice,
  compileShape,
  type Dfa,
  DIGITS,
  endsSome,
  exampleOf,
  HEX,
  LOWER,
  lit,
  noneOf,
  oneOf,
  oneOrMore,
  optional,
  type Shape,
  seq,
  startsSome,
  UPPER,
} from './shape.js';

/*
 * The data-event resource types the CloudTrail API reference documents for `resources.type`, each
 * with the shape of its resources' ARNs. This is the single definition behind the solver (coverage
 * is decided over ARNs of these shapes), `validate` (the format of Equals/NotEquals values, values
 * that no ARN can start or end with, unknown types) and witnesses (every example ARN has its shape).
 *
 * The partition is part of the shape: a trail logs ARNs of its own partition only. Without a
 * partition, every known partition is allowed.
 */

/** The AWS partitions, most common first (the first is used when none is given). */
export const KNOWN_PARTITIONS = [
  'aws',
  'aws-cn',
  'aws-us-gov',
  'aws-iso',
  'aws-iso-b',
  'aws-iso-e',
  'aws-iso-f',
  'aws-eusc',
] as const;

const PARTITION_REGION: Readonly<Record<string, string>> = {
  aws: 'us-east-1',
  'aws-cn': 'cn-north-1',
  'aws-us-gov': 'us-gov-west-1',
  'aws-iso': 'us-iso-east-1',
  'aws-iso-b': 'us-isob-east-1',
  'aws-iso-e': 'eu-isoe-west-1',
  'aws-iso-f': 'us-isof-south-1',
  'aws-eusc': 'eusc-de-east-1',
};

/** The account id used in examples (the one the AWS documentation uses). */
export const EXAMPLE_ACCOUNT = '123456789012';

/** A Region plausible for the partition, for examples. */
export const exampleRegion = (partition: string): string => PARTITION_REGION[partition] ?? 'us-east-1';

/** The partition of an ARN (`arn:<partition>:…`), or undefined when `arn` is no ARN. */
export function partitionOf(arn: string): string | undefined {
  const m = /^arn:([a-z][a-z0-9-]*):/.exec(arn);
  return m?.[1];
}

const WORD = `${LOWER}${UPPER}${DIGITS}`;
const set = (s: string): CharSet => oneOf(s);

/** A Region name such as us-east-1, us-gov-west-1 or eusc-de-east-1. */
const region = (example: string): Shape =>
  seq(
    [
      chars(set(LOWER), 2, Number.POSITIVE_INFINITY, 'us'),
      oneOrMore(seq([lit('-'), chars(set(LOWER), 1, Number.POSITIVE_INFINITY, 'east')])),
      lit('-'),
      chars(set(DIGITS), 1, 2, '1'),
    ],
    example,
  );
const account = chars(set(DIGITS), 12, 12, EXAMPLE_ACCOUNT);
/**
 * `<service>:<region>:<account>:<prefix><rest…>`: how most ARNs go on after `arn:<partition>:`,
 * as a type's `rest` (given the Region's shape).
 */
const arnIn =
  (service: string, prefix: string, ...rest: Shape[]) =>
  (r: Shape): Shape =>
    seq([lit(`${service}:`), r, lit(':'), account, lit(prefix), ...rest]);
const uuid = (example: string) =>
  seq(
    [
      chars(set(HEX), 8, 8, '01234567'),
      lit('-'),
      chars(set(HEX), 4, 4, '89ab'),
      lit('-'),
      chars(set(HEX), 4, 4, 'cdef'),
      lit('-'),
      chars(set(HEX), 4, 4, '0123'),
      lit('-'),
      chars(set(HEX), 12, 12, '456789abcdef'),
    ],
    example,
  );
/** S3 bucket names: 3–63 of a-z 0-9 . -, beginning and ending with a letter or digit. */
const bucket = seq(
  [
    chars(set(LOWER + DIGITS), 1, 1, 'e'),
    chars(set(`${LOWER}${DIGITS}.-`), 1, 61, 'xample-bucke'),
    chars(set(LOWER + DIGITS), 1, 1, 't'),
  ],
  'example-bucket',
);
/** Object keys: at least one character, any characters. */
const objectKey = chars(ANY, 1, Number.POSITIVE_INFINITY, 'example-object.txt');
const notSlash = noneOf('/');

export interface ResourceTypeInfo {
  readonly type: string;
  readonly noun: string;
  /** The documented ARN format, e.g. `arn:<partition>:s3:::<bucket_name>/<object_path>`. */
  readonly format: string;
  readonly eventSource: string;
  readonly readEvents: readonly string[];
  readonly writeEvents: readonly string[];
}

interface TypeDefinition extends ResourceTypeInfo {
  /** The ARN after `arn:<partition>:`, given the Region part (differs per partition in examples). */
  readonly rest: (region: Shape) => Shape;
  /**
   * Values AWS also accepts for Equals/NotEquals although no resource has that ARN (the reference
   * documents `arn:<partition>:s3:::<bucket_name>/` for S3 objects).
   */
  readonly acceptedAlso?: (region: Shape) => Shape;
}

const TYPES: readonly TypeDefinition[] = [
  {
    type: 'AWS::S3::Object',
    noun: 'S3 object',
    format: 'arn:<partition>:s3:::<bucket_name>/<object_path>',
    eventSource: 's3.amazonaws.com',
    readEvents: ['GetObject', 'HeadObject', 'GetObjectAcl'],
    writeEvents: ['PutObject', 'DeleteObject', 'CopyObject', 'CompleteMultipartUpload'],
    rest: () => seq([lit('s3:::'), bucket, lit('/'), objectKey]),
    acceptedAlso: () => seq([lit('s3:::'), bucket, lit('/')]),
  },
  {
    type: 'AWS::Lambda::Function',
    noun: 'Lambda function',
    format: 'arn:<partition>:lambda:<region>:<account_ID>:function:<function_name>[:<version_or_alias>]',
    eventSource: 'lambda.amazonaws.com',
    readEvents: ['Invoke'],
    writeEvents: ['Invoke'],
    rest: arnIn(
      'lambda',
      ':function:',
      chars(set(`${WORD}_-`), 1, 64, 'example-function'),
      optional(seq([lit(':'), choice([lit('$LATEST'), chars(set(`${WORD}_-`), 1, 128, 'prod')])], ':prod')),
    ),
  },
  {
    type: 'AWS::DynamoDB::Table',
    noun: 'DynamoDB table',
    format: 'arn:<partition>:dynamodb:<region>:<account_ID>:table/<table_name>',
    eventSource: 'dynamodb.amazonaws.com',
    readEvents: ['GetItem', 'Query', 'Scan'],
    writeEvents: ['PutItem', 'UpdateItem', 'DeleteItem'],
    rest: arnIn('dynamodb', ':table/', chars(set(`${WORD}_.-`), 3, 255, 'example-table')),
  },
  {
    type: 'AWS::CloudTrail::Channel',
    noun: 'CloudTrail channel',
    format: 'arn:<partition>:cloudtrail:<region>:<account_ID>:channel/<channel_UUID>',
    eventSource: 'cloudtrail-data.amazonaws.com',
    readEvents: ['PutAuditEvents'],
    writeEvents: ['PutAuditEvents'],
    rest: arnIn('cloudtrail', ':channel/', uuid('01234567-89ab-cdef-0123-456789abcdef')),
  },
  {
    type: 'AWS::Cognito::IdentityPool',
    noun: 'Cognito identity pool',
    format: 'arn:<partition>:cognito-identity:<region>:<account_ID>:identitypool/<identity_pool_ID>',
    eventSource: 'cognito-identity.amazonaws.com',
    readEvents: ['GetCredentialsForIdentity'],
    writeEvents: ['GetId'],
    rest: arnIn(
      'cognito-identity',
      ':identitypool/',
      chars(set(`${WORD}_-`), 1, Number.POSITIVE_INFINITY, 'us-east-1'),
      lit(':'),
      chars(set(`${HEX}-`), 1, Number.POSITIVE_INFINITY, '01234567-89ab-cdef-0123-456789abcdef'),
    ),
  },
  {
    type: 'AWS::DynamoDB::Stream',
    noun: 'DynamoDB stream',
    format: 'arn:<partition>:dynamodb:<region>:<account_ID>:table/<table_name>/stream/<date_time>',
    eventSource: 'dynamodb.amazonaws.com',
    readEvents: ['GetRecords', 'GetShardIterator'],
    writeEvents: ['GetRecords'],
    rest: arnIn(
      'dynamodb',
      ':table/',
      chars(set(`${WORD}_.-`), 3, 255, 'example-table'),
      lit('/stream/'),
      chars(set(`${DIGITS}T:.-`), 1, Number.POSITIVE_INFINITY, '2026-01-01T00:00:00.000'),
    ),
  },
  {
    type: 'AWS::EC2::Snapshot',
    noun: 'EBS snapshot',
    format: 'arn:<partition>:ec2:<region>::snapshot/<snapshot_ID>',
    eventSource: 'ebs.amazonaws.com',
    readEvents: ['GetSnapshotBlock', 'ListSnapshotBlocks'],
    writeEvents: ['PutSnapshotBlock', 'CompleteSnapshot'],
    rest: (r) => seq([lit('ec2:'), r, lit('::snapshot/snap-'), chars(set(HEX), 8, 17, '0123456789abcdef0')]),
  },
  {
    type: 'AWS::FinSpace::Environment',
    noun: 'FinSpace environment',
    format: 'arn:<partition>:finspace:<region>:<account_ID>:environment/<environment_ID>',
    eventSource: 'finspace.amazonaws.com',
    readEvents: ['GetProgrammaticAccessToken'],
    writeEvents: ['GetProgrammaticAccessToken'],
    rest: arnIn(
      'finspace',
      ':environment/',
      chars(set(WORD), 1, Number.POSITIVE_INFINITY, 'a1b2c3d4e5f6g7h8i9j0k1'),
    ),
  },
  {
    type: 'AWS::Glue::Table',
    noun: 'Glue table',
    format: 'arn:<partition>:glue:<region>:<account_ID>:table/<database_name>/<table_name>',
    eventSource: 'glue.amazonaws.com',
    readEvents: ['GetTable'],
    writeEvents: ['UpdateTable'],
    rest: arnIn(
      'glue',
      ':table/',
      chars(notSlash, 1, Number.POSITIVE_INFINITY, 'example_database'),
      lit('/'),
      chars(notSlash, 1, Number.POSITIVE_INFINITY, 'example_table'),
    ),
  },
  {
    type: 'AWS::GuardDuty::Detector',
    noun: 'GuardDuty detector',
    format: 'arn:<partition>:guardduty:<region>:<account_ID>:detector/<detector_ID>',
    eventSource: 'guardduty.amazonaws.com',
    readEvents: ['SendSecurityTelemetry'],
    writeEvents: ['SendSecurityTelemetry'],
    rest: arnIn(
      'guardduty',
      ':detector/',
      chars(set(LOWER + DIGITS), 1, Number.POSITIVE_INFINITY, '12abc34d567e8fa901bc2d34e56789f0'),
    ),
  },
  {
    type: 'AWS::KendraRanking::ExecutionPlan',
    noun: 'Kendra Intelligent Ranking rescore execution plan',
    format:
      'arn:<partition>:kendra-ranking:<region>:<account_ID>:rescore-execution-plan/<rescore_execution_plan_ID>',
    eventSource: 'kendra-ranking.amazonaws.com',
    readEvents: ['Rescore'],
    writeEvents: ['Rescore'],
    rest: arnIn(
      'kendra-ranking',
      ':rescore-execution-plan/',
      chars(set(`${WORD}-`), 1, Number.POSITIVE_INFINITY, '0123abcd-4567-89ef-0123-456789abcdef'),
    ),
  },
  {
    type: 'AWS::ManagedBlockchain::Node',
    noun: 'Managed Blockchain node',
    format: 'arn:<partition>:managedblockchain:<region>:<account_ID>:nodes/<node_ID>',
    eventSource: 'managedblockchain.amazonaws.com',
    readEvents: ['eth_getBalance'],
    writeEvents: ['eth_sendRawTransaction'],
    rest: arnIn(
      'managedblockchain',
      ':nodes/',
      chars(set(`${WORD}-`), 1, Number.POSITIVE_INFINITY, 'nd-6EAJ5VA43JGGNPXOUZP7Y47E4Y'),
    ),
  },
  {
    type: 'AWS::SageMaker::ExperimentTrialComponent',
    noun: 'SageMaker experiment trial component',
    format:
      'arn:<partition>:sagemaker:<region>:<account_ID>:experiment-trial-component/<experiment_trial_component_name>',
    eventSource: 'sagemaker.amazonaws.com',
    readEvents: ['BatchGetMetrics'],
    writeEvents: ['BatchPutMetrics'],
    rest: arnIn(
      'sagemaker',
      ':experiment-trial-component/',
      chars(set(`${WORD}-`), 1, Number.POSITIVE_INFINITY, 'example-trial-component'),
    ),
  },
  {
    type: 'AWS::SageMaker::FeatureGroup',
    noun: 'SageMaker feature group',
    format: 'arn:<partition>:sagemaker:<region>:<account_ID>:feature-group/<feature_group_name>',
    eventSource: 'sagemaker.amazonaws.com',
    readEvents: ['GetRecord'],
    writeEvents: ['PutRecord', 'DeleteRecord'],
    rest: arnIn(
      'sagemaker',
      ':feature-group/',
      chars(set(`${WORD}_-`), 1, Number.POSITIVE_INFINITY, 'example-feature-group'),
    ),
  },
  {
    type: 'AWS::S3::AccessPoint',
    noun: 'S3 access point',
    format: 'arn:<partition>:s3:<region>:<account_ID>:accesspoint/<access_point_name>[/object/<object_path>]',
    eventSource: 's3.amazonaws.com',
    readEvents: ['GetObject', 'HeadObject'],
    writeEvents: ['PutObject', 'DeleteObject'],
    rest: arnIn(
      's3',
      ':accesspoint/',
      chars(set(`${LOWER}${DIGITS}-`), 3, 50, 'example-access-point'),
      optional(seq([lit('/object/'), objectKey])),
    ),
  },
  {
    type: 'AWS::S3ObjectLambda::AccessPoint',
    noun: 'S3 Object Lambda access point',
    format: 'arn:<partition>:s3-object-lambda:<region>:<account_ID>:accesspoint/<access_point_name>',
    eventSource: 's3-object-lambda.amazonaws.com',
    readEvents: ['GetObject'],
    writeEvents: ['WriteGetObjectResponse'],
    rest: arnIn('s3-object-lambda', ':accesspoint/', chars(set(`${LOWER}${DIGITS}-`), 3, 50, 'example-olap')),
  },
  {
    type: 'AWS::S3Outposts::Object',
    noun: 'S3 on Outposts object',
    format: 'arn:<partition>:s3-outposts:<region>:<account_ID>:<object_path>',
    eventSource: 's3-outposts.amazonaws.com',
    readEvents: ['GetObject', 'HeadObject'],
    writeEvents: ['PutObject', 'DeleteObject'],
    rest: arnIn(
      's3-outposts',
      ':',
      chars(
        ANY,
        1,
        Number.POSITIVE_INFINITY,
        'outpost/op-01ac5d28a6a232904/bucket/example-bucket/object/example-object.txt',
      ),
    ),
  },
];

const BY_TYPE = new Map(TYPES.map((t) => [t.type, t]));

/** Every `resources.type` the API reference documents, in the reference's order. */
export const RESOURCE_TYPES: readonly string[] = TYPES.map((t) => t.type);

/** What the reference documents about a resource type, or undefined for an undocumented type. */
export function resourceTypeInfo(type: string): ResourceTypeInfo | undefined {
  const t = BY_TYPE.get(type);
  return (
    t && {
      type: t.type,
      noun: t.noun,
      format: t.format,
      eventSource: t.eventSource,
      readEvents: t.readEvents,
      writeEvents: t.writeEvents,
    }
  );
}

export const isDocumentedType = (type: string): boolean => BY_TYPE.has(type);

const partitionShape = (partition: string | undefined): Shape =>
  partition === undefined ? choice(KNOWN_PARTITIONS.map(lit), 'aws') : lit(partition);

function fullShape(t: TypeDefinition, partition: string | undefined, part: 'rest' | 'acceptedAlso') {
  const build = t[part];
  if (!build) return undefined;
  const r = region(exampleRegion(partition ?? 'aws'));
  return seq([lit('arn:'), partitionShape(partition), lit(':'), build(r)]);
}

/** Compiled shapes by part, type and partition ('' for every partition). */
const dfaCache = new Map<string, Map<string, Dfa | null>>();
let cachedCount = 0;

function cachedDfa(type: string, partition: string | undefined, part: 'rest' | 'acceptedAlso') {
  const byType = `${part === 'rest' ? '' : '+'}${type}`;
  let byPartition = dfaCache.get(byType);
  if (!byPartition) {
    byPartition = new Map();
    dfaCache.set(byType, byPartition);
  }
  const key = partition ?? '';
  let dfa = byPartition.get(key);
  if (dfa === undefined) {
    const t = BY_TYPE.get(type);
    const shape = t && fullShape(t, partition, part);
    dfa = shape ? compileShape(shape) : null;
    // Partitions come from ARNs the engine reads; bound the cache against unusual input.
    if (++cachedCount > 512) {
      dfaCache.clear();
      cachedCount = 0;
    }
    byPartition.set(key, dfa);
  }
  return dfa ?? undefined;
}

/**
 * The automaton of the ARNs of `type` in `partition` (every known partition when undefined), or
 * undefined when the type has no documented format.
 */
export function arnShape(type: string, partition?: string): Dfa | undefined {
  return cachedDfa(type, partition, 'rest');
}

/** A plausible ARN of `type` in `partition`, of its shape (undefined for undocumented types). */
export function exampleArn(type: string, partition = 'aws'): string | undefined {
  const t = BY_TYPE.get(type);
  const shape = t && fullShape(t, partition, 'rest');
  return shape && exampleOf(shape);
}

/** Whether `arn` has the shape of `type` (undefined when the type has no documented format). */
export function hasArnShape(type: string, arn: string, partition?: string): boolean | undefined {
  const dfa = arnShape(type, partition);
  return dfa && accepts(dfa, arn);
}

/** How a `resources.ARN` value relates to the ARNs of a documented type, in any known partition. */
export interface ArnValueFit {
  /** The value is the ARN of a resource of the type. */
  readonly isArn: boolean;
  /** AWS accepts it for Equals/NotEquals although it is no resource's ARN (S3 `bucket/`). */
  readonly acceptedAnyway: boolean;
  /** Some ARN of the type starts with it. */
  readonly startsSome: boolean;
  /** Some ARN of the type ends with it. */
  readonly endsSome: boolean;
}

const fitCache = new Map<string, ArnValueFit>();

/**
 * Each answer is computed when first read (validate asks only what an operator needs), and kept:
 * merge validates many candidate lists that share their values.
 */
export function arnValueFit(type: string, value: string): ArnValueFit | undefined {
  const key = `${type}\u0000${value}`;
  const known = fitCache.get(key);
  if (known) return known;
  const fit = computeFit(type, value);
  if (fit) {
    if (fitCache.size >= 4096) fitCache.clear();
    fitCache.set(key, fit);
  }
  return fit;
}

function computeFit(type: string, value: string): ArnValueFit | undefined {
  const dfa = arnShape(type);
  if (!dfa) return undefined;
  const memo: Partial<Record<keyof ArnValueFit, boolean>> = {};
  const once = (key: keyof ArnValueFit, compute: () => boolean) => {
    let v = memo[key];
    if (v === undefined) {
      v = compute();
      memo[key] = v;
    }
    return v;
  };
  return {
    get isArn() {
      return once('isArn', () => accepts(dfa, value));
    },
    get acceptedAnyway() {
      return once('acceptedAnyway', () => {
        const also = cachedDfa(type, undefined, 'acceptedAlso');
        return also !== undefined && accepts(also, value);
      });
    },
    get startsSome() {
      return once('startsSome', () => startsSome(dfa, value));
    },
    get endsSome() {
      return once('endsSome', () => endsSome(dfa, value));
    },
  };
}
