import { type OrganizationsClient, paginateListDelegatedAdministrators } from '@aws-sdk/client-organizations';
import type { AwsClients } from './clients.js';

/** The service principal CloudTrail's delegated administrators are registered for. */
export const CLOUDTRAIL_PRINCIPAL = 'cloudtrail.amazonaws.com';

/**
 * Whether `account` is a CloudTrail delegated administrator of its organization (such an account
 * may update the management account's organization trails and event data stores). Read with
 * organizations:ListDelegatedAdministrators, which the management account and delegated
 * administrators may call; `undefined` when it cannot be read (AccessDenied for other member
 * accounts, no organization, an endpoint without Organizations): not known, so not assumed.
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

/** Reads the caller's role with a client built from the run's settings (Region, profile, endpoint, timeouts). */
export async function delegatedAdministrator(
  clients: AwsClients,
  account: string,
  region: string,
): Promise<boolean | undefined> {
  const client = clients.organizations(region);
  return isCloudTrailDelegatedAdministrator(client, account);
}
