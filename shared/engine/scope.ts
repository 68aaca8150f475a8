import type { Policy } from '../policy/document.js';
import type { Snapshot } from './snapshot.js';

/** The organizational units (and root) an organization path names, outermost first. */
export function pathUnits(path: string): string[] {
  return path.split('/').filter((part) => part.startsWith('ou-') || part.startsWith('r-'));
}

/**
 * Whether a policy applies to the account a snapshot was read in: `select.accounts` and
 * `select.ous` both have to hold when both are given (as every other `select` key). An account
 * whose place in the organization is not known cannot be judged against `select.ous`: that is
 * said, never guessed.
 */
export function accountScope(
  select: Policy['select'],
  snapshot: Pick<Snapshot, 'account' | 'organization' | 'errors'>,
): boolean | { unknown: string } {
  if (select?.accounts && !select.accounts.includes(snapshot.account)) return false;
  if (!select?.ous) return true;
  if (!snapshot.organization) {
    const why = snapshot.errors?.find((e) => e.part.startsWith('Organizations'));
    return {
      unknown: `the organizational units of account ${snapshot.account} are not known (${why ? `Organizations could not be read: ${why.message}` : 'no organization section in the snapshot'}), so the policy's selection by organizational unit (${select.ous.join(', ')}) cannot be decided`,
    };
  }
  const units = new Set(pathUnits(snapshot.organization.path));
  return select.ous.some((ou) => units.has(ou));
}

/** The snapshot part that records a member account Trailwarden could not enter (its role). */
export const ASSUME_ROLE_PART = 'AssumeRole';

/** Why nothing of this account-Region could be read, when its member role could not be assumed. */
export function enteredAccount(
  snapshot: Pick<Snapshot, 'account' | 'region' | 'errors'>,
): string | undefined {
  const failed = snapshot.errors?.find((e) => e.part === ASSUME_ROLE_PART);
  return failed
    ? `account ${snapshot.account} could not be read in ${snapshot.region}: its role could not be assumed: ${failed.message}`
    : undefined;
}
