import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadBundledPolicies } from '../../functions/runtime.js';
import { WATCHED_EVENT_NAMES } from '../../shared/events/cloudtrailEvent.js';

const root = join(import.meta.dirname, '..', '..');
const out = mkdtempSync(join(tmpdir(), 'trailwarden-stack-'));
const run = promisify(execFile);

type Resource = { Type: string; Properties: Record<string, unknown> };
let template: { Resources: Record<string, Resource> };
const ofType = (type: string) => Object.entries(template.Resources).filter(([, r]) => r.Type === type);
type Statement = { Effect: string; Action: string | string[]; Resource: unknown };
const statementsOf = (role: Resource): Statement[] =>
  (role.Properties.Policies as { PolicyDocument: { Statement: Statement[] } }[]).flatMap(
    (p) => p.PolicyDocument.Statement,
  );
const actions = (s: Statement) => (Array.isArray(s.Action) ? s.Action : [s.Action]);
const WRITES = /^cloudtrail:(Put|Start|Stop|Update|Create|Delete|Add|Remove)/;

beforeAll(async () => {
  // Offline and without credentials, as CI and a newcomer's laptop run it.
  const env = {
    ...process.env,
    AWS_ACCESS_KEY_ID: '',
    AWS_SECRET_ACCESS_KEY: '',
    AWS_PROFILE: '',
    SLS_TELEMETRY_DISABLED: '1',
  };
  await run(
    process.execPath,
    [
      join(root, 'node_modules', 'serverless', 'bin', 'serverless.js'),
      'package',
      '--stage',
      'ci',
      '--package',
      out,
    ],
    { cwd: root, env },
  );
  template = JSON.parse(readFileSync(join(out, 'cloudformation-template-update-stack.json'), 'utf8'));
}, 240_000);

describe('the packaged stack', () => {
  it('passes cfn-lint', async () => {
    try {
      await run('cfn-lint', [
        '--ignore-checks',
        'W3005',
        '--',
        join(out, 'cloudformation-template-update-stack.json'),
      ]);
    } catch (error) {
      const e = error as NodeJS.ErrnoException & { stdout?: string };
      if (e.code === 'ENOENT')
        throw new Error('cfn-lint was not found: install it with pip install cfn-lint');
      throw new Error(`cfn-lint failed:\n${e.stdout}`);
    }
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
        env: { ...process.env, NODE_PATH: join(root, 'node_modules') },
      });
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
