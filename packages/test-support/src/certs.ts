// Throwaway certificates for the TLS tests, made at run time with Debian's openssl (none are
// committed): a CA, a server certificate for localhost / 127.0.0.1 signed by it, a client
// certificate signed by it, an expired server certificate, and a second CA nobody trusts with a
// server certificate of its own. EC P-256 keys: a whole set takes a few tens of ms.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";

export interface CertFiles {
  cert: string;
  key: string;
}

export interface TestCerts {
  dir: string;
  /** The CA's certificate (PEM path): what clients trust. */
  ca: string;
  /** A server certificate for localhost and 127.0.0.1, signed by the CA. */
  server: CertFiles;
  /** A client certificate (CN tinyqs-client), signed by the CA. */
  client: CertFiles;
  /** A server certificate signed by the CA whose validity ended yesterday. */
  expired: CertFiles;
  /** A server certificate (localhost) from another CA, which nobody trusts. */
  untrusted: CertFiles;
  /** A client certificate from that other CA. */
  untrustedClient: CertFiles;
  /** Another server certificate from the CA (for reload tests: its serial differs). */
  renewed: CertFiles;
  /** The text of a PEM file. */
  read(file: string): Buffer;
  cleanup(): void;
}

function openssl(args: string[], cwd: string): void {
  execFileSync("openssl", args, { cwd, stdio: ["ignore", "ignore", "pipe"] });
}

const EC = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];

function makeCa(dir: string, name: string): CertFiles {
  const cert = path.join(dir, `${name}.pem`);
  const key = path.join(dir, `${name}.key`);
  openssl(["req", "-x509", ...EC, "-keyout", key, "-out", cert, "-days", "2", "-subj", `/CN=${name}`,
    "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign"], dir);
  return { cert, key };
}

function issue(dir: string, ca: CertFiles, name: string, cn: string, ext: string, days: number): CertFiles {
  const cert = path.join(dir, `${name}.pem`);
  const key = path.join(dir, `${name}.key`);
  const csr = path.join(dir, `${name}.csr`);
  const extFile = path.join(dir, `${name}.ext`);
  writeFileSync(extFile, ext);
  openssl(["req", "-new", ...EC, "-keyout", key, "-out", csr, "-subj", `/CN=${cn}`], dir);
  openssl(["x509", "-req", "-in", csr, "-CA", ca.cert, "-CAkey", ca.key, "-CAcreateserial", "-out", cert, "-days", String(days), "-extfile", extFile], dir);
  return { cert, key };
}

const SERVER_EXT = "subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n";
const CLIENT_EXT = "extendedKeyUsage=clientAuth\n";

/** A new set in a temp dir; cleanup() removes it. */
export function makeTestCerts(): TestCerts {
  const dir = mkdtempSync(path.join(os.tmpdir(), "tinyqs-certs-"));
  const ca = makeCa(dir, "ca");
  const other = makeCa(dir, "other-ca");
  return {
    dir,
    ca: ca.cert,
    server: issue(dir, ca, "server", "localhost", SERVER_EXT, 2),
    client: issue(dir, ca, "client", "tinyqs-client", CLIENT_EXT, 2),
    // -days -1: notAfter is a day before now (openssl 3.0 takes it).
    expired: issue(dir, ca, "expired", "localhost", SERVER_EXT, -1),
    untrusted: issue(dir, other, "untrusted", "localhost", SERVER_EXT, 2),
    untrustedClient: issue(dir, other, "untrusted-client", "tinyqs-client", CLIENT_EXT, 2),
    renewed: issue(dir, ca, "renewed", "localhost", SERVER_EXT, 2),
    read: (file) => readFileSync(file),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}
