/**
 * What Trailwarden reads of AWS Organizations, all through one client per set of credentials
 * (`AwsClients.organizations`): the ACTIVE accounts, the tree of organizational units, and whether
 * an account is CloudTrail's delegated administrator.
 */
import {
  DescribeOrganizationCommand,
  ListParentsCommand,
  type OrganizationsClient,
  paginateListAccounts,
  paginateListChildren,
  paginateListDelegatedAdministrators,
  paginateListRoots,
} from '@aws-sdk/client-organizations';
import pLimit from 'p-limit';
import type { KnownOrganization, OrganizationSection } from '../engine/index.js';
import { translateAwsError } from './errors.js';

/** The service principal CloudTrail's delegated administrators are registered for. */
export const CLOUDTRAIL_PRINCIPAL = 'cloudtrail.amazonaws.com';

/**
 * Whether `account` is a CloudTrail delegated administrator of its organization (such an account
 * may update the management account's organization trails and event data stores). Read with
 * organizations:ListDelegatedAdministrators, which the management account and delegated
 * administrators may call, with the account's own credentials; `undefined` when it cannot be read
 * (AccessDenied for other member accounts, no organization, an endpoint without Organizations): not
 * known, so not assumed.
 */
export async function isCloudTrailDelegatedAdministrator(
  client: Pick<OrganizationsClient, 'send'>,
  account: string,
): Promise<boolean | undefined> {
  try {
    for await (const page of paginateListDelegatedAdministrators(
      { client: client as OrganizationsClient },
      { ServicePrincipal: CLOUDTRAIL_PRINCIPAL },
    )) {
      if (page.DelegatedAdministrators?.some((a) => a.Id === account)) return true;
    }
    return false;
  } catch {
    return undefined;
  }
}

/** An account of the organization, as `ListAccounts` gives it. */
export interface OrganizationAccount {
  readonly id: string;
  readonly name?: string;
  readonly state: string;
}

/**
 * The organization's ACTIVE accounts, every page of `ListAccounts` (callable from the management
 * account and from a delegated administrator). Suspended, closing and closed accounts are left out:
 * nothing can be read in them. `State` is the current field; `Status` the one it replaces.
 */
export async function listActiveAccounts(client: OrganizationsClient): Promise<OrganizationAccount[]> {
  const out: OrganizationAccount[] = [];
  try {
    for await (const page of paginateListAccounts({ client }, {})) {
      for (const a of page.Accounts ?? []) {
        const state = a.State ?? a.Status ?? 'UNKNOWN';
        if (a.Id && state === 'ACTIVE') out.push({ id: a.Id, ...(a.Name ? { name: a.Name } : {}), state });
      }
    }
  } catch (error) {
    throw translateAwsError(error, 'ListAccounts');
  }
  return out;
}

/** The organization's tree: each account's and OU's parent, from the roots down. */
export interface OrganizationTree extends KnownOrganization {
  /** Child id (account or OU) → parent id (OU or root). */
  readonly parentOf: ReadonlyMap<string, string>;
}

/**
 * Reads the organization's tree from its roots down (`ListRoots`, then `ListChildren` for OUs and
 * for accounts under every parent, each paginated): two calls per OU, whatever the number of
 * accounts, where walking up from each account (`ListParents`) would cost one call per account and
 * level. Parents are read `concurrency` at a time (Organizations' request rate is low).
 */
