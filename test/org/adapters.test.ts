import {
  CloudTrailClient,
  DescribeTrailsCommand,
  GetEventConfigurationCommand,
  GetEventSelectorsCommand,
  GetInsightSelectorsCommand,
  GetTrailStatusCommand,
  ListEventDataStoresCommand,
  ListTagsCommand,
} from '@aws-sdk/client-cloudtrail';
import {
  AccessDeniedException,
  DescribeOrganizationCommand,
  ListAccountsCommand,
  ListChildrenCommand,
  ListDelegatedAdministratorsCommand,
  ListRootsCommand,
  OrganizationsClient,
} from '@aws-sdk/client-organizations';
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { beforeEach, describe, expect, it } from 'vitest';
import { type AccountAccess, loadAccounts } from '../../shared/aws/accounts.js';
import { AwsClients } from '../../shared/aws/clients.js';
import { assumedRoleCredentials, memberRoleArn, REFRESH_MARGIN_MS } from '../../shared/aws/credentials.js';
import { AwsCallError } from '../../shared/aws/errors.js';
import {
  listActiveAccounts,
  organizationSection,
  readOrganizationTree,
} from '../../shared/aws/organization.js';
import { readLive } from '../../shared/cli/accounts.js';
import { evaluateAll } from '../../shared/engine/index.js';
import { parsePolicyText } from '../../shared/policy/loader.js';

const ct = mockClient(CloudTrailClient);
const orgs = mockClient(OrganizationsClient);
const sts = mockClient(STSClient);
const meta = { $metadata: {} };
const MANAGEMENT = '111111111111';
const A = '222222222222';
const B = '333333333333';
const C = '444444444444';

beforeEach(() => {
  ct.reset();
  orgs.reset();
  sts.reset();
  ct.on(DescribeTrailsCommand).resolves({ trailList: [] });
  ct.on(ListEventDataStoresCommand).resolves({ EventDataStores: [] });
  ct.on(ListTagsCommand).resolves({ ResourceTagList: [] });
});

/**
 * Answers each request from a table keyed by its input, and records the inputs as they were when
 * sent (the SDK's paginators reuse one input object across pages, so the mock's own record shows
 * only its last state).
 */
function answer(table: Record<string, unknown>, sent: Record<string, unknown>[]) {
  return (input: Record<string, unknown>) => {
    const clean = JSON.parse(JSON.stringify(input)) as Record<string, unknown>;
    sent.push(clean);
    const key = JSON.stringify(clean);
    if (!(key in table)) throw new Error(`no answer for ${key}`);
    return table[key];
  };
}

const credentialsFor = (account: string, expiration: Date) => ({
  Credentials: {
    AccessKeyId: `AKIA${account}`,
    SecretAccessKey: 'secret',
    SessionToken: `token-${account}`,
    Expiration: expiration,
  },
});

