import { TrailwardenError } from '../errors.js';
/**
 * What went wrong, for callers that branch on it: data, not a class per case (nothing catches
 * these by type; `EndpointError` is the one subclass, because callers do catch it).
 */
export type AwsFailure =
  | 'not-found' // the trail or event data store does not exist (any more)
  | 'access-denied' // the caller lacks a permission
  | 'wrong-home-region' // a write sent to a Region other than the trail's home Region
  | 'not-management-account' // organization trails and stores are written only from the management account
  | 'rejected-selectors' // AWS rejected selectors our validation accepted: a gap, so the request is kept
  | 'unsupported' // the endpoint does not implement the operation (an emulator, or a Region without it)
  | 'unreachable' // no answer: see EndpointError
  | 'other';

/** An AWS call that failed, with the SDK error kept as `cause`. */
export class AwsCallError extends TrailwardenError {
  readonly kind: AwsFailure;
  readonly operation: string;
  readonly code: string;
  /** The service's own message, without the operation and code. */
  readonly detail: string;
  constructor(operation: string, code: string, message: string, cause: unknown, kind: AwsFailure = 'other') {
    super(`${operation}: ${code}: ${message}`, { cause });
    this.name = 'AwsCallError';
    this.kind = kind;
    this.operation = operation;
    this.code = code;
    this.detail = message;
  }
}

/**
 * The endpoint could not be reached or did not answer in time (connection and request timeouts are
 * set on every client). `endpoint` names it when the caller knows which.
 */
export class EndpointError extends AwsCallError {
  override name = 'EndpointError';
  endpoint: string | undefined;
  constructor(operation: string, code: string, message: string, cause: unknown) {
    super(operation, code, message, cause, 'unreachable');
  }
}

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ECONNRESET',
  'EHOSTUNREACH',
  'ENETUNREACH',
]);

const BY_CODE: Record<string, AwsFailure> = {
  TrailNotFoundException: 'not-found',
  EventDataStoreNotFoundException: 'not-found',
  AccessDeniedException: 'access-denied',
  AccessDenied: 'access-denied',
  InvalidHomeRegionException: 'wrong-home-region',
  NotOrganizationMasterAccountException: 'not-management-account',
  InvalidEventSelectorsException: 'rejected-selectors',
  UnsupportedOperationException: 'unsupported',
  OperationNotPermittedException: 'unsupported',
};

/** Turns an SDK exception into the project's own error type, keeping the cause. */
export function translateAwsError(error: unknown, operation: string, input?: unknown): AwsCallError {
  if (error instanceof AwsCallError) return error;
  const e = error as {
    name?: string;
    code?: string;
    message?: string;
    $metadata?: { httpStatusCode?: number };
  };
  let code = e?.name ?? 'Error';
  let message = e?.message ?? String(error);
  const status = e?.$metadata?.httpStatusCode;
  if (code === 'TimeoutError')
    return new EndpointError(
      operation,
      'Timeout',
      `no answer in time: ${message.replace(/^@smithy\/node-http-handler - (\[ERROR\] )?/, '')}`,
      error,
    );
  if (e?.code && NETWORK_CODES.has(e.code))
    return new EndpointError(operation, e.code, `cannot reach the endpoint (${e.code})`, error);
  // An endpoint that answers an operation with a bare 404/500 page does not implement it.
  if ((status === 404 || status === 500 || status === 501) && !(code in BY_CODE)) {
    return new AwsCallError(
      operation,
      'UnsupportedOperation',
      `the endpoint failed with HTTP ${status}; it may not support this operation`,
      error,
      'unsupported',
    );
  }
  if (code === 'InvalidEventSelectorsException')
    message = `${message}; this is a gap in Trailwarden's validation: request ${JSON.stringify(input)}`;
  const kind = BY_CODE[code] ?? 'other';
  if (kind === 'other' && code === 'Error') code = 'Unknown';
  return new AwsCallError(operation, code, message, error, kind);
}
