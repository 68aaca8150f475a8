import { AssumeRoleCommand, type STSClient } from '@aws-sdk/client-sts';
import type { CredentialProvider } from './clients.js';
import { type AwsCallError, translateAwsError } from './errors.js';

/** The name Trailwarden's sessions carry in member accounts' CloudTrail logs. */
export const SESSION_NAME = 'trailwarden';
/** The session name of the central stack's repairs: the loop guard knows its writes by it. */
export const REMEDIATE_SESSION_NAME = 'trailwarden-remediate';
/** The member template's roles (stack/member.yml) the central stack enters member accounts with. */
export const READER_ROLE_NAME = 'TrailwardenReader';
export const REMEDIATOR_ROLE_NAME = 'TrailwardenRemediator';
/** One hour: the longest session a chained role may have, and enough for a sweep of one account. */
export const SESSION_SECONDS = 3600;
/**
 * Credentials are renewed this long before they expire: the SDK's clients ask again from the same
 * margin (five minutes), so a long run never signs with credentials about to lapse.
 */
export const REFRESH_MARGIN_MS = 5 * 60_000;

/** `arn:<partition>:iam::<account>:role/<name>`: the member role in each account. */
export function memberRoleArn(partition: string, account: string, roleName: string): string {
  return `arn:${partition}:iam::${account}:role/${roleName}`;
}

export interface AssumeRoleOptions {
  readonly roleArn: string;
  /** Required by the role's trust policy when it names one (`sts:ExternalId`). */
  readonly externalId?: string;
  readonly sessionName?: string;
  readonly durationSeconds?: number;
  /** The clock (milliseconds), injected so that tests can move it. */
  readonly now?: () => number;
}

/**
 * Credentials of a member role, assumed once and shared by every client of the account (one
 * AssumeRole per account, not per Regional client as the SDK's own provider would do), renewed
 * before they expire. Concurrent callers wait for the same request. A failure is an `AwsCallError`
 * of `AssumeRole` naming the role, and the next call tries again.
 */
export function assumedRoleCredentials(sts: STSClient, options: AssumeRoleOptions): CredentialProvider {
  const now = options.now ?? Date.now;
  let current: Awaited<ReturnType<CredentialProvider>> | undefined;
  let pending: Promise<Awaited<ReturnType<CredentialProvider>>> | undefined;
  const fresh = () =>
    current?.expiration !== undefined && current.expiration.getTime() - now() > REFRESH_MARGIN_MS;
  const assume = async () => {
    try {
      const { Credentials: c } = await sts.send(
        new AssumeRoleCommand({
          RoleArn: options.roleArn,
          RoleSessionName: options.sessionName ?? SESSION_NAME,
          DurationSeconds: options.durationSeconds ?? SESSION_SECONDS,
          ...(options.externalId ? { ExternalId: options.externalId } : {}),
        }),
      );
      if (!c?.AccessKeyId || !c.SecretAccessKey)
        throw new Error(`STS returned no credentials for ${options.roleArn}`);
      current = {
        accessKeyId: c.AccessKeyId,
        secretAccessKey: c.SecretAccessKey,
        ...(c.SessionToken ? { sessionToken: c.SessionToken } : {}),
        // Without an expiry (never from STS), renew after the session length asked for.
        expiration: c.Expiration ?? new Date(now() + (options.durationSeconds ?? SESSION_SECONDS) * 1000),
      };
      return current;
    } catch (error) {
      const e = translateAwsError(error, 'AssumeRole');
      const Type = e.constructor as typeof AwsCallError;
      throw new Type('AssumeRole', e.code, `${e.detail} (role ${options.roleArn})`, error, e.kind);
    }
  };
  return async () => {
    if (current && fresh()) return current;
    pending ??= assume().finally(() => {
      pending = undefined;
    });
    return pending;
  };
}
