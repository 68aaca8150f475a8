import { translateAwsError } from '../aws/errors.js';
import type { Snapshot } from '../engine/index.js';
import type { FlowDeps, Members } from './deps.js';

export type { Members };

/** The flow's dependencies for `account`: the same stack, acting there. */
export function inAccount(deps: FlowDeps, account: string): FlowDeps {
  const members = deps.members;
  if (!members) return deps;
  const placement = members.placement?.bind(members);
  return {
    ...deps,
    account,
    clients: account === deps.account ? deps.clients : members.access(account).clients,
    ...(placement ? { placement: () => placement(account) } : {}),
  };
}

/**
 * The snapshot with the account's place in the organization, when a policy selects by OU and the
 * stack can tell; if Organizations cannot be read the snapshot says why, and those policies give
 * ERROR findings (never a guess).
 */
export async function placed(deps: FlowDeps, snapshot: Snapshot): Promise<Snapshot> {
  if (!deps.placement || snapshot.organization || !deps.policies.some((p) => p.select?.ous)) return snapshot;
  try {
    return { ...snapshot, organization: await deps.placement() };
  } catch (error) {
    const e = translateAwsError(error, 'Organizations');
    return {
      ...snapshot,
      errors: [
        ...(snapshot.errors ?? []),
        { part: 'Organizations', message: `${e.operation}: ${e.code}: ${e.detail}` },
      ],
    };
  }
}
