import {
  type AttributeValue,
  ConditionalCheckFailedException,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  paginateQuery,
  TransactWriteItemsCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import {
  type NewOutboxEntry,
  type OutboxEntry,
  type PairOutcome,
  type PairReport,
  type RecentWrite,
  type RemediationRecord,
  type RequestState,
  type ResourceState,
  type Scope,
  StateConflictError,
  type StateStore,
  type StoredFinding,
  type StoredStatus,
  type SweepRecord,
  type Written,
} from './types.js';

/** Item keys: one partition per account and resource; one item per finding, record, request. */
export const keys = {
  partition: (scope: Scope) => `${scope.account}#${scope.resource}`,
  finding: (id: string) => `finding#${id}`,
  outbox: (key: string) => `outbox#${key}`,
  remediation: 'remediation',
  request: (id: string) => `request#${id}`,
  sweep: 'sweep',
  report: (account: string, region: string) => `report#${account}#${region}`,
  /** Where the latest sweep's id is kept: one item per central account. */
  latestSweep: (account: string) => ({ pk: `${account}#trailwarden:sweeps`, sk: 'latest' }),
};

/** How often a report is tried again when another report's transaction held the sweep's counter. */
const TRANSACTION_ATTEMPTS = 12;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The table's key schema (serverless.yml declares the same; a stack test compares them). */
export const TABLE_KEY_SCHEMA = {
  AttributeDefinitions: [
    { AttributeName: 'pk', AttributeType: 'S' },
    { AttributeName: 'sk', AttributeType: 'S' },
  ],
  KeySchema: [
    { AttributeName: 'pk', KeyType: 'HASH' },
    { AttributeName: 'sk', KeyType: 'RANGE' },
  ],
} as const;

/**
 * A stored notification is kept small: an item holding a few pending ones stays far inside
 * DynamoDB's 400 KB item limit (the store's `encode` shortens it past this, and says so).
 */
export const STORED_NOTIFICATION_LIMIT = 48_000;

export interface FindingStoreOptions<N> {
  /**
   * The notification as JSON within `limit` bytes. The flows define what a notification is and how
   * to shorten one; the store only keeps the text and parses it back.
   */
  readonly encode: (notification: N, limit: number) => string;
  /** How long findings and remediation records are kept after their last write (default 30). */
  readonly findingDays?: number;
  /** How long an outbox entry and a sweep's items are kept (default 14). */
  readonly outboxDays?: number;
}

const S = (v: string): AttributeValue => ({ S: v });
const N = (v: number): AttributeValue => ({ N: String(v) });

const conflict = (error: unknown) =>
  error instanceof ConditionalCheckFailedException ||
  (error as { name?: string })?.name === 'ConditionalCheckFailedException';

/**
 * An outbox entry lives in the item whose write raised it, as four attributes named by a tag:
 * o_TAG (the notification), p_TAG (the channels still to take it), w_TAG (who delivers it) and
 * l_TAG (until when). Its key is `SK|TAG`.
 */
const attr = (tag: string) => ({ o: `o_${tag}`, p: `p_${tag}`, w: `w_${tag}`, l: `l_${tag}` });
const entryKey = (sk: string, tag: string) => `${sk}|${tag}`;
function splitKey(key: string): { sk: string; tag: string } {
  const at = key.lastIndexOf('|');
  return { sk: key.slice(0, at), tag: key.slice(at + 1) };
}

/**
 * Finding state in one DynamoDB table (pk, sk; on demand; items expire through TTL). Every write
 * is a single-item conditional write, so concurrent and out-of-order invocations cannot overwrite
 * one another, and a notification is written with the state change it reports. The client is
 * injected.
 */
export class FindingStore<N> implements StateStore<N> {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly table: string,
    private readonly options: FindingStoreOptions<N>,
  ) {}

  private ttl(days: number, now = Date.now()): AttributeValue {
    return N(Math.floor(now / 1000) + days * 86_400);
  }

  private key(scope: Scope, sk: string) {
    return { pk: S(keys.partition(scope)), sk: S(sk) };
  }

  /** Every item of the scope's partition, page after page (strongly consistent). */
  private async *partition(scope: Scope): AsyncGenerator<Record<string, AttributeValue>> {
    const pages = paginateQuery(
      { client: this.client },
      {
        TableName: this.table,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': S(keys.partition(scope)) },
        ConsistentRead: true,
      },
    );
    for await (const page of pages) yield* page.Items ?? [];
  }

  async load(scope: Scope): Promise<ResourceState<N>> {
    const findings = new Map<string, StoredFinding>();
    const outbox: OutboxEntry<N>[] = [];
    let remediation: RemediationRecord = { version: 0, times: [], actors: [] };
    for await (const item of this.partition(scope)) {
      const sk = item.sk?.S ?? '';
      if (sk.startsWith('finding#')) {
        const f = toFinding(sk.slice('finding#'.length), item);
        findings.set(f.id, f);
      } else if (sk === keys.remediation) {
        remediation = toRemediation(item);
      }
      outbox.push(...entriesOf<N>(sk, item));
    }
    outbox.sort((a, b) => a.key.localeCompare(b.key));
    return { findings, outbox, remediation };
  }

  /** The SET clauses, names and values that embed an outbox entry under `tag`. */
  private embed(tag: string, entry: NewOutboxEntry<N>) {
    const a = attr(tag);
    const notification = this.options.encode(entry.notification, STORED_NOTIFICATION_LIMIT);
    return {
      set: ['#eo = :eo', '#ep = :ep', '#ew = :ew', '#el = :el'],
      names: { '#eo': a.o, '#ep': a.p, '#ew': a.w, '#el': a.l },
      values: {
        ':eo': S(notification),
        ':ep': { SS: [...entry.channels] },
        ':ew': S(entry.owner),
        ':el': N(entry.leaseUntil),
      },
      entry: (sk: string): OutboxEntry<N> => ({
        key: entryKey(sk, tag),
        notification: JSON.parse(notification) as N,
        pending: [...entry.channels],
        owner: entry.owner,
        leaseUntil: entry.leaseUntil,
      }),
    };
  }

  private async conditional(command: UpdateItemCommand | PutItemCommand): Promise<boolean> {
    try {
      await this.client.send(command as UpdateItemCommand);
      return true;
    } catch (error) {
      if (conflict(error)) return false;
      throw error;
    }
  }

  async saveFinding(
    scope: Scope,
    next: StoredFinding,
    expectedVersion: number,
    outbox?: NewOutboxEntry<N>,
  ): Promise<Written<N>> {
    const sk = keys.finding(next.id);
    const version = expectedVersion + 1;
    const embedded = outbox?.channels.length ? this.embed(`v${version}`, outbox) : undefined;
    const ok = await this.conditional(
      new UpdateItemCommand({
        TableName: this.table,
        Key: this.key(scope, sk),
        UpdateExpression: `SET ${[
          '#status = :status',
          'version = :next',
          'observedAt = :observedAt',
          'policyId = :policyId',
          '#check = :check',
          'severity = :severity',
          'resourceName = :resourceName',
          '#region = :region',
          '#ttl = :ttl',
          ...(embedded?.set ?? []),
        ].join(', ')}`,
        ConditionExpression: expectedVersion === 0 ? 'attribute_not_exists(version)' : 'version = :expected',
        ExpressionAttributeNames: {
          '#status': 'status',
          '#check': 'check',
          '#region': 'region',
          '#ttl': 'ttl',
          ...embedded?.names,
        },
        ExpressionAttributeValues: {
          ':status': S(next.status),
          ':next': N(version),
          ':observedAt': S(next.observedAt),
          ':policyId': S(next.policyId),
          ':check': S(next.check),
          ':severity': S(next.severity),
          ':resourceName': S(next.resourceName),
          ':region': S(next.region),
          ':ttl': this.ttl(this.options.findingDays ?? 30),
          ...(expectedVersion === 0 ? {} : { ':expected': N(expectedVersion) }),
          ...embedded?.values,
        },
      }),
    );
    return ok ? { ok, ...(embedded ? { entry: embedded.entry(sk) } : {}) } : { ok };
  }

  async enqueue(scope: Scope, key: string, entry: NewOutboxEntry<N>): Promise<Written<N>> {
    const sk = keys.outbox(key);
    if (!entry.channels.length) return { ok: true };
    const embedded = this.embed('x', entry);
    const item: Record<string, AttributeValue> = {
      ...this.key(scope, sk),
      ttl: this.ttl(this.options.outboxDays ?? 14),
    };
    for (const [placeholder, name] of Object.entries(embedded.names))
      item[name] = embedded.values[`:${placeholder.slice(1)}` as keyof typeof embedded.values];
    const ok = await this.conditional(
      // The item stays after delivery (until its TTL): a retry of the same invocation finds it.
      new PutItemCommand({
        TableName: this.table,
        Item: item,
        ConditionExpression: 'attribute_not_exists(sk)',
      }),
    );
    return ok ? { ok, entry: embedded.entry(sk) } : { ok };
  }

  async claim(scope: Scope, key: string, owner: string, now: number, leaseUntil: number): Promise<boolean> {
    const { sk, tag } = splitKey(key);
    const a = attr(tag);
    return this.conditional(
      new UpdateItemCommand({
        TableName: this.table,
        Key: this.key(scope, sk),
        UpdateExpression: 'SET #w = :owner, #l = :until',
        ConditionExpression: 'attribute_exists(#p) AND (#w = :owner OR #l < :now)',
        ExpressionAttributeNames: { '#w': a.w, '#l': a.l, '#p': a.p },
        ExpressionAttributeValues: { ':owner': S(owner), ':until': N(leaseUntil), ':now': N(now) },
      }),
    );
  }

  async acknowledge(scope: Scope, key: string, channels: readonly string[]): Promise<void> {
    if (channels.length === 0) return;
    const { sk, tag } = splitKey(key);
    const a = attr(tag);
    const Key = this.key(scope, sk);
    const r = await this.client
      .send(
        new UpdateItemCommand({
          TableName: this.table,
          Key,
          UpdateExpression: 'DELETE #p :done',
          ConditionExpression: 'attribute_exists(#p)',
          ExpressionAttributeNames: { '#p': a.p },
          ExpressionAttributeValues: { ':done': { SS: [...channels] } },
          ReturnValues: 'ALL_NEW',
        }),
      )
      .catch((error) => {
        if (conflict(error)) return undefined;
        throw error;
      });
    if (!r || r.Attributes?.[a.p]?.SS?.length) return;
    // Every channel took it (an empty set is no attribute in DynamoDB): drop the notification.
    await this.conditional(
      new UpdateItemCommand({
        TableName: this.table,
        Key,
        UpdateExpression: 'REMOVE #o, #w, #l',
        ConditionExpression: 'attribute_not_exists(#p)',
        ExpressionAttributeNames: { '#o': a.o, '#w': a.w, '#l': a.l, '#p': a.p },
      }),
    );
  }

  async updateRemediation(
    scope: Scope,
    change: (
      current: RemediationRecord,
    ) => { record: Omit<RemediationRecord, 'version'>; outbox?: NewOutboxEntry<N> } | undefined,
  ): Promise<{ record: RemediationRecord; entry?: OutboxEntry<N> } | undefined> {
    const sk = keys.remediation;
    const Key = this.key(scope, sk);
    for (let attempt = 0; attempt < 8; attempt++) {
      const r = await this.client.send(
        new GetItemCommand({ TableName: this.table, Key, ConsistentRead: true }),
      );
      const current = r.Item ? toRemediation(r.Item) : { version: 0, times: [], actors: [] };
      const next = change(current);
      if (!next) return undefined;
      const record: RemediationRecord = { ...next.record, version: current.version + 1 };
      const embedded = next.outbox?.channels.length
        ? this.embed(`t${record.version}`, next.outbox)
        : undefined;
      const set = ['version = :next', 'times = :times', 'actors = :actors', '#ttl = :ttl'];
      const remove: string[] = [];
      const values: Record<string, AttributeValue> = {
        ':next': N(record.version),
        ':times': { L: record.times.map(N) },
        ':actors': { L: record.actors.map(S) },
        ':ttl': this.ttl(this.options.findingDays ?? 30),
        ...embedded?.values,
      };
      for (const name of ['pendingId', 'runningId'] as const) {
        if (record[name]) {
          set.push(`${name} = :${name}`);
          values[`:${name}`] = S(record[name] as string);
        } else remove.push(name);
      }
      if (record.writes?.length) {
        set.push('writes = :writes');
        values[':writes'] = S(JSON.stringify(record.writes));
      } else remove.push('writes');
      for (const name of ['pendingAt', 'runningUntil', 'trippedAt'] as const) {
        if (record[name] !== undefined) {
          set.push(`${name} = :${name}`);
          values[`:${name}`] = N(record[name] as number);
        } else remove.push(name);
      }
      if (current.version !== 0) values[':v'] = N(current.version);
      const ok = await this.conditional(
        new UpdateItemCommand({
          TableName: this.table,
          Key,
          UpdateExpression: `SET ${[...set, ...(embedded?.set ?? [])].join(', ')}${remove.length ? ` REMOVE ${remove.join(', ')}` : ''}`,
          ConditionExpression: current.version === 0 ? 'attribute_not_exists(version)' : 'version = :v',
          ExpressionAttributeNames: { '#ttl': 'ttl', ...embedded?.names },
          ExpressionAttributeValues: values,
        }),
      );
      if (ok) return { record, ...(embedded ? { entry: embedded.entry(sk) } : {}) };
    }
    throw new StateConflictError(`the remediation record of ${scope.resource} kept changing; try again`);
  }

  async beginRequest(scope: Scope, requestId: string, now: number): Promise<RequestState> {
    const Key = this.key(scope, keys.request(requestId));
    const created = await this.conditional(
      new PutItemCommand({
        TableName: this.table,
        Item: {
          ...Key,
          state: S('in-progress'),
          startedAt: N(now),
          // As long as the dead-letter queue keeps a request: a redrive is still recognised.
          ttl: this.ttl(15, now),
        },
        ConditionExpression: 'attribute_not_exists(sk)',
      }),
    );
    if (created) return 'new';
    const r = await this.client.send(
      new GetItemCommand({ TableName: this.table, Key, ConsistentRead: true }),
    );
    return r.Item?.state?.S === 'completed' ? 'completed' : 'repeat';
  }

  async openSweep(
    scope: Scope,
    sweep: Omit<SweepRecord, 'remaining' | 'digestBy'>,
  ): Promise<{ opened: boolean; previous?: string }> {
    const opened = await this.conditional(
      new PutItemCommand({
        TableName: this.table,
        Item: {
          ...this.key(scope, keys.sweep),
          sweepId: S(sweep.id),
          total: N(sweep.total),
          remaining: N(sweep.total),
          startedAt: N(sweep.startedAt),
          regions: S(JSON.stringify(sweep.regions)),
          ttl: this.ttl(this.options.outboxDays ?? 14, sweep.startedAt),
        },
        ConditionExpression: 'attribute_not_exists(sk)',
      }),
    );
    const latest = keys.latestSweep(scope.account);
    const r = await this.client.send(
      new UpdateItemCommand({
        TableName: this.table,
        Key: { pk: S(latest.pk), sk: S(latest.sk) },
        UpdateExpression: 'SET sweepId = :id',
        ExpressionAttributeValues: { ':id': S(sweep.id) },
        ReturnValues: 'UPDATED_OLD',
      }),
    );
    const previous = r.Attributes?.sweepId?.S;
    return { opened, ...(previous && previous !== sweep.id ? { previous } : {}) };
  }

  async reportPair(scope: Scope, report: PairReport): Promise<PairOutcome> {
    for (let attempt = 0; ; attempt++) {
      try {
        await this.client.send(
          new TransactWriteItemsCommand({
            TransactItems: [
              {
                Put: {
                  TableName: this.table,
                  Item: {
                    ...this.key(scope, keys.report(report.account, report.region)),
                    report: S(JSON.stringify(report)),
                    ttl: this.ttl(this.options.outboxDays ?? 14),
                  },
                  ConditionExpression: 'attribute_not_exists(sk)',
                },
              },
              {
                Update: {
                  TableName: this.table,
                  Key: this.key(scope, keys.sweep),
                  UpdateExpression: 'SET remaining = remaining - :one',
                  ConditionExpression: 'attribute_exists(remaining)',
                  ExpressionAttributeValues: { ':one': N(1) },
                },
              },
            ],
          }),
        );
        return 'counted';
      } catch (error) {
        const reasons = (error as { CancellationReasons?: { Code?: string }[] }).CancellationReasons;
        if ((error as { name?: string }).name !== 'TransactionCanceledException' || !reasons) throw error;
        if (reasons[0]?.Code === 'ConditionalCheckFailed') return 'repeat';
        if (reasons[1]?.Code === 'ConditionalCheckFailed') return 'unknown-sweep';
        // Another report's transaction held the counter at that moment (TransactionConflict):
        // the SDK does not retry a cancelled transaction, so try again after a jittered pause.
        if (attempt + 1 >= TRANSACTION_ATTEMPTS) throw error;
        await sleep(Math.random() * Math.min(1000, 20 * 2 ** attempt));
      }
    }
  }

  async loadSweep(scope: Scope, withReports = true): Promise<{ sweep?: SweepRecord; reports: PairReport[] }> {
    let sweep: SweepRecord | undefined;
    const reports: PairReport[] = [];
    const toSweep = (item: Record<string, AttributeValue>): SweepRecord => ({
      id: item.sweepId?.S ?? '',
      total: Number(item.total?.N ?? 0),
      remaining: Number(item.remaining?.N ?? 0),
      startedAt: Number(item.startedAt?.N ?? 0),
      regions: JSON.parse(item.regions?.S ?? '[]') as string[],
      ...(item.digestBy?.S ? { digestBy: item.digestBy.S } : {}),
    });
    if (!withReports) {
      const r = await this.client.send(
        new GetItemCommand({ TableName: this.table, Key: this.key(scope, keys.sweep), ConsistentRead: true }),
      );
      return { ...(r.Item ? { sweep: toSweep(r.Item) } : {}), reports };
    }
    for await (const item of this.partition(scope)) {
      const sk = item.sk?.S ?? '';
      if (sk === keys.sweep) sweep = toSweep(item);
      else if (sk.startsWith('report#')) reports.push(JSON.parse(item.report?.S ?? '{}') as PairReport);
    }
    return { ...(sweep ? { sweep } : {}), reports };
  }

  async closeSweep(
    scope: Scope,
    owner: string,
    entry?: NewOutboxEntry<N>,
    early = false,
  ): Promise<Written<N>> {
    const embedded = entry?.channels.length ? this.embed('d', entry) : undefined;
    const ok = await this.conditional(
      new UpdateItemCommand({
        TableName: this.table,
        Key: this.key(scope, keys.sweep),
        UpdateExpression: `SET ${['digestBy = :owner', ...(embedded?.set ?? [])].join(', ')}`,
        ConditionExpression: `attribute_exists(remaining) AND attribute_not_exists(digestBy)${early ? '' : ' AND remaining <= :zero'}`,
        ...(embedded ? { ExpressionAttributeNames: embedded.names } : {}),
        ExpressionAttributeValues: {
          ':owner': S(owner),
          ...(early ? {} : { ':zero': N(0) }),
          ...embedded?.values,
        },
      }),
    );
    return ok ? { ok, ...(embedded ? { entry: embedded.entry(keys.sweep) } : {}) } : { ok };
  }

  async completeRequest(scope: Scope, requestId: string, now: number): Promise<void> {
    await this.client.send(
      new UpdateItemCommand({
        TableName: this.table,
        Key: this.key(scope, keys.request(requestId)),
        UpdateExpression: 'SET #state = :done, completedAt = :now',
        ExpressionAttributeNames: { '#state': 'state' },
        ExpressionAttributeValues: { ':done': S('completed'), ':now': N(now) },
      }),
    );
  }
}

