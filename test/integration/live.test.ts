import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import {
  CreateTrailCommand,
  DeleteTrailCommand,
  GetEventSelectorsCommand,
  GetInsightSelectorsCommand,
  GetTrailStatusCommand,
  PutEventSelectorsCommand,
  StopLoggingCommand,
} from '@aws-sdk/client-cloudtrail';
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { CreateTopicCommand, SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import {
  CreateQueueCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import { onTrailChange, type RemediationRequest, remediate } from '../../shared/app/flows.js';
import { notificationStore } from '../../shared/app/store.js';
import { applyAndVerify } from '../../shared/aws/apply.js';
import { AwsClients } from '../../shared/aws/clients.js';
import { loadRegions } from '../../shared/aws/loader.js';
import { CallCounter, isWrite } from '../../shared/emulator/callCounter.js';
import { resetMoto } from '../../shared/emulator/moto.js';
import { evaluate, findingId } from '../../shared/engine/index.js';
import { publishToSns } from '../../shared/notify/sns.js';
import { parsePolicyFiles } from '../../shared/policy/loader.js';
import { asAdvanced, covers, type SelectorConfig } from '../../shared/selectors/index.js';
import { type FaultProxy, startFaultProxy } from './proxy.js';
import { AWS_ENV, INTEGRATION_POLICIES, motoFlowDeps, REGION, sdk, seedDriftedAccount } from './seed.js';

const root = join(import.meta.dirname, '..', '..');
const endpoint = inject('motoEndpoint');
const work = mkdtempSync(join(tmpdir(), 'trailwarden-it-'));
const policyFile = join(work, 'policies.yaml');
writeFileSync(policyFile, INTEGRATION_POLICIES);
const { policies } = parsePolicyFiles([{ file: policyFile, text: INTEGRATION_POLICIES }]);
const arn = (name: string) => `arn:aws:cloudtrail:${REGION}:123456789012:trail/${name}`;

async function cli(args: string[], url = endpoint) {
  const policyArgs = args[0] === 'snapshot' ? [] : ['--policies', policyFile];
  try {
    const { stdout, stderr } = await promisify(execFile)(
      process.execPath,
      [join(root, 'bin', 'trailwarden.mjs'), ...args, '--endpoint-url', url, ...policyArgs],
      { cwd: root, env: { ...process.env, ...AWS_ENV, NO_COLOR: '1' } },
    );
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

const selectorsOf = async (name: string): Promise<SelectorConfig> => {
  const r = await sdk(endpoint).ct.send(new GetEventSelectorsCommand({ TrailName: name }));
  // moto answers with both lists, one empty; AWS answers with the one in use.
  return r.AdvancedEventSelectors?.length
    ? { AdvancedEventSelectors: r.AdvancedEventSelectors as never }
    : { EventSelectors: (r.EventSelectors ?? []) as never };
};

beforeEach(async () => {
  await resetMoto(endpoint);
  await seedDriftedAccount(endpoint);
});

describe('live AWS against moto, through the real CLI', () => {
  it('check finds the drift, plan shows the repairs', async () => {
    const check = await cli(['check', '--region', REGION, '--format', 'json']);
    expect(check.code).toBe(1);
    const findings = JSON.parse(check.stdout).findings as {
      policyId: string;
      resourceName: string;
      check: string;
      status: string;
    }[];
    const failing = findings
      .filter((f) => f.status === 'FAIL')
      .map((f) => `${f.policyId} ${f.resourceName} ${f.check}`);
    expect(failing).toEqual(
      expect.arrayContaining([
        'security-trail security-trail logFileValidation',
        'security-trail security-trail logEvents',
        'security-trail security-trail insights',
        'everything-logging stopped-trail logging',
      ]),
    );
    // The data trail's NotEquals "arn:aws:s3:::acme-payroll/" excludes no object: payroll writes are logged.
    expect(findings.find((f) => f.policyId === 'payroll-writes')?.status).toBe('PASS');
    const plan = await cli(['plan', '--region', REGION, '--format', 'json']);
    const ops = (JSON.parse(plan.stdout).plan as { resource: string; operation: string }[]).map(
      (s) => `${s.resource.split('/').pop()} ${s.operation}`,
    );
    expect(ops).toEqual(
      expect.arrayContaining([
        'security-trail UpdateTrail',
        'security-trail PutEventSelectors',
        'security-trail PutInsightSelectors',
        'stopped-trail StartLogging',
      ]),
    );
  });

  it('apply repairs, verifies by reading back, keeps what was logged, and a second apply plans nothing', async () => {
    const before = {
      security: asAdvanced(await selectorsOf('security-trail')),
      data: asAdvanced(await selectorsOf('data-trail')),
    };
    const apply = await cli(['apply', '--region', REGION, '--yes', '--format', 'json']);
    const out = JSON.parse(apply.stdout);
    expect(out.steps.every((s: { status: string }) => s.status === 'ok')).toBe(true);
    expect(out.summary.error).toBe(0);
    expect(out.summary.remediated).toBeGreaterThanOrEqual(4);
    expect(apply.code).toBe(0);

    // The state in moto: required coverage present, everything logged before still logged.
    const { ct } = sdk(endpoint);
    const security = asAdvanced(await selectorsOf('security-trail'));
    expect(
      covers(security, [{ FieldSelectors: [{ Field: 'eventCategory', Equals: ['Management'] }] }]).covered,
    ).toBe(true);
    expect(covers(security, before.security).covered).toBe(true);
    expect(covers(asAdvanced(await selectorsOf('data-trail')), before.data).covered).toBe(true);
    expect((await ct.send(new GetTrailStatusCommand({ Name: 'stopped-trail' }))).IsLogging).toBe(true);
    const insights =
      (await ct.send(new GetInsightSelectorsCommand({ TrailName: 'security-trail' }))).InsightSelectors ?? [];
    expect(insights.map((i) => i.InsightType)).toEqual(
      expect.arrayContaining(['ApiCallRateInsight', 'ApiErrorRateInsight']),
    );

    const again = await cli(['plan', '--region', REGION, '--format', 'json']);
    expect(JSON.parse(again.stdout).plan).toEqual([]);
    expect(again.code).toBe(0);
  });

  it('apply refuses without a terminal and without --yes', async () => {
    const r = await cli(['apply', '--region', REGION]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('apply needs confirmation');
    expect(
      JSON.parse((await cli(['plan', '--region', REGION, '--format', 'json'])).stdout).plan.length,
    ).toBeGreaterThan(0);
  });

  it('snapshot writes the contract file, and check reads it back with identical results', async () => {
    const file = join(work, 'snap.json');
    expect((await cli(['snapshot', '--region', REGION, '--out', file])).code).toBe(0);
    const snapshot = JSON.parse(readFileSync(file, 'utf8'));
    expect(snapshot).toMatchObject({ version: 1, account: '123456789012', region: REGION });
    expect(snapshot.trails.map((t: { trail: { Name: string } }) => t.trail.Name).sort()).toEqual([
      'data-trail',
      'security-trail',
      'stopped-trail',
    ]);
    const live = JSON.parse((await cli(['check', '--region', REGION, '--format', 'json'])).stdout).findings;
    const fromFile = await promisify(execFile)(
      process.execPath,
      [
        join(root, 'bin', 'trailwarden.mjs'),
        'check',
        '--snapshot',
        file,
        '--policies',
        policyFile,
        '--format',
        'json',
      ],
      { cwd: root },
    ).catch((e: { stdout: string }) => e);
    expect(JSON.parse(fromFile.stdout).findings).toEqual(live);
  });
});

describe('live AWS against moto: costs and faults', () => {
  let proxy: FaultProxy;
  beforeAll(async () => {
    proxy = await startFaultProxy(endpoint);
  });
  afterAll(async () => {
    await proxy.close();
  });

  it('a sweep with no drift makes at most 5 read calls per trail and no write', async () => {
    const counter = new CallCounter();
    const clients = new AwsClients({ endpoint }, counter);
    const [snapshot] = await loadRegions(clients, [REGION], { account: '123456789012' });
    const trails = snapshot?.trails.length ?? 0;
    const perTrail =
      counter.total(
        (op) => !isWrite(op) && !['DescribeTrails', 'ListEventDataStores', 'GetCallerIdentity'].includes(op),
      ) / trails;
    expect(perTrail).toBeLessThanOrEqual(5);
    expect(counter.total(isWrite)).toBe(0);
    clients.destroy();
  });

  it('throttling on half of all calls: the run completes through retries', async () => {
    // Adaptive retry slows the client down after throttling (by design), so keep this account small.
    await resetMoto(endpoint);
    const { ct, s3 } = sdk(endpoint);
    await s3.send(new CreateBucketCommand({ Bucket: 'small-logs' }));
    await ct.send(new CreateTrailCommand({ Name: 'only-trail', S3BucketName: 'small-logs' }));
    await ct.send(
      new PutEventSelectorsCommand({ TrailName: 'only-trail', EventSelectors: [{ ReadWriteType: 'All' }] }),
    );
    // Every distinct request is throttled once and succeeds when retried: half of all calls fail.
    const throttled = new Set<string>();
    let n = 0;
    proxy.fault = (operation, body) => {
      const key = `${operation} ${body}`;
      if (throttled.has(key)) return undefined;
      throttled.add(key);
      n++;
      return { status: 400, type: 'ThrottlingException', message: 'Rate exceeded' };
    };
    const r = await cli(['check', '--region', REGION, '--format', 'json'], proxy.endpoint);
    proxy.fault = undefined;
    const out = JSON.parse(r.stdout);
    expect(
      out.findings.find(
        (f: { resourceName: string; check: string }) =>
          f.resourceName === 'only-trail' && f.check === 'logging',
      )?.status,
    ).toBe('FAIL');
    // Throttled calls were retried; what remains ERROR is only what moto does not implement.
    expect(
      out.findings.filter(
        (f: { status: string; message: string }) => f.status === 'ERROR' && !/HTTP 500/.test(f.message),
      ),
    ).toEqual([]);
    expect(n).toBeGreaterThanOrEqual(6);
  });

  it('AccessDenied on one trail: that trail is an ERROR, the others are evaluated and repaired', async () => {
    proxy.fault = (operation, body) =>
      operation === 'GetEventSelectors' && body.includes('data-trail')
        ? { status: 400, type: 'AccessDeniedException', message: 'not allowed on data-trail' }
        : undefined;
    const r = await cli(['apply', '--region', REGION, '--yes', '--format', 'json'], proxy.endpoint);
    proxy.fault = undefined;
    const out = JSON.parse(r.stdout);
    const data = out.findings.filter(
      (f: { resourceName: string; check: string }) => f.resourceName === 'payroll' || f.check === 'logEvents',
    );
    expect(data.length).toBeGreaterThan(0);
    const union = out.findings.find((f: { policyId: string }) => f.policyId === 'payroll-writes');
    expect(union.status).toBe('ERROR');
    expect(union.message).toContain('AccessDeniedException');
    const security = out.findings.filter(
      (f: { resourceName: string; status: string }) =>
        f.resourceName === 'security-trail' && f.status === 'REMEDIATED',
    );
    expect(security.length).toBeGreaterThanOrEqual(3);
    expect(r.code).toBe(3);
  });

  it('a trail deleted between plan and apply: an ERROR finding, no crash', async () => {
    const clients = new AwsClients({ endpoint });
    const [snapshot] = await loadRegions(clients, [REGION], { account: '123456789012' });
    if (!snapshot) throw new Error('no snapshot');
    const before = evaluate(snapshot, policies, new Date(0));
    expect(before.plan.some((s) => s.resource === arn('stopped-trail'))).toBe(true);
    await sdk(endpoint).ct.send(new DeleteTrailCommand({ Name: 'stopped-trail' }));
    const outcome = await applyAndVerify(clients, snapshot, policies, before, { now: new Date(0) });
    const stopped = outcome.findings.find(
      (f) => f.resource === arn('stopped-trail') && f.check === 'logging',
    );
    expect(stopped?.status).toBe('ERROR');
    // AWS answers TrailNotFoundException; moto answers HTTP 500. Either way: an ERROR naming the step.
    expect(stopped?.message).toMatch(/^StartLogging failed: StartLogging: /);
    expect(outcome.findings.filter((f) => f.status === 'REMEDIATED').length).toBeGreaterThan(0);
    clients.destroy();
  });
});

describe('the Lambda flows end to end against moto (DynamoDB state, SNS → SQS)', () => {
  const ROLE = 'arn:aws:iam::123456789012:role/trailwarden-remediate';
  const stopLoggingEvent = JSON.parse(
    readFileSync(join(root, 'test', 'events', 'fixtures', 'StopLogging.json'), 'utf8'),
  );
  const event = {
    ...stopLoggingEvent,
    account: '123456789012',
    detail: {
      ...stopLoggingEvent.detail,
      requestParameters: { name: 'security-trail' },
      recipientAccountId: '123456789012',
    },
  };

  async function setup() {
    const sns = new SNSClient({ region: REGION, endpoint });
    const sqs = new SQSClient({ region: REGION, endpoint });
    const topic = (await sns.send(new CreateTopicCommand({ Name: 'trailwarden' }))).TopicArn as string;
    const queueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: 'inbox' }))).QueueUrl as string;
    const queueArn = (
      await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }))
    ).Attributes?.QueueArn;
    await sns.send(new SubscribeCommand({ TopicArn: topic, Protocol: 'sqs', Endpoint: queueArn }));
    const { deps, requests, ddb } = await motoFlowDeps(endpoint, {
      policies: policies.filter((p) => p.id !== 'payroll-writes'),
      channels: [
        {
          name: 'sns',
          send: async (ns) => void (await Promise.all(ns.map((n) => publishToSns(sns, topic, n)))),
        },
      ],
      remediationRoleArn: ROLE,
    });
    const inbox = async () => {
      const out: { transition: string; finding: { check: string; status: string }; actors?: string[] }[] = [];
      for (;;) {
        const r = await sqs.send(
          new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }),
        );
        if (!r.Messages?.length) return out;
        for (const m of r.Messages) {
          out.push(JSON.parse(JSON.parse(m.Body ?? '{}').Message));
          await sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: m.ReceiptHandle }));
        }
      }
    };
    return { deps, requests, inbox, ddb };
  }

  it('StopLogging is answered with StartLogging, verified, stored, notified once', async () => {
    const { deps, requests, inbox, ddb } = await setup();
    const { ct } = sdk(endpoint);
    await ct.send(new StopLoggingCommand({ Name: 'security-trail' }));

    const first = await onTrailChange(event, deps);
    expect(first).toMatchObject({ outcome: 'evaluated', remediation: 'requested' });
    expect(requests[0]).toMatchObject({ resource: arn('security-trail'), region: REGION });
    expect(requests[0]?.steps.map((s) => s.operation)).toContain('StartLogging');
    const opened = await inbox();
    expect(opened.map((m) => `${m.transition} ${m.finding.check}`)).toContain('opened logging');

    // A replayed event: no second notification.
    await onTrailChange(event, deps);
    expect((await inbox()).filter((m) => m.finding.check === 'logging')).toEqual([]);

    const result = await remediate(requests[0] as RemediationRequest, deps);
    expect(result).toMatchObject({ outcome: 'applied', failed: 0 });
    expect((await ct.send(new GetTrailStatusCommand({ Name: 'security-trail' }))).IsLogging).toBe(true);
    expect((await inbox()).map((m) => `${m.transition} ${m.finding.check}`)).toContain('remediated logging');
    const stored = await notificationStore(ddb, 'findings').load({
      account: '123456789012',
      resource: arn('security-trail'),
    });
    expect(stored.findings.get(findingId('security-trail', arn('security-trail'), 'logging'))?.status).toBe(
      'REMEDIATED',
    );

    // Trailwarden's own StartLogging comes back as an event: the loop guard skips it.
    const own = {
      ...event,
      detail: {
        ...event.detail,
        userIdentity: { ...event.detail.userIdentity, sessionContext: { sessionIssuer: { arn: ROLE } } },
      },
    };
    expect(await onTrailChange(own, deps)).toMatchObject({ outcome: 'skipped' });
  });

  it('the circuit breaker trips on repeated drift and names who made the changes', async () => {
    const { deps, requests, inbox } = await setup();
    const { ct } = sdk(endpoint);
    // Each StopLogging is its own CloudTrail event, with its own EventBridge id.
    const stopped = (i: number) => ({ ...event, id: `stop-${i}` });
    for (let i = 0; i < 3; i++) {
      await ct.send(new StopLoggingCommand({ Name: 'security-trail' }));
      await onTrailChange(stopped(i), deps);
      await remediate(requests.at(-1) as RemediationRequest, deps);
    }
    await ct.send(new StopLoggingCommand({ Name: 'security-trail' }));
    expect(await onTrailChange(stopped(3), deps)).toMatchObject({ remediation: 'breaker' });
    expect(requests).toHaveLength(3);
    const alert = (await inbox()).find((m) => m.transition === 'possible-tampering');
    expect(alert?.actors).toContain('arn:aws:iam::111122223333:role/Admin');
  });
});
