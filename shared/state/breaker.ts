export interface BreakerSettings {
  /** Remediations of one resource allowed within the window (default 3). */
  readonly maxRemediations: number;
  readonly windowMinutes: number;
}

export const DEFAULT_BREAKER: BreakerSettings = { maxRemediations: 3, windowMinutes: 60 };

/**
 * A resource repaired again and again is either being tampered with or fighting another tool:
 * past the limit, stop repairing and tell a person (landscape.md: remediation loops).
 */
export function breakerTripped(
  times: readonly number[],
  now: Date,
  settings: BreakerSettings = DEFAULT_BREAKER,
): boolean {
  const since = now.getTime() - settings.windowMinutes * 60_000;
  return times.filter((t) => t >= since).length >= settings.maxRemediations;
}
