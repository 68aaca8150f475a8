export interface BreakerSettings {
  /** Remediations of one resource allowed within the window (default 3). */
  readonly maxRemediations: number;
  readonly windowMinutes: number;
}

export const DEFAULT_BREAKER: BreakerSettings = { maxRemediations: 3, windowMinutes: 60 };

const windowStart = (now: Date, settings: BreakerSettings) => now.getTime() - settings.windowMinutes * 60_000;

/**
 * A resource repaired again and again is either being tampered with or fighting another tool:
 * past the limit, stop repairing and tell a person (remediation loops are what users of peer tools fear most).
 */
export function breakerTripped(
  times: readonly number[],
  now: Date,
  settings: BreakerSettings = DEFAULT_BREAKER,
): boolean {
  const since = windowStart(now, settings);
  return times.filter((t) => t >= since).length >= settings.maxRemediations;
}

/**
 * The history with one more repair, keeping only what the breaker looks at: the repairs inside
 * the window (at most `maxRemediations` of them), so the record stays small however busy the
 * resource is.
 */
export function recordRepair(
  history: { readonly times: readonly number[]; readonly actors: readonly string[] },
  at: Date,
  actor: string | undefined,
  settings: BreakerSettings = DEFAULT_BREAKER,
): { times: number[]; actors: string[] } {
  const since = windowStart(at, settings);
  const entries = history.times
    .map((t, i) => ({ t, a: history.actors[i] ?? 'unknown' }))
    .filter((e) => e.t >= since)
    .concat([{ t: at.getTime(), a: actor ?? 'unknown' }])
    .slice(-settings.maxRemediations);
  return { times: entries.map((e) => e.t), actors: entries.map((e) => e.a) };
}
