import { describe, expect, it } from 'vitest';
import { exceptionsOf, exceptionWarnings } from '../../shared/engine/exceptions.js';
import { evaluate, parseSnapshot, resourceViews } from '../../shared/engine/index.js';
import { transitionOf } from '../../shared/notify/transitions.js';
import { formatProblem, parsePolicyFiles, parsePolicyText } from '../../shared/policy/loader.js';

const A = '111122223333';
const trail = (
  name: string,
  extra: Record<string, unknown> = {},
  tags: Record<string, string> | null = {},
) => ({
  trail: {
    Name: name,
    TrailARN: `arn:aws:cloudtrail:us-east-1:${A}:trail/${name}`,
    HomeRegion: 'us-east-1',
    IsMultiRegionTrail: true,
    LogFileValidationEnabled: false,
    ...extra,
  },
  status: { IsLogging: true },
  ...(tags ? { tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })) } : {}),
});
const snapshot = (...trails: unknown[]) =>
  parseSnapshot({ version: 1, account: A, region: 'us-east-1', trails });

const POLICIES = `version: 1
policies:
  - id: lfv
    action: remediate
    require: { logFileValidation: true }
  - id: multi
    require: { multiRegion: true, logging: true }
`;
const load = (exceptions: string) => {
  const { policies, warnings } = parsePolicyFiles([
    { file: 'p.yaml', text: `${POLICIES}exceptions:\n${exceptions}` },
  ]);
  return { policies, warnings: warnings.map(formatProblem) };
};
const problems = (exceptions: string) =>
  parsePolicyText(`${POLICIES}exceptions:\n${exceptions}`, 'p.yaml').problems.map(formatProblem);
const at = (iso: string) => new Date(iso);

describe('exceptions: policy file syntax, one clear message each', () => {
  it.each([
    [
      'no expiry',
      '  - { resources: [a], reason: r }',
      'p.yaml:9:5: error: exceptions[0].expires: is required (expected string)',
    ],
    [
      'no reason',
      '  - { resources: [a], expires: never }',
      'p.yaml:9:5: error: exceptions[0].reason: is required',
    ],
    [
      'empty reason',
      '  - { resources: [a], reason: " ", expires: never }',
      'exceptions[0].reason: a reason is required',
    ],
    [
      'no scope',
      '  - { checks: [lfv], reason: r, expires: never }',
      'exceptions[0]: an exception needs a scope: resources, accounts or tags',
    ],
    [
      'not a date',
      '  - { resources: [a], reason: r, expires: soon }',
      'exceptions[0].expires: expected a date such as 2026-06-30',
    ],
    ['impossible date', '  - { resources: [a], reason: r, expires: 2026-02-30x }', 'exceptions[0].expires:'],
    [
      'unquoted short account',
      '  - { accounts: [12345678901], reason: r, expires: never }',
      'exceptions[0].accounts[0]: expected a 12-digit AWS account id, in quotes',
    ],
    [
      'unknown key',
      '  - { resourcse: [a], reason: r, expires: never }',
      'unknown key "resourcse"; did you mean "resources"?',
    ],
  ])('%s', (_, body, message) => {
    const [first] = problems(body);
    expect(first).toContain(message);
  });

  it('warns about checks entries that cover nothing, with a hint', () => {
    const { warnings } = load(
      '  - { resources: [a], checks: [lvf, lfv/logFileValidaton, nope/logging, logFileValidation, multi, lfv/logFileValidation], reason: r, expires: never }\n',
    );
    expect(warnings).toEqual([
      'p.yaml:9:1: warning: exceptions.checks[0]: "lvf" is neither a loaded policy id nor a check name; did you mean "lfv"?; this entry covers nothing',
      'p.yaml:9:1: warning: exceptions.checks[1]: unknown check "logFileValidaton"; did you mean "logFileValidation"?; this entry covers nothing',
      'p.yaml:9:1: warning: exceptions.checks[2]: policy "nope" is not loaded; this entry covers nothing',
    ]);
  });

  it('attaches an exception only to the policies it covers', () => {
    const { policies } = load('  - { resources: [a], checks: [lfv], reason: r, expires: never }\n');
    expect(policies.map((p) => [p.id, p.exceptions?.length])).toEqual([
      ['lfv', 1],
      ['multi', 0],
    ]);
  });
});