describe('Organizations: the accounts to read', () => {
  it('lists ACTIVE accounts over every page of ListAccounts; suspended and closing ones are left out', async () => {
    const sent: Record<string, unknown>[] = [];
    orgs.on(ListAccountsCommand).callsFake(
      answer(
        {
          '{}': {
            Accounts: [
              { Id: A, Name: 'payments', State: 'ACTIVE' },
              { Id: B, Name: 'old', State: 'SUSPENDED', Status: 'SUSPENDED' },
            ],
            NextToken: 'page-2',
          },
          '{"NextToken":"page-2"}': {
            Accounts: [
              { Id: C, Status: 'ACTIVE' },
              { Id: '555555555555', State: 'PENDING_CLOSURE' },
            ],
          },
        },
        sent,
      ),
    );
    const accounts = await listActiveAccounts(new OrganizationsClient({ region: 'us-east-1' }));
    expect(accounts).toEqual([
      { id: A, name: 'payments', state: 'ACTIVE' },
      { id: C, state: 'ACTIVE' },
    ]);
    expect(sent).toEqual([{}, { NextToken: 'page-2' }]);
  });

  it('names the operation when the caller may not list accounts', async () => {
    orgs
      .on(ListAccountsCommand)
      .rejects(new AccessDeniedException({ message: 'not the management account', ...meta }));
    await expect(listActiveAccounts(new OrganizationsClient({ region: 'us-east-1' }))).rejects.toThrow(
      /ListAccounts: AccessDeniedException: not the management account/,
    );
  });

  it('reads the tree from the root down, two ListChildren per OU whatever the number of accounts, and gives each account its path', async () => {
    orgs.on(DescribeOrganizationCommand).resolves({
      Organization: { Id: 'o-a1b2c3d4e5', MasterAccountId: MANAGEMENT },
    });
    orgs.on(ListRootsCommand).resolves({ Roots: [{ Id: 'r-ab12' }] });
    const children = (ids: string[], type: string, NextToken?: string) => ({
      Children: ids.map((Id) => ({ Id, Type: type })),
      ...(NextToken ? { NextToken } : {}),
    });
    const key = (ParentId: string, ChildType: string, NextToken?: string) =>
      JSON.stringify({ ParentId, ChildType, ...(NextToken ? { NextToken } : {}) });
    const sent: Record<string, unknown>[] = [];
    orgs.on(ListChildrenCommand).callsFake(
      answer(
        {
          [key('r-ab12', 'ORGANIZATIONAL_UNIT')]: children(['ou-ab12-11111111'], 'ORGANIZATIONAL_UNIT'),
          [key('r-ab12', 'ACCOUNT')]: children([MANAGEMENT], 'ACCOUNT'),
          [key('ou-ab12-11111111', 'ORGANIZATIONAL_UNIT')]: children(
            ['ou-ab12-22222222'],
            'ORGANIZATIONAL_UNIT',
          ),
          [key('ou-ab12-11111111', 'ACCOUNT')]: children([A], 'ACCOUNT', 'more'),
          [key('ou-ab12-11111111', 'ACCOUNT', 'more')]: children([B], 'ACCOUNT'),
          [key('ou-ab12-22222222', 'ORGANIZATIONAL_UNIT')]: children([], 'ORGANIZATIONAL_UNIT'),
          [key('ou-ab12-22222222', 'ACCOUNT')]: children([C], 'ACCOUNT'),
        },
        sent,
      ),
    );
    const tree = await readOrganizationTree(new OrganizationsClient({ region: 'us-east-1' }));
    expect([...tree.units].sort()).toEqual(['ou-ab12-11111111', 'ou-ab12-22222222', 'r-ab12']);
    expect(organizationSection(tree, C)).toEqual({
      id: 'o-a1b2c3d4e5',
      managementAccount: MANAGEMENT,
      path: 'o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/ou-ab12-22222222/',
    });
    expect(organizationSection(tree, B)?.path).toBe('o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/');
    expect(organizationSection(tree, MANAGEMENT)?.path).toBe('o-a1b2c3d4e5/r-ab12/');
    expect(organizationSection(tree, '999999999999')).toBeUndefined();
    expect(sent).toEqual([
      { ParentId: 'r-ab12', ChildType: 'ORGANIZATIONAL_UNIT' },
      { ParentId: 'r-ab12', ChildType: 'ACCOUNT' },
      { ParentId: 'ou-ab12-11111111', ChildType: 'ORGANIZATIONAL_UNIT' },
      { ParentId: 'ou-ab12-11111111', ChildType: 'ACCOUNT' },
      { ParentId: 'ou-ab12-11111111', ChildType: 'ACCOUNT', NextToken: 'more' },
      { ParentId: 'ou-ab12-22222222', ChildType: 'ORGANIZATIONAL_UNIT' },
      { ParentId: 'ou-ab12-22222222', ChildType: 'ACCOUNT' },
    ]);
  });
});

