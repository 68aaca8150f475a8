import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadBundledPolicies } from '../../functions/runtime.js';
import { WATCHED_EVENT_NAMES } from '../../shared/events/cloudtrailEvent.js';
import { TABLE_KEY_SCHEMA } from '../../shared/state/findingStore.js';
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

let out: string;
let template: Template;
const ofType = (type: string) => resourcesOfType(template, type);
/** A CloudFormation !Sub string (its ${…} are CloudFormation's, not JavaScript's). */
const sub = (text: string) => ({ 'Fn::Sub': text.replaceAll('%', '$') });

beforeAll(async () => {
  ({ out, template } = await packageStack());
}, 240_000);

describe('the packaged stack', () => {
  it('passes cfn-lint', async () => {
    await cfnLint(join(out, TEMPLATE_FILE));
  });

  it('runs nodejs22.x on arm64, each function with a role of its own', () => {
    const functions = ofType('AWS::Lambda::Function');
    expect(functions).toHaveLength(3);
    const roles = new Set<string>();
    for (const [, f] of functions) {
      expect(f.Properties.Runtime).toBe('nodejs22.x');
      expect(f.Properties.Architectures).toEqual(['arm64']);
      roles.add(JSON.stringify(f.Properties.Role));
    }
    expect(roles.size).toBe(3);
  });

  it('grants no wildcard action, and writes only to the remediation role, scoped to this account', () => {
    const roles = Object.fromEntries(ofType('AWS::IAM::Role'));
    expect(Object.keys(roles).sort()).toEqual(['OnTrailChangeRole', 'RemediateRole', 'SweepRole']);
    for (const [name, role] of Object.entries(roles)) {
      for (const s of statementsOf(role)) {
        for (const a of actions(s)) {
          expect(a, `${name}: ${a}`).not.toMatch(/(^\*$|:\*$)/);
          if (WRITES.test(a)) {
            expect(name, `${a} outside the remediation role`).toBe('RemediateRole');
            expect(JSON.stringify(s.Resource)).toMatch(
              /cloudtrail:\*:\$\{AWS::AccountId\}:(trail|eventdatastore)\/\*/,
            );
          }
        }
      }
    }
    const remediateWrites = statementsOf(roles.RemediateRole as Resource)
      .flatMap(actions)
      .filter((a) => WRITES.test(a));
    expect(remediateWrites).toEqual(
      expect.arrayContaining([
        'cloudtrail:PutEventSelectors',
        'cloudtrail:PutInsightSelectors',
        'cloudtrail:PutEventConfiguration',
        'cloudtrail:StartLogging',
        'cloudtrail:UpdateTrail',
      ]),
    );
  });

  it("lets evaluators invoke only their own stage's remediate, and the remediate role write only what a plan holds", () => {
    const roles = Object.fromEntries(ofType('AWS::IAM::Role'));
    const invokes = (name: string) =>
      statementsOf(roles[name] as Resource).filter((s) => actions(s).includes('lambda:InvokeFunction'));
    for (const evaluator of ['OnTrailChangeRole', 'SweepRole'])
      expect(invokes(evaluator).map((s) => s.Resource)).toEqual([
        { 'Fn::GetAtt': ['RemediateLambdaFunction', 'Arn'] },
      ]);
    expect(invokes('RemediateRole')).toEqual([]);
    const remediate = statementsOf(roles.RemediateRole as Resource);
    const cloudTrailWrites = remediate.flatMap(actions).filter((a) => WRITES.test(a));
    expect([...new Set(cloudTrailWrites)].sort()).toEqual([
      'cloudtrail:PutEventConfiguration',
      'cloudtrail:PutEventSelectors',
      'cloudtrail:PutInsightSelectors',
      'cloudtrail:StartEventDataStoreIngestion',
      'cloudtrail:StartLogging',
      'cloudtrail:UpdateEventDataStore',
      'cloudtrail:UpdateTrail',
    ]);
    // Finding state: conditional single-item writes, no batch, delete or scan.
    for (const role of Object.values(roles)) {
      const dynamo = statementsOf(role)
        .flatMap(actions)
        .filter((a) => a.startsWith('dynamodb:'));
      expect(dynamo.sort()).toEqual([
        'dynamodb:GetItem',
        'dynamodb:PutItem',
        'dynamodb:Query',
        'dynamodb:UpdateItem',
      ]);
    }
    // Every grant names its resource, but the list calls that support no resource-level permission.
    for (const [name, role] of Object.entries(roles))
      for (const s of statementsOf(role))
        if (s.Resource === '*')
          expect(actions(s), name).toEqual([
            'cloudtrail:DescribeTrails',
            'cloudtrail:ListEventDataStores',
            'cloudtrail:ListTags',
          ]);
  });

  it("scopes the EventBridge grants: PutEvents on the default bus, the watcher on the stack's own rule", () => {
    const roles = Object.fromEntries(ofType('AWS::IAM::Role'));
    for (const [name, role] of Object.entries(roles)) {
      const put = statementsOf(role).filter((s) => actions(s).includes('events:PutEvents'));
      expect(
        put.map((s) => s.Resource),
        name,
      ).toEqual([sub('arn:%{AWS::Partition}:events:%{AWS::Region}:%{AWS::AccountId}:event-bus/default')]);
      const watch = statementsOf(role).filter((s) => actions(s).includes('events:DescribeRule'));
      if (name !== 'SweepRole') expect(watch, name).toEqual([]);
    }
    const [watch] = statementsOf(roles.SweepRole as Resource).filter((s) =>
      actions(s).includes('events:DescribeRule'),
    );
    expect(actions(watch as Statement).sort()).toEqual(['events:DescribeRule', 'events:ListTargetsByRule']);
    expect(watch?.Resource).toEqual(
      sub(
        'arn:%{AWS::Partition}:events:%{AWS::Region}:%{AWS::AccountId}:rule/trailwarden-ci-cloudtrail-changes',
      ),
    );
    // What the sweep is told to watch is that rule, which targets onTrailChange.
    const sweep = ofType('AWS::Lambda::Function').find(([id]) => id === 'ScheduledSweepLambdaFunction')?.[1];
    const env = (sweep as Resource).Properties.Environment as { Variables: Record<string, unknown> };
    expect(env.Variables).toMatchObject({
      WATCHED_RULE_NAME: 'trailwarden-ci-cloudtrail-changes',
      ON_TRAIL_CHANGE_FUNCTION: 'trailwarden-ci-onTrailChange',
    });
    const rule = ofType('AWS::Events::Rule').find(
      ([, r]) => r.Properties.Name === env.Variables.WATCHED_RULE_NAME,
    )?.[1];
    expect(JSON.stringify(rule?.Properties.Targets)).toContain('OnTrailChangeLambdaFunction');
  });

  it('conditions the service grants on this stack (aws:SourceArn, aws:SourceAccount)', () => {
    const [[, queuePolicy]] = ofType('AWS::SQS::QueuePolicy') as [[string, Resource]];
    const [[, key]] = ofType('AWS::KMS::Key') as [[string, Resource]];
    const services = [
      ...(queuePolicy.Properties.PolicyDocument as { Statement: (Statement & { Principal?: unknown })[] })
        .Statement,
      ...(key.Properties.KeyPolicy as { Statement: (Statement & { Principal?: unknown })[] }).Statement,
    ].filter((s) => JSON.stringify(s.Principal).includes('Service'));
    expect(services.map((s) => s.Sid)).toEqual(['EventBridgeDeadLetters', 'SnsDelivery']);
    for (const s of services) {
      const condition = JSON.stringify(s.Condition);
      expect(condition, s.Sid).toContain('"aws:SourceAccount":{"Ref":"AWS::AccountId"}');
      expect(condition, s.Sid).toContain('aws:SourceArn');
    }
    expect(JSON.stringify(services[0]?.Condition)).toContain('rule/trailwarden-ci-cloudtrail-changes');
    expect(JSON.stringify(services[1]?.Condition)).toContain(
      sub(':%{AWS::StackName}-FindingsTopic-*')['Fn::Sub'],
    );
  });

  it('runs one remediation at a time', () => {
    const remediate = ofType('AWS::Lambda::Function').find(([id]) => id === 'RemediateLambdaFunction')?.[1];
    expect(remediate?.Properties.ReservedConcurrentExecutions).toBe(1);
  });

  it('has the CloudTrail change rule, the schedule and the dead-letter queues', () => {
    const rules = ofType('AWS::Events::Rule').map(([, r]) => r.Properties);
    const change = rules.find((r) => r.EventPattern) as {
      EventPattern: Record<string, unknown>;
      Targets: { DeadLetterConfig?: unknown }[];
    };
    expect(change.EventPattern).toMatchObject({
      source: ['aws.cloudtrail'],
      'detail-type': ['AWS API Call via CloudTrail'],
      detail: { eventSource: ['cloudtrail.amazonaws.com'], eventName: [...WATCHED_EVENT_NAMES] },
    });
    expect(change.Targets[0]?.DeadLetterConfig).toBeDefined();
    expect(
      rules.some(
        (r) =>
          typeof r.ScheduleExpression === 'string' && (r.ScheduleExpression as string).startsWith('rate('),
      ),
    ).toBe(true);
    const onFailure = ofType('AWS::Lambda::EventInvokeConfig').map(([, c]) =>
      JSON.stringify(c.Properties.DestinationConfig),
    );
    expect(onFailure).toHaveLength(3);
    for (const c of onFailure) expect(c).toContain('DeadLetterQueue');
    expect(ofType('AWS::SQS::Queue')).toHaveLength(1);
  });

  it('keeps finding state in an on-demand table with TTL, and notifies on an encrypted topic', () => {
    const [[, table]] = ofType('AWS::DynamoDB::Table') as [[string, Resource]];
    expect(table.Properties).toMatchObject({
      BillingMode: 'PAY_PER_REQUEST',
      TimeToLiveSpecification: { AttributeName: 'ttl', Enabled: true },
    });
    // The keys the store writes (an account id is part of every partition key).
    expect(table.Properties.AttributeDefinitions).toEqual(TABLE_KEY_SCHEMA.AttributeDefinitions);
    expect(table.Properties.KeySchema).toEqual(TABLE_KEY_SCHEMA.KeySchema);
    const [[, topic]] = ofType('AWS::SNS::Topic') as [[string, Resource]];
    expect(topic.Properties.KmsMasterKeyId).toBeDefined();
  });

  it('bundles valid policies: a broken bundle fails here, not at the first invocation', async () => {
    const [[, fn]] = ofType('AWS::Lambda::Function') as [[string, Resource]];
    const paths = (fn.Properties.Environment as { Variables: { POLICY_PATHS: string } }).Variables
      .POLICY_PATHS;
    const policies = await loadBundledPolicies(paths, root);
    expect(policies.length).toBeGreaterThan(0);
  });

  it('embeds those policies in each bundle, which loads without the YAML parser', async () => {
    for (const fn of ['onTrailChange', 'scheduledSweep', 'remediate']) {
      const dir = mkdtempSync(join(tmpdir(), `trailwarden-${fn}-`));
      await run('unzip', ['-q', join(out, `${fn}.zip`), '-d', dir]);
      const file = join(dir, 'functions', `${fn}.cjs`);
      expect(readFileSync(file, 'utf8')).toContain('cis-3.1-multi-region-management');
      // Load it as Lambda does: @aws-sdk from the runtime (here the repository's node_modules), and
      // 'yaml' made unloadable, to prove the bundle never needs it.
      const probe = `const M=require('module');const r=M._resolveFilename;M._resolveFilename=function(n,...a){if(n==='yaml')throw new Error('yaml loaded');return r.call(this,n,...a)};require(${JSON.stringify(file)});`;
      await run(process.execPath, ['-e', probe], {
        // The settings every function gets from the stack (the cold start parses them).
        env: {
          ...process.env,
          NODE_PATH: join(root, 'node_modules'),
          AWS_REGION: 'us-east-1',
          TABLE_NAME: 't',
        },
      });
    }
  });

  it('a bad setting fails the cold start with a message naming the variable', async () => {
    for (const fn of ['onTrailChange', 'scheduledSweep', 'remediate']) {
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
            BREAKER_MAX: 'abc',
          },
        },
      ).catch((e: { stderr: string }) => e);
      expect((failure as { stderr?: string }).stderr, fn).toContain(
        'invalid configuration: BREAKER_MAX expected a whole number from 1 to 1000 (got "abc")',
      );
    }
  });

  it('a bundled handler cold-starts on its embedded policies and drops a malformed event', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'trailwarden-invoke-'));
    await run('unzip', ['-q', join(out, 'onTrailChange.zip'), '-d', dir]);
    const file = join(dir, 'functions', 'onTrailChange.cjs');
    const context = {
      invokedFunctionArn: 'arn:aws:lambda:us-east-1:111122223333:function:trailwarden-ci-onTrailChange',
      functionName: 'onTrailChange',
      awsRequestId: 'r1',
    };
    const script = `require(${JSON.stringify(file)}).handler({ 'detail-type': 'nope' }, ${JSON.stringify(context)}).then((r) => console.log('RESULT' + JSON.stringify(r)))`;
    const { stdout } = await run(process.execPath, ['-e', script], {
      cwd: dir,
      env: {
        ...process.env,
        NODE_PATH: join(root, 'node_modules'),
        AWS_REGION: 'us-east-1',
        TABLE_NAME: 't',
        POLICY_PATHS: 'nowhere',
        AWS_ACCESS_KEY_ID: 'x',
        AWS_SECRET_ACCESS_KEY: 'x',
      },
    });
    const result = JSON.parse(stdout.split('RESULT')[1] ?? '{}');
    expect(result).toMatchObject({ outcome: 'dropped' });
    expect(stdout).toContain('MalformedEvents');
  });
});
