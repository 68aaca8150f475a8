import { TrailwardenError } from '../errors.js';

/** Base class for every error the selector engine raises on purpose (callers catch the group). */
export class SelectorEngineError extends TrailwardenError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SelectorEngineError';
  }
}

/** A selector list that is not well-formed; `path` points at the offending element. */
export class SelectorError extends SelectorEngineError {
  readonly path: string;
  readonly code: string;
  constructor(code: string, path: string, message: string) {
    super(`${path}: ${message}`);
    this.name = 'SelectorError';
    this.path = path;
    this.code = code;
  }
}

/** The policy asks to log events it also forbids; `witness` is such an event. */
export class PolicyConflictError extends SelectorEngineError {
  readonly requirePath: string;
  readonly forbidPath: string;
  readonly witness: Record<string, string>;
  constructor(requirePath: string, forbidPath: string, witness: Record<string, string>) {
    super(
      `${requirePath} requires events that ${forbidPath} forbids, for example ${JSON.stringify(witness)}; nothing was changed`,
    );
    this.name = 'PolicyConflictError';
    this.requirePath = requirePath;
    this.forbidPath = forbidPath;
    this.witness = witness;
  }
}

/** A safe merge exists in principle but cannot be written as selectors AWS accepts. */
export class MergeError extends SelectorEngineError {
  readonly problems: readonly { code: string; path: string; message: string }[];
  constructor(message: string, problems: readonly { code: string; path: string; message: string }[] = []) {
    super(message);
    this.name = 'MergeError';
    this.problems = problems;
  }
}
