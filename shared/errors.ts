/**
 * The root of every error Trailwarden raises on purpose, below every layer so that each can extend
 * it. `cause` keeps what went wrong underneath (an SDK exception, a parse error). Subclasses exist
 * only where a caller catches by type; otherwise an error says what it is in its data (e.g. the
 * `channel` of a ChannelError), not in a class of its own.
 */
export class TrailwardenError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'TrailwardenError';
  }
}