describe('exceptions: applied by the engine with the clock it is given', () => {
  const legacy =
    '  - { resources: ["arn:aws:cloudtrail:*:111122223333:trail/legacy-*"], checks: [lfv/logFileValidation], reason: "being retired", expires: 2026-07-01 }\n';

  it('suppresses until 00:00 UTC on the expiry date, plans nothing for it, and counts it apart', () => {
    const { policies } = load(legacy);
    const snap = snapshot(trail('legacy-1'), trail('main'));
    const before = evaluate(snap, policies, at('2026-06-30T23:59:59.999Z'));
    const f = before.findings.find((x) => x.resourceName === 'legacy-1' && x.policyId === 'lfv');
    expect(f).toMatchObject({
      status: 'SUPPRESSED',
      exception: { reason: 'being retired', expires: '2026-07-01', source: 'p.yaml:9' },
    });
    expect(f?.remediation).toBeUndefined();
    expect(before.summary).toMatchObject({ fail: 1, suppressed: 1 });
    expect(before.plan.map((s) => s.resource)).toEqual([`arn:aws:cloudtrail:us-east-1:${A}:trail/main`]);

    const after = evaluate(snap, policies, at('2026-07-01T00:00:00Z'));
    const g = after.findings.find((x) => x.resourceName === 'legacy-1' && x.policyId === 'lfv');
    expect(g?.status).toBe('FAIL');
    expect(g?.message).toContain('(the exception at p.yaml:9 expired on 2026-07-01: being retired)');
    expect(g?.exception).toMatchObject({ expired: true });
    expect(after.summary).toMatchObject({ fail: 2, suppressed: 0 });
    expect(after.plan).toHaveLength(2);
  });

  it('an ISO time with an offset is honoured to the second', () => {
    const { policies } = load('  - { resources: [main], reason: r, expires: "2026-07-01T12:00:00+02:00" }\n');
    const snap = snapshot(trail('main'));
    const status = (iso: string) =>
      evaluate(snap, policies, at(iso)).findings.find((x) => x.policyId === 'lfv')?.status;
    expect(status('2026-07-01T09:59:59Z')).toBe('SUPPRESSED');
    expect(status('2026-07-01T10:00:00Z')).toBe('FAIL');
  });

  it('scopes: names or ARNs, accounts, tags (all must match); unknown tags are never guessed', () => {
    const { policies } = load(
      [
        '  - { tags: { env: sandbox }, accounts: ["111122223333"], checks: [logFileValidation], reason: r, expires: never }',
        '',
      ].join('\n'),
    );
    const snap = snapshot(
      trail('sandbox', {}, { env: 'sandbox' }),
      trail('prod', {}, { env: 'prod' }),
      trail('unknown', {}, null),
      trail(
        'other',
        { TrailARN: 'arn:aws:cloudtrail:us-east-1:999988887777:trail/other' },
        { env: 'sandbox' },
      ),
    );
    const r = evaluate(snap, policies, at('2030-01-01T00:00:00Z'));
    const lfv = Object.fromEntries(
      r.findings.filter((f) => f.policyId === 'lfv').map((f) => [f.resourceName, f]),
    );
    expect(lfv.sandbox?.status).toBe('SUPPRESSED');
    expect(lfv.prod?.status).toBe('FAIL');
    expect(lfv.other?.status).toBe('FAIL');
    expect(lfv.unknown?.status).toBe('FAIL');
    expect(lfv.unknown?.message).toContain("is not applied: the resource's tags are not known");
  });

  it('an any/union finding is suppressed only when every check it names is covered', () => {
    const { policies } = load(
      '  - { accounts: ["111122223333"], checks: [multi/logging], reason: r, expires: never }\n',
    );
    const snap = snapshot(trail('single', { IsMultiRegionTrail: false }));
    const multiAny = policies.map((p) => (p.id === 'multi' ? { ...p, quantifier: 'any' as const } : p));
    const f = evaluate(snap, multiAny, at('2030-01-01T00:00:00Z')).findings.find(
      (x) => x.policyId === 'multi',
    );
    expect(f?.check).toBe('multiRegion,logging');
    expect(f?.status).toBe('FAIL');
    const all = load(
      '  - { accounts: ["111122223333"], checks: [multi], reason: r, expires: never }\n',
    ).policies;
    const g = evaluate(
      snap,
      all.map((p) => (p.id === 'multi' ? { ...p, quantifier: 'any' as const } : p)),
      at('2030-01-01T00:00:00Z'),
    ).findings.find((x) => x.policyId === 'multi');
    expect(g?.status).toBe('SUPPRESSED');
  });

  it('PASS and SKIPPED findings are left alone', () => {
    const { policies } = load('  - { resources: ["*"], reason: r, expires: never }\n');
    const r = evaluate(
      snapshot(trail('ok', { LogFileValidationEnabled: true })),
      policies,
      at('2030-01-01T00:00:00Z'),
    );
    expect(r.findings.map((f) => f.status)).toEqual(['PASS', 'PASS', 'PASS']);
  });
});

