// The flags of the bounds both servers keep (issue 16), one table for tinyqs-tcp and tinyqs-http:
// the same flag, variable, range and help in both, only the word for "authenticate" differs.
import { BOUND_RANGES, type BoundOptions } from "../bounds.js";
import { BOUNDS_DEFAULTS } from "../defaults.js";
import type { CliSetting } from "./spec.js";

const MiB = 1024 * 1024;

/**
 * The bound settings for a command whose config keeps its server options at `options(config)`;
 * `authWord` says how its clients authenticate ("AUTH", "a valid token").
 */
export function boundSettings<C>(options: (config: C) => BoundOptions, authWord: string): CliSetting<C>[] {
  const r = BOUND_RANGES;
  const d = BOUNDS_DEFAULTS;
  return [
    {
      flag: "--max-buffered-bytes", env: "TINYQS_MAX_BUFFERED_BYTES", arg: "N",
      help: `bytes held for all clients together (commands read ahead, unsent replies,\nbodies being read); at it the connections holding the most are read no further\n(default ${d.maxBufferedBytes} = ${d.maxBufferedBytes / MiB} MiB; at least ${r.maxBufferedBytes.min})`,
      set: (c, v) => (options(c).maxBufferedBytes = v.integer(r.maxBufferedBytes.min)),
    },
    {
      flag: "--slow-reader-timeout-ms", env: "TINYQS_SLOW_READER_TIMEOUT_MS", arg: "MS",
      help: `a connection whose replies wait and that takes less than 256 KiB of them in this long is\nclosed once it holds its share of the budget or the budget is half used; what it\nhad reserved goes back to ready (default ${d.slowReaderTimeoutMs})`,
      set: (c, v) => (options(c).slowReaderTimeoutMs = v.integer(r.slowReaderTimeoutMs.min, r.slowReaderTimeoutMs.max)),
    },
    {
      flag: "--auth-timeout-ms", env: "TINYQS_AUTH_TIMEOUT_MS", arg: "MS",
      help: `with a password/token or users set, close a connection without ${authWord} after this long\n(default ${d.authTimeoutMs})`,
      set: (c, v) => (options(c).authTimeoutMs = v.integer(r.authTimeoutMs.min, r.authTimeoutMs.max)),
    },
    {
      flag: "--max-pending-auth", env: "TINYQS_MAX_PENDING_AUTH", arg: "N",
      help: `most connections waiting to authenticate at once; more are refused (default ${d.maxPendingAuth})`,
      set: (c, v) => (options(c).maxPendingAuth = v.integer(r.maxPendingAuth.min, r.maxPendingAuth.max)),
    },
    {
      flag: "--max-connections-per-address", env: "TINYQS_MAX_CONNECTIONS_PER_ADDRESS", arg: "N",
      help: `most open connections from one remote address; more are refused\n(default ${d.maxConnectionsPerAddress}; 0: no limit)`,
      set: (c, v) => (options(c).maxConnectionsPerAddress = v.integer(0, r.maxConnectionsPerAddress.max)),
    },
  ];
}
