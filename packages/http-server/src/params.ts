// Query parameters: each route names the ones it takes, so a typo (`waitms=`) is a 400, not a
// silently ignored option. Values are decimal integers; the engine checks their ranges (one place
// for the limits), this file only checks the syntax and the server's own cap on long polls.
import type { Request } from "express";
import { DEFAULTS, TinyQSError } from "@tinyqs/core";

export type Query = Record<string, number | undefined>;

/** The integer query parameters of a request, refusing unknown, repeated or non-integer ones. */
export function intQuery(req: Request, allowed: readonly string[]): Query {
  const out: Query = {};
  for (const [name, raw] of Object.entries(req.query as Record<string, unknown>)) {
    if (!allowed.includes(name)) {
      const takes = allowed.length ? `this route takes ${allowed.join(", ")}` : "this route takes none";
      throw new TinyQSError("BAD_ARGUMENT", `unknown query parameter ${JSON.stringify(name)}: ${takes}`);
    }
    if (typeof raw !== "string") throw new TinyQSError("BAD_ARGUMENT", `${name} must be given once`);
    if (!/^\d{1,15}$/.test(raw)) throw new TinyQSError("BAD_ARGUMENT", `${name} must be a non-negative integer, got ${JSON.stringify(raw)}`);
    out[name] = Number(raw);
  }
  return out;
}

/** A long poll no longer than the server allows (the engine's own ceiling is an hour). */
export function checkWait(waitMs: number | undefined, maxWaitMs: number, name = "waitMs"): number | undefined {
  if (waitMs !== undefined && waitMs > maxWaitMs) {
    throw new TinyQSError("BAD_ARGUMENT", `${name} must be an integer from 0 to ${maxWaitMs} on this server, got ${waitMs}`);
  }
  return waitMs;
}

/**
 * How long to wait for a reply: `timeoutMs` as given (up to the server's cap), or the engine's
 * default (30 s) cut to the cap, so that a caller who says nothing is not refused by a server
 * started with a shorter --max-wait-ms.
 */
export function replyTimeout(timeoutMs: number | undefined, maxWaitMs: number): number {
  return checkWait(timeoutMs, maxWaitMs, "timeoutMs") ?? Math.min(DEFAULTS.replyTimeoutMs, maxWaitMs);
}
