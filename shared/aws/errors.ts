import { TrailwardenError } from '../errors.js';
/** An AWS call that failed, with the SDK error kept as `cause`. */
export class AwsCallError extends TrailwardenError {
  readonly operation: string;
  readonly code: string;
  /** The service's own message, without the operation and code. */
  readonly detail: string;
  constructor(operation: string, code: string, message: string, cause: unknown) {
    super(`${operation}: ${code}: ${message}`, { cause });
    this.name = 'AwsCallError';
    this.operation = operation;
    this.code = code;
    this.detail = message;
  }
}

/** The trail or event data store does not exist (any more). */
export class ResourceNotFoundError extends AwsCallError {
  override name = 'ResourceNotFoundError';
}
/** The caller lacks a permission. */
export class AccessDeniedError extends AwsCallError {
  override name = 'AccessDeniedError';
}
/** A write was sent to a Region other than the trail's home Region. */
export class InvalidHomeRegionError extends AwsCallError {
  override name = 'InvalidHomeRegionError';
}
/** Organization trails and data stores are written only from the management account. */
export class NotManagementAccountError extends AwsCallError {
  override name = 'NotManagementAccountError';
}
/** AWS rejected selectors that our validation accepted: a gap in `validate`, so the request is kept. */
export class RejectedSelectorsError extends AwsCallError {
  override name = 'RejectedSelectorsError';
}
/** The endpoint does not implement the operation (an emulator, or a Region without the feature). */
export class UnsupportedOperationError extends AwsCallError {
  override name = 'UnsupportedOperationError';
}

/**
 * The endpoint could not be reached or did not answer in time (connection and request timeouts are
 * set on every client). `endpoint` names it when the caller knows which.
 */
export class EndpointError extends AwsCallError {
  override name = 'EndpointError';
  endpoint: string | undefined;
}

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ECONNRESET',
  'EHOSTUNREACH',
  'ENETUNREACH',
]);

const BY_CODE: Record<string, typeof AwsCallError> = {
  TrailNotFoundException: ResourceNotFoundError,
  EventDataStoreNotFoundException: ResourceNotFoundError,
  AccessDeniedException: AccessDeniedError,
  AccessDenied: AccessDeniedError,
  InvalidHomeRegionException: InvalidHomeRegionError,
  NotOrganizationMasterAccountException: NotManagementAccountError,
  InvalidEventSelectorsException: RejectedSelectorsError,
  UnsupportedOperationException: UnsupportedOperationError,
  OperationNotPermittedException: UnsupportedOperationError,
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
    return new UnsupportedOperationError(
      operation,
      'UnsupportedOperation',
      `the endpoint failed with HTTP ${status}; it may not support this operation`,
      error,
    );
  }
  if (code === 'InvalidEventSelectorsException')
    message = `${message}; this is a gap in Trailwarden's validation: request ${JSON.stringify(input)}`;
  const Type = BY_CODE[code] ?? AwsCallError;
  if (Type === AwsCallError && code === 'Error') code = 'Unknown';
  return new Type(operation, code, message, error);
}
