import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { parse, type Tags } from 'yaml';
import { DEFAULT_ROLE_NAME } from '../../shared/cli/accounts.js';
import { WATCHED_EVENT_NAMES } from '../../shared/events/cloudtrailEvent.js';

const file = join(import.meta.dirname, '..', '..', 'stack', 'member.yml');

/** CloudFormation's short-form intrinsics, read as their long forms. */
const INTRINSICS = [
  'Ref',
  'Sub',
  'GetAtt',
  'If',
  'Equals',
  'Not',
  'And',
  'Or',
  'Condition',
  'Join',
  'Select',
  'Split',
];
const customTags: Tags = INTRINSICS.flatMap((name) => {
  const key = name === 'Ref' || name === 'Condition' ? name : `Fn::${name}`;
  const wrap = (value: unknown) => ({
    [key]: name === 'GetAtt' && typeof value === 'string' ? value.split('.') : value,
  });
  return (['scalar', 'seq', 'map'] as const).map((collection) => ({
    tag: `!${name}`,
    ...(collection === 'scalar'
      ? { resolve: (value: string) => wrap(value) }
      : { collection, resolve: (value: { toJSON(): unknown }) => wrap(value.toJSON()) }),
  })) as Tags;
});

type Resource = { Type: string; Condition?: string; Properties: Record<string, unknown> };
const template = parse(readFileSync(file, 'utf8'), { customTags }) as {
  Parameters: Record<string, { Default?: string }>;
  Conditions: Record<string, unknown>;
  Resources: Record<string, Resource>;
};
const resources = Object.entries(template.Resources);
const ofType = (type: string) => resources.filter(([, r]) => r.Type === type);

