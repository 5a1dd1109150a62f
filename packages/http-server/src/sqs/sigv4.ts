// Checking AWS Signature Version 4 (with --sqs-credentials): the Authorization header form and
// the query-string (presigned URL) form, as the AWS SDKs compute them for a service like SQS:
//   canonical request = method, path (normalized, URI-encoded twice), sorted query, the signed
//                       headers (lowercase, values trimmed), their names, the payload's SHA-256
//   string to sign    = AWS4-HMAC-SHA256, the date, the scope (date/region/service/aws4_request),
//                       SHA-256 of the canonical request
//   signature         = HMAC-SHA256 of it with the key derived from the secret along the scope
// The region and service are taken from the request's own scope (an SDK configured for any region
// works). A signed date more than 15 minutes from the server's clock is refused.
import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import type { IncomingMessage } from "node:http";
import { SqsError } from "./errors.js";

export type Credentials = ReadonlyMap<string, string>;

/** "AK:SECRET[,AK2:SECRET2…]" → access key → secret. */
export function parseCredentials(text: string): Credentials {
  const map = new Map<string, string>();
  for (const pair of text.split(",")) {
    const at = pair.indexOf(":");
    if (at <= 0 || at === pair.length - 1) throw new RangeError(`SQS credentials are ACCESS_KEY:SECRET (several separated by commas), got ${JSON.stringify(pair.slice(0, 20))}`);
    map.set(pair.slice(0, at).trim(), pair.slice(at + 1).trim());
  }
  return map;
}

const MAX_SKEW_MS = 15 * 60_000;
const ALGORITHM = "AWS4-HMAC-SHA256";

interface Signed {
  accessKey: string;
  scope: string[]; // date, region, service, "aws4_request"
  longDate: string;
  signedHeaders: string[];
  signature: string;
  presigned: boolean;
  expiresSeconds?: number;
}

/** Throws InvalidClientTokenId / SignatureDoesNotMatch unless the request is signed with one of `credentials`. */
export function verifySignature(req: IncomingMessage, url: URL, body: Buffer, credentials: Credentials, now = Date.now()): void {
  const signed = readSignature(req, url);
  const secret = credentials.get(signed.accessKey);
  if (secret === undefined) throw new SqsError("InvalidClientTokenId", "The security token included in the request is invalid.");
  checkDate(signed, now);
  const payloadHash = String(req.headers["x-amz-content-sha256"] ?? sha256(body));
  const canonical = canonicalRequest(req, url, signed, payloadHash);
  const stringToSign = [ALGORITHM, signed.longDate, signed.scope.join("/"), sha256(canonical)].join("\n");
  let key: Buffer = hmac(`AWS4${secret}`, signed.scope[0]!);
  for (const part of signed.scope.slice(1)) key = hmac(key, part);
  const expected = hmac(key, stringToSign).toString("hex");
  const given = Buffer.from(signed.signature, "utf8");
  if (given.length !== expected.length || !timingSafeEqual(given, Buffer.from(expected, "utf8"))) {
    throw new SqsError(
      "SignatureDoesNotMatch",
      "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.",
    );
  }
}

function readSignature(req: IncomingMessage, url: URL): Signed {
  const q = url.searchParams;
  if (q.has("X-Amz-Signature")) {
    if (q.get("X-Amz-Algorithm") !== ALGORITHM) throw unsigned(`only ${ALGORITHM} is supported`);
    const [accessKey, ...scope] = (q.get("X-Amz-Credential") ?? "").split("/");
    return {
      accessKey: accessKey ?? "",
      scope,
      longDate: q.get("X-Amz-Date") ?? "",
      signedHeaders: (q.get("X-Amz-SignedHeaders") ?? "").split(";").filter(Boolean),
      signature: q.get("X-Amz-Signature") ?? "",
      presigned: true,
      expiresSeconds: Number(q.get("X-Amz-Expires") ?? "900"),
    };
  }
  const auth = req.headers.authorization;
  if (!auth) throw unsigned("the request carries no AWS Signature Version 4 (no Authorization header, no X-Amz-Signature)");
  const m = /^AWS4-HMAC-SHA256\s+Credential=([^,\s]+),\s*SignedHeaders=([^,\s]+),\s*Signature=([0-9a-f]+)\s*$/.exec(auth);
  if (!m) throw unsigned(`only ${ALGORITHM} signatures are supported`);
  const [accessKey, ...scope] = m[1]!.split("/");
  return {
    accessKey: accessKey ?? "",
    scope,
    longDate: String(req.headers["x-amz-date"] ?? ""),
    signedHeaders: m[2]!.split(";"),
    signature: m[3]!,
    presigned: false,
  };
}

