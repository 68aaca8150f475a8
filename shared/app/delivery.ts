import pLimit from 'p-limit';
import type { Notification } from '../notify/message.js';
import { type Channel, NotificationError } from '../notify/notifier.js';
import type { NewOutboxEntry, OutboxEntry, Scope, StateStore } from '../state/types.js';

/**
 * How long an invocation holds the notifications it is delivering. Longer than any function's
 * timeout, so a live invocation is never raced; a retry of the same invocation (same owner)
 * takes them back at once, anyone else once the lease has run out.
 */
export const OUTBOX_LEASE_MS = 15 * 60_000;

/** A notification to deliver, where it is kept, and whether this invocation already holds it. */
export interface Delivery {
  readonly scope: Scope;
  readonly entry: OutboxEntry<Notification>;
  readonly held: boolean;
}

export interface DeliveryDeps {
  readonly store: Pick<StateStore<Notification>, 'claim' | 'acknowledge'>;
  readonly channels: readonly Channel[];
  readonly now: () => Date;
}

/** A new notification, owned (leased) by the invocation that raised it; `id` is what subscribers may dedupe on. */
export function newEntry(
  deps: { readonly channels: readonly Pick<Channel, 'name'>[]; readonly now: () => Date },
  owner: string,
  id: string,
  notification: Notification,
): NewOutboxEntry<Notification> {
  return {
    notification: { ...notification, id },
    channels: deps.channels.map((c) => c.name),
    owner,
    leaseUntil: deps.now().getTime() + OUTBOX_LEASE_MS,
  };
}

/** A notification this invocation has just written, and so already holds. */
export const held = (scope: Scope, entry: OutboxEntry<Notification>): Delivery => ({
  scope,
  entry,
  held: true,
});

/**
 * What an invocation must deliver from a resource's outbox: its own entries (a retry finishing what
 * the first attempt began) and entries whose owner gave up (lease run out). Entries another live
 * invocation holds are its to deliver.
 */
export function deliverable(
  scope: Scope,
  outbox: readonly OutboxEntry<Notification>[],
  owner: string,
  now: Date,
): Delivery[] {
  return outbox
    .filter((e) => e.pending.length > 0 && (e.owner === owner || e.leaseUntil < now.getTime()))
    .map((entry) => ({ scope, entry, held: false }));
}

/**
 * Delivers to every channel what it has not taken yet, and records each success at once, so a
 * retry sends only what failed: at-least-once per channel, and a notification is never sent twice
 * to a channel that took it, short of a crash between the send and its record. Per channel, the
 * notifications of one finding go in order, and stop at the first failure (a "resolved" never
 * overtakes its "opened"). A failed channel does not stop the others; afterwards the failure is
 * raised, so the invocation fails and Lambda's retry (in the end, the dead-letter queue) carries it.
 */
export async function deliver(
  deps: DeliveryDeps,
  owner: string,
  deliveries: readonly Delivery[],
): Promise<number> {
  const now = deps.now().getTime();
  const unique = new Map<string, Delivery>();
  for (const d of deliveries) unique.set(`${d.scope.account}#${d.scope.resource}#${d.entry.key}`, d);
  const mine: Delivery[] = [];
  for (const d of [...unique.values()].sort((a, b) => a.entry.key.localeCompare(b.entry.key))) {
    if (d.held || (await deps.store.claim(d.scope, d.entry.key, owner, now, now + OUTBOX_LEASE_MS)))
      mine.push(d);
  }
  const failures: { channel: string; error: unknown }[] = [];
  let sent = 0;
  await Promise.all(
    deps.channels.map(async (channel) => {
      // One chain per finding: in order within it, chains side by side.
      const chains = new Map<string, Delivery[]>();
      for (const d of mine) {
        if (!d.entry.pending.includes(channel.name)) continue;
        const chain = `${d.scope.resource}#${d.entry.notification.finding?.id ?? d.entry.key}`;
        chains.set(chain, [...(chains.get(chain) ?? []), d]);
      }
      let failed: unknown;
      const limit = pLimit(4);
      await Promise.all(
        [...chains.values()].map((chain) =>
          limit(async () => {
            for (const d of chain) {
              try {
                await channel.send([d.entry.notification]);
                sent++;
                // Failing here (after the send) leaves it pending: the retry sends it again.
                await deps.store.acknowledge(d.scope, d.entry.key, [channel.name]);
              } catch (error) {
                failed ??= error;
                return;
              }
            }
          }),
        ),
      );
      if (failed !== undefined) failures.push({ channel: channel.name, error: failed });
    }),
  );
  if (failures.length > 0) throw new NotificationError(failures);
  return sent;
}
