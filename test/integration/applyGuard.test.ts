import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetEventSelectorsCommand, PutEventSelectorsCommand } from '@aws-sdk/client-cloudtrail';
import { beforeEach, describe, expect, inject, it } from 'vitest';
import { main } from '../../shared/cli/main.js';
import { resetMoto } from '../../shared/emulator/moto.js';
import { AWS_ENV, INTEGRATION_POLICIES, REGION, seedDriftedAccount } from './seed.js';

const endpoint = inject('motoEndpoint');
const policyFile = join(mkdtempSync(join(tmpdir(), 'trailwarden-guard-')), 'policies.yaml');
writeFileSync(policyFile, INTEGRATION_POLICIES);

/** Someone else's change to the security trail: data events on one bucket instead of write-only management. */
const THEIRS = [
  {
    Name: 'their change',
    FieldSelectors: [
      { Field: 'eventCategory', Equals: ['Data'] },
      { Field: 'resources.type', Equals: ['AWS::S3::Object'] },
    ],
  },
];

/** `apply` in process; `between` runs where a person would answer the prompt, after the plan. */
async function apply(between: () => Promise<void>) {
  let out = '';
  let err = '';
  const code = await main(
    ['apply', '--region', REGION, '--endpoint-url', endpoint, '--policies', policyFile, '--format', 'json'],
    {
      out: (s) => {
        out += s;
      },
      err: (s) => {
        err += s;
      },
      color: false,
      interactive: true,
      env: { ...AWS_ENV },
      confirm: async () => {
        await between();
        return true;
      },
    },
  );
  return { code, out, err };
}

beforeEach(async () => {
  await resetMoto(endpoint);
});

describe('apply re-reads each resource before writing it', () => {
  it('a change made between plan and apply aborts that resource’s steps, keeps the change, and the others go on', async () => {
    const { ct } = await seedDriftedAccount(endpoint);
    const { code, out, err } = await apply(async () => {
      await ct.send(
        new PutEventSelectorsCommand({ TrailName: 'security-trail', AdvancedEventSelectors: THEIRS }),
      );
    });
    expect(err).toBe('');
    const result = JSON.parse(out) as {
      steps: { resource: string; operation: string; status: string; reason?: string }[];
      findings: {
        resourceName: string;
        status: string;
        message: string;
        remediation?: { planned: boolean };
      }[];
      summary: { fail: number; error: number; remediated: number };
    };
    const security = result.steps.filter((s) => s.resource.endsWith('/security-trail'));
    expect(security.length).toBeGreaterThan(0);
    for (const step of security) {
      expect(step.status).toBe('skipped');
      expect(step.reason).toMatch(/^security-trail changed since the plan was made \(selectors/);
    }
    // The stopped trail, which nobody touched, is still repaired.
    expect(result.steps.find((s) => s.resource.endsWith('/stopped-trail'))?.status).toBe('ok');
    const planned = result.findings.filter(
      (f) => f.resourceName === 'security-trail' && f.remediation?.planned,
    );
    expect(planned.length).toBeGreaterThan(0);
    for (const f of planned) {
      expect(f.status).toBe('ERROR');
      expect(f.message).toMatch(/was not sent: security-trail changed since the plan was made/);
    }
    // Their change is kept, not overwritten by selectors planned from the state before it.
    const now = await ct.send(new GetEventSelectorsCommand({ TrailName: 'security-trail' }));
    expect(now.AdvancedEventSelectors).toEqual(THEIRS);
    expect(code).toBe(result.summary.fail > 0 ? 1 : 3);
    expect(result.summary.error).toBeGreaterThan(0);
  });

  it('without a change in between, every step is sent (the re-read sees what the plan was made from)', async () => {
    await seedDriftedAccount(endpoint);
    const { code, out } = await apply(async () => {});
    const result = JSON.parse(out) as { steps: { status: string }[]; summary: { error: number } };
    expect(result.steps.length).toBeGreaterThan(0);
    expect(result.steps.every((s) => s.status === 'ok')).toBe(true);
    expect(result.summary.error).toBe(0);
    expect(code).toBe(0);
  });
});
