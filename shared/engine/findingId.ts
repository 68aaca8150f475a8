import { createHash } from 'node:crypto';

/** Stable: the same policy, resource and check always give the same id. */
export function findingId(policyId: string, resource: string, check: string): string {
  return createHash('sha256').update(`${policyId}\u0000${resource}\u0000${check}`).digest('hex').slice(0, 20);
}
