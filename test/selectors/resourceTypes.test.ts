import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  arnShape,
  arnValueFit,
  exampleArn,
  hasArnShape,
  KNOWN_PARTITIONS,
  partitionOf,
  RESOURCE_TYPES,
  resourceTypeInfo,
} from '../../shared/selectors/resourceTypes.js';
import {
  accepts,
  chars,
  compileShape,
  endsSome,
  lit,
  oneOf,
  optional,
  seq,
  startsSome,
} from '../../shared/selectors/shape.js';

const S3 = 'AWS::S3::Object';
const LAMBDA = 'AWS::Lambda::Function';
const DDB = 'AWS::DynamoDB::Table';
const object = (bucket: string, key = 'k', partition = 'aws') => `arn:${partition}:s3:::${bucket}/${key}`;
const fn = (name: string, region = 'us-east-1', account = '123456789012') =>
  `arn:aws:lambda:${region}:${account}:function:${name}`;
const table = (name: string) => `arn:aws:dynamodb:us-east-1:123456789012:table/${name}`;

describe('shapes (the automaton behind ARN shapes)', () => {
  const shape = compileShape(seq([lit('id-'), chars(oneOf('ab'), 2, 3, 'ab'), optional(lit('!'))]));
  it('matches literal parts, bounded classes and optional parts', () => {
    for (const yes of ['id-ab', 'id-aba', 'id-bb!', 'id-aaa!']) expect(accepts(shape, yes), yes).toBe(true);
    for (const no of ['id-a', 'id-abab', 'id-ac', 'id-ab!!', 'xid-ab', ''])
      expect(accepts(shape, no), no).toBe(false);
  });
  it('knows which strings start or end some string of the shape', () => {
    expect(startsSome(shape, 'id-a')).toBe(true);
    expect(startsSome(shape, 'id-c')).toBe(false);
    expect(endsSome(shape, 'b!')).toBe(true);
    expect(endsSome(shape, 'c')).toBe(false);
    expect(endsSome(shape, 'aaaa')).toBe(false);
  });
});

describe('documented resource types', () => {
  it('lists exactly the resources.type values the API reference documents', () => {
    const reference = readFileSync(
      join(import.meta.dirname, 'fixtures', 'create_event_data_store.resource-types.txt'),
      'utf8',
    );
    const documented = [...new Set(reference.match(/AWS::[A-Za-z0-9]+::[A-Za-z0-9]+/g))];
    expect([...RESOURCE_TYPES].sort()).toEqual(documented.sort());
  });

  it('gives every documented type a shape, and an example ARN of that shape in every partition', () => {
    for (const type of RESOURCE_TYPES) {
      expect(resourceTypeInfo(type)?.format, type).toMatch(/^arn:<partition>:/);
      for (const partition of KNOWN_PARTITIONS) {
        const example = exampleArn(type, partition) as string;
        expect(example.startsWith(`arn:${partition}:`), example).toBe(true);
        expect(hasArnShape(type, example, partition), example).toBe(true);
        expect(hasArnShape(type, example), example).toBe(true);
        // The partition is part of the shape.
        const other = partition === 'aws' ? 'aws-cn' : 'aws';
        expect(hasArnShape(type, example, other), `${example} in ${other}`).toBe(false);
      }
    }
  });

  it('has no shape for a type the reference does not document', () => {
    expect(arnShape('AWS::SNS::Topic')).toBeUndefined();
    expect(hasArnShape('AWS::SNS::Topic', 'anything')).toBeUndefined();
    expect(resourceTypeInfo('AWS::S3::Objects')).toBeUndefined();
  });

  it('reads the partition from an ARN', () => {
    expect(partitionOf('arn:aws-cn:cloudtrail:cn-north-1:123456789012:trail/t')).toBe('aws-cn');
    expect(partitionOf('arn:aws-us-gov:s3:::b/k')).toBe('aws-us-gov');
    expect(partitionOf('arn:aws-iso-b:s3:::b/k')).toBe('aws-iso-b');
    expect(partitionOf('not-an-arn')).toBeUndefined();
  });
});

