// Turning any failure into the one error shape of the HTTP API, `{ "error": { "code", "message" } }`
// (written by @tinyqs/core/wire, which the client reads it back with), with the status taken from
// core's error table (ERRORS): there is no second table here.
import type { ErrorRequestHandler, Response } from "express";
import { ERRORS, TinyQSError, isTinyQSError } from "@tinyqs/core";
import { errorToJson } from "@tinyqs/core/wire";

/** Missing or wrong credentials: the error table's UNAUTHORIZED, with the message this API gives. */
export const UNAUTHORIZED = {
  code: "UNAUTHORIZED",
  http: ERRORS.UNAUTHORIZED.http,
  message: "valid credentials are required (Authorization: Bearer <token>, or Basic user:password)",
} as const;

/** Any thrown value as a TinyQSError: ours pass through; parser and router errors keep their 4xx meaning. */
export function asTinyQSError(err: unknown): TinyQSError {
  if (isTinyQSError(err)) return err;
  const status = (err as { status?: unknown; statusCode?: unknown } | null)?.status ?? (err as { statusCode?: unknown } | null)?.statusCode;
  const message = err instanceof Error ? err.message : String(err);
  if (status === 413) return new TinyQSError("TOO_BIG", message);
  if (typeof status === "number" && status >= 400 && status < 500) return new TinyQSError("BAD_ARGUMENT", message);
  return new TinyQSError("INTERNAL", ERRORS.INTERNAL.message, { cause: err });
}

export function sendError(res: Response, err: unknown): void {
  const e = asTinyQSError(err);
  res.status(ERRORS[e.code].http).json(errorToJson(e));
}

/** The last express middleware: every error a route throws or passes on ends here. */
export function errorHandler(log: (line: string) => void): ErrorRequestHandler {
  return (err, req, res, _next) => {
    const e = asTinyQSError(err);
    // Only bugs are worth a log line: everything else is the caller's or Redis's and is in the reply.
    if (e.code === "INTERNAL") log(`tinyqs-http: ${req.method} ${req.originalUrl}: ${(err as Error)?.stack ?? String(err)}`);
    if (res.headersSent) {
      res.destroy();
      return;
    }
    sendError(res, e);
  };
}
