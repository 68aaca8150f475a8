import type { Notification } from '../../shared/notify/message.js';
import type {
  NewOutboxEntry,
  OutboxEntry,
  PairOutcome,
  PairReport,
  RemediationRecord,
  RequestState,
  ResourceState,
  Scope,
  StateStore,
  StoredFinding,
  SweepRecord,
  Written,
} from '../../shared/state/types.js';

interface Embedded {
  notification: string;
  pending: Set<string>;
  owner: string;
  leaseUntil: number;
}
interface Item {
  finding?: StoredFinding;
  remediation?: RemediationRecord;
  request?: RequestState;
  sweep?: SweepRecord;
  report?: PairReport;
  outbox: Map<string, Embedded>;
}

/**
 * The StateStore contract in memory, for unit tests of the flows: the same conditions as the
 * DynamoDB store (test/state/contract.ts runs one suite against both), without a network.
 */
export class MemoryStore implements StateStore<Notification> {
  readonly items = new Map<string, Map<string, Item>>();
  /** Calls by method name, to assert what a flow wrote. */
  readonly calls: string[] = [];
  /** The latest sweep's id, per central account. */
  private readonly latest = new Map<string, string>();

  private item(scope: Scope, sk: string, create = true): Item | undefined {
    const pk = `${scope.account}#${scope.resource}`;
    let partition = this.items.get(pk);
    if (!partition) {
      if (!create) return undefined;
      partition = new Map();
      this.items.set(pk, partition);
    }
    let item = partition.get(sk);
    if (!item && create) {
      item = { outbox: new Map() };
      partition.set(sk, item);
    }
    return item;
  }

  private embed(
    item: Item,
    sk: string,
    tag: string,
    entry: NewOutboxEntry<Notification>,
  ): OutboxEntry<Notification> | undefined {
    if (entry.channels.length === 0) return undefined;
    const notification = JSON.stringify(entry.notification);
    item.outbox.set(tag, {
      notification,
      pending: new Set(entry.channels),
      owner: entry.owner,
      leaseUntil: entry.leaseUntil,
    });
    return {
      key: `${sk}|${tag}`,
      notification: JSON.parse(notification) as Notification,
      pending: [...entry.channels],
      owner: entry.owner,
      leaseUntil: entry.leaseUntil,
    };
  }

  async load(scope: Scope): Promise<ResourceState<Notification>> {
    this.calls.push('load');
    const findings = new Map<string, StoredFinding>();
    const outbox: OutboxEntry<Notification>[] = [];
    let remediation: RemediationRecord = { version: 0, times: [], actors: [] };
    for (const [sk, item] of this.items.get(`${scope.account}#${scope.resource}`) ?? []) {
      if (item.finding) findings.set(item.finding.id, structuredClone(item.finding));
      if (item.remediation) remediation = structuredClone(item.remediation);
      for (const [tag, e] of item.outbox)
        if (e.pending.size > 0)
          outbox.push({
            key: `${sk}|${tag}`,
            notification: JSON.parse(e.notification) as Notification,
            pending: [...e.pending],
            owner: e.owner,
            leaseUntil: e.leaseUntil,
          });
    }
    outbox.sort((a, b) => a.key.localeCompare(b.key));
    return { findings, outbox, remediation };
  }

  async saveFinding(
    scope: Scope,
    next: StoredFinding,
    expectedVersion: number,
    outbox?: NewOutboxEntry<Notification>,
  ): Promise<Written<Notification>> {
    this.calls.push('saveFinding');
    const sk = `finding#${next.id}`;
    const item = this.item(scope, sk) as Item;
    if ((item.finding?.version ?? 0) !== expectedVersion) return { ok: false };
    item.finding = { ...next, version: expectedVersion + 1 };
    const entry = outbox ? this.embed(item, sk, `v${expectedVersion + 1}`, outbox) : undefined;
    return { ok: true, ...(entry ? { entry } : {}) };
  }

  async enqueue(
    scope: Scope,
    key: string,
    entry: NewOutboxEntry<Notification>,
  ): Promise<Written<Notification>> {
    this.calls.push('enqueue');
    const sk = `outbox#${key}`;
    if (this.item(scope, sk, false)) return { ok: false };
    const written = this.embed(this.item(scope, sk) as Item, sk, 'x', entry);
    return { ok: true, ...(written ? { entry: written } : {}) };
  }

  private entry(scope: Scope, key: string): Embedded | undefined {
    const at = key.lastIndexOf('|');
    return this.item(scope, key.slice(0, at), false)?.outbox.get(key.slice(at + 1));
  }

