/**
 * Seeds an emulated AWS account (moto) through the AWS SDK from a plain description of its trails:
 * one seeder for the emulated demo, the integration tests and the benchmarks.
 */
import {
  CloudTrailClient,
  CreateTrailCommand,
  type CreateTrailCommandInput,
  type InsightSelector,
  PutEventSelectorsCommand,
  type PutEventSelectorsCommandInput,
  PutInsightSelectorsCommand,
  StartLoggingCommand,
} from '@aws-sdk/client-cloudtrail';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';

/** An emulator accepts any credentials; these never leave the machine. */
export const EMULATOR_CREDENTIALS = { accessKeyId: 'testing', secretAccessKey: 'testing' } as const;

export interface SeedTrail {
  name: string;
  /** The trail's home Region. */
  region: string;
  /** CreateTrail's other parameters (multi-Region, validation, KMS, tags…). */
  options?: Omit<CreateTrailCommandInput, 'Name' | 'S3BucketName'>;
  /** Always set: moto starts a trail with no selectors, where AWS would log management events. */
  selectors: Pick<PutEventSelectorsCommandInput, 'EventSelectors' | 'AdvancedEventSelectors'>;
  /** moto answers GetInsightSelectors only for a trail that has some Insights. */
  insights?: InsightSelector[];
  /** Whether the trail is started. */
  logging: boolean;
}

export interface SeedAccount {
  /** The S3 bucket every trail delivers to, created first (in the first trail's Region). */
  bucket: string;
  trails: readonly SeedTrail[];
}

/** Credentials on the emulator; those of an assumed role act in the role's account. */
export interface EmulatorCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
}

/**
 * Creates the account's bucket and trails on the emulator at `endpoint`, in the account the
 * credentials act in (the emulator's default account unless told otherwise).
 */
export async function seedAccount(
  endpoint: string,
  account: SeedAccount,
  credentials: EmulatorCredentials = EMULATOR_CREDENTIALS,
): Promise<void> {
  const config = (region: string) => ({ region, endpoint, credentials });
  const clients = new Map<string, CloudTrailClient>();
  const cloudTrail = (region: string) => {
    let client = clients.get(region);
    if (!client) {
      client = new CloudTrailClient(config(region));
      clients.set(region, client);
    }
    return client;
  };
  const s3 = new S3Client({ ...config(account.trails[0]?.region ?? 'us-east-1'), forcePathStyle: true });
  try {
    await s3.send(new CreateBucketCommand({ Bucket: account.bucket }));
    for (const trail of account.trails) {
      const ct = cloudTrail(trail.region);
      await ct.send(
        new CreateTrailCommand({ ...trail.options, Name: trail.name, S3BucketName: account.bucket }),
      );
      await ct.send(new PutEventSelectorsCommand({ TrailName: trail.name, ...trail.selectors }));
      if (trail.insights?.length)
        await ct.send(
          new PutInsightSelectorsCommand({ TrailName: trail.name, InsightSelectors: trail.insights }),
        );
      // By name: moto answers StartLogging with a trail ARN with HTTP 500.
      if (trail.logging) await ct.send(new StartLoggingCommand({ Name: trail.name }));
    }
  } finally {
    s3.destroy();
    for (const client of clients.values()) client.destroy();
  }
}
