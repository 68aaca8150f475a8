/**
 * The central stack as packaged (`serverless package --param mode=central …`): cfn-lint, least
 * privilege per function, the organization's bus, the sweep queue and its dead-letter queue, and the
 * role names the member template (stack/member.yml) trusts.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { READER_ROLE_NAME, REMEDIATOR_ROLE_NAME } from '../../shared/aws/credentials.js';
import { WATCHED_EVENT_NAMES } from '../../shared/events/cloudtrailEvent.js';
import {
  actions,
  cfnLint,
  packageStack,
  type Resource,
  resourcesOfType,
  root,
  run,
  type Statement,
  statementsOf,
  TEMPLATE_FILE,
  type Template,
  WRITES,
} from './template.js';

const ORG = 'o-a1b2c3d4e5';
let out: string;
let template: Template;
const ofType = (type: string) => resourcesOfType(template, type);
const roles = () => Object.fromEntries(ofType('AWS::IAM::Role'));
/** A CloudFormation !Sub string (its ${…} are CloudFormation's, not JavaScript's). */
const cfn = (text: string) => text.replaceAll('%', '$');

beforeAll(async () => {
  ({ out, template } = await packageStack(['mode=central', 'organization=true', `organizationId=${ORG}`]));
}, 240_000);

describe('the central stack (mode=central)', () => {
  it('passes cfn-lint', async () => {
    await cfnLint(join(out, TEMPLATE_FILE));
  });

  it('runs four functions, each with a role of its own, under the fixed names the member template trusts', () => {
    const functions = ofType('AWS::Lambda::Function');
    expect(functions.map(([id]) => id).sort()).toEqual([
      'OnTrailChangeLambdaFunction',
      'RemediateLambdaFunction',
      'SweepPlannerLambdaFunction',
      'SweepWorkerLambdaFunction',
    ]);
    const byRole = new Set(functions.map(([, f]) => JSON.stringify(f.Properties.Role)));
    expect(byRole.size).toBe(4);
    const names = Object.fromEntries(Object.entries(roles()).map(([id, r]) => [id, r.Properties.RoleName]));
    expect(names).toEqual({
      OnTrailChangeRole: 'trailwarden-ci-onTrailChange',
      SweepPlannerRole: 'trailwarden-ci-sweepPlanner',
      SweepWorkerRole: 'trailwarden-ci-sweepWorker',
      RemediateRole: 'trailwarden-ci-remediate',
    });
    // What to give the member StackSet: the evaluators and the remediator, as outputs.
    expect(template.Outputs.EvaluatorRoleArns?.Value).toEqual({
      'Fn::Join': [
        ',',
        [{ 'Fn::GetAtt': ['OnTrailChangeRole', 'Arn'] }, { 'Fn::GetAtt': ['SweepWorkerRole', 'Arn'] }],
      ],
    });
    expect(template.Outputs.RemediatorRoleArn?.Value).toEqual({ 'Fn::GetAtt': ['RemediateRole', 'Arn'] });
    expect(template.Outputs.CentralEventBusArn?.Value).toEqual({ 'Fn::GetAtt': ['CentralEventBus', 'Arn'] });
    for (const fn of functions)
      expect(
        (fn[1].Properties.Environment as { Variables: Record<string, unknown> }).Variables,
      ).toMatchObject({
        STACK_MODE: 'central',
        ORGANIZATION: 'true',
        ORGANIZATION_ID: ORG,
        ACCOUNTS: '',
      });
  });

  it('grants no wildcard action, and writes CloudTrail only in the remediate role, in this account', () => {
    for (const [name, role] of Object.entries(roles()))
      for (const s of statementsOf(role))
        for (const a of actions(s)) {
          expect(a, `${name}: ${a}`).not.toMatch(/(^\*$|:\*$)/);
          if (WRITES.test(a)) {
            expect(name, `${a} outside the remediation role`).toBe('RemediateRole');
            expect(JSON.stringify(s.Resource)).toMatch(
              /cloudtrail:\*:\$\{AWS::AccountId\}:(trail|eventdatastore)\/\*/,
            );
          }
        }
  });

  it('lets the evaluators assume only the reader role and remediate only the remediator role, in the organization', () => {
    const assumes = (name: string) =>
      statementsOf(roles()[name] as Resource).filter((s) => actions(s).includes('sts:AssumeRole'));
    const target = (name: string) => ({
      'Fn::Sub': [
        cfn('arn:%{AWS::Partition}:iam::*:role/%{Name}'),
        { Name: { 'Fn::If': ['HasMemberRoleName', { Ref: 'MemberRoleName' }, name] } },
      ],
    });
    const inOrganization = {
      StringEquals: {
        'Fn::If': [
          'ListsAccounts',
          {
            'aws:ResourceOrgID': { Ref: 'OrganizationId' },
            'aws:ResourceAccount': { 'Fn::Split': [',', { Ref: 'Accounts' }] },
          },
          { 'aws:ResourceOrgID': { Ref: 'OrganizationId' } },
        ],
      },
    };
    for (const evaluator of ['OnTrailChangeRole', 'SweepWorkerRole']) {
      const [s, ...more] = assumes(evaluator);
      expect(more, evaluator).toEqual([]);
      expect(s?.Resource, evaluator).toEqual(target(READER_ROLE_NAME));
      expect(s?.Condition, evaluator).toEqual(inOrganization);
    }
    const [remediator, ...more] = assumes('RemediateRole');
    expect(more).toEqual([]);
    expect(remediator?.Resource).toEqual(target(REMEDIATOR_ROLE_NAME));
    expect(remediator?.Condition).toEqual(inOrganization);
    // The planner enters no account and reads no CloudTrail: it lists accounts and sends messages.
    const planner = statementsOf(roles().SweepPlannerRole as Resource).flatMap(actions);
    expect(
      planner.filter((a) => a.startsWith('sts:') || a.startsWith('cloudtrail:') || a.startsWith('lambda:')),
    ).toEqual([]);
    expect(planner).toEqual(expect.arrayContaining(['organizations:ListAccounts', 'sqs:SendMessage']));
    // The member template's roles are the names the central stack assumes.
    const member = readFileSync(join(root, 'stack', 'member.yml'), 'utf8');
    expect(member).toContain(`RoleName: ${READER_ROLE_NAME}\n`);
    expect(member).toContain(`RoleName: ${REMEDIATOR_ROLE_NAME}\n`);
  });

  it('every grant names its resource, but the list calls that take no resource-level permission', () => {
    for (const [name, role] of Object.entries(roles()))
      for (const s of statementsOf(role))
        if (s.Resource === '*')
          expect(
            actions(s).every((a) =>
              [
                'cloudtrail:DescribeTrails',
                'cloudtrail:ListEventDataStores',
                'cloudtrail:ListTags',
                'organizations:ListAccounts',
                'organizations:DescribeOrganization',
                'organizations:ListRoots',
                'organizations:ListChildren',
                'organizations:ListParents',
              ].includes(a),
            ),
            `${name} ${s.Sid}`,
          ).toBe(true);
    // Finding state and the sweep's counter: conditional single-item writes and transactions of them.
    for (const role of Object.values(roles()))
      expect(
        statementsOf(role)
          .flatMap(actions)
          .filter((a) => a.startsWith('dynamodb:'))
          .sort(),
      ).toEqual(['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query', 'dynamodb:UpdateItem']);
  });

  it('conditions every grant to a service or another account: the bus admits the organization only', () => {
    const [[, bus]] = ofType('AWS::Events::EventBus') as [[string, Resource]];
    expect(bus.Properties.Name).toBe('trailwarden-ci');
    const [[, busPolicy]] = ofType('AWS::Events::EventBusPolicy') as [[string, Resource]];
    const statement = busPolicy.Properties.Statement as Statement;
    expect(statement).toMatchObject({ Effect: 'Allow', Principal: '*', Action: 'events:PutEvents' });
    expect(statement.Condition).toEqual({
      StringEquals: {
        'Fn::If': [
          'ListsAccounts',
          {
            'aws:PrincipalOrgID': { Ref: 'OrganizationId' },
            'aws:PrincipalAccount': { 'Fn::Split': [',', { Ref: 'Accounts' }] },
          },
          { 'aws:PrincipalOrgID': { Ref: 'OrganizationId' } },
        ],
      },
    });
    expect(template.Parameters.OrganizationId?.Default).toBe(ORG);
    const [[, queuePolicy]] = ofType('AWS::SQS::QueuePolicy') as [[string, Resource]];
    const [[, key]] = ofType('AWS::KMS::Key') as [[string, Resource]];
    const services = [
      ...(queuePolicy.Properties.PolicyDocument as { Statement: Statement[] }).Statement,
      ...(key.Properties.KeyPolicy as { Statement: Statement[] }).Statement,
    ].filter((s) => JSON.stringify(s.Principal).includes('Service'));
    expect(services.map((s) => s.Sid)).toEqual(['EventBridgeDeadLetters', 'SnsDelivery']);
    for (const s of services) {
      expect(JSON.stringify(s.Condition), s.Sid).toContain('"aws:SourceAccount":{"Ref":"AWS::AccountId"}');
      expect(JSON.stringify(s.Condition), s.Sid).toContain('aws:SourceArn');
    }
    // Lambda lets EventBridge invoke a function only for the rule that targets it.
    for (const [id, permission] of ofType('AWS::Lambda::Permission')) {
      expect(permission.Properties.Principal, id).toBe('events.amazonaws.com');
      expect(permission.Properties.SourceArn, id).toBeDefined();
    }
    // The rule on the organization's bus, which the dead-letter queue takes failed deliveries of.
    expect(JSON.stringify(services[0]?.Condition)).toContain(
      'rule/trailwarden-ci/trailwarden-ci-cloudtrail-changes',
    );
    // No other resource policy exists to grant anything.
    expect(
      Object.values(template.Resources)
        .map((r) => r.Type)
        .filter((t) => /Policy$/.test(t) && t !== 'AWS::S3::BucketPolicy')
        .sort(),
    ).toEqual(['AWS::Events::EventBusPolicy', 'AWS::SQS::QueuePolicy']);
  });

  it('triggers onTrailChange from the organization bus with the watched calls, and the planner checks that rule', () => {
    const rules = ofType('AWS::Events::Rule').map(([, r]) => r.Properties);
    const change = rules.find((r) => r.EventPattern) as {
      Name: string;
      EventBusName: unknown;
      EventPattern: Record<string, unknown>;
      Targets: { Arn: unknown; DeadLetterConfig?: unknown }[];
    };
    expect(change.Name).toBe('trailwarden-ci-cloudtrail-changes');
    expect(change.EventBusName).toEqual({ 'Fn::GetAtt': ['CentralEventBus', 'Name'] });
    expect(change.EventPattern).toMatchObject({
      source: ['aws.cloudtrail'],
      detail: { eventSource: ['cloudtrail.amazonaws.com'], eventName: [...WATCHED_EVENT_NAMES] },
    });
    expect(change.Targets[0]?.Arn).toEqual({ 'Fn::GetAtt': ['OnTrailChangeLambdaFunction', 'Arn'] });
    expect(change.Targets[0]?.DeadLetterConfig).toBeDefined();
    const planner = template.Resources.SweepPlannerLambdaFunction as Resource;
    expect(
      (planner.Properties.Environment as { Variables: Record<string, unknown> }).Variables,
    ).toMatchObject({
      WATCHED_RULE_NAME: 'trailwarden-ci-cloudtrail-changes',
      CHANGE_BUS_NAME: 'trailwarden-ci',
      SWEEP_QUEUE_URL: { Ref: 'SweepQueue' },
    });
    const watch = statementsOf(roles().SweepPlannerRole as Resource).find((s) =>
      actions(s).includes('events:DescribeRule'),
    );
    expect(JSON.stringify(watch?.Resource)).toContain(
      ':rule/trailwarden-ci/trailwarden-ci-cloudtrail-changes',
    );
    expect(rules.some((r) => String(r.ScheduleExpression).startsWith('rate('))).toBe(true);
  });

  it('fans the sweep out on SQS: partial batch failures, a dead-letter queue behind three attempts, a bounded concurrency', () => {
    const [[, mapping]] = ofType('AWS::Lambda::EventSourceMapping') as [[string, Resource]];
    expect(mapping.Properties).toMatchObject({
      EventSourceArn: { 'Fn::GetAtt': ['SweepQueue', 'Arn'] },
      FunctionName: { 'Fn::GetAtt': ['SweepWorkerLambdaFunction', 'Arn'] },
      BatchSize: 5,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      ScalingConfig: { MaximumConcurrency: 20 },
    });
    const queue = (template.Resources.SweepQueue as Resource).Properties;
    expect(queue.RedrivePolicy).toEqual({
      deadLetterTargetArn: { 'Fn::GetAtt': ['SweepDeadLetterQueue', 'Arn'] },
      maxReceiveCount: 3,
    });
    const worker = (template.Resources.SweepWorkerLambdaFunction as Resource).Properties;
    expect(queue.VisibilityTimeout).toBeGreaterThanOrEqual(6 * (worker.Timeout as number));
    expect((template.Resources.SweepDeadLetterQueue as Resource).Properties.MessageRetentionPeriod).toBe(
      1_209_600,
    );
    // The worker consumes the queue; only the planner sends to it.
    const consume = statementsOf(roles().SweepWorkerRole as Resource).find(
      (s) => s.Sid === 'ConsumeSweepMessages',
    );
    expect(actions(consume as Statement).sort()).toEqual([
      'sqs:DeleteMessage',
      'sqs:GetQueueAttributes',
      'sqs:ReceiveMessage',
    ]);
    for (const [name, role] of Object.entries(roles()))
      for (const s of statementsOf(role))
        if (JSON.stringify(s.Resource).includes('SweepQueue') && actions(s).includes('sqs:SendMessage'))
          expect(name).toBe('SweepPlannerRole');
    expect(
      (template.Resources.RemediateLambdaFunction as Resource).Properties.ReservedConcurrentExecutions,
    ).toBe(1);
  });

  it('a bundled sweepWorker cold-starts and answers an SQS batch with its failures only', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'trailwarden-worker-'));
    await run('unzip', ['-q', join(out, 'sweepWorker.zip'), '-d', dir]);
    const file = join(dir, 'functions', 'sweepWorker.cjs');
    const context = {
      invokedFunctionArn: 'arn:aws:lambda:us-east-1:999999999999:function:trailwarden-ci-sweepWorker',
      functionName: 'trailwarden-ci-sweepWorker',
      awsRequestId: 'r1',
      getRemainingTimeInMillis: () => 60_000,
    };
    const record = (messageId: string, body: string) => ({
      messageId,
      body,
      receiptHandle: messageId,
      eventSource: 'aws:sqs',
    });
    const event = {
      Records: [record('m1', 'not json'), record('m2', JSON.stringify({ sweepId: 's', account: 'x' }))],
    };
    const script = `require(${JSON.stringify(file)}).handler(${JSON.stringify(event)}, ${JSON.stringify(context)}).then((r) => console.log('RESULT' + JSON.stringify(r)))`;
    const { stdout } = await run(process.execPath, ['-e', script], {
      cwd: dir,
      env: {
        ...process.env,
        NODE_PATH: join(root, 'node_modules'),
        AWS_REGION: 'us-east-1',
        TABLE_NAME: 't',
        STACK_MODE: 'central',
        ORGANIZATION: 'true',
        ORGANIZATION_ID: ORG,
        AWS_ACCESS_KEY_ID: 'x',
        AWS_SECRET_ACCESS_KEY: 'x',
      },
    });
    // Malformed messages are dropped (consumed, with a metric), not failed forever.
    expect(JSON.parse(stdout.split('RESULT')[1] ?? '{}')).toEqual({ batchItemFailures: [] });
    expect(stdout).toContain('MalformedSweepMessages');
  });

  it('a bad central setting fails the cold start naming the variable', async () => {
    for (const [fn, settings, message] of [
      [
        'sweepPlanner',
        { STACK_MODE: 'central', ORGANIZATION: 'true', ORGANIZATION_ID: ORG },
        'SWEEP_QUEUE_URL is required by the sweep planner',
      ],
      [
        'onTrailChange',
        { STACK_MODE: 'central', ORGANIZATION: 'true' },
        'ORGANIZATION_ID is required with STACK_MODE=central',
      ],
      [
        'remediate',
        { STACK_MODE: 'central', ORGANIZATION_ID: ORG },
        'ACCOUNTS or ORGANIZATION=true is required with STACK_MODE=central',
      ],
      [
        'sweepWorker',
        { STACK_MODE: 'central', ORGANIZATION_ID: ORG, ACCOUNTS: '1234' },
        'ACCOUNTS expected comma-separated 12-digit account ids',
      ],
    ] as const) {
      const dir = mkdtempSync(join(tmpdir(), `trailwarden-config-${fn}-`));
      await run('unzip', ['-q', join(out, `${fn}.zip`), '-d', dir]);
      const failure = await run(
        process.execPath,
        ['-e', `require(${JSON.stringify(join(dir, 'functions', `${fn}.cjs`))})`],
        {
          cwd: dir,
          env: {
            ...process.env,
            NODE_PATH: join(root, 'node_modules'),
            AWS_REGION: 'us-east-1',
            TABLE_NAME: 't',
            ...settings,
          },
        },
      ).catch((e: { stderr: string }) => e);
      expect((failure as { stderr?: string }).stderr, fn).toContain(`invalid configuration: ${message}`);
    }
  });

  it('a bad stage parameter stops the package with one message naming it', async () => {
    const failure = await packageStack([
      'mode=central',
      `organizationId=${ORG}`,
      'accounts=111111111111;222222222222',
    ]).catch((e: { stdout: string; stderr: string }) => e);
    expect(`${(failure as { stdout?: string }).stdout}${(failure as { stderr?: string }).stderr}`).toContain(
      '--param accounts: expected comma-separated 12-digit account ids, without spaces (got "111111111111;222222222222")',
    );
  }, 120_000);
});
