import type { STSClient } from '@aws-sdk/client-sts';
import pLimit from 'p-limit';
import { ASSUME_ROLE_PART, type OrganizationSection, type Snapshot } from '../engine/index.js';
import type { AwsClients } from './clients.js';
import { assumedRoleCredentials, memberRoleArn } from './credentials.js';
import { translateAwsError } from './errors.js';
import {
  type AccountReads,
  type ClientProvider,
  type LoadOptions,
  loadRegion,
  newAccountReads,
} from './loader.js';
import { isCloudTrailDelegatedAdministrator } from './organization.js';

/** One account to read: its clients, and how to enter it when it is not the caller's own. */
export interface AccountAccess {
  readonly account: string;
  readonly clients: ClientProvider;
  /** Obtains the account's credentials (assumes its member role); absent for the caller's account. */
  readonly enter?: () => Promise<unknown>;
  /** Where the account sits in the organization, when that was read. */
  readonly organization?: OrganizationSection;
  /**
   * Reads, with the account's own credentials, whether it is CloudTrail's delegated administrator
   * (recorded in its snapshots: organization trails may then be repaired from it); `undefined`
   * when that cannot be known.
   */
  readonly delegatedAdministrator?: () => Promise<boolean | undefined>;
}

/** The role Trailwarden enters member accounts with. */
export interface MemberRole {
  readonly partition: string;
  readonly roleName: string;
  /** Required by the role's trust policy when it names one (`sts:ExternalId`). */
  readonly externalId?: string;
  /** The session name member accounts' CloudTrail logs show (the loop guard reads it). */
  readonly sessionName?: string;
}

/**
 * How to enter each account: the caller's own (`own`) with its own clients, every other one through
 * its member role, assumed once per account with the credentials shared by all its clients and
 * renewed before they expire. Kept per account, so a long CLI run or a warm Lambda container
 * assumes each account's role once an hour, not once per read. With `delegatedFrom` (a Region),
 * each account also says, with its own credentials, whether it is CloudTrail's delegated
 * administrator (see `AccountAccess.delegatedAdministrator`).
 */
export function memberAccounts(
  clients: AwsClients,
  sts: STSClient,
  own: string,
  role: MemberRole,
  options: { readonly delegatedFrom?: string } = {},
): (account: string) => AccountAccess {
  const known = new Map<string, AccountAccess>();
  const region = options.delegatedFrom;
  const withRole = (account: string, its: AwsClients): AccountAccess => ({
    account,
    clients: its,
    ...(region
      ? {
          delegatedAdministrator: () =>
            isCloudTrailDelegatedAdministrator(its.organizations(region), account),
        }
      : {}),
  });
  return (account) => {
    let access = known.get(account);
    if (!access) {
      if (account === own) access = withRole(account, clients);
      else {
        const credentials = assumedRoleCredentials(sts, {
          roleArn: memberRoleArn(role.partition, account, role.roleName),
          ...(role.externalId ? { externalId: role.externalId } : {}),
          ...(role.sessionName ? { sessionName: role.sessionName } : {}),
        });
        access = { ...withRole(account, clients.inAccount(account, credentials)), enter: credentials };
      }
      known.set(account, access);
    }
    return access;
  };
}

export interface AccountsLoadOptions {
  /**
   * Account-Regions read at once, and resources read at once across all of them (default 5). One
   * bound for both keeps the load on each account-Region's CloudTrail endpoint, and on the caller,
   * what `--concurrency` says whatever the number of accounts.
   */
  concurrency?: number;
  /** Called as account-Regions are read, for a progress line. */
  onProgress?: (done: number, total: number) => void;
  /** Why the organization's structure could not be read, recorded on every snapshot. */
  organizationError?: { part: string; message: string };
  /** The reads to make in each account-Region (`readsFor(policies)`); default: all of them. */
  reads?: LoadOptions['reads'];
}

/** An account-Region nothing could be read in: the reason, for ERROR findings of every policy. */
function unreadable(account: AccountAccess, region: string, error: unknown): Snapshot {
  const e = translateAwsError(error, 'AssumeRole');
  return {
    version: 1,
    account: account.account,
    region,
    ...(account.organization ? { organization: account.organization } : {}),
    trails: [],
    eventDataStores: [],
    errors: [{ part: ASSUME_ROLE_PART, message: `${e.code}: ${e.detail}` }],
  };
}

/**
 * Reads accounts × Regions into per-account, per-Region snapshots, in the order given (accounts,
 * then Regions). Each member account is entered once, on its first Region; when that fails, every
 * Region of the account becomes a snapshot that records why, so its policies give ERROR findings,
 * and the other accounts go on. Failures inside an account are recorded on the resource as for one
 * account.
 */
export async function loadAccounts(
  accounts: readonly AccountAccess[],
  regions: readonly string[],
  options: AccountsLoadOptions = {},
): Promise<Snapshot[]> {
  const concurrency = options.concurrency ?? 5;
  const pairs = pLimit(concurrency);
  const resources = pLimit(concurrency);
  const entered = new Map<string, Promise<{ error?: unknown; delegatedAdministrator?: boolean }>>();
  // Per account: each multi-Region trail is read once, whatever the number of Regions.
  const accountReads = new Map<string, AccountReads>();
  const readsOf = (account: string) => {
    let reads = accountReads.get(account);
    if (!reads) {
      reads = newAccountReads();
      accountReads.set(account, reads);
    }
    return reads;
  };
  const enter = (a: AccountAccess) => {
    let p = entered.get(a.account);
    if (!p) {
      // Once in, the account's role in the organization is read once for all its Regions.
      const role = async () => {
        const delegated = await a.delegatedAdministrator?.();
        return delegated === undefined ? {} : { delegatedAdministrator: delegated };
      };
      p = a.enter ? a.enter().then(role, (error: unknown) => ({ error })) : role();
      entered.set(a.account, p);
    }
    return p;
  };
  let done = 0;
  const total = accounts.length * regions.length;
  const orgError = options.organizationError;
  return Promise.all(
    accounts.flatMap((a) =>
      regions.map((region) =>
        pairs(async (): Promise<Snapshot> => {
          const { error, delegatedAdministrator } = await enter(a);
          const snapshot = error
            ? unreadable(a, region, error)
            : await loadRegion(a.clients, a.account, region, {
                limit: resources,
                accountReads: readsOf(a.account),
                ...(options.reads ? { reads: options.reads } : {}),
                ...(delegatedAdministrator !== undefined ? { delegatedAdministrator } : {}),
              });
          options.onProgress?.(++done, total);
          const { version, account, trails, eventDataStores, errors } = snapshot;
          const allErrors = [...(errors ?? []), ...(orgError ? [orgError] : [])];
          return {
            version,
            account,
            region,
            ...(a.organization ? { organization: a.organization } : {}),
            ...(snapshot.delegatedAdministrator !== undefined
              ? { delegatedAdministrator: snapshot.delegatedAdministrator }
              : {}),
            trails,
            eventDataStores,
            ...(allErrors.length ? { errors: allErrors } : {}),
          };
        }),
      ),
    ),
  );
}
