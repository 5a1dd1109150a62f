// The flags every server shares for guarding its port: --tls-cert, --tls-key, --tls-ca,
// --tls-client-auth and --users, one set of rows that tinyqs-tcp, tinyqs-http and `pnpm start` put in
// their tables, so the three say and read them alike. Files are only named here; the server reads
// them (and says which one it could not read).
import { CliError } from "./value.js";
import { ENV } from "./names.js";
import type { CliSetting } from "./spec.js";

/** The command line's TLS and users settings, as given. */
export interface SecurityFlags {
  tlsCert?: string;
  tlsKey?: string;
  tlsCa?: string;
  tlsClientAuth?: "require" | "optional";
  usersFile?: string;
}

/** The rows, storing into the SecurityFlags that `at(config)` returns. */
export function securitySettings<C>(at: (config: C) => SecurityFlags, what = "the port"): CliSetting<C>[] {
  return [
    {
      flag: "--tls-cert", env: ENV.tlsCert, arg: "FILE",
      help: `serve TLS on ${what}: this certificate chain (PEM; with --tls-key;\nre-read on SIGHUP)`, set: (c, v) => (at(c).tlsCert = v.text()),
    },
    { flag: "--tls-key", env: ENV.tlsKey, arg: "FILE", help: "the TLS certificate's private key (PEM)", set: (c, v) => (at(c).tlsKey = v.text()) },
    { flag: "--tls-ca", env: ENV.tlsCa, arg: "FILE", help: "the CA client certificates are checked against (PEM; for --tls-client-auth)", set: (c, v) => (at(c).tlsCa = v.text()) },
    {
      flag: "--tls-client-auth", env: ENV.tlsClientAuth, arg: "MODE",
      help: "require: TLS clients need a certificate signed by --tls-ca; optional: ask for one,\nrefuse only a bad one",
      set: (c, v) => {
        const mode = v.text();
        if (mode !== "require" && mode !== "optional") throw new CliError(`${v.name} must be require or optional, got ${JSON.stringify(mode)}`);
        at(c).tlsClientAuth = mode;
      },
    },
    {
      flag: "--users", env: ENV.usersFile, arg: "FILE",
      help: "users and their grants per queue (JSON, scrypt password hashes; docs/security.md);\nre-read on SIGHUP",
      set: (c, v) => (at(c).usersFile = v.text()),
    },
  ];
}

/** The TLS part, checked for a whole pair: undefined for plain text. Throws CliError. */
export function tlsFilesOf(f: SecurityFlags): { cert: string; key: string; ca?: string; clientAuth?: "require" | "optional" } | undefined {
  if (f.tlsCert === undefined && f.tlsKey === undefined) {
    if (f.tlsCa !== undefined || f.tlsClientAuth !== undefined) throw new CliError("--tls-ca and --tls-client-auth need --tls-cert and --tls-key");
    return undefined;
  }
  if (f.tlsCert === undefined || f.tlsKey === undefined) throw new CliError("--tls-cert and --tls-key go together (the certificate and its key)");
  if (f.tlsClientAuth !== undefined && f.tlsCa === undefined) throw new CliError("--tls-client-auth needs --tls-ca");
  return {
    cert: f.tlsCert,
    key: f.tlsKey,
    ...(f.tlsCa !== undefined ? { ca: f.tlsCa } : {}),
    ...(f.tlsClientAuth !== undefined ? { clientAuth: f.tlsClientAuth } : {}),
  };
}
