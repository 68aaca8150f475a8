import {
  BatchGetItemCommand,
  BatchWriteItemCommand,
  DynamoDBClient,
  GetItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { beforeEach, describe, expect, it } from 'vitest';
import type { LiveFinding } from '../../shared/notify/transitions.js';
import { breakerTripped } from '../../shared/state/breaker.js';
import { FindingStore } from '../../shared/state/findingStore.js';

const ddb = mockClient(DynamoDBClient);
const store = () => new FindingStore(new DynamoDBClient({ region: 'us-east-1' }), 'findings', 30);
const now = new Date('2026-11-21T06:00:00Z');
const f = (id: string, status: LiveFinding['status']): LiveFinding => ({
  id,
  policyId: 'p',
  resource: 'arn:aws:cloudtrail:us-east-1:111122223333:trail/t',
  resourceName: 't',
  region: 'us-east-1',
  status,
  check: 'logging',
  severity: 'high',
  message: 'm',
});

beforeEach(() => ddb.reset());

describe('finding state (DynamoDB)', () => {
  it('reads previous statuses in batches of 100, retrying unprocessed keys', async () => {
    ddb
      .on(BatchGetItemCommand)
      .resolvesOnce({
        Responses: { findings: [{ pk: { S: 'finding#a' }, status: { S: 'FAIL' } }] },
        UnprocessedKeys: { findings: { Keys: [{ pk: { S: 'finding#b' } }] } },
      })
      .resolves({ Responses: { findings: [{ pk: { S: 'finding#b' }, status: { S: 'PASS' } }] } });
    const ids = ['a', 'b', ...Array.from({ length: 120 }, (_, i) => `x${i}`)];
    const prev = await store().previous(ids);
    expect(prev.get('a')).toBe('FAIL');
    expect(prev.get('b')).toBe('PASS');
    const calls = ddb
      .commandCalls(BatchGetItemCommand)
      .map((c) => c.args[0].input.RequestItems?.findings?.Keys?.length);
    expect(calls).toEqual([100, 1, 22]);
  });

  it('records statuses with a TTL, 25 items a batch, and marks resources as watched', async () => {
    ddb.on(BatchWriteItemCommand).resolves({});
    await store().record(
      Array.from({ length: 30 }, (_, i) => f(`id${i}`, 'FAIL')),
      now,
    );
    const batches = ddb
      .commandCalls(BatchWriteItemCommand)
      .map((c) => c.args[0].input.RequestItems?.findings ?? []);
    expect(batches.map((b) => b.length)).toEqual([25, 6]);
    expect(batches[0]?.[0]?.PutRequest?.Item).toEqual({
      pk: { S: 'finding#id0' },
      status: { S: 'FAIL' },
      policyId: { S: 'p' },
      resource: { S: 'arn:aws:cloudtrail:us-east-1:111122223333:trail/t' },
      check: { S: 'logging' },
      updatedAt: { S: '2026-11-21T06:00:00.000Z' },
      ttl: { N: String(Math.floor(now.getTime() / 1000) + 30 * 86400) },
    });
    expect(batches[1]?.at(-1)?.PutRequest?.Item?.pk).toEqual({
      S: 'resource#arn:aws:cloudtrail:us-east-1:111122223333:trail/t',
    });
  });

  it('keeps remediation history for the circuit breaker', async () => {
    ddb.on(UpdateItemCommand).resolves({});
    ddb.on(GetItemCommand).resolves({
      Item: { times: { L: [{ N: '1' }, { N: '2' }] }, actors: { L: [{ S: 'arn:aws:iam::1:role/x' }] } },
    });
    await store().recordRemediation('arn:t', now, 'arn:aws:iam::1:role/x');
    expect(ddb).toHaveReceivedCommandWith(UpdateItemCommand, {
      TableName: 'findings',
      Key: { pk: { S: 'remediation#arn:t' } },
    });
    expect(await store().remediations('arn:t')).toEqual({ times: [1, 2], actors: ['arn:aws:iam::1:role/x'] });
  });
});

describe('circuit breaker', () => {
  const at = (minutesAgo: number) => now.getTime() - minutesAgo * 60_000;
  it('trips at the Nth remediation within the window only', () => {
    expect(breakerTripped([at(5), at(10)], now)).toBe(false);
    expect(breakerTripped([at(5), at(10), at(59)], now)).toBe(true);
    expect(breakerTripped([at(5), at(10), at(61)], now)).toBe(false);
    expect(breakerTripped([at(1)], now, { maxRemediations: 1, windowMinutes: 5 })).toBe(true);
  });
});