describe('STS: member role credentials', () => {
  const client = () => new STSClient({ region: 'us-east-1' });

  it('assumes the role with the exact request: session name, one-hour session, external id', async () => {
    sts.on(AssumeRoleCommand).resolves(credentialsFor(A, new Date(Date.now() + 3600_000)));
    const provider = assumedRoleCredentials(client(), {
      roleArn: memberRoleArn('aws', A, 'TrailwardenMember'),
      externalId: 'acme-sec-7f3a',
    });
    expect(await provider()).toMatchObject({ accessKeyId: `AKIA${A}`, sessionToken: `token-${A}` });
    expect(sts).toHaveReceivedCommandExactlyOnceWith(AssumeRoleCommand, {
      RoleArn: `arn:aws:iam::${A}:role/TrailwardenMember`,
      RoleSessionName: 'trailwarden',
      DurationSeconds: 3600,
      ExternalId: 'acme-sec-7f3a',
    });
    expect(sts.commandCalls(AssumeRoleCommand)[0]?.args[0].input).not.toHaveProperty('SerialNumber');
  });

  it('sends no ExternalId when none is given, and builds ARNs in the caller partition', async () => {
    sts.on(AssumeRoleCommand).resolves(credentialsFor(A, new Date(Date.now() + 3600_000)));
    await assumedRoleCredentials(client(), { roleArn: memberRoleArn('aws-us-gov', A, 'audit/Reader') })();
    expect(sts.commandCalls(AssumeRoleCommand)[0]?.args[0].input).toEqual({
      RoleArn: `arn:aws-us-gov:iam::${A}:role/audit/Reader`,
      RoleSessionName: 'trailwarden',
      DurationSeconds: 3600,
    });
  });

  it('assumes once for many callers, and again only within the refresh margin before expiry', async () => {
    let now = Date.parse('2026-06-01T00:00:00Z');
    const expiry = now + 60 * 60_000;
    sts
      .on(AssumeRoleCommand)
      .resolvesOnce(credentialsFor(A, new Date(expiry)))
      .resolvesOnce({
        Credentials: {
          ...credentialsFor(A, new Date(expiry + 3600_000)).Credentials,
          AccessKeyId: 'AKIA-SECOND',
        },
      });
    const provider = assumedRoleCredentials(client(), {
      roleArn: memberRoleArn('aws', A, 'R'),
      now: () => now,
    });
    // Concurrent first calls share one request.
    await Promise.all([provider(), provider(), provider()]);
    expect(sts.commandCalls(AssumeRoleCommand)).toHaveLength(1);
    now = expiry - REFRESH_MARGIN_MS - 1;
    expect((await provider()).accessKeyId).toBe(`AKIA${A}`);
    expect(sts.commandCalls(AssumeRoleCommand)).toHaveLength(1);
    now = expiry - REFRESH_MARGIN_MS + 1;
    expect((await provider()).accessKeyId).toBe('AKIA-SECOND');
    expect(sts.commandCalls(AssumeRoleCommand)).toHaveLength(2);
  });

  it('a refusal is an access-denied AwsCallError naming the role; the next call tries again', async () => {
    sts
      .on(AssumeRoleCommand)
      .rejectsOnce(
        Object.assign(new Error('User is not authorized to perform: sts:AssumeRole'), {
          name: 'AccessDenied',
        }),
      )
      .resolves(credentialsFor(A, new Date(Date.now() + 3600_000)));
    const provider = assumedRoleCredentials(client(), { roleArn: memberRoleArn('aws', A, 'R') });
    const error = await provider().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AwsCallError);
    expect((error as AwsCallError).kind).toBe('access-denied');
    expect((error as Error).message).toBe(
      `AssumeRole: AccessDenied: User is not authorized to perform: sts:AssumeRole (role arn:aws:iam::${A}:role/R)`,
    );
    expect((await provider()).accessKeyId).toBe(`AKIA${A}`);
  });
});

const access = (account: string, enter?: () => Promise<unknown>): AccountAccess => ({
  account,
  clients: new AwsClients(),
  ...(enter ? { enter } : {}),
});

describe('accounts × Regions', () => {
  it('reads every account-Region in order; an account that cannot be entered becomes snapshots that say why; the rest goes on', async () => {
    let entries = 0;
    const denied = Object.assign(new Error('not authorized'), { name: 'AccessDenied' });
    const snapshots = await loadAccounts(
      [
        access(A),
        access(B, async () => {
          entries++;
          throw denied;
        }),
        access(C, async () => {
          entries++;
        }),
      ],
      ['us-east-1', 'eu-west-1'],
      { concurrency: 2 },
    );
    expect(snapshots.map((s) => `${s.account} ${s.region}`)).toEqual([
      `${A} us-east-1`,
      `${A} eu-west-1`,
      `${B} us-east-1`,
      `${B} eu-west-1`,
      `${C} us-east-1`,
      `${C} eu-west-1`,
    ]);
    // Entered once per account, not per Region.
    expect(entries).toBe(2);
    expect(snapshots[2]).toEqual({
      version: 1,
      account: B,
      region: 'us-east-1',
      trails: [],
      eventDataStores: [],
      errors: [{ part: 'AssumeRole', message: 'AccessDenied: not authorized' }],
    });
    expect(snapshots[4]?.errors).toBeUndefined();
    // Nothing was read in the account that could not be entered: 2 accounts × 2 Regions listed.
    expect(ct.commandCalls(DescribeTrailsCommand)).toHaveLength(4);

    const { policies } = parsePolicyText(
      'version: 1\npolicies:\n  - id: logging\n    require: { logging: true }\n  - id: any-trail\n    quantifier: any\n    require: { logging: true }\n',
      'p.yaml',
    );
    const result = evaluateAll(snapshots, policies, new Date(0));
    const forB = result.findings.filter((f) => f.account === B);
    expect(forB.map((f) => `${f.policyId} ${f.region} ${f.status} ${f.check}`).sort()).toEqual([
      'any-trail eu-west-1 ERROR access',
      'any-trail us-east-1 ERROR access',
      'logging eu-west-1 ERROR access',
      'logging us-east-1 ERROR access',
    ]);
    expect(forB[0]?.message).toContain(`account ${B} could not be read in`);
    // The other accounts were judged on what they have (no trail: the any policy fails there).
    expect(result.findings.filter((f) => f.account === C && f.status === 'FAIL')).toHaveLength(2);
  });

  it('bounds account-Regions and resources in flight by the one concurrency', async () => {
    let inFlight = 0;
    let most = 0;
    ct.on(DescribeTrailsCommand).callsFake(async () => {
      inFlight++;
      most = Math.max(most, inFlight);
      await new Promise((r) => setTimeout(r, 5));
      inFlight--;
      return { trailList: [] };
    });
    const accounts = Array.from({ length: 6 }, (_, i) => access(String(100000000000 + i)));
    await loadAccounts(accounts, ['us-east-1', 'eu-west-1', 'ap-south-1'], { concurrency: 3 });
    expect(ct.commandCalls(DescribeTrailsCommand)).toHaveLength(18);
    expect(most).toBe(3);
  });
});

