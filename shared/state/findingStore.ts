import {
  type AttributeValue,
  BatchGetItemCommand,
  type BatchGetItemCommandOutput,
  BatchWriteItemCommand,
  type DynamoDBClient,
  GetItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import type { LiveFinding, LiveStatus } from '../notify/transitions.js';

/**
 * Each finding's last status by its stable id, and each resource's recent remediations, in one
 * DynamoDB table (on-demand, items expire through TTL). The client is injected.
 */
export class FindingStore {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly table: string,
    private readonly ttlDays = 30,
  ) {}

  private ttl(now: Date): AttributeValue {
    return { N: String(Math.floor(now.getTime() / 1000) + this.ttlDays * 86_400) };
  }

  /** Last known status of these findings (BatchGetItem, 100 keys a call, unprocessed keys retried). */
  async previous(ids: readonly string[]): Promise<Map<string, LiveStatus>> {
    const out = new Map<string, LiveStatus>();
    for (let i = 0; i < ids.length; i += 100) {
      let keys: Record<string, AttributeValue>[] | undefined = ids
        .slice(i, i + 100)
        .map((id) => ({ pk: { S: `finding#${id}` } }));
      for (let attempt = 0; keys && keys.length > 0 && attempt < 5; attempt++) {
        const r: BatchGetItemCommandOutput = await this.client.send(
          new BatchGetItemCommand({
            RequestItems: {
              [this.table]: {
                Keys: keys,
                ProjectionExpression: 'pk, #s',
                ExpressionAttributeNames: { '#s': 'status' },
              },
            },
          }),
        );
        for (const item of r.Responses?.[this.table] ?? []) {
          const id = item.pk?.S?.slice('finding#'.length);
          if (id && item.status?.S) out.set(id, item.status.S as LiveStatus);
        }
        keys = r.UnprocessedKeys?.[this.table]?.Keys;
      }
    }
    return out;
  }

  /** Records the current status of findings, and that their resources are watched. */
  async record(findings: readonly LiveFinding[], now: Date): Promise<void> {
    const items: Record<string, AttributeValue>[] = findings.map((f) => ({
      pk: { S: `finding#${f.id}` },
      status: { S: f.status },
      policyId: { S: f.policyId },
      resource: { S: f.resource },
      check: { S: f.check },
      updatedAt: { S: now.toISOString() },
      ttl: this.ttl(now),
    }));
    for (const resource of new Set(findings.map((f) => f.resource))) {
      items.push({
        pk: { S: `resource#${resource}` },
        watched: { BOOL: true },
        updatedAt: { S: now.toISOString() },
        ttl: this.ttl(now),
      });
    }
    for (let i = 0; i < items.length; i += 25) {
      let requests: { PutRequest: { Item: Record<string, AttributeValue> } }[] | undefined = items
        .slice(i, i + 25)
        .map((Item) => ({ PutRequest: { Item } }));
      for (let attempt = 0; requests && requests.length > 0 && attempt < 5; attempt++) {
        const r = await this.client.send(
          new BatchWriteItemCommand({ RequestItems: { [this.table]: requests } }),
        );
        requests = r.UnprocessedItems?.[this.table] as typeof requests;
      }
    }
  }

  /** Whether a policy evaluated this resource before (so its deletion matters). */
  async watched(resource: string): Promise<boolean> {
    const r = await this.client.send(
      new GetItemCommand({ TableName: this.table, Key: { pk: { S: `resource#${resource}` } } }),
    );
    return r.Item?.watched?.BOOL === true;
  }

  /** When this resource was remediated recently, and who changed it before each time. */
  async remediations(resource: string): Promise<{ times: number[]; actors: string[] }> {
    const r = await this.client.send(
      new GetItemCommand({ TableName: this.table, Key: { pk: { S: `remediation#${resource}` } } }),
    );
    return {
      times: (r.Item?.times?.L ?? []).map((v) => Number(v.N)),
      actors: (r.Item?.actors?.L ?? []).map((v) => v.S ?? '').filter(Boolean),
    };
  }

  async recordRemediation(resource: string, now: Date, actor: string | undefined): Promise<void> {
    await this.client.send(
      new UpdateItemCommand({
        TableName: this.table,
        Key: { pk: { S: `remediation#${resource}` } },
        UpdateExpression:
          'SET times = list_append(if_not_exists(times, :empty), :t), actors = list_append(if_not_exists(actors, :empty), :a), #ttl = :ttl',
        ExpressionAttributeNames: { '#ttl': 'ttl' },
        ExpressionAttributeValues: {
          ':empty': { L: [] },
          ':t': { L: [{ N: String(now.getTime()) }] },
          ':a': { L: [{ S: actor ?? 'unknown' }] },
          ':ttl': this.ttl(now),
        },
      }),
    );
  }
}
