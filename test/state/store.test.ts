import {
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { beforeEach, describe, expect, it } from 'vitest';
import { notificationStore } from '../../shared/app/store.js';
import { breakerTripped, recordRepair } from '../../shared/state/breaker.js';
import type { StoredFinding } from '../../shared/state/types.js';

const ddb = mockClient(DynamoDBClient);
const store = () => notificationStore(new DynamoDBClient({ region: 'us-east-1' }), 'findings');
const now = new Date('2026-11-21T06:00:00Z');
const TRAIL = 'arn:aws:cloudtrail:us-east-1:111122223333:trail/t';
const scope = { account: '111122223333', resource: TRAIL };
const finding: StoredFinding = {
  id: 'abc',
  status: 'FAIL',
  version: 3,
  observedAt: now.toISOString(),
  policyId: 'p',
  check: 'logging',
  severity: 'high',
  resourceName: 't',
  region: 'us-east-1',
};

beforeEach(() => ddb.reset());

describe('finding state in DynamoDB (exact requests)', () => {
  it('keys every item by account and resource', async () => {
    ddb.on(QueryCommand).resolves({ Items: [] });
    await store().load(scope);
    expect(ddb).toHaveReceivedCommandWith(QueryCommand, {
      TableName: 'findings',
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': { S: `111122223333#${TRAIL}` } },
      ConsistentRead: true,
    });
  });

  it('writes a finding on condition of the version it was read at, with its notification in the same write', async () => {
    ddb.on(UpdateItemCommand).resolves({});
    const written = await store().saveFinding(scope, finding, 2, {
      notification: {
        id: 'abc:3',
        transition: 'opened',
        account: '111122223333',
        region: 'us-east-1',
      } as never,
      channels: ['sns'],
      owner: 'event:e1',
      leaseUntil: 99,
    });
    expect(written).toMatchObject({ ok: true, entry: { key: 'finding#abc|v3', pending: ['sns'] } });
    const input = ddb.commandCalls(UpdateItemCommand)[0]?.args[0].input;
    expect(input).toMatchObject({
      Key: { pk: { S: `111122223333#${TRAIL}` }, sk: { S: 'finding#abc' } },
      ConditionExpression: 'version = :expected',
      ExpressionAttributeNames: { '#eo': 'o_v3', '#ep': 'p_v3', '#ew': 'w_v3', '#el': 'l_v3' },
    });
    expect(input?.ExpressionAttributeValues).toMatchObject({
      ':expected': { N: '2' },
      ':next': { N: '3' },
      ':ep': { SS: ['sns'] },
      ':ew': { S: 'event:e1' },
    });
    expect(input?.UpdateExpression).not.toMatch(/list_append/);
  });

  it('a lost condition is a conflict, not an error', async () => {
    ddb.on(UpdateItemCommand).rejects(
      Object.assign(new Error('The conditional request failed'), {
        name: 'ConditionalCheckFailedException',
      }),
    );
    expect(await store().saveFinding(scope, finding, 0)).toEqual({ ok: false });
    expect(ddb.commandCalls(UpdateItemCommand)[0]?.args[0].input.ConditionExpression).toBe(
      'attribute_not_exists(version)',
    );
  });

  it('shortens a huge notification before storing it, and says so', async () => {
    ddb.on(PutItemCommand).resolves({});
    await store().enqueue(scope, 'digest#s', {
      notification: {
        id: 'digest#s',
        transition: 'opened',
        account: '111122223333',
        region: 'us-east-1',
        finding: { ...finding, message: 'x'.repeat(300_000) } as never,
      },
      channels: ['sns'],
      owner: 'sweep:s',
      leaseUntil: 1,
    });
    const stored = ddb.commandCalls(PutItemCommand)[0]?.args[0].input.Item?.o_x?.S ?? '';
    expect(Buffer.byteLength(stored)).toBeLessThanOrEqual(48_000);
    expect(JSON.parse(stored).finding.message).toMatch(/shortened from 300000 to \d+ characters/);
  });

  it('row 8: the remediation history keeps only the breaker window, however busy the trail', async () => {
    // 500 repairs over the last ten hours: the old list_append item grew until DynamoDB refused it.
    const history = Array.from({ length: 500 }, (_, i) => now.getTime() - i * 72_000);
    ddb.on(GetItemCommand).resolves({
      Item: {
        version: { N: '500' },
        times: { L: history.map((t) => ({ N: String(t) })) },
        actors: { L: history.map(() => ({ S: 'arn:aws:iam::111122223333:role/Admin' })) },
      },
    });
    ddb.on(UpdateItemCommand).resolves({});
    await store().updateRemediation(scope, ({ version: _, ...r }) => ({
      record: {
        ...r,
        ...recordRepair(r, now, 'arn:aws:iam::111122223333:role/Ops', {
          maxRemediations: 3,
          windowMinutes: 60,
        }),
      },
    }));
    const input = ddb.commandCalls(UpdateItemCommand)[0]?.args[0].input;
    expect(input?.ExpressionAttributeValues?.[':times']?.L).toHaveLength(3);
    expect(input?.ExpressionAttributeValues?.[':actors']?.L?.at(-1)).toEqual({
      S: 'arn:aws:iam::111122223333:role/Ops',
    });
    expect(input?.ConditionExpression).toBe('version = :v');
    expect(input?.UpdateExpression).not.toMatch(/list_append/);
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

  it('keeps what it needs: the repairs within the window, at most the limit', () => {
    const settings = { maxRemediations: 3, windowMinutes: 60 };
    expect(recordRepair({ times: [at(90), at(30)], actors: ['old', 'a'] }, now, 'b', settings)).toEqual({
      times: [at(30), now.getTime()],
      actors: ['a', 'b'],
    });
    const busy = { times: Array.from({ length: 50 }, (_, i) => at(i)), actors: [] };
    expect(recordRepair(busy, now, undefined, settings).times).toHaveLength(3);
    expect(breakerTripped(recordRepair(busy, now, undefined, settings).times, now, settings)).toBe(true);
  });
});
