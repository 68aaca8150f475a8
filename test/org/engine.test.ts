import { describe, expect, it } from 'vitest';
import {
  evaluateAll,
  parseSnapshotFile,
  type Snapshot,
  SnapshotError,
  unresolvedUnitFindings,
} from '../../shared/engine/index.js';
import { formatProblem, parsePolicyText } from '../../shared/policy/loader.js';

const ORG = 'o-a1b2c3d4e5';
const MANAGEMENT = '111111111111';
const section = (path: string) => ({ id: ORG, managementAccount: MANAGEMENT, path: `${ORG}/r-ab12/${path}` });
const snapshot = (account: string, path?: string): Snapshot =>
  parseSnapshotFile({
    version: 1,
    account,
    region: 'eu-west-1',
    ...(path !== undefined ? { organization: section(path) } : {}),
    trails: [],
  })[0] as Snapshot;

const policies = (ous: string[]) =>
  parsePolicyText(
    `version: 1\npolicies:\n  - id: by-ou\n    severity: high\n    select: { ous: [${ous.join(', ')}] }\n    require: { logging: true }\n`,
    'p.yaml',
  ).policies;

describe('organizational units no input resolves', () => {
  const files = [
    snapshot('222222222222', 'ou-ab12-11111111/'),
    snapshot('333333333333', 'ou-ab12-11111111/ou-ab12-22222222/'),
  ];

  it('from a file: an OU (or root) on some account path resolves; one on no path is one ERROR for the organization', () => {
    expect(unresolvedUnitFindings(policies(['ou-ab12-22222222', 'r-ab12']), files)).toEqual([]);
    const findings = unresolvedUnitFindings(policies(['ou-ab12-33333333']), files);
    expect(findings).toEqual([
      {
        id: expect.stringMatching(/^[0-9a-f]{20}$/),
        policyId: 'by-ou',
        resource: `arn:aws:organizations::${MANAGEMENT}:ou/${ORG}/ou-ab12-33333333`,
        resourceName: 'ou-ab12-33333333',
        account: MANAGEMENT,
        region: 'eu-west-1',
        status: 'ERROR',
        check: 'select',
        severity: 'high',
        message: expect.stringContaining('cannot be decided from the file'),
      },
    ]);
    // And evaluateAll reports it once, with the exit-code-bearing summary.
    const result = evaluateAll(files, policies(['ou-ab12-33333333']), new Date(0));
    expect(result.findings.map((f) => `${f.resourceName} ${f.status}`)).toEqual(['ou-ab12-33333333 ERROR']);
    expect(result.summary.error).toBe(1);
  });

  it('live: an OU that exists resolves even when it holds none of the accounts read; one not in the tree is an ERROR', () => {
    const known = {
      id: ORG,
      managementAccount: MANAGEMENT,
      units: new Set(['r-ab12', 'ou-ab12-11111111', 'ou-ab12-44444444']),
    };
    expect(unresolvedUnitFindings(policies(['ou-ab12-44444444']), files, known)).toEqual([]);
    const [f] = unresolvedUnitFindings(policies(['ou-ab12-55555555']), files, known);
    expect(f?.message).toBe(
      `organizational unit ou-ab12-55555555 is not in organization ${ORG}: it was not found under the organization's root, so the policy selects no account through it`,
    );
  });

  it('without any organization section, each account says it cannot be decided instead', () => {
    const plain = [snapshot('222222222222'), snapshot('333333333333')];
    expect(unresolvedUnitFindings(policies(['ou-ab12-33333333']), plain)).toEqual([]);
    const result = evaluateAll(plain, policies(['ou-ab12-33333333']), new Date(0));
    expect(result.findings.map((f) => `${f.account} ${f.check} ${f.status}`)).toEqual([
      '222222222222 select ERROR',
      '333333333333 select ERROR',
    ]);
  });
});