  async claim(scope: Scope, key: string, owner: string, now: number, leaseUntil: number): Promise<boolean> {
    this.calls.push('claim');
    const e = this.entry(scope, key);
    if (!e || e.pending.size === 0 || (e.owner !== owner && e.leaseUntil >= now)) return false;
    e.owner = owner;
    e.leaseUntil = leaseUntil;
    return true;
  }

  async acknowledge(scope: Scope, key: string, channels: readonly string[]): Promise<void> {
    this.calls.push('acknowledge');
    const e = this.entry(scope, key);
    for (const c of channels) e?.pending.delete(c);
  }

  async updateRemediation(
    scope: Scope,
    change: (
      current: RemediationRecord,
    ) => { record: Omit<RemediationRecord, 'version'>; outbox?: NewOutboxEntry<Notification> } | undefined,
  ): Promise<{ record: RemediationRecord; entry?: OutboxEntry<Notification> } | undefined> {
    this.calls.push('updateRemediation');
    const item = this.item(scope, 'remediation') as Item;
    const current = structuredClone(item.remediation ?? { version: 0, times: [], actors: [] });
    const next = change(current);
    if (!next) return undefined;
    const record = { ...structuredClone(next.record), version: current.version + 1 };
    item.remediation = record;
    const entry = next.outbox
      ? this.embed(item, 'remediation', `t${record.version}`, next.outbox)
      : undefined;
    return { record, ...(entry ? { entry } : {}) };
  }

  async beginRequest(scope: Scope, requestId: string): Promise<RequestState> {
    this.calls.push('beginRequest');
    const item = this.item(scope, `request#${requestId}`) as Item;
    if (!item.request) {
      item.request = 'repeat';
      return 'new';
    }
    return item.request === 'completed' ? 'completed' : 'repeat';
  }

  async completeRequest(scope: Scope, requestId: string): Promise<void> {
    this.calls.push('completeRequest');
    (this.item(scope, `request#${requestId}`) as Item).request = 'completed';
  }

  async openSweep(
    scope: Scope,
    sweep: Omit<SweepRecord, 'remaining' | 'digestBy'>,
  ): Promise<{ opened: boolean; previous?: string }> {
    this.calls.push('openSweep');
    const item = this.item(scope, 'sweep') as Item;
    const opened = !item.sweep;
    if (opened) item.sweep = { ...structuredClone(sweep), remaining: sweep.total };
    const previous = this.latest.get(scope.account);
    this.latest.set(scope.account, sweep.id);
    return { opened, ...(previous && previous !== sweep.id ? { previous } : {}) };
  }

  async reportPair(scope: Scope, report: PairReport): Promise<PairOutcome> {
    this.calls.push('reportPair');
    const sk = `report#${report.account}#${report.region}`;
    if (this.item(scope, sk, false)?.report) return 'repeat';
    const counter = this.item(scope, 'sweep', false);
    if (!counter?.sweep) return 'unknown-sweep';
    (this.item(scope, sk) as Item).report = structuredClone(report);
    counter.sweep = { ...counter.sweep, remaining: counter.sweep.remaining - 1 };
    return 'counted';
  }

  async loadSweep(scope: Scope, withReports = true): Promise<{ sweep?: SweepRecord; reports: PairReport[] }> {
    this.calls.push(withReports ? 'loadSweep' : 'loadSweepRecord');
    const partition = this.items.get(`${scope.account}#${scope.resource}`) ?? new Map<string, Item>();
    const sweep = partition.get('sweep')?.sweep;
    const reports = withReports
      ? [...partition.values()].flatMap((i) => (i.report ? [structuredClone(i.report)] : []))
      : [];
    return { ...(sweep ? { sweep: structuredClone(sweep) } : {}), reports };
  }

  async closeSweep(
    scope: Scope,
    owner: string,
    entry?: NewOutboxEntry<Notification>,
    early = false,
  ): Promise<Written<Notification>> {
    this.calls.push('closeSweep');
    const item = this.item(scope, 'sweep', false);
    const sweep = item?.sweep;
    if (!item || !sweep || sweep.digestBy || (!early && sweep.remaining > 0)) return { ok: false };
    item.sweep = { ...sweep, digestBy: owner };
    const written = entry ? this.embed(item, 'sweep', 'd', entry) : undefined;
    return { ok: true, ...(written ? { entry: written } : {}) };
  }
}