describe('a multi-Region trail', () => {
  it('is read once per account, in its home Region, and appears in every Region that lists it', async () => {
    const arn = `arn:aws:cloudtrail:eu-west-1:${A}:trail/org-audit`;
    ct.on(DescribeTrailsCommand).resolves({
      trailList: [{ Name: 'org-audit', TrailARN: arn, HomeRegion: 'eu-west-1', IsMultiRegionTrail: true }],
    });
    ct.on(GetTrailStatusCommand).resolves({ IsLogging: true });
    ct.on(GetEventSelectorsCommand).resolves({ AdvancedEventSelectors: [] });
    ct.on(GetInsightSelectorsCommand).resolves({ InsightSelectors: [] });
    ct.on(GetEventConfigurationCommand).resolves({});
    const regions = ['us-east-1', 'eu-west-1', 'ap-south-1'];
    const snapshots = await loadAccounts([access(A), access(B)], regions, { concurrency: 5 });
    expect(snapshots.map((s) => s.trails[0]?.status)).toEqual(Array(6).fill({ IsLogging: true }));
    // One read per account (the mock answers both accounts alike), not one per Region.
    expect(ct.commandCalls(GetTrailStatusCommand)).toHaveLength(2);
    expect(ct.commandCalls(GetEventSelectorsCommand)).toHaveLength(2);
    expect(ct.commandCalls(DescribeTrailsCommand)).toHaveLength(6);
    // Its tags too: one ListTags per account, from the first Region that lists it.
    expect(ct.commandCalls(ListTagsCommand)).toHaveLength(2);
  });
});

