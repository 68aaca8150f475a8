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
export function storeContract(name: string, make: () => Promise<StateStore>) {
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

    it('keeps accounts apart', async () => {
      const store = await make();
      await store.saveFinding(scope, finding(), 0);
      const other = await store.load({ ...scope, account: '444455556666' });
      expect(other.findings.size).toBe(0);
    });
  });
}
