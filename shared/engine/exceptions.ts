/**
 * Applying exceptions to findings: pure, the clock comes in as `now`. A FAIL or ERROR finding an
 * exception in force covers becomes SUPPRESSED, with the reason and the expiry; an expired exception
 * changes nothing but the message, which says when it expired.
 */
import { coversCheck, expiryInstant, type PolicyException } from '../policy/exceptions.js';
import type { ResourceView } from '../policy/types.js';
import { parseArn } from './resources.js';
import type { Finding } from './types.js';

const glob = (pattern: string) =>
  new RegExp(
    `^${pattern
      .split('*')
      .map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*')}$`,
  );

/**
 * Is the finding inside the exception's scope? `unknown` when the scope names tags and the resource's
 * tags were not read: then it is not applied, never guessed.
 */
export function inScope(
  e: PolicyException,
  f: Pick<Finding, 'resource' | 'resourceName'>,
  resource: ResourceView | undefined,
): boolean | 'unknown' {
  if (e.resources && !e.resources.some((p) => glob(p).test(f.resource) || glob(p).test(f.resourceName)))
    return false;
  if (e.accounts) {
    const account = parseArn(f.resource)?.account;
    if (!account || !e.accounts.includes(account)) return false;
  }
  if (e.tags) {
    // An account-level finding (any/union, `trail/*`) has no tags of its own.
    if (!resource) return false;
    if (!resource.tags) return 'unknown';
    for (const [k, v] of Object.entries(e.tags)) if (resource.tags[k] !== v) return false;
  }
  return true;
}

const isInForce = (e: PolicyException, now: Date): boolean => {
  const end = expiryInstant(e);
  return end === undefined || now.getTime() < end.getTime();
};

/** The day an exception ended, as written (a date) or as a UTC date. */
const endDay = (e: PolicyException) => e.expires.slice(0, 10);

/** Findings with exceptions applied, index for index (the planner refers to findings by index). */
export function applyExceptions(
  findings: readonly Finding[],
  policies: readonly { id: string; exceptions?: readonly PolicyException[] }[],
  now: Date,
  resources: readonly ResourceView[],
): Finding[] {
  const byPolicy = new Map(policies.map((p) => [p.id, p.exceptions ?? []]));
  const byArn = new Map(resources.map((r) => [r.arn, r]));
  return findings.map((f) => {
    if (f.status !== 'FAIL' && f.status !== 'ERROR') return f;
    const covering = (byPolicy.get(f.policyId) ?? []).filter((e) => coversCheck(e, f.policyId, f.check));
    const scope = covering.map((e) => inScope(e, f, byArn.get(f.resource)));
    const candidates = covering.filter((_, i) => scope[i] === true);
    const active = candidates.find((e) => isInForce(e, now));
    if (active) {
      const { remediation: _dropped, ...rest } = f;
      return {
        ...rest,
        status: 'SUPPRESSED',
        exception: { reason: active.reason, expires: active.expires, source: active.source },
      };
    }
    const expired = candidates[0];
    const undecided = covering.find((_, i) => scope[i] === 'unknown');
    if (!expired && undecided)
      return {
        ...f,
        message: `${f.message} (the exception at ${undecided.source} is not applied: the resource's tags are not known)`,
      };
    if (!expired) return f;
    return {
      ...f,
      message: `${f.message} (the exception at ${expired.source} expired on ${endDay(expired)}: ${expired.reason})`,
      exception: { reason: expired.reason, expires: expired.expires, source: expired.source, expired: true },
    };
  });
}

/** Every distinct exception of a policy set. */
export function exceptionsOf(
  policies: readonly { exceptions?: readonly PolicyException[] }[],
): PolicyException[] {
  return [...new Set(policies.flatMap((p) => p.exceptions ?? []))];
}

const DAY = 86_400_000;

/**
 * What `validate` says about exceptions: those expired or expiring within `days`, and, given the
 * findings of a run, those whose scope matches no finding and those that suppress nothing.
 */
export function exceptionWarnings(
  exceptions: readonly PolicyException[],
  now: Date,
  run?: { findings: readonly Finding[]; resources: readonly ResourceView[] },
  days = 14,
): { source: string; message: string }[] {
  const out: { source: string; message: string }[] = [];
  const byArn = new Map((run?.resources ?? []).map((r) => [r.arn, r]));
  for (const e of exceptions) {
    const end = expiryInstant(e);
    if (end && end.getTime() <= now.getTime())
      out.push({
        source: e.source,
        message: `exception expired on ${endDay(e)}; it is ignored (${e.reason})`,
      });
    else if (end && end.getTime() - now.getTime() <= days * DAY)
      out.push({
        source: e.source,
        message: `exception expires on ${endDay(e)}, within ${days} days (${e.reason})`,
      });
    if (!run) continue;
    const covered = run.findings.filter(
      (f) => coversCheck(e, f.policyId, f.check) && inScope(e, f, byArn.get(f.resource)) !== false,
    );
    if (covered.length === 0)
      out.push({
        source: e.source,
        message: `exception matches no finding: no resource or check in its scope`,
      });
    else if (covered.every((f) => f.status === 'PASS' || f.status === 'SKIPPED'))
      out.push({
        source: e.source,
        message: `exception suppresses nothing: all ${covered.length} findings in its scope pass`,
      });
  }
  return out;
}
