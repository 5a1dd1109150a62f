// The one table of error codes. Each code carries its RESP error prefix (the first word of a TCP
// error reply) and its HTTP status, so the engine, both servers and the client agree on them.

export const ERRORS = {
  BAD_NAME: { http: 400, resp: "BAD_NAME", message: "queue names are 1-128 characters of A-Z a-z 0-9 _ . -" },
  BAD_ARGUMENT: { http: 400, resp: "BAD_ARGUMENT", message: "an argument is out of range or of the wrong type" },
  TOO_BIG: { http: 413, resp: "TOO_BIG", message: "the message body is larger than the queue allows" },
  /** (HTTP) a JSON route given a body that is not `Content-Type: application/json`. */
  UNSUPPORTED_MEDIA_TYPE: { http: 415, resp: "UNSUPPORTED_MEDIA_TYPE", message: "this route takes Content-Type: application/json" },
  UNAUTHORIZED: { http: 401, resp: "NOAUTH", message: "authentication is required" },
  /**
   * The user may not do this on this queue (their grants, --users), or (HTTP) a browser request
   * from an origin the server does not allow (--cors-origin). Over TCP in Redis's word, NOPERM.
   */
  FORBIDDEN: { http: 403, resp: "NOPERM", message: "this user has no permissions to do this" },
  NOT_FOUND: { http: 404, resp: "NOT_FOUND", message: "no such message, or the receipt is stale" },
  /** (HTTP) a request's headers or body did not arrive in time (too slow, or stalled). */
  REQUEST_TIMEOUT: { http: 408, resp: "REQUEST_TIMEOUT", message: "the request did not arrive in time" },
  /** A connection over a server's limits: too many from one address, or waiting to authenticate. */
  TOO_MANY_CONNECTIONS: { http: 503, resp: "TOO_MANY_CONNECTIONS", message: "too many connections" },
  TIMEOUT: { http: 504, resp: "TIMEOUT", message: "no answer came in time" },
  /** Redis reached its maxmemory (under noeviction): a write was refused, and nothing of it stored. */
  FULL: { http: 507, resp: "FULL", message: "Redis is full (maxmemory reached): nothing was stored" },
  /** Redis is set up to lose messages (an evicting maxmemory-policy) and the engine was not told to accept that. */
  MISCONFIGURED: { http: 500, resp: "MISCONFIGURED", message: "Redis's settings would lose messages" },
  UNAVAILABLE: { http: 503, resp: "UNAVAILABLE", message: "Redis cannot be reached" },
  CLOSED: { http: 503, resp: "CLOSED", message: "this tinyqs instance is closed" },
  INTERNAL: { http: 500, resp: "INTERNAL", message: "an unexpected error" },
} as const satisfies Record<string, { http: number; resp: string; message: string }>;

export type ErrorCode = keyof typeof ERRORS;

export class TinyQSError extends Error {
  override readonly name = "TinyQSError";
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string = ERRORS[code].message, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }

  /** The HTTP status for this error. */
  get httpStatus(): number {
    return ERRORS[this.code].http;
  }

  /** The RESP error line (without the leading '-'), e.g. `TOO_BIG the message body is larger…`. */
  get respError(): string {
    return `${ERRORS[this.code].resp} ${this.message}`;
  }
}

export function isTinyQSError(e: unknown): e is TinyQSError {
  return e instanceof TinyQSError;
}
