import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type FlowDeps, onTrailChange } from '../../shared/app/flows.js';
import type { Notification } from '../../shared/notify/message.js';

const fixture = (name: string) =>
  JSON.parse(readFileSync(join(import.meta.dirname, '..', 'events', 'fixtures', `${name}.json`), 'utf8'));

function fakeDeps(watched = false) {
  const sent: Notification[] = [];
  const counted: string[] = [];
  const reads: string[] = [];
  const deps: FlowDeps = {
    policies: [],
    clients: {
      cloudTrail: () => {
        reads.push('cloudtrail');
        throw new Error('no AWS in this test');
      },
    },
    account: '111122223333',
    store: {
      previous: async () => new Map(),
      record: async () => {},
      watched: async () => watched,
      remediations: async () => ({ times: [], actors: [] }),
      recordRemediation: async () => {},
    },
    channels: [{ name: 'test', send: async (ns) => void sent.push(...ns) }],
    remediationEnabled: true,
    remediationRoleArn: 'arn:aws:iam::111122223333:role/trailwarden-prod-remediate',
    requestRemediation: async () => {},
    breaker: { maxRemediations: 3, windowMinutes: 60 },
    now: () => new Date('2026-11-21T06:00:00Z'),
    log: { info: () => {}, warn: () => {}, error: () => {} },
    metrics: { count: (name) => void counted.push(name), milliseconds: () => {} },
  };
  return { deps, sent, counted, reads };
}

describe('onTrailChange flow', () => {
  it('drops a malformed event with a metric, without throwing (no endless retries)', async () => {
    const { deps, counted, reads } = fakeDeps();
    expect(await onTrailChange(fixture('malformed'), deps)).toMatchObject({
      outcome: 'dropped',
      reason: expect.stringContaining('detail.awsRegion'),
    });
    expect(await onTrailChange('not even an object', deps)).toMatchObject({ outcome: 'dropped' });
    expect(counted).toEqual(['MalformedEvents', 'MalformedEvents']);
    expect(reads).toEqual([]);
  });

  it('skips failed calls and its own remediation role, reading nothing', async () => {
    const { deps, reads } = fakeDeps();
    expect(await onTrailChange(fixture('failed-call'), deps)).toMatchObject({
      outcome: 'skipped',
      reason: 'the call failed (AccessDenied)',
    });
    expect(await onTrailChange(fixture('own-role'), deps)).toMatchObject({
      outcome: 'skipped',
      reason: expect.stringContaining('loop guard'),
    });
    expect(reads).toEqual([]);
  });

  it('a DeleteTrail of a watched trail is a critical notification naming who did it', async () => {
    const { deps, sent } = fakeDeps(true);
    await onTrailChange(fixture('DeleteTrail'), deps);
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({
      transition: 'trail-deleted',
      finding: { severity: 'critical' },
      actors: ['arn:aws:iam::111122223333:role/Admin'],
    });
    const unwatched = fakeDeps(false);
    await onTrailChange(fixture('DeleteTrail'), unwatched.deps);
    expect(unwatched.sent).toEqual([]);
  });
});