function unsigned(why: string): SqsError {
  return new SqsError("InvalidClientTokenId", `The security token included in the request is invalid: ${why}.`);
}

/** 20250102T030405Z → ms. */
function parseLongDate(longDate: string): number {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(longDate);
  return m ? Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!) : NaN;
}

function checkDate(signed: Signed, now: number): void {
  const at = parseLongDate(signed.longDate);
  if (Number.isNaN(at) || signed.scope.length !== 4 || signed.scope[3] !== "aws4_request" || !signed.longDate.startsWith(signed.scope[0]!)) {
    throw new SqsError("SignatureDoesNotMatch", "The request's X-Amz-Date or credential scope is malformed.");
  }
  const stamp = (ms: number) => new Date(ms).toISOString().replace(/[-:]/g, "").replace(/\.\d{3}/, "");
  if (signed.presigned && now > at + (signed.expiresSeconds ?? 900) * 1000) {
    throw new SqsError("SignatureDoesNotMatch", `Signature expired: the presigned request was signed at ${signed.longDate} for ${signed.expiresSeconds} seconds; it is now ${stamp(now)}.`);
  }
  if (at < now - MAX_SKEW_MS) throw new SqsError("SignatureDoesNotMatch", `Signature expired: ${signed.longDate} is now earlier than ${stamp(now - MAX_SKEW_MS)} (${stamp(now)} - 15 min.)`);
  if (at > now + MAX_SKEW_MS) throw new SqsError("SignatureDoesNotMatch", `Signature not yet current: ${signed.longDate} is still later than ${stamp(now + MAX_SKEW_MS)} (${stamp(now)} + 15 min.)`);
}

function canonicalRequest(req: IncomingMessage, url: URL, signed: Signed, payloadHash: string): string {
  const headers = signed.signedHeaders.map((name) => {
    const raw = req.headers[name];
    const value = Array.isArray(raw) ? raw.join(",") : (raw ?? "");
    return `${name}:${value.trim().replace(/\s+/g, " ")}\n`;
  });
  return [req.method ?? "GET", canonicalPath(url.pathname), canonicalQuery(url), headers.join(""), signed.signedHeaders.join(";"), payloadHash].join("\n");
}

/** RFC 3986 escaping, as the SDKs do it (encodeURIComponent leaves !'()* alone). */
const escapeUri = (s: string) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

function canonicalPath(path: string): string {
  const segments: string[] = [];
  for (const s of path.split("/")) {
    if (s === "" || s === ".") continue;
    if (s === "..") segments.pop();
    else segments.push(s);
  }
  const normalized = `/${segments.join("/")}${segments.length > 0 && path.endsWith("/") ? "/" : ""}`;
  return escapeUri(normalized).replace(/%2F/g, "/");
}

function canonicalQuery(url: URL): string {
  const pairs: Array<[string, string]> = [];
  for (const [k, v] of url.searchParams) if (k !== "X-Amz-Signature") pairs.push([escapeUri(k), escapeUri(v)]);
  // By key, then by value (not as "k=v" strings: "a-b" sorts after "a" as a key, before "a=" as text).
  pairs.sort(([ka, va], [kb, vb]) => (ka < kb ? -1 : ka > kb ? 1 : va < vb ? -1 : va > vb ? 1 : 0));
  return pairs.map(([k, v]) => `${k}=${v}`).join("&");
}

const sha256 = (data: string | Buffer) => createHash("sha256").update(data).digest("hex");
const hmac = (key: string | Buffer, data: string) => createHmac("sha256", key).update(data, "utf8").digest();
