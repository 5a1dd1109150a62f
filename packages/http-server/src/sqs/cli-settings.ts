// The SQS port's flags, one table shared by `tinyqs-http` and `pnpm start` (each puts them in its
// own CliSpec). Only type imports and the import-free defaults: `pnpm start` reads this file from
// source, before a build, for --help.
import type { Setting } from "../cli-setting.js";
import { SQS_PORT_DEFAULTS } from "./port-defaults.js";


export interface SqsCliConfig {
  /** null: no SQS port. */
  port: number | null;
  credentials?: string;
  account?: string;
  region?: string;
}

/** The variable names (core's ENV table: one name, one meaning, in every command). */
interface SqsEnvNames {
  sqsPort: string;
  noSqs: string;
  sqsCredentials: string;
  sqsAccount: string;
  sqsRegion: string;
}

/**
 * `on`: whether the port is served unless told otherwise (`pnpm start`: yes, with --no-sqs to turn
 * it off; tinyqs-http: only with --sqs-port).
 */
export function sqsSettings<C>(env: SqsEnvNames, sqs: (c: C) => SqsCliConfig, on: boolean): Array<Setting<C>> {
  const D = SQS_PORT_DEFAULTS;
  const settings: Array<Setting<C>> = [
    {
      flag: "--sqs-port", env: env.sqsPort, arg: "PORT",
      help: on
        ? `Amazon SQS's API on this port (default ${D.port}; 0: any free port)`
        : `serve Amazon SQS's API on this port too (${D.port} is the usual one; 0: any free port;\ndefault: no SQS port)`,
      set: (c, v) => (sqs(c).port = v.port()),
    },
    {
      flag: "--sqs-credentials", env: env.sqsCredentials, arg: "KEY:SECRET[,…]",
      help: "the SQS port requires AWS Signature V4 by these keys (prefer the variable: flags show\nin ps). WITHOUT IT THE SQS PORT ACCEPTS ANY REQUEST, signed or not, by any key",
      set: (c, v) => (sqs(c).credentials = v.text()),
    },
    {
      flag: "--sqs-account", env: env.sqsAccount, arg: "ID",
      help: `the account id (12 digits) in SQS queue URLs and ARNs (default ${D.account})`, set: (c, v) => (sqs(c).account = v.text()),
    },
    { flag: "--sqs-region", env: env.sqsRegion, arg: "REGION", help: `the region in SQS ARNs (default ${D.region})`, set: (c, v) => (sqs(c).region = v.text()) },
  ];
  if (on) {
    settings.splice(1, 0, {
      flag: "--no-sqs", env: env.noSqs, arg: "", switch: true, help: "no SQS port (the variable: 1/true/yes, or 0/false/no)",
      set: (c, v) => {
        if (v.yes()) sqs(c).port = null;
      },
    });
  }
  return settings;
}

/**
 * Why the SQS port must not be served as configured, or null. It speaks plain HTTP and knows
 * nothing of --users and the TLS files: without --sqs-credentials it would take any request, so a
 * server that asks for users or TLS on its other ports would leave every queue open on this one.
 */
export function sqsGuardRefusal(sqs: SqsCliConfig, security: { usersFile?: string; tlsCert?: string }): string | null {
  if (sqs.port === null || sqs.credentials) return null;
  const asked = [security.usersFile !== undefined ? "--users" : "", security.tlsCert !== undefined ? "--tls-cert" : ""].filter(Boolean).join(" and ");
  if (!asked) return null;
  return `the SQS port takes any request without --sqs-credentials, and ignores ${asked}: give --sqs-credentials KEY:SECRET to serve it`;
}
