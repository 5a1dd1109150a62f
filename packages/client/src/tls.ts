// The client's TLS: the `ca`, `cert` and `key` options (PEM) for tinyqss:// and https:// (the
// server's identity is always checked: its certificate must chain to `ca`, or to Node's CAs, and
// name the host dialled), and what a failed handshake is called in the client's errors, so a user
// reads "the server's certificate has expired", not "socket hang up".
import type { ConnectionOptions } from "node:tls";
import { TinyQSError } from "@tinyqs/core";
import type { ClientOptions } from "./common.js";

/** The options given to tls.connect (ioredis `tls`, ws, undici's Agent). */
export function tlsConnectOptions(o: ClientOptions, host: string): ConnectionOptions {
  return {
    ...(o.ca !== undefined ? { ca: o.ca } : {}),
    ...(o.cert !== undefined ? { cert: o.cert } : {}),
    ...(o.key !== undefined ? { key: o.key } : {}),
    // SNI and the name checked; an IP address is checked against the certificate's IP entries.
    ...(/^[\d.]+$|:/.test(host) ? {} : { servername: host }),
    minVersion: "TLSv1.2",
  };
}

const PROBLEMS: Array<[RegExp, string]> = [
  [/^CERT_HAS_EXPIRED$/, "the server's TLS certificate has expired"],
  [/^CERT_NOT_YET_VALID$/, "the server's TLS certificate is not valid yet"],
  [
    /^(DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_VERIFY_LEAF_SIGNATURE|UNABLE_TO_GET_ISSUER_CERT(_LOCALLY)?)$/,
    "the server's TLS certificate is not signed by a CA this client trusts (give its CA as the `ca` option)",
  ],
  [/^ERR_TLS_CERT_ALTNAME_INVALID$/, "the server's TLS certificate is not for this host name"],
  [/CERTIFICATE_REQUIRED|HANDSHAKE_FAILURE/, "the server requires a client certificate (give `cert` and `key`)"],
  [/UNKNOWN_CA|BAD_CERTIFICATE|CERTIFICATE_UNKNOWN/, "the server refused this client's certificate"],
  [/WRONG_VERSION_NUMBER|PACKET_LENGTH_TOO_LONG/, "the server does not speak TLS on this port (use tinyqs:// or http://)"],
];

/** What went wrong in a TLS handshake, said for a user, or null when `e` is no TLS failure. */
export function tlsProblem(e: unknown): string | null {
  for (let c = e, depth = 0; c && depth < 5; c = (c as { cause?: unknown }).cause, depth++) {
    const code = String((c as NodeJS.ErrnoException).code ?? "");
    for (const [pattern, said] of PROBLEMS) if (pattern.test(code)) return `${said} (${code})`;
  }
  return null;
}

/** UNAVAILABLE for a failed handshake with the server at `where`; null when `e` is no TLS failure. */
export function tlsError(e: unknown, where: string): TinyQSError | null {
  const problem = tlsProblem(e);
  return problem ? new TinyQSError("UNAVAILABLE", `TLS with the tinyqs server at ${where} failed: ${problem}`, { cause: e }) : null;
}
