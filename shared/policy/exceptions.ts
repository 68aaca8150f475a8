/**
 * Exceptions (`exceptions:` in a policy file): accepted risks, each with a scope, the checks it covers,
 * a reason and an expiry. Parsed here, attached to the policies they cover when files are combined, so
 * they travel wherever policies go (CLI, Lambda, apply's read-back); applied by the engine.
 */
import { z } from 'zod';
import { closest } from '../selectors/suggest.js';
import { CHECKS } from './registry.js';

const DATE = /^(never|\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2}))?)$/;

/** A calendar date (the exception ends at 00:00 UTC that day), an ISO 8601 time with an offset, or never. */
const Expiry = z
  .string()
  .regex(DATE, 'expected a date such as 2026-06-30 (or an ISO 8601 time with an offset), or never')
  .refine((s) => s === 'never' || !Number.isNaN(Date.parse(s)), 'not a real date');

// YAML reads an unquoted id as a number and drops leading zeros, so the digits are checked as text.
const AccountId = z
  .union([z.string(), z.number()])
  .transform(String)
  .pipe(z.string().regex(/^\d{12}$/, 'expected a 12-digit AWS account id, in quotes (e.g. "012345678901")'));

export const ExceptionSchema = z
  .strictObject({
    resources: z
      .array(z.string().min(1))
      .min(1)
      .optional()
      .describe('Trail or event data store names or ARNs; * matches any run of characters'),
    accounts: z.array(AccountId).min(1).optional().describe('AWS account ids'),
    tags: z
      .record(z.string(), z.string())
      .optional()
      .describe('Tags the resource must carry (key: value), all of them'),
    checks: z
      .array(z.string().min(1))
      .min(1)
      .optional()
      .describe('Policy ids, check names (logFileValidation) or policy/check; default: every check'),
    reason: z.string().trim().min(1, 'a reason is required').describe('Why the risk is accepted'),
    expires: Expiry.describe('A date such as 2026-06-30 (in force until 00:00 UTC that day), or never'),
  })
  .refine((e) => e.resources || e.accounts || e.tags, {
    message: 'an exception needs a scope: resources, accounts or tags',
  });

export interface PolicyException {
  readonly resources?: readonly string[];
  readonly accounts?: readonly string[];
  readonly tags?: Readonly<Record<string, string>>;
  readonly checks?: readonly string[];
  readonly reason: string;
  /** `never`, or the date/time as written. */
  readonly expires: string;
  /** Where it is written, `file:line`, to name it in findings and warnings. */
  readonly source: string;
}

/** The instant an exception stops applying, or undefined for `never`. */
export function expiryInstant(e: Pick<PolicyException, 'expires'>): Date | undefined {
  if (e.expires === 'never') return undefined;
  return new Date(/^\d{4}-\d{2}-\d{2}$/.test(e.expires) ? `${e.expires}T00:00:00Z` : e.expires);
}

const CHECK_NAMES = new Set([...CHECKS.map((c) => c.check), 'select', 'load']);

/** Does this `checks` entry name this policy or one of its checks? */
function entryCovers(entry: string, policyId: string, check: string): boolean {
  if (entry === policyId) return true;
  const slash = entry.indexOf('/');
  if (slash >= 0) return entry.slice(0, slash) === policyId && entry.slice(slash + 1) === check;
  return entry === check;
}

/** Does the exception cover this policy's finding on `check` (a comma-joined list for any/union findings)? */
export function coversCheck(e: PolicyException, policyId: string, check: string): boolean {
  if (!e.checks) return true;
  // An any/union finding names several checks: it is covered only when each of them is.
  return check.split(',').every((c) => e.checks?.some((entry) => entryCovers(entry, policyId, c)));
}

/** Problems with `checks` entries that name no loaded policy and no known check, with a hint. */
export function unknownCheckEntries(
  e: PolicyException,
  policies: readonly { id: string }[],
): { entry: string; index: number; message: string }[] {
  const ids = policies.map((p) => p.id);
  return (e.checks ?? []).flatMap((entry, index) => {
    const slash = entry.indexOf('/');
    const policy = slash >= 0 ? entry.slice(0, slash) : entry;
    const check = slash >= 0 ? entry.slice(slash + 1) : undefined;
    if (check !== undefined) {
      if (!ids.includes(policy)) {
        const hint = closest(policy, ids);
        return [
          {
            entry,
            index,
            message: `policy "${policy}" is not loaded${hint ? `; did you mean "${hint}"?` : ''}`,
          },
        ];
      }
      if (!CHECK_NAMES.has(check)) {
        const hint = closest(check, [...CHECK_NAMES]);
        return [
          { entry, index, message: `unknown check "${check}"${hint ? `; did you mean "${hint}"?` : ''}` },
        ];
      }
      return [];
    }
    if (ids.includes(entry) || CHECK_NAMES.has(entry)) return [];
    const hint = closest(entry, [...ids, ...CHECK_NAMES]);
    return [
      {
        entry,
        index,
        message: `"${entry}" is neither a loaded policy id nor a check name${hint ? `; did you mean "${hint}"?` : ''}`,
      },
    ];
  });
}

/** The exceptions that may suppress findings of this policy. */
export function exceptionsFor(
  policy: { id: string; checks: readonly { definition: { check: string } }[] },
  exceptions: readonly PolicyException[],
): PolicyException[] {
  const names = ['select', 'load', ...policy.checks.map((c) => c.definition.check)];
  return exceptions.filter(
    (e) => !e.checks || e.checks.some((entry) => names.some((n) => entryCovers(entry, policy.id, n))),
  );
}
