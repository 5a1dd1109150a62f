// Reading a request body with a hard limit, counting bytes as they stream in. Over the limit, the
// request is refused with TOO_BIG (413) at once: a declared Content-Length is judged before a byte
// is read, an undeclared (chunked) body when the count passes the limit. The rest is never read
// into memory, and the connection is closed after the reply so the unread rest cannot be mistaken
// for the next request.
//
// Bounds whatever the client does (issue 16): the bytes read so far count against the server's
// byte budget while the body is being read, and at the budget the bodies holding the most are read
// no further (req.pause) until there is room; a body that arrives slower than the minimum rate once
// its grace period is over is refused with REQUEST_TIMEOUT (408) and its connection closed (time
// paused for the budget does not count against the client).
import type { IncomingMessage as Request, ServerResponse as Response } from "node:http";
import { TinyQSError, type BudgetHolder, type ByteBudget } from "@tinyqs/core";

/** How a body is read: the server's budget and the minimum rate. */
export interface BodyBounds {
  budget: ByteBudget;
  /** Bytes/s on average once graceMs have passed; 0: no minimum. */
  minBytesPerSecond: number;
  graceMs: number;
}

/** How often a body's rate is judged. */
const RATE_CHECK_MS = 500;

function tooBig(res: Response, limit: number): TinyQSError {
  res.setHeader("Connection", "close");
  return new TinyQSError("TOO_BIG", `the request body is larger than ${limit} bytes, the most this server accepts here`);
}

export function readBody(req: Request, res: Response, limit: number, bounds: BodyBounds): Promise<Buffer> {
  const declared = req.headers["content-length"];
  if (declared !== undefined && Number(declared) > limit) return Promise.reject(tooBig(res, limit));
  // A client that asked "Expect: 100-continue" sends the body only now, after the size check passed.
  if (/100-continue/i.test(req.headers.expect ?? "")) res.writeContinue();
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const holder: BudgetHolder = { held: 0 };
    const { budget } = bounds;
    const started = Date.now();
    let pausedSince = 0;
    let pausedMs = 0;
    const readOn = () => {
      if (budget.mustWait(holder)) return budget.whenRelieved(readOn);
      if (pausedSince) {
        pausedMs += Date.now() - pausedSince;
        pausedSince = 0;
        req.resume();
      }
    };
    const rate = bounds.minBytesPerSecond > 0 ? setInterval(() => {
      if (pausedSince) return;
      const elapsedMs = Date.now() - started - pausedMs;
      if (elapsedMs < bounds.graceMs || size >= (bounds.minBytesPerSecond * elapsedMs) / 1000) return;
      res.setHeader("Connection", "close"); // the rest stays unread
      req.pause();
      finish(new TinyQSError("REQUEST_TIMEOUT", `the body came slower than ${bounds.minBytesPerSecond} bytes/s (${size} bytes in ${elapsedMs} ms)`));
    }, RATE_CHECK_MS) : null;
    rate?.unref();
    const finish = (err: Error | null) => {
      if (rate) clearInterval(rate);
      budget.forget(readOn);
      budget.set(holder, 0);
      req.off("data", onData);
      req.off("end", onEnd);
      req.off("error", onError);
      req.off("aborted", onAborted);
      if (err) reject(err);
      else resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size));
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.pause();
        finish(tooBig(res, limit));
      } else {
        chunks.push(chunk);
        budget.set(holder, size);
        if (budget.mustWait(holder)) {
          req.pause();
          pausedSince = Date.now();
          budget.whenRelieved(readOn);
        }
      }
    };
    const onEnd = () => finish(null);
    const onError = (err: Error) => finish(err);
    const onAborted = () => finish(new TinyQSError("BAD_ARGUMENT", "the client went away before the body was complete"));
    req.on("data", onData);
    req.on("end", onEnd);
    req.on("error", onError);
    req.on("aborted", onAborted);
  });
}

/**
 * A JSON body, only as `Content-Type: application/json` (parameters such as charset allowed): the
 * types a web page may send cross-origin without a preflight (text/plain, forms) are refused with
 * 415 before a byte is read, so a page cannot smuggle JSON in as "plain text". Bad JSON is BAD_ARGUMENT.
 */
export async function readJson(req: Request, res: Response, limit: number, bounds: BodyBounds): Promise<unknown> {
  const type = req.headers["content-type"];
  if (!/^application\/json[ \t]*(;|$)/i.test(type ?? "")) {
    res.setHeader("Connection", "close"); // the body stays unread: it must not be taken for the next request
    const got = type === undefined ? "no Content-Type" : `Content-Type ${JSON.stringify(type)}`;
    throw new TinyQSError("UNSUPPORTED_MEDIA_TYPE", `this route takes a JSON body with Content-Type: application/json, got ${got}`);
  }
  const raw = await readBody(req, res, limit, bounds);
  try {
    return JSON.parse(raw.toString("utf8"));
  } catch (e) {
    throw new TinyQSError("BAD_ARGUMENT", `the body is not valid JSON: ${(e as Error).message}`);
  }
}

/**
 * readJson for a route whose body may be left out: undefined for a request with none (no
 * Content-Length and no Transfer-Encoding, or Content-Length: 0), whatever its Content-Type.
 */
export async function readOptionalJson(req: Request, res: Response, limit: number, bounds: BodyBounds): Promise<unknown> {
  const length = req.headers["content-length"];
  if (length === "0" || (length === undefined && req.headers["transfer-encoding"] === undefined)) return undefined;
  return readJson(req, res, limit, bounds);
}
