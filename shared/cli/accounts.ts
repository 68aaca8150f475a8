/**
 * The CLI across accounts: `--accounts` / `--org`, the member role each account is entered with,
 * and the organization's structure when policies select by organizational unit.
 */
import { STSClient } from '@aws-sdk/client-sts';
import type { Command } from 'commander';
import { type AccountAccess, loadAccounts, memberAccounts } from '../aws/accounts.js';
import type { AwsClients } from '../aws/clients.js';
import { translateAwsError } from '../aws/errors.js';
import { callerIdentity } from '../aws/identity.js';
import { type LoadOptions, loadRegions } from '../aws/loader.js';
import {
  isCloudTrailDelegatedAdministrator,
  listActiveAccounts,
  type OrganizationTree,
  organizationSection,
  readOrganizationTree,
} from '../aws/organization.js';
import type { KnownOrganization, Snapshot } from '../engine/index.js';
import type { Policy } from '../policy/loader.js';
import { InputError } from './io.js';

export const DEFAULT_ROLE_NAME = 'TrailwardenMember';

/** The options every live command takes to read several accounts. */
export interface AccountOptions {
  accounts?: string;
  org?: boolean;
  roleName?: string;
  externalId?: string;
}

export function addAccountOptions(cmd: Command): Command {
  return cmd
    .option(
      '--accounts <ids>',
      'read these accounts (comma-separated 12-digit ids), each through its member role',
    )
    .option('--org', "read every ACTIVE account of the caller's organization (management or delegated admin)")
    .option(
      '--role-name <name>',
      `member role assumed in each account other than the caller's (default ${DEFAULT_ROLE_NAME})`,
    )
    .option('--external-id <id>', "the external id the member role's trust policy requires");
}

/** Which accounts a run reads. */
export type AccountSelection =
  | { readonly kind: 'caller' }
  | {
      readonly kind: 'accounts' | 'org';
      readonly accounts: readonly string[];
      readonly roleName: string;
      readonly externalId?: string;
    };

const ACCOUNT_ID = /^\d{12}$/;
/** IAM role names, optionally after a path (`path/Name`), as a role ARN's resource part takes them. */
const ROLE_NAME = /^([\w+=,.@-]+\/)*[\w+=,.@-]{1,64}$/;
const EXTERNAL_ID = /^[\w+=,.@:/-]{2,1224}$/;

/** Checks the account options; bad input is one InputError naming the option and what it expects. */
export function accountSelection(opts: AccountOptions): AccountSelection {
  if (opts.org && opts.accounts !== undefined)
    throw new InputError(
      'use either --org (every account of the organization) or --accounts ID,ID, not both',
    );
  if (!opts.org && opts.accounts === undefined) {
    if (opts.roleName !== undefined || opts.externalId !== undefined)
      throw new InputError(
        '--role-name and --external-id say how to enter other accounts: use them with --org or --accounts',
      );
    return { kind: 'caller' };
  }
  const roleName = opts.roleName ?? DEFAULT_ROLE_NAME;
  if (!ROLE_NAME.test(roleName))
    throw new InputError(
      `--role-name ${roleName}: expected an IAM role name (letters, digits and +=,.@_-, at most 64), optionally after a path`,
    );
  if (opts.externalId !== undefined && !EXTERNAL_ID.test(opts.externalId))
    throw new InputError('--external-id: expected 2 to 1224 characters of letters, digits and +=,.@:/_-');
  const base = { roleName, ...(opts.externalId !== undefined ? { externalId: opts.externalId } : {}) };
  if (opts.org) return { kind: 'org', accounts: [], ...base };
  const accounts = (opts.accounts ?? '')
    .split(',')
    .map((a) => a.trim())
    .filter(Boolean);
  const bad = accounts.find((a) => !ACCOUNT_ID.test(a));
  if (accounts.length === 0 || bad !== undefined)
    throw new InputError(
      `--accounts ${bad ?? opts.accounts}: expected 12-digit AWS account ids, comma-separated (e.g. 111111111111,222222222222)`,
    );
  return { kind: 'accounts', accounts: [...new Set(accounts)], ...base };
}