type Statement = {
  Sid?: string;
  Effect: string;
  Action: string | string[];
  Resource?: unknown;
  Principal?: { AWS?: unknown; Service?: unknown };
  Condition?: Record<string, Record<string, unknown>> | { 'Fn::If': unknown };
};
const actions = (s: Statement) => (Array.isArray(s.Action) ? s.Action : [s.Action]);
/** Every permission statement, with the resource it belongs to. */
const permissions: { owner: string; statement: Statement }[] = resources.flatMap(([id, r]) => {
  const docs =
    r.Type === 'AWS::IAM::Role'
      ? ((r.Properties.Policies ?? []) as { PolicyDocument: { Statement: Statement[] } }[]).map(
          (p) => p.PolicyDocument,
        )
      : r.Type === 'AWS::IAM::RolePolicy'
        ? [r.Properties.PolicyDocument as { Statement: Statement[] }]
        : [];
  return docs.flatMap((d) => d.Statement.map((statement) => ({ owner: id, statement })));
});
/** A `Fn::Sub`, written with `%{…}` for CloudFormation's `${…}` so it is not read as a template literal. */
const sub = (text: string) => ({ 'Fn::Sub': text.replace(/%\{/g, '$' + '{') });
const WRITES =
  /^cloudtrail:(Put|Start|Stop|Update|Create|Delete|Add|Remove|Register|Deregister|Cancel|Restore)/;

describe('the member template (stack/member.yml)', () => {
  it('passes cfn-lint', async () => {
    try {
      await promisify(execFile)('cfn-lint', ['--', file]);
    } catch (error) {
      const e = error as NodeJS.ErrnoException & { stdout?: string };
      if (e.code === 'ENOENT')
        throw new Error('cfn-lint was not found: install it with pip install cfn-lint');
      throw new Error(`cfn-lint failed:\n${e.stdout}`);
    }
  });

  it('grants no wildcard action, and only explicit CloudTrail and EventBridge actions', () => {
    expect(permissions.length).toBeGreaterThan(0);
    for (const { owner, statement } of permissions) {
      expect(statement.Effect, owner).toBe('Allow');
      for (const a of actions(statement)) {
        expect(a, `${owner} ${statement.Sid}`).not.toContain('*');
        expect(a).toMatch(/^(cloudtrail|events):[A-Za-z]+$/);
      }
    }
  });

  it('writes only in the remediator role (and the operator role when OperatorMayRemediate), on this account only', () => {
    const writers = permissions.filter(({ statement }) => actions(statement).some((a) => WRITES.test(a)));
    expect(new Set(writers.map((w) => w.owner))).toEqual(new Set(['RemediatorRole', 'MemberRepairPolicy']));
    expect(template.Resources.MemberRepairPolicy?.Condition).toBe('MemberMayRemediate');
    expect(template.Conditions.MemberMayRemediate).toEqual({
      'Fn::And': [
        { Condition: 'CreateMemberRole' },
        { 'Fn::Equals': [{ Ref: 'OperatorMayRemediate' }, 'true'] },
      ],
    });
    expect(template.Parameters.OperatorMayRemediate?.Default).toBe('false');
    for (const { statement } of writers) {
      const targets = [statement.Resource].flat().map((r) => (r as { 'Fn::Sub': string })['Fn::Sub']);
      for (const t of targets)
        expect(t).toMatch(
          /^arn:\$\{AWS::Partition\}:cloudtrail:\*:\$\{AWS::AccountId\}:(trail|eventdatastore)\/\*$/,
        );
    }
    // Reads need no write, and the reader role has none.
    expect(permissions.filter((p) => p.owner === 'ReaderRole').flatMap((p) => actions(p.statement))).toEqual(
      expect.not.arrayContaining([expect.stringMatching(WRITES)]),
    );
  });

  it('every trust policy of an account principal requires the organization, the central roles by ARN and, when given, the external id', () => {
    const roles = ofType('AWS::IAM::Role');
    const trusts = roles.flatMap(([id, r]) =>
      (r.Properties.AssumeRolePolicyDocument as { Statement: Statement[] }).Statement.map((s) => ({ id, s })),
    );
    const expected: Record<string, string> = {
      ReaderRole: 'EvaluatorRoleArns',
      RemediatorRole: 'RemediatorRoleArn',
      MemberRole: 'OperatorPrincipalArns',
    };
    for (const { id, s } of trusts) {
      if (s.Principal?.Service) continue;
      expect(s.Principal?.AWS, id).toEqual(sub('arn:%{AWS::Partition}:iam::%{CentralAccountId}:root'));
      const condition = s.Condition as Record<string, Record<string, unknown>>;
      expect(condition.ArnEquals, id).toEqual({ 'aws:PrincipalArn': { Ref: expected[id] } });
      expect(condition.StringEquals, id).toEqual({
        'Fn::If': [
          'HasExternalId',
          { 'aws:PrincipalOrgID': { Ref: 'OrganizationId' }, 'sts:ExternalId': { Ref: 'ExternalId' } },
          { 'aws:PrincipalOrgID': { Ref: 'OrganizationId' } },
        ],
      });
    }
    expect(new Set(trusts.filter(({ s }) => s.Principal?.AWS).map(({ id }) => id))).toEqual(
      new Set(Object.keys(expected)),
    );
    // A service principal (EventBridge) carries no organization, so it is bound to this account's rule.
    for (const { id, s } of trusts.filter(({ s }) => s.Principal?.Service)) {
      expect(s.Principal?.Service, id).toBe('events.amazonaws.com');
      const condition = s.Condition as Record<string, Record<string, unknown>>;
      expect(condition.StringEquals).toEqual({ 'aws:SourceAccount': { Ref: 'AWS::AccountId' } });
      expect(condition.ArnEquals?.['aws:SourceArn']).toEqual(
        sub(
          'arn:%{AWS::Partition}:events:%{AWS::Region}:%{AWS::AccountId}:rule/trailwarden-forward-cloudtrail-changes',
        ),
      );
    }
  });

  it('creates the global roles in the primary Region only, with the names the CLI and the central stack use', () => {
    const names = Object.fromEntries(
      ofType('AWS::IAM::Role').map(([id, r]) => [
        id,
        { name: r.Properties.RoleName, condition: r.Condition },
      ]),
    );
    expect(names).toEqual({
      ReaderRole: { name: 'TrailwardenReader', condition: 'CreateReaderRole' },
      RemediatorRole: { name: 'TrailwardenRemediator', condition: 'CreateRemediatorRole' },
      MemberRole: { name: DEFAULT_ROLE_NAME, condition: 'CreateMemberRole' },
      ForwarderRole: { name: sub('TrailwardenForwarder-%{AWS::Region}'), condition: 'HasBus' },
    });
    expect(template.Conditions.IsPrimaryRegion).toEqual({
      'Fn::Equals': [{ Ref: 'AWS::Region' }, { Ref: 'PrimaryRegion' }],
    });
    // Each global role needs the primary Region (and the principals it trusts).
    for (const id of ['CreateReaderRole', 'CreateRemediatorRole', 'CreateMemberRole'])
      expect((template.Conditions[id] as { 'Fn::And': unknown[] })['Fn::And'][0], id).toEqual({
        Condition: 'IsPrimaryRegion',
      });
  });

  it('forwards exactly the watched CloudTrail calls to the central bus in every Region, with retries and a dead-letter queue', () => {
    const [[, rule] = []] = ofType('AWS::Events::Rule');
    const pattern = rule?.Properties.EventPattern as {
      source: string[];
      'detail-type': string[];
      detail: { eventSource: string[]; eventName: string[] };
    };
    expect(pattern.source).toEqual(['aws.cloudtrail']);
    expect(pattern['detail-type']).toEqual(['AWS API Call via CloudTrail']);
    expect(pattern.detail.eventSource).toEqual(['cloudtrail.amazonaws.com']);
    expect([...pattern.detail.eventName].sort()).toEqual([...WATCHED_EVENT_NAMES].sort());
    const [target] = (rule?.Properties.Targets ?? []) as {
      Arn: unknown;
      RoleArn: unknown;
      DeadLetterConfig: { Arn: unknown };
      RetryPolicy: unknown;
    }[];
    expect(target?.Arn).toEqual({ Ref: 'CentralEventBusArn' });
    expect(target?.RoleArn).toEqual({ 'Fn::GetAtt': ['ForwarderRole', 'Arn'] });
    expect(target?.DeadLetterConfig.Arn).toEqual({ 'Fn::GetAtt': ['ForwardingDeadLetterQueue', 'Arn'] });
    // The forwarder may put events on the central bus and nowhere else.
    const forwarder = permissions.filter((p) => p.owner === 'ForwarderRole').map((p) => p.statement);
    expect(forwarder).toEqual([
      {
        Sid: 'CentralBus',
        Effect: 'Allow',
        Action: 'events:PutEvents',
        Resource: { Ref: 'CentralEventBusArn' },
      },
    ]);
    // Per Region: the rule, its role and its queue carry no primary-Region condition.
    for (const id of ['ForwardingRule', 'ForwarderRole', 'ForwardingDeadLetterQueue'])
      expect(template.Resources[id]?.Condition).toBe('HasBus');
  });
});
