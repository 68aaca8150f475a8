import { describe, expect, it } from 'vitest';
import type { Notification } from '../../shared/notify/message.js';
import type { Scope, StateStore, StoredFinding } from '../../shared/state/types.js';

const scope: Scope = {
  account: '111122223333',
  resource: 'arn:aws:cloudtrail:us-east-1:111122223333:trail/t',
};
const finding = (over: Partial<StoredFinding> = {}): StoredFinding => ({
  id: 'f1',
  status: 'FAIL',
  version: 1,
  observedAt: '2026-11-21T06:00:00.000Z',
  policyId: 'p',
  check: 'logging',
  severity: 'high',
  resourceName: 't',
  region: 'us-east-1',
  ...over,
});
const note = (id: string): Notification => ({
  id,
  transition: 'opened',
  account: scope.account,
  region: 'us-east-1',
  finding: { ...finding(), message: 'm' } as never,
});
const entry = (id: string, owner = 'event:a', leaseUntil = 2_000) => ({
  notification: note(id),
  channels: ['sns', 'slack'],
  owner,
  leaseUntil,
});

/** The StateStore contract: the DynamoDB store (on moto) and the unit tests' memory store both keep it. */
export function storeContract(name: string, make: () => Promise<StateStore<Notification>>) {
  describe(`${name}: the state store contract`, () => {
    it('writes a finding only at the version it was read at', async () => {
      const store = await make();
      expect((await store.saveFinding(scope, finding(), 0)).ok).toBe(true);
      expect((await store.saveFinding(scope, finding({ status: 'PASS' }), 0)).ok).toBe(false);
      expect((await store.saveFinding(scope, finding({ status: 'PASS', version: 2 }), 1)).ok).toBe(true);
      const state = await store.load(scope);
      expect(state.findings.get('f1')).toMatchObject({ status: 'PASS', version: 2 });
      expect(state.outbox).toEqual([]);
    });

    it('keeps a notification with its transition until every channel took it', async () => {
      const store = await make();
      const written = await store.saveFinding(scope, finding(), 0, entry('f1:1'));
      expect(written).toMatchObject({ ok: true, entry: { pending: ['sns', 'slack'], owner: 'event:a' } });
      const key = written.ok ? (written.entry?.key as string) : '';
      expect((await store.load(scope)).outbox).toMatchObject([
        { key, pending: ['sns', 'slack'], notification: { id: 'f1:1', transition: 'opened' } },
      ]);
      await store.acknowledge(scope, key, ['sns']);
      expect((await store.load(scope)).outbox.map((e) => e.pending)).toEqual([['slack']]);
      await store.acknowledge(scope, key, ['slack']);
      expect((await store.load(scope)).outbox).toEqual([]);
      // A later write of the finding keeps nothing pending either.
      await store.saveFinding(scope, finding({ version: 2 }), 1);
      expect((await store.load(scope)).outbox).toEqual([]);
    });

    it('leases a notification to one invocation at a time', async () => {
      const store = await make();
      const written = await store.saveFinding(scope, finding(), 0, entry('f1:1', 'event:a', 2_000));
      const key = written.ok ? (written.entry?.key as string) : '';
      expect(await store.claim(scope, key, 'event:b', 1_000, 5_000)).toBe(false);
      expect(await store.claim(scope, key, 'event:a', 1_000, 5_000)).toBe(true);
      expect(await store.claim(scope, key, 'event:b', 5_001, 9_000)).toBe(true);
      expect((await store.load(scope)).outbox[0]).toMatchObject({ owner: 'event:b', leaseUntil: 9_000 });
      await store.acknowledge(scope, key, ['sns', 'slack']);
      expect(await store.claim(scope, key, 'event:b', 9_001, 10_000)).toBe(false);
    });

    it('raises a keyed notification once, even after it was delivered', async () => {
      const store = await make();
      const first = await store.enqueue(scope, 'digest#sweep:1', entry('digest#sweep:1'));
      expect(first.ok).toBe(true);
      expect((await store.enqueue(scope, 'digest#sweep:1', entry('digest#sweep:1'))).ok).toBe(false);
      await store.acknowledge(scope, first.ok ? (first.entry?.key as string) : '', ['sns', 'slack']);
      expect((await store.enqueue(scope, 'digest#sweep:1', entry('digest#sweep:1'))).ok).toBe(false);
      expect((await store.enqueue(scope, 'digest#sweep:2', entry('digest#sweep:2'))).ok).toBe(true);
    });

    it('updates the remediation record by compare-and-set, with an optional notification', async () => {
      const store = await make();
      const first = await store.updateRemediation(scope, (r) => ({
        record: { ...r, times: [1, 2], actors: ['a', 'b'], pendingId: 'r1', pendingAt: 5 },
      }));
      expect(first?.record).toMatchObject({ version: 1, times: [1, 2], pendingId: 'r1' });
      expect(await store.updateRemediation(scope, () => undefined)).toBeUndefined();
      const second = await store.updateRemediation(
        scope,
        ({ version: _, pendingId: __, pendingAt: ___, ...r }) => ({
          record: { ...r, trippedAt: 9 },
          outbox: entry('tamper'),
        }),
      );
      expect(second?.entry?.pending).toEqual(['sns', 'slack']);
      const state = await store.load(scope);
      expect(state.remediation).toEqual({ version: 2, times: [1, 2], actors: ['a', 'b'], trippedAt: 9 });
      expect(state.outbox.map((e) => e.notification.id)).toEqual(['tamper']);
    });

    it('tells a new request from a repeat and a completed one', async () => {
      const store = await make();
      expect(await store.beginRequest(scope, 'r1', 1)).toBe('new');
      expect(await store.beginRequest(scope, 'r1', 2)).toBe('repeat');
      await store.completeRequest(scope, 'r1', 3);
      expect(await store.beginRequest(scope, 'r1', 4)).toBe('completed');
    });

    it('counts each account-Region of a sweep once, and gives its digest to exactly one invocation', async () => {
      const store = await make();
      const sweep: Scope = { account: scope.account, resource: 'trailwarden:sweep/s1' };
      const report = (account: string, region = 'us-east-1') => ({
        account,
        region,
        open: { high: 1 },
        lines: [{ severity: 'high', text: `high p ${account}` }],
      });
      expect(await store.reportPair(sweep, report('111111111111'))).toBe('unknown-sweep');
      const opened = { id: 's1', total: 3, startedAt: 1_000, regions: ['us-east-1'] };
      expect(await store.openSweep(sweep, opened)).toEqual({ opened: true });
      // A retried planner opens nothing new and resets nothing.
      expect(await store.openSweep(sweep, opened)).toEqual({ opened: false });
      expect(await store.reportPair(sweep, report('111111111111'))).toBe('counted');
      expect(await store.reportPair(sweep, report('111111111111'))).toBe('repeat');
      expect(await store.reportPair(sweep, report('222222222222'))).toBe('counted');
      // Not every account-Region has reported: no digest yet, unless taken early (an unfinished sweep).
      expect(await store.closeSweep(sweep, 'w1', entry('digest'))).toEqual({ ok: false });
      expect(await store.reportPair(sweep, report('222222222222', 'eu-west-1'))).toBe('counted');
      const loaded = await store.loadSweep(sweep);
      expect(loaded.sweep).toEqual({ ...opened, remaining: 0 });
      expect(await store.loadSweep(sweep, false)).toEqual({ sweep: loaded.sweep, reports: [] });
      expect(loaded.reports.map((r) => `${r.account} ${r.region}`).sort()).toEqual([
        '111111111111 us-east-1',
        '222222222222 eu-west-1',
        '222222222222 us-east-1',
      ]);
      const taken = await store.closeSweep(sweep, 'w3', entry('digest', 'w3'));
      expect(taken).toMatchObject({ ok: true, entry: { pending: ['sns', 'slack'], owner: 'w3' } });
      expect(await store.closeSweep(sweep, 'w2', entry('digest', 'w2'))).toEqual({ ok: false });
      expect(await store.closeSweep(sweep, 'w2', entry('digest', 'w2'), true)).toEqual({ ok: false });
      expect((await store.loadSweep(sweep)).sweep?.digestBy).toBe('w3');
      // The digest waits in the sweep's outbox until every channel took it.
      expect((await store.load(sweep)).outbox.map((e) => e.notification.id)).toEqual(['digest']);
      // The next sweep learns which one came before it.
      const next: Scope = { account: scope.account, resource: 'trailwarden:sweep/s2' };
      expect(await store.openSweep(next, { ...opened, id: 's2' })).toEqual({ opened: true, previous: 's1' });
    });

    it('closes an unfinished sweep early, once', async () => {
      const store = await make();
      const sweep: Scope = { account: scope.account, resource: 'trailwarden:sweep/s9' };
      await store.openSweep(sweep, { id: 's9', total: 2, startedAt: 1, regions: ['us-east-1'] });
      expect(await store.closeSweep(sweep, 'planner', undefined, true)).toEqual({ ok: true });
      expect(await store.closeSweep(sweep, 'late', entry('x'), false)).toEqual({ ok: false });
    });

    it('keeps accounts apart', async () => {
      const store = await make();
      await store.saveFinding(scope, finding(), 0);
      const other = await store.load({ ...scope, account: '444455556666' });
      expect(other.findings.size).toBe(0);
    });
  });
}
