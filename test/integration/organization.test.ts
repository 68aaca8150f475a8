import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import {
  CloudTrailClient,
  DescribeTrailsCommand,
  GetEventSelectorsCommand,
  GetTrailStatusCommand,
} from '@aws-sdk/client-cloudtrail';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { beforeEach, describe, expect, inject, it } from 'vitest';
import { AwsClients } from '../../shared/aws/clients.js';
import { readLive } from '../../shared/cli/accounts.js';
import { CallCounter, isWrite } from '../../shared/emulator/callCounter.js';
import { resetMoto } from '../../shared/emulator/moto.js';
import {
  createOrganization,
  credentialsIn,
  type EmulatedOrganization,
  MANAGEMENT_ACCOUNT,
} from '../../shared/emulator/organization.js';
import { EMULATOR_CREDENTIALS, type SeedAccount, seedAccount } from '../../shared/emulator/seed.js';
import { asAdvanced, covers, type SelectorConfig } from '../../shared/selectors/index.js';
import { AWS_ENV, REGION } from './seed.js';

const root = join(import.meta.dirname, '..', '..');
const endpoint = inject('motoEndpoint');
const work = mkdtempSync(join(tmpdir(), 'trailwarden-org-'));

/** A trail that passes every policy below. */
const COMPLIANT = (bucket: string): SeedAccount => ({
  bucket,
  trails: [
    {
      name: 'org-audit',
      region: REGION,
      options: { IsMultiRegionTrail: true, EnableLogFileValidation: true },
      selectors: { EventSelectors: [{ ReadWriteType: 'All', IncludeManagementEvents: true }] },
      logging: true,
    },
  ],
});

/** Write-only management events, no log file validation, and (for one of them) stopped. */
const DRIFTED = (bucket: string, stopped: boolean): SeedAccount => ({
  bucket,
  trails: [
    {
      name: 'org-audit',
      region: REGION,
      options: { IsMultiRegionTrail: true },
      selectors: { EventSelectors: [{ ReadWriteType: 'WriteOnly', IncludeManagementEvents: true }] },
      logging: !stopped,
    },
  ],
});

const policies = (workloads: string, extra = '') => `version: 1
policies:
  - id: audit-trail
    severity: high
    action: remediate
    require:
      logging: true
      logFileValidation: true
  - id: management-events
    severity: high
    quantifier: any
    action: remediate
    require:
      multiRegion: true
      logEvents:
        - FieldSelectors: [{ Field: eventCategory, Equals: [Management] }]
  - id: workloads-multi-region
    severity: medium
    select: { ous: [${workloads}] }
    require:
      multiRegion: true
${extra}`;

interface Finding {
  policyId: string;
  account: string;
  resourceName: string;
  check: string;
  status: string;
  message: string;
}