describe('S3 object ARNs', () => {
  it('takes bucket names of 3 to 63 characters', () => {
    expect(hasArnShape(S3, object('abc'))).toBe(true);
    expect(hasArnShape(S3, object('a'.repeat(63)))).toBe(true);
    expect(hasArnShape(S3, object('ab'))).toBe(false);
    expect(hasArnShape(S3, object('a'.repeat(64)))).toBe(false);
  });
  it('takes lowercase letters, digits, dots and hyphens, beginning and ending with a letter or digit', () => {
    expect(hasArnShape(S3, object('my.data-2026'))).toBe(true);
    expect(hasArnShape(S3, object('9lives'))).toBe(true);
    for (const bad of ['-logs', 'logs-', '.logs', 'logs.', 'Logs', 'my_bucket', 'my bucket'])
      expect(hasArnShape(S3, object(bad)), bad).toBe(false);
  });
  it('needs a key of at least one character, which may hold anything', () => {
    expect(hasArnShape(S3, 'arn:aws:s3:::logs/')).toBe(false);
    expect(hasArnShape(S3, 'arn:aws:s3:::logs')).toBe(false);
    expect(hasArnShape(S3, object('logs', '2026/'))).toBe(true);
    expect(hasArnShape(S3, object('logs', 'ünï cødé/ä b.csv'))).toBe(true);
  });
  it('is in the partition asked for, or in any known one', () => {
    expect(hasArnShape(S3, object('logs', 'k', 'aws-cn'), 'aws-cn')).toBe(true);
    expect(hasArnShape(S3, object('logs', 'k', 'aws-cn'), 'aws')).toBe(false);
    for (const p of KNOWN_PARTITIONS) expect(hasArnShape(S3, object('logs', 'k', p)), p).toBe(true);
    expect(hasArnShape(S3, object('logs', 'k', 'aws-moon'))).toBe(false);
  });
});

describe('Lambda function ARNs', () => {
  it('takes names of 1 to 64 letters, digits, hyphens and underscores', () => {
    expect(hasArnShape(LAMBDA, fn('a'))).toBe(true);
    expect(hasArnShape(LAMBDA, fn('My_Function-2'))).toBe(true);
    expect(hasArnShape(LAMBDA, fn('a'.repeat(64)))).toBe(true);
    expect(hasArnShape(LAMBDA, fn('a'.repeat(65)))).toBe(false);
    expect(hasArnShape(LAMBDA, fn(''))).toBe(false);
    expect(hasArnShape(LAMBDA, fn('my.function'))).toBe(false);
  });
  it('takes an optional qualifier: a version, $LATEST or an alias', () => {
    for (const q of ['1', '42', '$LATEST', 'prod', 'blue-green_2'])
      expect(hasArnShape(LAMBDA, `${fn('f')}:${q}`), q).toBe(true);
    for (const q of ['', '$latest', 'a:b']) expect(hasArnShape(LAMBDA, `${fn('f')}:${q}`), q).toBe(false);
  });
  it('needs a Region and a 12-digit account', () => {
    for (const region of ['us-east-1', 'us-gov-west-1', 'cn-north-1', 'ap-southeast-2', 'eusc-de-east-1'])
      expect(hasArnShape(LAMBDA, fn('f', region)), region).toBe(true);
    for (const region of ['', 'us-east', 'useast1', 'US-EAST-1', 'us_east_1'])
      expect(hasArnShape(LAMBDA, fn('f', region)), region).toBe(false);
    expect(hasArnShape(LAMBDA, fn('f', 'us-east-1', '12345678901'))).toBe(false);
    expect(hasArnShape(LAMBDA, fn('f', 'us-east-1', '1234567890123'))).toBe(false);
    expect(hasArnShape(LAMBDA, fn('f', 'us-east-1', '12345678901a'))).toBe(false);
  });
});

describe('DynamoDB table ARNs', () => {
  it('takes names of 3 to 255 letters, digits, underscores, hyphens and dots', () => {
    expect(hasArnShape(DDB, table('abc'))).toBe(true);
    expect(hasArnShape(DDB, table('Orders_2026.v-1'))).toBe(true);
    expect(hasArnShape(DDB, table('a'.repeat(255)))).toBe(true);
    expect(hasArnShape(DDB, table('ab'))).toBe(false);
    expect(hasArnShape(DDB, table('a'.repeat(256)))).toBe(false);
    expect(hasArnShape(DDB, table('orders/stream'))).toBe(false);
  });
});

describe('arnValueFit (what validate reads)', () => {
  it('says a bucket ARN with a trailing slash is accepted by AWS but is no object', () => {
    expect(arnValueFit(S3, 'arn:aws:s3:::audit-logs/')).toEqual({
      isArn: false,
      acceptedAnyway: true,
      startsSome: true,
      endsSome: true,
    });
  });
  it('says which values no ARN of the type starts or ends with', () => {
    expect(arnValueFit(S3, 'arn:aws:s3:::B')?.startsSome).toBe(false);
    expect(arnValueFit(S3, 'arn:aws:s3:::ab/')?.startsSome).toBe(false);
    expect(arnValueFit(LAMBDA, '/')?.endsSome).toBe(false);
    expect(arnValueFit(LAMBDA, ':prod')?.endsSome).toBe(true);
    expect(arnValueFit('AWS::SNS::Topic', 'x')).toBeUndefined();
  });
});
