/**
 * The one exit-code rule of every command: 1 when something is outstanding (a FAIL; for `plan`, a
 * step to apply; for `explain`, an event not logged), else 3 when something could not be decided
 * (ERROR), else 0. Bad input (2) is decided before a command runs, by `main`.
 */
export const EXIT = { ok: 0, findings: 1, input: 2, runtime: 3 } as const;

export interface Outcome {
  /** Findings that fail, or steps still to apply. */
  readonly fail: number;
  /** Checks that could not be decided. */
  readonly error: number;
}

export function exitFor(outcome: Outcome): number {
  if (outcome.fail > 0) return EXIT.findings;
  if (outcome.error > 0) return EXIT.runtime;
  return EXIT.ok;
}

export const EXIT_HELP =
  'Exit codes: 0 compliant, 1 findings, 2 bad input (one message), 3 AWS or runtime error, or checks that could not be decided.';