/** The outbox entries an item holds that some channel has not taken yet. */
function entriesOf<N>(sk: string, item: Record<string, AttributeValue>): OutboxEntry<N>[] {
  const out: OutboxEntry<N>[] = [];
  for (const name of Object.keys(item)) {
    if (!name.startsWith('o_')) continue;
    const tag = name.slice(2);
    const a = attr(tag);
    const pending = item[a.p]?.SS ?? [];
    if (pending.length === 0) continue;
    out.push({
      key: entryKey(sk, tag),
      notification: JSON.parse(item[a.o]?.S ?? '{}') as N,
      pending,
      owner: item[a.w]?.S ?? '',
      leaseUntil: Number(item[a.l]?.N ?? 0),
    });
  }
  return out;
}

function toFinding(id: string, item: Record<string, AttributeValue>): StoredFinding {
  return {
    id,
    status: (item.status?.S ?? 'ERROR') as StoredStatus,
    version: Number(item.version?.N ?? 0),
    observedAt: item.observedAt?.S ?? '1970-01-01T00:00:00.000Z',
    policyId: item.policyId?.S ?? '',
    check: item.check?.S ?? '',
    severity: item.severity?.S ?? 'medium',
    resourceName: item.resourceName?.S ?? '',
    region: item.region?.S ?? '',
  };
}

function toRemediation(item: Record<string, AttributeValue>): RemediationRecord {
  const num = (v: AttributeValue | undefined) => (v?.N === undefined ? undefined : Number(v.N));
  return {
    version: Number(item.version?.N ?? 0),
    times: (item.times?.L ?? []).map((v) => Number(v.N)),
    actors: (item.actors?.L ?? []).map((v) => v.S ?? ''),
    ...(item.pendingId?.S ? { pendingId: item.pendingId.S, pendingAt: num(item.pendingAt) ?? 0 } : {}),
    ...(item.runningId?.S ? { runningId: item.runningId.S, runningUntil: num(item.runningUntil) ?? 0 } : {}),
    ...(num(item.trippedAt) !== undefined ? { trippedAt: num(item.trippedAt) as number } : {}),
    ...(item.writes?.S ? { writes: JSON.parse(item.writes.S) as RecentWrite[] } : {}),
  };
}
