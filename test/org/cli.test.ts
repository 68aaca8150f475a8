import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { accountSelection, DEFAULT_ROLE_NAME } from '../../shared/cli/accounts.js';
import { main } from '../../shared/cli/main.js';
import { findingsMarkdown, findingsTable } from '../../shared/cli/render.js';
import { evaluateAll, parseSnapshotFile, type Snapshot } from '../../shared/engine/index.js';
import { parsePolicyText } from '../../shared/policy/loader.js';

const work = mkdtempSync(join(tmpdir(), 'trailwarden-org-cli-'));
const A = '222222222222';
const B = '333333333333';
const ORG = 'o-a1b2c3d4e5';

/** Runs the CLI in process (no AWS is reached: every case here stops at the input checks or reads a file). */
async function run(...argv: string[]) {
  let out = '';
  let err = '';
  const code = await main(argv, {
    out: (s) => {
      out += s;
    },
    err: (s) => {
      err += s;
    },
    color: false,
    interactive: false,
    env: { AWS_REGION: 'us-east-1' },
  });
  return { code, out, err };
}

const trail = (account: string, name: string, validation: boolean) => ({
  trail: {
    Name: name,
    TrailARN: `arn:aws:cloudtrail:us-east-1:${account}:trail/${name}`,
    HomeRegion: 'us-east-1',
    IsMultiRegionTrail: true,
    LogFileValidationEnabled: validation,
  },
  status: { IsLogging: true },
  eventSelectors: { EventSelectors: [{ ReadWriteType: 'All', IncludeManagementEvents: true }] },
  insightSelectors: [],
  eventConfiguration: {},
  tags: [],
});

/** Two accounts of one organization, in different OUs; A's trail lacks log file validation. */
const ORG_SNAPSHOTS = [
  {
    version: 1,
    account: A,
    region: 'us-east-1',
    organization: { id: ORG, managementAccount: '111111111111', path: `${ORG}/r-ab12/ou-ab12-11111111/` },
    trails: [trail(A, 'main', false)],
    eventDataStores: [],
  },
  {
    version: 1,
    account: B,
    region: 'us-east-1',
    organization: { id: ORG, managementAccount: '111111111111', path: `${ORG}/r-ab12/ou-ab12-22222222/` },
    trails: [trail(B, 'main', false)],
    eventDataStores: [],
  },
];
const snapshotFile = join(work, 'org.json');
writeFileSync(snapshotFile, JSON.stringify(ORG_SNAPSHOTS));
const policyFile = join(work, 'policies.yaml');
writeFileSync(
  policyFile,
  `version: 1
policies:
  - id: prod-validation
    select: { ous: [ou-ab12-11111111] }
    require: { logFileValidation: true }
  - id: b-only
    select: { accounts: ["${B}"] }
    require: { logging: true }
`,
);

