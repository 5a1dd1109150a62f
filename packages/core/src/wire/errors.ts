// The error envelope of the HTTP API and the WebSocket frames, `{ "error": { "code", "message" } }`,
// both ways: a TinyQSError to JSON (the servers), JSON back to the same TinyQSError (the client).
// The code ↔ HTTP status mapping is core's one table (ERRORS in ../errors.ts); errorCodeOfStatus
// only reads it backwards for an answer that carries no envelope (a proxy's error page).
import { ERRORS, TinyQSError, type ErrorCode } from "../errors.js";

export interface ErrorJson {
  error: { code: string; message: string };
}

export function errorJson(code: string, message: string): ErrorJson {
  return { error: { code, message } };
}

export const errorToJson = (e: TinyQSError): ErrorJson => errorJson(e.code, e.message);

/**
 * The TinyQSError of an envelope (an error body, or a frame with an `error` field), or null when
 * `json` is not one with a code of the table. A missing message is the code's default one.
 */
export function errorFromJson(json: unknown): TinyQSError | null {
  const e = (json as { error?: { code?: unknown; message?: unknown } } | null)?.error;
  if (typeof e !== "object" || e === null || typeof e.code !== "string" || !Object.hasOwn(ERRORS, e.code)) return null;
  return new TinyQSError(e.code as ErrorCode, typeof e.message === "string" ? e.message : undefined);
}

/** Where two codes share a status, the one a bare status stands for: the general one. */
const GENERAL: readonly ErrorCode[] = ["BAD_ARGUMENT", "UNAVAILABLE"];

/**
 * The code of an HTTP error status that came without an envelope: the code ERRORS gives that status
 * (400 BAD_ARGUMENT rather than BAD_NAME, 503 UNAVAILABLE rather than CLOSED); any other status
 * INTERNAL from 500 up, else BAD_ARGUMENT.
 */
export function errorCodeOfStatus(status: number): ErrorCode {
  const codes = (Object.keys(ERRORS) as ErrorCode[]).filter((c) => ERRORS[c].http === status);
  return codes.find((c) => GENERAL.includes(c)) ?? codes[0] ?? (status >= 500 ? "INTERNAL" : "BAD_ARGUMENT");
}
