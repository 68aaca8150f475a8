/**
 * An emulated organization (moto): a management account (the emulator's default account), member
 * accounts, organizational units, and credentials that act in each member account. Shared by the
 * integration tests and the organization benchmark.
 */
import {
  CreateAccountCommand,
  CreateOrganizationalUnitCommand,
  CreateOrganizationCommand,
  ListRootsCommand,
  MoveAccountCommand,
  OrganizationsClient,
} from '@aws-sdk/client-organizations';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { EMULATOR_CREDENTIALS, type EmulatorCredentials } from './seed.js';

/** The account moto's default credentials act in: the organization's management account. */
export const MANAGEMENT_ACCOUNT = '123456789012';

export interface EmulatedOrganization {
  readonly id: string;
  readonly rootId: string;
  /** OU ids by the names asked for. */
  readonly units: Readonly<Record<string, string>>;
  /** Member account ids, in the order asked for. */
  readonly members: readonly string[];
}

export interface OrganizationSpec {
  /** Member accounts to create, each optionally in an OU (by name; OUs are made under the root). */
  readonly members: readonly { readonly name: string; readonly unit?: string }[];
}

/** Creates the organization, its OUs and member accounts on the emulator at `endpoint`. */
export async function createOrganization(
  endpoint: string,
  spec: OrganizationSpec,
  region = 'us-east-1',
): Promise<EmulatedOrganization> {
  const org = new OrganizationsClient({ region, endpoint, credentials: EMULATOR_CREDENTIALS });
  try {
    const created = await org.send(new CreateOrganizationCommand({ FeatureSet: 'ALL' }));
    const rootId = (await org.send(new ListRootsCommand({}))).Roots?.[0]?.Id as string;
    const units: Record<string, string> = {};
    for (const name of new Set(spec.members.flatMap((m) => (m.unit ? [m.unit] : [])))) {
      const ou = await org.send(new CreateOrganizationalUnitCommand({ ParentId: rootId, Name: name }));
      units[name] = ou.OrganizationalUnit?.Id as string;
    }
    const members: string[] = [];
    for (const [i, m] of spec.members.entries()) {
      const r = await org.send(
        new CreateAccountCommand({ AccountName: m.name, Email: `member-${i}@example.com` }),
      );
      const id = r.CreateAccountStatus?.AccountId as string;
      members.push(id);
      if (m.unit)
        await org.send(
          new MoveAccountCommand({
            AccountId: id,
            SourceParentId: rootId,
            DestinationParentId: units[m.unit] as string,
          }),
        );
    }
    return { id: created.Organization?.Id as string, rootId, units, members };
  } finally {
    org.destroy();
  }
}

/**
 * Credentials that act in `account`: on the emulator, an assumed role's credentials belong to the
 * role's account. Used to seed member accounts and to check them independently of Trailwarden.
 */
export async function credentialsIn(
  endpoint: string,
  account: string,
  roleName = 'OrganizationAccountAccessRole',
  region = 'us-east-1',
): Promise<EmulatorCredentials> {
  const sts = new STSClient({ region, endpoint, credentials: EMULATOR_CREDENTIALS });
  try {
    const { Credentials: c } = await sts.send(
      new AssumeRoleCommand({
        RoleArn: `arn:aws:iam::${account}:role/${roleName}`,
        RoleSessionName: 'emulator-seed',
      }),
    );
    return {
      accessKeyId: c?.AccessKeyId as string,
      secretAccessKey: c?.SecretAccessKey as string,
      sessionToken: c?.SessionToken as string,
    };
  } finally {
    sts.destroy();
  }
}