/** Whether the loaded policies select by organizational unit, so the organization must be read. */
export const selectsByUnit = (policies: readonly Policy[]) => policies.some((p) => p.select?.ous);

export interface LiveRead {
  readonly snapshots: Snapshot[];
  /** The organization's structure, when it was read. */
  readonly organization?: KnownOrganization;
}

export interface ReadOptions {
  concurrency: number;
  /** Read the organization's structure (for `select.ous`, or to record it in a snapshot file). */
  organization: boolean;
  onProgress?: (text: string) => void;
  /** Only the reads the loaded policies need (`readsFor`); default: all of them. */
  reads?: LoadOptions['reads'];
}

async function tryTree(
  clients: AwsClients,
  region: string,
  concurrency: number,
): Promise<{ tree?: OrganizationTree; error?: { part: string; message: string } }> {
  try {
    return {
      tree: await readOrganizationTree(clients.organizations(region), {
        concurrency: Math.min(concurrency, 4),
      }),
    };
  } catch (error) {
    const e = translateAwsError(error, 'Organizations');
    return { error: { part: 'Organizations', message: `${e.operation}: ${e.code}: ${e.detail}` } };
  }
}

/**
 * Reads live AWS: the caller's account, or the accounts of `--accounts` / `--org`, in every Region.
 * The caller's own account is read with its own credentials; every other account through its
 * member role, assumed once (its clients are kept in `clients`, for `apply` to write with).
 */
export async function readLive(
  clients: AwsClients,
  regions: readonly string[],
  opts: AccountOptions,
  options: ReadOptions,
): Promise<LiveRead> {
  const selection = accountSelection(opts);
  const home = regions[0] as string;
  const caller = await callerIdentity(clients, home);
  const { tree, error } = options.organization
    ? await tryTree(clients, home, options.concurrency)
    : { tree: undefined, error: undefined };
  const sectionOf = (account: string) => (tree ? organizationSection(tree, account) : undefined);

  // Whether organization trails and stores may be repaired from an account: each account says so
  // for itself, read with its own credentials (the caller's, or its member role's).
  const delegatedIn = (account: string, own: AwsClients) => () =>
    isCloudTrailDelegatedAdministrator(own.organizations(home), account);

  if (selection.kind === 'caller') {
    const delegated = await delegatedIn(caller.account, clients)();
    const snapshots = await loadRegions(clients, regions, {
      account: caller.account,
      concurrency: options.concurrency,
      ...(options.reads ? { reads: options.reads } : {}),
      ...(delegated !== undefined ? { delegatedAdministrator: delegated } : {}),
      ...(options.onProgress
        ? { onProgress: (n: number, total: number) => options.onProgress?.(`loading trails: ${n}/${total}`) }
        : {}),
    });
    if (!options.organization) return { snapshots };
    const organization = sectionOf(caller.account);
    return {
      snapshots: snapshots.map((s) => ({
        ...s,
        ...(organization ? { organization } : {}),
        ...(error ? { errors: [...(s.errors ?? []), error] } : {}),
      })),
      ...(tree ? { organization: tree } : {}),
    };
  }

  let ids = selection.accounts;
  if (selection.kind === 'org') {
    ids = (await listActiveAccounts(clients.organizations(home))).map((a) => a.id).sort();
  }
  const enter = memberAccounts(
    clients,
    clients.adopt(new STSClient(clients.config(home))),
    caller.account,
    {
      partition: caller.partition,
      roleName: selection.roleName,
      ...(selection.externalId ? { externalId: selection.externalId } : {}),
    },
    { delegatedFrom: home },
  );
  const access: AccountAccess[] = ids.map((account) => {
    const organization = sectionOf(account);
    return { ...enter(account), ...(organization ? { organization } : {}) };
  });
  const snapshots = await loadAccounts(access, regions, {
    concurrency: options.concurrency,
    ...(options.reads ? { reads: options.reads } : {}),
    ...(error ? { organizationError: error } : {}),
    ...(options.onProgress
      ? {
          onProgress: (n: number, total: number) =>
            options.onProgress?.(`reading ${ids.length} accounts: ${n}/${total} account-Regions`),
        }
      : {}),
  });
  return { snapshots, ...(tree ? { organization: tree } : {}) };
}
