// The servers' TLS, one piece for every listener (tinyqs-tcp, tinyqs-http, and any port added
// later): the PEM files named on the command line become the options of tls.createServer /
// https.createServer, and SIGHUP re-reads them into a new secure context, which only connections
// made from then on use: the open ones keep theirs, so nothing is dropped.
import { readFileSync } from "node:fs";
import { createSecureContext, type SecureContextOptions, type Server as TlsServer, type TLSSocket, type TlsOptions } from "node:tls";

/** The TLS files and policy of a server: PEM paths, as given to --tls-cert, --tls-key, --tls-ca. */
export interface TlsFiles {
  /** The server's certificate chain (PEM). */
  cert: string;
  /** Its private key (PEM). */
  key: string;
  /** The CA(s) client certificates must chain to (PEM); needed for clientAuth. */
  ca?: string;
  /**
   * Client certificates: "require" refuses a client without a valid one during the handshake;
   * "optional" asks for one and refuses only an invalid one. Default: not asked for.
   */
  clientAuth?: "require" | "optional";
}

export const CLIENT_AUTH_MODES = ["require", "optional"] as const;

/** The certificate and key (and CA) read from their files; an Error names the file that failed. */
export function readSecureContext(files: TlsFiles): SecureContextOptions {
  const read = (what: string, file: string) => {
    try {
      return readFileSync(file);
    } catch (e) {
      throw new Error(`cannot read the TLS ${what} ${file}: ${(e as Error).message}`);
    }
  };
  return {
    cert: read("certificate", files.cert),
    key: read("key", files.key),
    ...(files.ca !== undefined ? { ca: read("CA", files.ca) } : {}),
    // TLS 1.2 and up; the ciphers are Node's defaults.
    minVersion: "TLSv1.2",
  };
}

/** The options for tls.createServer / https.createServer. Throws (naming the file) on a bad file. */
export function serverTlsOptions(files: TlsFiles): TlsOptions {
  if (files.clientAuth !== undefined && files.ca === undefined) {
    throw new Error("--tls-client-auth needs --tls-ca (the CA client certificates are checked against)");
  }
  const options: TlsOptions = {
    ...readSecureContext(files),
    requestCert: files.clientAuth !== undefined,
    // "optional": a client without a certificate is let in, one with a bad certificate is not
    // (checked after the handshake by clientCertificateRefusal, since Node lets both through).
    rejectUnauthorized: files.clientAuth === "require",
  };
  // Check the pair now, so a wrong key is said at start-up, not at the first client.
  try {
    createSecureContext(options);
  } catch (e) {
    throw new Error(`the TLS certificate ${files.cert} and key ${files.key} do not make a usable pair: ${(e as Error).message}`);
  }
  return options;
}

/**
 * With clientAuth "optional", a client that sent a certificate the CA does not vouch for: why it
 * is refused (the socket is then closed); null when it may go on.
 */
export function clientCertificateRefusal(socket: TLSSocket, files: TlsFiles): string | null {
  if (files.clientAuth !== "optional" || socket.authorized) return null;
  const peer = socket.getPeerCertificate();
  if (!peer || Object.keys(peer).length === 0) return null; // no certificate sent: allowed
  return `client certificate refused: ${String(socket.authorizationError)}`;
}

/**
 * Re-read the files into the running server: connections accepted from now on get the new
 * certificate, open ones keep theirs. On a bad file the old context stays and the Error says why.
 */
export function reloadTls(server: TlsServer, files: TlsFiles): void {
  server.setSecureContext(serverTlsOptions(files));
}