export async function readOrganizationTree(
  client: OrganizationsClient,
  options: { concurrency?: number } = {},
): Promise<OrganizationTree> {
  const limit = pLimit(options.concurrency ?? 4);
  let operation = 'DescribeOrganization';
  try {
    const { Organization: org } = await client.send(new DescribeOrganizationCommand({}));
    if (!org?.Id || !org.MasterAccountId) throw new Error('DescribeOrganization returned no organization');
    operation = 'ListRoots';
    const roots: string[] = [];
    for await (const page of paginateListRoots({ client }, {}))
      for (const r of page.Roots ?? []) if (r.Id) roots.push(r.Id);
    const parentOf = new Map<string, string>();
    const units = new Set<string>(roots);
    const children = async (parent: string, type: 'ORGANIZATIONAL_UNIT' | 'ACCOUNT') => {
      const ids: string[] = [];
      for await (const page of paginateListChildren({ client }, { ParentId: parent, ChildType: type }))
        for (const c of page.Children ?? []) if (c.Id) ids.push(c.Id);
      return ids;
    };
    operation = 'ListChildren';
    let level = roots;
    while (level.length > 0) {
      const next = await Promise.all(
        level.map((parent) =>
          limit(async () => {
            const [ous, accounts] = [
              await children(parent, 'ORGANIZATIONAL_UNIT'),
              await children(parent, 'ACCOUNT'),
            ];
            for (const id of [...ous, ...accounts]) parentOf.set(id, parent);
            return ous;
          }),
        ),
      );
      level = next.flat().filter((ou) => !units.has(ou));
      for (const ou of level) units.add(ou);
    }
    return { id: org.Id, managementAccount: org.MasterAccountId, units, parentOf };
  } catch (error) {
    throw translateAwsError(error, operation);
  }
}

/** The account's place in the tree, as the snapshot file records it; undefined if it is not in it. */
export function organizationSection(
  tree: OrganizationTree,
  account: string,
): OrganizationSection | undefined {
  const chain: string[] = [];
  let at = tree.parentOf.get(account);
  while (at !== undefined && chain.length <= tree.units.size) {
    chain.unshift(at);
    at = tree.parentOf.get(at);
  }
  if (chain.length === 0) return undefined;
  return { id: tree.id, managementAccount: tree.managementAccount, path: `${tree.id}/${chain.join('/')}/` };
}

/**
 * Where one account sits, for the event path, which sees one account at a time: `DescribeOrganization`
 * once (pass its result back in as `organization` to skip it), then `ListParents` from the account
 * up to the root, one call per level (at most six: the root and five levels of OUs).
 */
export async function accountSection(
  client: OrganizationsClient,
  account: string,
  organization?: { id: string; managementAccount: string },
): Promise<OrganizationSection> {
  let operation = 'DescribeOrganization';
  try {
    let org = organization;
    if (!org) {
      const { Organization: o } = await client.send(new DescribeOrganizationCommand({}));
      if (!o?.Id || !o.MasterAccountId) throw new Error('DescribeOrganization returned no organization');
      org = { id: o.Id, managementAccount: o.MasterAccountId };
    }
    operation = 'ListParents';
    const chain: string[] = [];
    let at = account;
    for (let level = 0; level < 8; level++) {
      const { Parents: parents } = await client.send(new ListParentsCommand({ ChildId: at }));
      const parent = parents?.[0];
      if (!parent?.Id) throw new Error(`ListParents returned no parent for ${at}`);
      chain.unshift(parent.Id);
      if (parent.Type === 'ROOT') return { ...org, path: `${org.id}/${chain.join('/')}/` };
      at = parent.Id;
    }
    throw new Error(`no root above ${account} within 8 levels`);
  } catch (error) {
    throw translateAwsError(error, operation);
  }
}

/**
 * Accounts' places in the organization, each read once (`accountSection`) and kept for `ttlMs`:
 * a warm function sees the same accounts again and again, and an account moved to another OU is
 * seen within that time.
 */
export function accountPlacements(
  client: OrganizationsClient,
  options: { ttlMs?: number; now?: () => number } = {},
): (account: string) => Promise<OrganizationSection> {
  const ttl = options.ttlMs ?? 15 * 60_000;
  const now = options.now ?? Date.now;
  const known = new Map<string, { at: number; section: Promise<OrganizationSection> }>();
  let organization: { id: string; managementAccount: string } | undefined;
  return (account) => {
    const cached = known.get(account);
    if (cached && now() - cached.at < ttl) return cached.section;
    const section = accountSection(client, account, organization).then((s) => {
      organization = { id: s.id, managementAccount: s.managementAccount };
      return s;
    });
    // A failure is not kept: the next event asks again.
    section.catch(() => known.delete(account));
    known.set(account, { at: now(), section });
    return section;
  };
}