describe('the snapshot organization section', () => {
  const error = (organization: unknown) => {
    try {
      parseSnapshotFile([{ version: 1, account: '222222222222', region: 'us-east-1', organization }]);
    } catch (e) {
      return e instanceof SnapshotError ? e.message : String(e);
    }
    return 'accepted';
  };

  it('is checked with the JSON path of the problem', () => {
    expect(error(section('ou-ab12-11111111/'))).toBe('accepted');
    expect(error({ ...section(''), path: `${ORG}/ou-ab12-11111111/` })).toBe(
      '$[0].organization.path: expected an organization path, o-…/r-…/ou-…/ (as in aws:PrincipalOrgPaths)',
    );
    expect(error({ ...section(''), path: 'o-zzzzzzzzzz/r-ab12/' })).toBe(
      '$[0].organization.path: expected the path to start with the organization id',
    );
    expect(error({ ...section(''), managementAccount: '12' })).toBe(
      '$[0].organization.managementAccount: expected a 12-digit AWS account id',
    );
  });
});

describe('policies: select.accounts and select.ous', () => {
  const problems = (select: string) =>
    parsePolicyText(
      `version: 1\npolicies:\n  - id: a\n    select: ${select}\n    require: { logging: true }\n`,
      'p.yaml',
    ).problems.map(formatProblem);

  it('take account ids and OU or root ids; anything else is named with what was expected', () => {
    expect(problems('{ accounts: ["222222222222"], ous: [ou-ab12-11111111, r-ab12] }')).toEqual([]);
    expect(problems('{ accounts: ["2222"] }')).toEqual([
      'p.yaml:4:26: error: policies[0].select.accounts[0]: expected a 12-digit AWS account id',
    ]);
    expect(problems('{ accounts: [012345678901] }')).toEqual([
      'p.yaml:4:26: error: policies[0].select.accounts[0]: expected string, got 12345678901: quote it, as YAML reads unquoted digits as a number (and drops leading zeros)',
    ]);
    expect(problems('{ ous: [Production] }')).toEqual([
      'p.yaml:4:21: error: policies[0].select.ous[0]: expected an organizational unit id (ou-…) or a root id (r-…)',
    ]);
    expect(problems('{ accounts: [] }')).toEqual([
      'p.yaml:4:25: error: policies[0].select.accounts: expected at least one account id (leave accounts out to select every account)',
    ]);
    expect(problems('{ ou: [ou-ab12-11111111] }')).toEqual([
      expect.stringContaining('unknown key "ou"; did you mean "ous"?'),
    ]);
  });
});

describe('an organization trail in a run that reads the management account and the delegated administrator', () => {
  const DELEGATED = '222222222222';
  const ORG_TRAIL = `arn:aws:cloudtrail:eu-west-1:${MANAGEMENT}:trail/org-audit`;
  const seenFrom = (account: string, delegatedAdministrator?: boolean): Snapshot =>
    parseSnapshotFile({
      version: 1,
      account,
      region: 'eu-west-1',
      ...(delegatedAdministrator !== undefined ? { delegatedAdministrator } : {}),
      trails: [
        {
          trail: {
            Name: 'org-audit',
            TrailARN: ORG_TRAIL,
            HomeRegion: 'eu-west-1',
            IsOrganizationTrail: true,
            IsMultiRegionTrail: true,
          },
          status: { IsLogging: false },
        },
      ],
    })[0] as Snapshot;
  const logging = parsePolicyText(
    'version: 1\npolicies:\n  - id: logging\n    action: remediate\n    require: { logging: true }\n',
    'p.yaml',
  ).policies;
  const steps = (snapshots: Snapshot[]) =>
    evaluateAll(snapshots, logging, new Date(0)).plan.map((s) => `${s.account} ${s.operation} ${s.resource}`);

  it('is repaired once, by its owner, when the run reads the owner', () => {
    expect(steps([seenFrom(MANAGEMENT, false), seenFrom(DELEGATED, true)])).toEqual([
      `${MANAGEMENT} StartLogging ${ORG_TRAIL}`,
    ]);
  });

  it('is repaired from the delegated administrator when the owner is not read', () => {
    expect(steps([seenFrom(DELEGATED, true)])).toEqual([`${DELEGATED} StartLogging ${ORG_TRAIL}`]);
  });

  it('is never repaired from another member account', () => {
    expect(steps([seenFrom('333333333333', false)])).toEqual([]);
  });
});
