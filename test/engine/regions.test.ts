import { describe, expect, it } from 'vitest';
import {
  evaluate,
  evaluateAll,
  parseSnapshotFile,
  type Snapshot,
  SnapshotError,
} from '../../shared/engine/index.js';
import { parsePolicyData } from '../../shared/policy/document.js';

const ACCOUNT = '111122223333';

function region(
  name: string,
  trails: { name: string; home?: string; multi?: boolean }[],
  extra = {},
): Snapshot {
  return {
    version: 1,
    account: ACCOUNT,
    region: name,
    trails: trails.map((t) => ({
      trail: {
        Name: t.name,
        TrailARN: `arn:aws:cloudtrail:${t.home ?? name}:${ACCOUNT}:trail/${t.name}`,
        HomeRegion: t.home ?? name,
        IsMultiRegionTrail: t.multi ?? false,
      },
      status: { IsLogging: true },
    })),
    eventDataStores: [],
    ...extra,
  };
}

const policies = (names: string[]) =>
  parsePolicyData(
    { version: 1, policies: [{ id: 'named', select: { names }, require: { logging: true } }] },
    'p.yaml',
  ).policies;

const exists = (findings: { check: string; status: string; message: string }[]) =>
  findings.filter((f) => f.check === 'exists').map((f) => `${f.status} ${f.message}`);

describe('a named resource that does not exist, over several Regions', () => {
  const east = region('us-east-1', [{ name: 'local' }, { name: 'global', multi: true }]);
  const west = region('eu-west-1', [{ name: 'global', home: 'us-east-1', multi: true }]);

  it('a single-Region trail of another Region read is not missing; one read nowhere is reported once', () => {
    const result = evaluateAll([east, west], policies(['local', 'global', 'security-trail']), new Date(0));
    expect(exists(result.findings)).toEqual([
      'FAIL trail security-trail does not exist (in any of us-east-1, eu-west-1)',
    ]);
    expect(result.summary.fail).toBe(1);
  });

  it('an ARN is decided in its home Region; outside the Regions read it cannot be decided', () => {
    const arn = (r: string, n: string) => `arn:aws:cloudtrail:${r}:${ACCOUNT}:trail/${n}`;
    const result = evaluateAll(
      [east, west],
      policies([arn('us-east-1', 'local'), arn('us-east-1', 'gone'), arn('ap-south-1', 'far')]),
      new Date(0),
    );
    expect(exists(result.findings).sort()).toEqual([
      `ERROR trail ${arn('ap-south-1', 'far')} is not visible from us-east-1, eu-west-1; read its home Region ap-south-1 to tell whether it exists`,
      `FAIL trail ${arn('us-east-1', 'gone')} does not exist`,
    ]);
  });

  it('absence where the listing failed proves nothing', () => {
    const failed = region('eu-west-1', [], {
      errors: [{ part: 'DescribeTrails', message: 'AccessDenied: no' }],
    });
    const result = evaluateAll([east, failed], policies(['security-trail']), new Date(0));
    expect(exists(result.findings)).toEqual([
      'ERROR cannot tell whether trail security-trail exists: listing trails failed in eu-west-1',
    ]);
  });

  it('a partial snapshot (one resource read after a change) reports nothing missing', () => {
    const result = evaluate(east, policies(['security-trail']), new Date(0), { partial: true });
    expect(exists(result.findings)).toEqual([]);
  });
});

describe('a named resource over several accounts', () => {
  const OTHER = '444455556666';
  const inAccount = (account: string, names: string[]): Snapshot => {
    const s = region(
      'us-east-1',
      names.map((name) => ({ name })),
    );
    return {
      ...s,
      account,
      trails: s.trails.map((t) => ({
        ...t,
        trail: { ...t.trail, TrailARN: (t.trail.TrailARN as string).replace(ACCOUNT, account) },
      })),
    };
  };
  const missing = (findings: { check: string; status: string; account?: string; message: string }[]) =>
    findings.filter((f) => f.check === 'exists').map((f) => `${f.status} ${f.account} ${f.message}`);

  it("a name is each account's own: present in one account, it is still missing in the other", () => {
    const result = evaluateAll(
      [inAccount(ACCOUNT, ['audit']), inAccount(OTHER, [])],
      policies(['audit']),
      new Date(0),
    );
    expect(missing(result.findings)).toEqual([`FAIL ${OTHER} trail audit does not exist (in us-east-1)`]);
  });

  it('the same name missing in two accounts is two findings, one per account', () => {
    const result = evaluateAll(
      [inAccount(ACCOUNT, []), inAccount(OTHER, [])],
      policies(['audit']),
      new Date(0),
    );
    expect(missing(result.findings)).toEqual([
      `FAIL ${ACCOUNT} trail audit does not exist (in us-east-1)`,
      `FAIL ${OTHER} trail audit does not exist (in us-east-1)`,
    ]);
  });

  it('an ARN is decided in its own account; an account that was not read cannot say it is gone', () => {
    const arn = `arn:aws:cloudtrail:us-east-1:${OTHER}:trail/audit`;
    const read = evaluateAll([inAccount(ACCOUNT, []), inAccount(OTHER, [])], policies([arn]), new Date(0));
    expect(missing(read.findings)).toEqual([`FAIL ${OTHER} trail ${arn} does not exist`]);
    const unread = evaluateAll([inAccount(ACCOUNT, [])], policies([arn]), new Date(0));
    expect(missing(unread.findings)).toEqual([
      `ERROR ${ACCOUNT} trail ${arn} belongs to account ${OTHER}, which was not read, and is not visible from account ${ACCOUNT}; read account ${OTHER} to tell whether it exists`,
    ]);
  });
});

describe('snapshot files', () => {
  it('an empty list holds no Region: bad input, never a silent pass', () => {
    expect(() => parseSnapshotFile([])).toThrow(SnapshotError);
    expect(() => parseSnapshotFile([])).toThrow(
      "$: an empty list holds no Region; expected one Region's snapshot",
    );
  });

  it('keeps the delegated administrator flag and the delivery fields of GetTrailStatus', () => {
    const [s] = parseSnapshotFile({
      ...region('us-east-1', []),
      delegatedAdministrator: true,
      trails: [
        {
          trail: { Name: 't', TrailARN: `arn:aws:cloudtrail:us-east-1:${ACCOUNT}:trail/t` },
          status: { IsLogging: true, LatestDigestDeliveryError: 'x', LatestNotificationError: 'y' },
        },
      ],
    });
    expect(s?.delegatedAdministrator).toBe(true);
    expect(s?.trails[0]?.status).toMatchObject({
      LatestDigestDeliveryError: 'x',
      LatestNotificationError: 'y',
    });
  });
});
