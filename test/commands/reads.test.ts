import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../shared/cli/main.js';

const root = join(import.meta.dirname, '..', '..');
const work = mkdtempSync(join(tmpdir(), 'trailwarden-reads-'));
const demo = JSON.parse(readFileSync(join(root, 'examples', 'demo-account', 'snapshot.json'), 'utf8'));

async function check(snapshot: unknown, policies: string) {
  const file = join(work, `snap-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(file, JSON.stringify(snapshot));
  const policyFile = join(work, 'p.yaml');
  writeFileSync(policyFile, policies);
  let out = '';
  let err = '';
  const code = await main(['check', '--snapshot', file, '--policies', policyFile, '--format', 'json'], {
    out: (s) => {
      out += s;
    },
    err: (s) => {
      err += s;
    },
    color: false,
    interactive: false,
    env: {},
  });
  return { code, out, err, file };
}

const INSIGHTS =
  'version: 1\npolicies:\n  - { id: p, require: { insights: [{ InsightType: ApiCallRateInsight }] } }\n';
const MULTI_REGION = 'version: 1\npolicies:\n  - { id: p, require: { multiRegion: true } }\n';

describe('a snapshot read for other policies', () => {
  it('is refused when it was read without a part these policies need: not read is not "not known"', async () => {
    const { code, err, file } = await check(
      { ...demo, notRead: ['GetInsightSelectors', 'ListTags'] },
      INSIGHTS,
    );
    expect(code).toBe(2);
    expect(err).toBe(
      `error: ${file}: account ${demo.account}, ${demo.region} was read without GetInsightSelectors, which these policies need; read it again with these policies (trailwarden snapshot reads everything)\n`,
    );
  });

  it('is judged when the parts it lacks are not needed', async () => {
    const { code, out } = await check(
      { ...demo, notRead: ['GetInsightSelectors', 'ListTags'] },
      MULTI_REGION,
    );
    expect([0, 1]).toContain(code);
    expect(JSON.parse(out).summary.error).toBe(0);
  });
});