async function cli(args: string[], policyFile?: string) {
  const policyArgs = policyFile ? ['--policies', policyFile] : [];
  try {
    const { stdout, stderr } = await promisify(execFile)(
      process.execPath,
      [join(root, 'bin', 'trailwarden.mjs'), ...args, ...policyArgs],
      { cwd: root, env: { ...process.env, ...AWS_ENV, NO_COLOR: '1' } },
    );
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}
const live = ['--region', REGION, '--endpoint-url', endpoint];

/** A CloudTrail client acting in `account` with that account's own credentials, not Trailwarden's. */
async function memberCloudTrail(account: string) {
  const credentials = await credentialsIn(endpoint, account, 'Auditor');
  const sts = new STSClient({ region: REGION, endpoint, credentials });
  expect((await sts.send(new GetCallerIdentityCommand({}))).Account).toBe(account);
  sts.destroy();
  return new CloudTrailClient({ region: REGION, endpoint, credentials });
}

let org: EmulatedOrganization;
let drifted: string[];
let clean: string;
let policyFile: string;

beforeEach(async () => {
  await resetMoto(endpoint);
  org = await createOrganization(endpoint, {
    members: [
      { name: 'payments', unit: 'workloads' },
      { name: 'analytics', unit: 'workloads' },
      { name: 'sandbox', unit: 'sandbox' },
    ],
  });
  drifted = org.members.slice(0, 2);
  clean = org.members[2] as string;
  await seedAccount(endpoint, COMPLIANT('management-trail-logs'));
  for (const [i, account] of drifted.entries())
    await seedAccount(
      endpoint,
      DRIFTED(`drifted-logs-${i}`, i === 0),
      await credentialsIn(endpoint, account),
    );
  await seedAccount(endpoint, COMPLIANT('sandbox-trail-logs'), await credentialsIn(endpoint, clean));
  policyFile = join(work, `policies-${org.id}.yaml`);
  writeFileSync(policyFile, policies(org.units.workloads as string));
});

describe('an organization of 3 member accounts, two of them drifted, through the real CLI', () => {
  it('check --org gives findings per account: only the drifted ones fail, OU policies only in their OU', async () => {
    const r = await cli(['check', '--org', ...live, '--format', 'json'], policyFile);
    expect(r.code).toBe(1);
    const out = JSON.parse(r.stdout) as { findings: Finding[]; plan: { account: string }[] };
    const accounts = new Set(out.findings.map((f) => f.account));
    expect(accounts).toEqual(new Set([MANAGEMENT_ACCOUNT, ...org.members]));
    const failing = out.findings.filter((f) => f.status !== 'PASS');
    expect(new Set(failing.map((f) => f.account))).toEqual(new Set(drifted));
    expect(failing.map((f) => `${f.account} ${f.policyId} ${f.check}`).sort()).toEqual(
      [
        `${drifted[0]} audit-trail logging`,
        `${drifted[0]} audit-trail logFileValidation`,
        `${drifted[0]} management-events multiRegion,logEvents`,
        `${drifted[1]} audit-trail logFileValidation`,
        `${drifted[1]} management-events multiRegion,logEvents`,
      ].sort(),
    );
    // The OU policy applies in the workloads OU only: nothing at all for the sandbox or management.
    const byOu = out.findings.filter((f) => f.policyId === 'workloads-multi-region');
    expect(new Set(byOu.map((f) => f.account))).toEqual(new Set(drifted));
    expect(new Set(out.plan.map((s) => s.account))).toEqual(new Set(drifted));

    const table = await cli(['check', '--org', ...live], policyFile);
    expect(table.stdout).toContain('4 accounts:');
    expect(table.stdout).toContain(`${drifted[0]}: 3 failed, 0 errors`);
    expect(table.stdout).toContain(`${clean}: 0 failed, 0 errors`);
  });

  it('apply --org --yes writes through each member role and verifies; the members see it with their own credentials; a second plan is empty', async () => {
    const before = new Map<string, SelectorConfig>();
    for (const account of drifted) {
      const ct = await memberCloudTrail(account);
      const r = await ct.send(new GetEventSelectorsCommand({ TrailName: 'org-audit' }));
      before.set(account, { EventSelectors: (r.EventSelectors ?? []) as never });
      ct.destroy();
    }
    const r = await cli(['apply', '--org', ...live, '--yes', '--format', 'json'], policyFile);
    const out = JSON.parse(r.stdout) as {
      findings: Finding[];
      steps: { account: string; status: string; resource: string }[];
      summary: { remediated: number; error: number };
    };
    expect(out.summary.error).toBe(0);
    expect(out.steps.every((s) => s.status === 'ok')).toBe(true);
    expect(new Set(out.steps.map((s) => s.account))).toEqual(new Set(drifted));
    for (const s of out.steps) expect(s.resource).toContain(`:${s.account}:trail/`);
    expect(new Set(out.findings.filter((f) => f.status === 'REMEDIATED').map((f) => f.account))).toEqual(
      new Set(drifted),
    );
    expect(r.code).toBe(0);

    for (const account of drifted) {
      const ct = await memberCloudTrail(account);
      const [trail] =
        (await ct.send(new DescribeTrailsCommand({ trailNameList: ['org-audit'] }))).trailList ?? [];
      expect(trail?.LogFileValidationEnabled).toBe(true);
      expect((await ct.send(new GetTrailStatusCommand({ Name: 'org-audit' }))).IsLogging).toBe(true);
      const r2 = await ct.send(new GetEventSelectorsCommand({ TrailName: 'org-audit' }));
      const now = asAdvanced(
        r2.AdvancedEventSelectors?.length
          ? { AdvancedEventSelectors: r2.AdvancedEventSelectors as never }
          : { EventSelectors: (r2.EventSelectors ?? []) as never },
      );
      expect(
        covers(now, [{ FieldSelectors: [{ Field: 'eventCategory', Equals: ['Management'] }] }]).covered,
      ).toBe(true);
      // What the trail logged before is still logged.
      expect(covers(now, asAdvanced(before.get(account) as SelectorConfig)).covered).toBe(true);
      ct.destroy();
    }
    // The clean member and the management account were not written.
    const sandbox = await memberCloudTrail(clean);
    const [untouched] = (await sandbox.send(new DescribeTrailsCommand({}))).trailList ?? [];
    expect(untouched?.LogFileValidationEnabled).toBe(true);
    sandbox.destroy();

    const again = await cli(['plan', '--org', ...live, '--format', 'json'], policyFile);
    expect(JSON.parse(again.stdout).plan).toEqual([]);
    expect(again.code).toBe(0);
  });

  it('check --org --role-name OrganizationAccountAccessRole works against the emulated organization', async () => {
    const r = await cli(
      [
        'check',
        '--org',
        '--role-name',
        'OrganizationAccountAccessRole',
        '--region',
        'us-east-1',
        '--endpoint-url',
        endpoint,
      ],
      policyFile,
    );
    expect(r.stderr).toBe('');
    expect(r.code).toBe(1);
    for (const account of drifted) expect(r.stdout).toContain(`${account}  org-audit`);
    expect(r.stdout).toContain('4 accounts:');
  });

  it('--accounts reads only the accounts named; the caller is read with its own credentials', async () => {
    const r = await cli(
      ['check', '--accounts', `${MANAGEMENT_ACCOUNT},${clean}`, ...live, '--format', 'json'],
      policyFile,
    );
    const out = JSON.parse(r.stdout) as { findings: Finding[] };
    expect(new Set(out.findings.map((f) => f.account))).toEqual(new Set([MANAGEMENT_ACCOUNT, clean]));
    expect(out.findings.filter((f) => f.status !== 'PASS')).toEqual([]);
    expect(r.code).toBe(0);
  });

  it('snapshot --org writes one snapshot per account and Region with its organization path; check reads it back identically', async () => {
    const file = join(work, `org-${org.id}.json`);
    const s = await cli(['snapshot', '--org', ...live, '--region', 'eu-west-1', '--out', file]);
    expect(s.code).toBe(0);
    const snapshots = JSON.parse(readFileSync(file, 'utf8')) as {
      account: string;
      region: string;
      organization?: { id: string; path: string; managementAccount: string };
    }[];
    expect(snapshots.map((x) => `${x.account} ${x.region}`)).toEqual(
      [MANAGEMENT_ACCOUNT, ...org.members].sort().flatMap((a) => [`${a} ${REGION}`, `${a} eu-west-1`]),
    );
    const payments = snapshots.find((x) => x.account === drifted[0]);
    expect(payments?.organization).toEqual({
      id: org.id,
      managementAccount: MANAGEMENT_ACCOUNT,
      path: `${org.id}/${org.rootId}/${org.units.workloads}/`,
    });
    expect(snapshots.find((x) => x.account === MANAGEMENT_ACCOUNT)?.organization?.path).toBe(
      `${org.id}/${org.rootId}/`,
    );
    const fromLive = JSON.parse(
      (await cli(['check', '--org', ...live, '--region', 'eu-west-1', '--format', 'json'], policyFile))
        .stdout,
    ).findings;
    const fromFile = JSON.parse(
      (await cli(['check', '--snapshot', file, '--format', 'json'], policyFile)).stdout,
    ).findings;
    expect(fromFile).toEqual(fromLive);
  });

  it('an OU that cannot be resolved is an ERROR finding, live and from a file, never a silent skip', async () => {
    const typo = 'ou-zzzz-zzzzzzzz';
    const file = join(work, `typo-${org.id}.yaml`);
    writeFileSync(
      file,
      policies(
        org.units.workloads as string,
        `  - id: mistyped-ou
    select: { ous: [${typo}] }
    require: { logging: true }
`,
      ),
    );
    const r = await cli(['check', '--org', ...live, '--format', 'json'], file);
    const errors = (JSON.parse(r.stdout).findings as Finding[]).filter((f) => f.status === 'ERROR');
    expect(errors.map((f) => [f.policyId, f.resourceName, f.account, f.check])).toEqual([
      ['mistyped-ou', typo, MANAGEMENT_ACCOUNT, 'select'],
    ]);
    expect(errors[0]?.message).toContain(`not in organization ${org.id}`);

    const snap = join(work, `typo-${org.id}.json`);
    await cli(['snapshot', '--org', ...live, '--out', snap]);
    const fromFile = await cli(['check', '--snapshot', snap, '--format', 'json'], file);
    const fileErrors = (JSON.parse(fromFile.stdout).findings as Finding[]).filter(
      (f) => f.status === 'ERROR',
    );
    expect(fileErrors.map((f) => f.policyId)).toEqual(['mistyped-ou']);
    expect(fileErrors[0]?.message).toContain('cannot be decided from the file');
  });
});

describe('organization read costs on moto (in process)', () => {
  it('one AssumeRole per member account, one delegated-administrator read per account, at most 5 read calls per trail, no write', async () => {
    const counter = new CallCounter();
    const clients = new AwsClients({ endpoint, credentials: async () => EMULATOR_CREDENTIALS }, counter);
    try {
      const { snapshots } = await readLive(
        clients,
        [REGION, 'eu-west-1'],
        { org: true },
        {
          concurrency: 4,
          organization: false,
        },
      );
      expect(snapshots).toHaveLength(8);
      expect(counter.byOperation.get('AssumeRole')).toBe(3);
      // Each account's own role in the organization, read once for both Regions.
      expect(counter.byOperation.get('ListDelegatedAdministrators')).toBe(4);
      // A multi-Region trail shows in both Regions and is read once.
      const trails = new Set(snapshots.flatMap((s) => s.trails.map((t) => t.trail.TrailARN))).size;
      const perTrail =
        counter.total(
          (op) =>
            !isWrite(op) &&
            ![
              'DescribeTrails',
              'ListEventDataStores',
              'GetCallerIdentity',
              'AssumeRole',
              'ListAccounts',
              'ListDelegatedAdministrators',
            ].includes(op),
        ) / trails;
      expect(perTrail).toBeLessThanOrEqual(5);
      expect(counter.total(isWrite)).toBe(0);
    } finally {
      clients.destroy();
    }
  });
});
