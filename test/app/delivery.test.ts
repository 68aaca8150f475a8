import { describe, expect, it } from 'vitest';
import { deliver, deliverable, held, newEntry, OUTBOX_LEASE_MS } from '../../shared/app/delivery.js';
import { type Observation, reconcile } from '../../shared/app/reconcile.js';
import type { Notification } from '../../shared/notify/message.js';
import type { Channel } from '../../shared/notify/notifier.js';
import { NotificationError } from '../../shared/notify/notifier.js';
import type { LiveFinding } from '../../shared/notify/transitions.js';
import { parsePolicyFiles } from '../../shared/policy/loader.js';
import { MemoryStore } from './memoryStore.js';

const NOW = new Date('2026-11-21T06:00:00Z');
const scope = { account: '111122223333', resource: 'arn:aws:cloudtrail:us-east-1:111122223333:trail/t' };
const finding = (over: Partial<LiveFinding> = {}): LiveFinding => ({
  id: 'f1',
  policyId: 'p',
  resource: scope.resource,
  resourceName: 't',
  region: 'us-east-1',
  status: 'FAIL',
  check: 'logging',
  severity: 'high',
  message: 'm',
  ...over,
});
const recorder = (name: string, fail?: (n: Notification) => boolean) => {
  const got: string[] = [];
  const channel: Channel = {
    name,
    send: async (ns) => {
      for (const n of ns) {
        if (fail?.(n)) throw new Error(`${name} is down`);
        got.push(`${n.transition}:${n.id}`);
      }
    },
  };
  return { channel, got };
};

const deps = (channels: Channel[], store = new MemoryStore(), now = NOW) => ({
  account: scope.account,
  policies: parsePolicyFiles([
    { file: 'p.yaml', text: 'version: 1\npolicies:\n  - id: p\n    require: { logging: true }\n' },
  ]).policies,
  store,
  channels,
  now: () => now,
  metrics: { count: () => {} },
  log: { warn: () => {} },
});

const seen = (findings: LiveFinding[], at = NOW): Observation => ({
  findings,
  complete: [],
  policies: new Set(['p']),
  observedAt: at,
  region: 'us-east-1',
});

describe('delivery from the outbox', () => {
  it("per channel, a finding's notifications go in order and stop at the first failure", async () => {
    const sns = recorder('sns');
    let slackDown = true;
    const slack = recorder('slack', () => slackDown);
    const d = deps([sns.channel, slack.channel]);
    const owner = 'event:1';
    const opened = await reconcile(d, owner, seen([finding()]));
    const resolved = await reconcile(
      d,
      owner,
      seen([finding({ status: 'PASS' })], new Date(NOW.getTime() + 1)),
    );
    await expect(deliver(d, owner, [...resolved, ...opened])).rejects.toThrow(NotificationError);
    expect(sns.got).toEqual(['opened:f1:1', 'resolved:f1:2']);
    expect(slack.got).toEqual([]);
    // The retry (same owner) sends Slack both, in order, and SNS nothing again.
    slackDown = false;
    const state = await d.store.load(scope);
    expect(state.outbox.map((e) => e.pending)).toEqual([['slack'], ['slack']]);
    await deliver(d, owner, deliverable(scope, state.outbox, owner, NOW));
    expect(slack.got).toEqual(['opened:f1:1', 'resolved:f1:2']);
    expect(sns.got).toHaveLength(2);
    expect((await d.store.load(scope)).outbox).toEqual([]);
  });

  it("leaves another live invocation's notifications to it, and takes over once its lease ran out", async () => {
    const sns = recorder('sns');
    const store = new MemoryStore();
    const d = deps([sns.channel], store);
    const note = {
      transition: 'opened' as const,
      finding: finding(),
      account: scope.account,
      region: 'us-east-1',
    };
    expect((await store.enqueue(scope, 'k', newEntry(d, 'event:a', 'k', note))).ok).toBe(true);
    const outbox = (await store.load(scope)).outbox;
    expect(deliverable(scope, outbox, 'event:b', NOW)).toEqual([]);
    expect(deliverable(scope, outbox, 'event:a', NOW)).toHaveLength(1);
    // Handed over anyway while event:a still holds it: the claim fails, nothing is sent.
    await deliver(d, 'event:c', [{ ...held(scope, outbox[0] as never), held: false }]);
    expect(sns.got).toEqual([]);
    // Once event:a's lease has run out, anyone delivers it.
    const later = new Date(NOW.getTime() + OUTBOX_LEASE_MS + 1);
    const orphans = deliverable(scope, outbox, 'event:b', later);
    expect(orphans).toHaveLength(1);
    await deliver(deps([sns.channel], store, later), 'event:b', orphans);
    expect(sns.got).toEqual(['opened:k']);
    expect((await store.load(scope)).outbox).toEqual([]);
  });
});

describe('reconcile', () => {
  it('records a transition once, and drops a result older than the stored one (row 6)', async () => {
    const sns = recorder('sns');
    const d = deps([sns.channel]);
    const later = new Date(NOW.getTime() + 5_000);
    await deliver(
      d,
      'remediate:r',
      await reconcile(d, 'remediate:r', seen([finding({ status: 'REMEDIATED' })], later)),
    );
    // The evaluator read before the repair and saves after it: its FAIL is older, and dropped.
    await deliver(d, 'event:e', await reconcile(d, 'event:e', seen([finding()], NOW)));
    expect(sns.got).toEqual(['remediated:f1:1']);
    expect((await d.store.load(scope)).findings.get('f1')).toMatchObject({
      status: 'REMEDIATED',
      version: 1,
    });
    // A newer FAIL is a real change: opened.
    await deliver(
      d,
      'event:f',
      await reconcile(d, 'event:f', seen([finding()], new Date(later.getTime() + 1))),
    );
    expect(sns.got).toEqual(['remediated:f1:1', 'opened:f1:2']);
  });

  it('recomputes from the stored state when another writer came first', async () => {
    const sns = recorder('sns');
    const store = new MemoryStore();
    const d = deps([sns.channel], store);
    // A concurrent writer records FAIL between this invocation's read and its write.
    const load = store.load.bind(store);
    let first = true;
    store.load = async (s) => {
      const state = await load(s);
      if (first) {
        first = false;
        await store.saveFinding(s, { ...finding(), version: 1, observedAt: NOW.toISOString() }, 0);
      }
      return state;
    };
    await deliver(
      d,
      'event:2',
      await reconcile(d, 'event:2', seen([finding()], new Date(NOW.getTime() + 1))),
    );
    expect(sns.got).toEqual([]);
    expect((await load(scope)).findings.get('f1')).toMatchObject({ status: 'FAIL', version: 2 });
  });
});
