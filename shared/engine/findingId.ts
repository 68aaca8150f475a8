import { createHash } from 'node:crypto';

/** Stable: the same policy, resource and check always give the same id. */
export function findingId(policyId: string, resource: string, check: string): string {
  return createHash('sha256').update(`${policyId}\u0000${resource}\u0000${check}`).digest('hex').slice(0, 20);
}

/** The check of a name in `select.names` that no Region has. */
export const EXISTS_CHECK = 'exists';

/**
 * The id of a named resource's existence: one id from every Region of the account (a name that is
 * an ARN is the same resource from every account), so whichever Region sees it back resolves it.
 */
export function existsFindingId(policyId: string, kind: string, account: string, name: string): string {
  return findingId(
    policyId,
    `${kind}:${name.startsWith('arn:') ? name : `${account}/${name}`}`,
    EXISTS_CHECK,
  );
}