describe('readLive: the CLI across accounts', () => {
  const member = (account: string) => ({
    Name: 'main',
    TrailARN: `arn:aws-us-gov:cloudtrail:us-gov-west-1:${account}:trail/main`,
    HomeRegion: 'us-gov-west-1',
  });

  it('--org: the caller is read with its own credentials, every other account through its member role in the caller partition; each records its own delegated-administrator role', async () => {
    sts.on(GetCallerIdentityCommand).resolves({
      Account: MANAGEMENT,
      Arn: `arn:aws-us-gov:sts::${MANAGEMENT}:assumed-role/Security/me`,
    });
    orgs.on(ListAccountsCommand).resolves({
      Accounts: [
        { Id: B, State: 'ACTIVE' },
        { Id: MANAGEMENT, State: 'ACTIVE' },
        { Id: A, State: 'ACTIVE' },
      ],
    });
    sts
      .on(AssumeRoleCommand)
      .callsFake((input: { RoleArn: string }) =>
        credentialsFor(input.RoleArn.split(':')[4] as string, new Date(Date.now() + 3600_000)),
      );
    ct.on(DescribeTrailsCommand).callsFake(async (_input, getClient) => {
      // The client this call was sent with (read before any await: the stub keeps the last one).
      const c = await getClient().config.credentials();
      const account = c.accessKeyId.startsWith('AKIA') ? c.accessKeyId.slice(4) : MANAGEMENT;
      return { trailList: [member(account)] };
    });
    ct.on(GetTrailStatusCommand).resolves({ IsLogging: true });
    ct.on(GetEventSelectorsCommand).resolves({ AdvancedEventSelectors: [] });
    ct.on(GetInsightSelectorsCommand).resolves({ InsightSelectors: [] });
    ct.on(GetEventConfigurationCommand).resolves({});
    // A is CloudTrail's delegated administrator; B, an ordinary member, may not ask.
    const asked: string[] = [];
    orgs.on(ListDelegatedAdministratorsCommand).callsFake(async (_input, getClient) => {
      const c = await getClient().config.credentials();
      const account = c.accessKeyId.startsWith('AKIA') ? c.accessKeyId.slice(4) : MANAGEMENT;
      asked.push(account);
      if (account === B) throw new AccessDeniedException({ message: 'member account', ...meta });
      return { DelegatedAdministrators: [{ Id: A }] };
    });
    const clients = new AwsClients({
      credentials: async () => ({ accessKeyId: 'caller', secretAccessKey: 'caller' }),
    });
    const { snapshots } = await readLive(
      clients,
      ['us-gov-west-1', 'us-gov-east-1'],
      { org: true, roleName: 'OrganizationAccountAccessRole', externalId: 'acme-7f3a' },
      { concurrency: 2, organization: false },
    );
    // Accounts sorted; each snapshot holds the trails its own credentials saw.
    expect(snapshots.map((s) => [s.account, s.region, s.trails[0]?.trail.TrailARN.split(':')[4]])).toEqual([
      [MANAGEMENT, 'us-gov-west-1', MANAGEMENT],
      [MANAGEMENT, 'us-gov-east-1', MANAGEMENT],
      [A, 'us-gov-west-1', A],
      [A, 'us-gov-east-1', A],
      [B, 'us-gov-west-1', B],
      [B, 'us-gov-east-1', B],
    ]);
    // Each account's role, read with its own credentials, once for all its Regions; not known for B.
    expect(asked.sort()).toEqual([MANAGEMENT, A, B].sort());
    expect(snapshots.map((s) => s.delegatedAdministrator)).toEqual([
      false,
      false,
      true,
      true,
      undefined,
      undefined,
    ]);
    expect(sts.commandCalls(AssumeRoleCommand).map((c) => c.args[0].input)).toEqual(
      [A, B].map((account) => ({
        RoleArn: `arn:aws-us-gov:iam::${account}:role/OrganizationAccountAccessRole`,
        RoleSessionName: 'trailwarden',
        DurationSeconds: 3600,
        ExternalId: 'acme-7f3a',
      })),
    );
    // apply writes through the same clients: the member's for a member, the caller's for the caller.
    expect(await clients.forAccount(A).config('us-gov-west-1').credentials?.()).toMatchObject({
      accessKeyId: `AKIA${A}`,
    });
    expect(clients.forAccount(MANAGEMENT)).toBe(clients);
    clients.destroy();
  });

  it('with select.ous, reads the tree and places each account; when Organizations refuses, every snapshot says why', async () => {
    sts.on(GetCallerIdentityCommand).resolves({ Account: A, Arn: `arn:aws:iam::${A}:user/me` });
    orgs
      .on(DescribeOrganizationCommand)
      .rejects(new AccessDeniedException({ message: 'member account', ...meta }));
    const clients = new AwsClients({ credentials: async () => ({ accessKeyId: 'x', secretAccessKey: 'y' }) });
    const { snapshots, organization } = await readLive(
      clients,
      ['us-east-1'],
      {},
      { concurrency: 1, organization: true },
    );
    expect(organization).toBeUndefined();
    expect(snapshots[0]?.organization).toBeUndefined();
    expect(snapshots[0]?.errors).toEqual([
      { part: 'Organizations', message: 'DescribeOrganization: AccessDeniedException: member account' },
    ]);
    const { policies } = parsePolicyText(
      'version: 1\npolicies:\n  - id: prod\n    select: { ous: [ou-ab12-11111111] }\n    require: { logging: true }\n',
      'p.yaml',
    );
    const [finding] = evaluateAll(snapshots, policies, new Date(0)).findings;
    expect(finding).toMatchObject({ policyId: 'prod', status: 'ERROR', check: 'select', account: A });
    expect(finding?.message).toContain(
      'Organizations could not be read: DescribeOrganization: AccessDeniedException',
    );
    clients.destroy();
  });
});