describe('account options', () => {
  it('default to the caller; --org and --accounts take the member role, TrailwardenMember unless named', () => {
    expect(accountSelection({})).toEqual({ kind: 'caller' });
    expect(accountSelection({ org: true })).toEqual({
      kind: 'org',
      accounts: [],
      roleName: DEFAULT_ROLE_NAME,
    });
    expect(
      accountSelection({
        accounts: ` ${A},${B},${A}`,
        roleName: 'audit/Reader',
        externalId: 'acme:sec-7f3a',
      }),
    ).toEqual({ kind: 'accounts', accounts: [A, B], roleName: 'audit/Reader', externalId: 'acme:sec-7f3a' });
  });

  it('reject bad input with one message naming the option and what it expects', () => {
    const message = (opts: Parameters<typeof accountSelection>[0]) => {
      try {
        accountSelection(opts);
      } catch (error) {
        return (error as Error).message;
      }
      return 'accepted';
    };
    expect(message({ accounts: `${A},12345` })).toBe(
      '--accounts 12345: expected 12-digit AWS account ids, comma-separated (e.g. 111111111111,222222222222)',
    );
    expect(message({ accounts: ',' })).toMatch(/^--accounts ,: expected 12-digit/);
    expect(message({ org: true, accounts: A })).toBe(
      'use either --org (every account of the organization) or --accounts ID,ID, not both',
    );
    expect(message({ roleName: 'Reader' })).toMatch(
      /^--role-name and --external-id say how to enter other accounts/,
    );
    expect(message({ externalId: 'x1' })).toMatch(/use them with --org or --accounts$/);
    expect(message({ org: true, roleName: 'has space' })).toMatch(
      /^--role-name has space: expected an IAM role name/,
    );
    expect(message({ org: true, roleName: 'x'.repeat(65) })).toMatch(
      /^--role-name x+: expected an IAM role name/,
    );
    expect(message({ org: true, externalId: 'a' })).toBe(
      '--external-id: expected 2 to 1224 characters of letters, digits and +=,.@:/_-',
    );
  });

  it('the CLI exits 2 on them before reaching AWS, and refuses --org with a snapshot file', async () => {
    const bad = await run('check', '--region', 'us-east-1', '--accounts', '12345');
    expect(bad).toMatchObject({ code: 2, out: '' });
    expect(bad.err).toBe(
      'error: --accounts 12345: expected 12-digit AWS account ids, comma-separated (e.g. 111111111111,222222222222)\n',
    );
    const both = await run('plan', '--snapshot', snapshotFile, '--org');
    expect(both.code).toBe(2);
    expect(both.err).toContain('use either --snapshot FILE or live AWS options');
    expect((await run('snapshot', '--region', 'us-east-1', '--external-id', 'abc')).code).toBe(2);
  });
});

describe('several accounts from a snapshot file', () => {
  it('select.ous and select.accounts choose accounts; JSON findings and plan steps carry the account', async () => {
    const r = await run('check', '--snapshot', snapshotFile, '--policies', policyFile, '--format', 'json');
    const out = JSON.parse(r.out) as { findings: { policyId: string; account: string; status: string }[] };
    expect(out.findings.map((f) => `${f.policyId} ${f.account} ${f.status}`).sort()).toEqual([
      `b-only ${B} PASS`,
      `prod-validation ${A} FAIL`,
    ]);
    expect(r.code).toBe(1);
  });

  it('table and markdown name the account of each finding and sum up per account; one account reads as before', () => {
    const { policies } = parsePolicyText(
      'version: 1\npolicies:\n  - id: validation\n    require: { logFileValidation: true }\n',
      'p.yaml',
    );
    const snapshots = parseSnapshotFile(ORG_SNAPSHOTS);
    const both = evaluateAll(snapshots, policies, new Date(0));
    const table = findingsTable(both, false);
    expect(table).toContain(`FAIL       medium   validation  ${A}  main  [logFileValidation]`);
    expect(table).toContain(
      `2 accounts:\n  ${A}: 1 failed, 0 errors, 0 passed\n  ${B}: 1 failed, 0 errors, 0 passed\n`,
    );
    const md = findingsMarkdown(both);
    expect(md).toContain('| status | severity | policy | account | resource | check | message |');
    expect(md).toContain(`| FAIL | medium | validation | ${A} | main | logFileValidation |`);
    expect(md).toContain(`- ${B}: 1 failed, 0 errors, 0 passed`);

    const one = evaluateAll([snapshots[0] as Snapshot], policies, new Date(0));
    expect(findingsTable(one, false)).toContain('FAIL       medium   validation  main  [logFileValidation]');
    expect(findingsTable(one, false)).not.toContain('accounts:');
    expect(findingsMarkdown(one)).toContain('| status | severity | policy | resource | check | message |');
  });

  it('ASFF names each finding own account', async () => {
    const r = await run('check', '--snapshot', snapshotFile, '--policies', policyFile, '--format', 'asff');
    const asff = JSON.parse(r.out) as { Findings: { AwsAccountId: string; Resources: { Id: string }[] }[] };
    for (const f of asff.Findings) expect(f.Resources[0]?.Id).toContain(`:${f.AwsAccountId}:`);
    expect(new Set(asff.Findings.map((f) => f.AwsAccountId))).toEqual(new Set([A, B]));
  });
});
