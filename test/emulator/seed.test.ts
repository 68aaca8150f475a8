import {
  CloudTrailClient,
  CreateTrailCommand,
  PutEventSelectorsCommand,
  PutInsightSelectorsCommand,
  StartLoggingCommand,
} from '@aws-sdk/client-cloudtrail';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { beforeEach, describe, expect, it } from 'vitest';
import { DEMO_ACCOUNT } from '../../shared/emulator/demoAccount.js';
import { seedAccount } from '../../shared/emulator/seed.js';

const ct = mockClient(CloudTrailClient);
const s3 = mockClient(S3Client);
beforeEach(() => {
  ct.reset();
  s3.reset();
});

const SELECTORS = { EventSelectors: [{ ReadWriteType: 'All' as const, IncludeManagementEvents: true }] };

describe('seeding an emulated account', () => {
  it('creates the bucket, then each trail with its selectors, Insights and logging, in that order', async () => {
    await seedAccount('http://127.0.0.1:1', {
      bucket: 'logs',
      trails: [
        {
          name: 'a',
          region: 'us-east-1',
          options: { IsMultiRegionTrail: true },
          selectors: SELECTORS,
          insights: [{ InsightType: 'ApiErrorRateInsight' }],
          logging: true,
        },
        { name: 'b', region: 'eu-west-1', selectors: SELECTORS, logging: false },
      ],
    });
    expect(s3).toHaveReceivedCommandExactlyOnceWith(CreateBucketCommand, { Bucket: 'logs' });
    expect(ct.calls().map((c) => [c.args[0].constructor.name, c.args[0].input])).toEqual([
      ['CreateTrailCommand', { IsMultiRegionTrail: true, Name: 'a', S3BucketName: 'logs' }],
      ['PutEventSelectorsCommand', { TrailName: 'a', ...SELECTORS }],
      [
        'PutInsightSelectorsCommand',
        { TrailName: 'a', InsightSelectors: [{ InsightType: 'ApiErrorRateInsight' }] },
      ],
      ['StartLoggingCommand', { Name: 'a' }],
      ['CreateTrailCommand', { Name: 'b', S3BucketName: 'logs' }],
      ['PutEventSelectorsCommand', { TrailName: 'b', ...SELECTORS }],
    ]);
  });

  it('sends each trail’s calls to its home Region, on the emulator, with the emulator’s credentials', async () => {
    await seedAccount('http://127.0.0.1:1', DEMO_ACCOUNT);
    const regions = await Promise.all(
      ct
        .commandCalls(CreateTrailCommand)
        .map(async (c) => [c.args[0].input.Name, await (c.thisValue as CloudTrailClient).config.region()]),
    );
    expect(regions).toEqual(DEMO_ACCOUNT.trails.map((t) => [t.name, t.region]));
    const client = ct.commandCalls(CreateTrailCommand)[0]?.thisValue as CloudTrailClient;
    expect((await client.config.endpoint?.())?.hostname).toBe('127.0.0.1');
    expect(await client.config.credentials()).toMatchObject({ accessKeyId: 'testing' });
    expect(ct).toHaveReceivedCommandTimes(StartLoggingCommand, 5);
    expect(ct).toHaveReceivedCommandTimes(PutEventSelectorsCommand, 6);
    expect(ct).toHaveReceivedCommandTimes(PutInsightSelectorsCommand, 6);
  });
});