describe('exceptions: validate warnings', () => {
  it('expired, expiring within 14 days, matching nothing, suppressing nothing', () => {
    const { policies } = load(
      [
        '  - { resources: [main], reason: soon, expires: 2026-06-10 }',
        '  - { resources: [main], reason: old, expires: 2026-05-01 }',
        '  - { resources: [gone], reason: stale, expires: never }',
        '  - { resources: [ok], checks: [lfv], reason: fixed, expires: never }',
        '  - { resources: [main], reason: later, expires: 2026-06-16 }',
        '',
      ].join('\n'),
    );
    const now = at('2026-06-01T00:00:00Z');
    const snap = snapshot(trail('main'), trail('ok', { LogFileValidationEnabled: true }));
    const run = { findings: evaluate(snap, policies, now).findings, resources: resourceViews(snap) };
    expect(exceptionWarnings(exceptionsOf(policies), now, run)).toEqual([
      { source: 'p.yaml:9', message: 'exception expires on 2026-06-10, within 14 days (soon)' },
      { source: 'p.yaml:10', message: 'exception expired on 2026-05-01; it is ignored (old)' },
      { source: 'p.yaml:11', message: 'exception matches no finding: no resource or check in its scope' },
      { source: 'p.yaml:12', message: 'exception suppresses nothing: all 1 findings in its scope pass' },
    ]);
    expect(exceptionWarnings(exceptionsOf(policies), now)).toHaveLength(2);
  });
});

describe('exceptions: notifications', () => {
  const base = {
    id: 'x',
    policyId: 'p',
    resource: 'arn',
    resourceName: 'n',
    region: 'us-east-1',
    check: 'logging',
    severity: 'high' as const,
    message: 'm',
  };
  it.each([
    [undefined, 'SUPPRESSED', undefined],
    ['FAIL', 'SUPPRESSED', undefined],
    ['ERROR', 'SUPPRESSED', undefined],
    ['SUPPRESSED', 'SUPPRESSED', undefined],
    ['SUPPRESSED', 'FAIL', 'opened'],
    ['SUPPRESSED', 'PASS', undefined],
  ] as const)('%s → %s is %s', (prev, now, expected) => {
    expect(transitionOf(prev, { ...base, status: now })).toBe(expected);
  });
  it('a suppressed finding with a planned repair never says remediation-failed', () => {
    expect(
      transitionOf('FAIL', { ...base, status: 'SUPPRESSED', remediation: { planned: true } }),
    ).toBeUndefined();
  });
});
