// Every default of the TCP server, with why it is what it is. The CLI, createTcpServer() and the
// docs all read them from here.
import { readFileSync } from "node:fs";
import { BOUNDS_DEFAULTS, DEFAULTS as CORE_DEFAULTS } from "@tinyqs/core";

export const DEFAULTS = {
  /** Loopback only: putting a queue (maybe without a password) on the network must be a choice. */
  host: CORE_DEFAULTS.host,
  /** Redis's 6379 + 1000: easy to remember, and no clash with a Redis on the same machine. */
  port: CORE_DEFAULTS.tcpPort,
  /** Where the engine finds Redis when neither `redis` nor `engine` is given. */
  redis: CORE_DEFAULTS.redis,
  /**
   * Largest argument (so, message body) the server reads: the engine's default per-queue limit.
   * A larger bulk is skipped as it arrives, never buffered, and the command gets TOO_BIG.
   */
  maxMessageBytes: CORE_DEFAULTS.maxMessageBytes,
  /** Most arguments per command: a full batch (1000 bodies or receipts) plus name and queue fits. */
  maxArgs: 1024,
  /**
   * Most bytes of all the arguments of one command together, so that a batch of large bodies cannot
   * make the server hold a gigabyte: an MSEND of 64 bodies of 1 MiB fits. Over it: TOO_BIG.
   */
  maxCommandBytes: 64 * 1024 * 1024,
  /** Longest inline command line (what nc/telnet users type): Redis's own limit. */
  maxInlineBytes: 64 * 1024,
  /** Open connections at once; one more is told `ERR max number of clients reached` and closed. */
  maxConnections: 10_000,
  /** Close a connection idle this long (ms); 0 = never, as Redis's `timeout 0`. Waiting RECEIVEs are not idle. */
  idleTimeoutMs: 0,
  /** On close()/SIGTERM, how long in-flight commands get before their connections are cut. */
  shutdownTimeoutMs: 10_000,
  /**
   * The bounds whatever the clients do (core's BOUNDS_DEFAULTS, with why): the byte budget of all
   * connections together (pending commands, the command being read, unsent replies), the cut of a
   * connection over its share that reads no replies, the AUTH deadline and the cap on connections
   * waiting to AUTH (both only with a password), and the connections per remote address.
   */
  ...BOUNDS_DEFAULTS,
} as const;

/**
 * Internal bounds that are not options: how far one connection may run ahead of its replies.
 * Reading pauses when this many commands wait for their turn or their reply, and resumes at half.
 */
export const MAX_PENDING_PER_CONNECTION = 4096;
/**
 * Reading also pauses while the commands waiting for their turn hold this many bytes (a pipeline of
 * large SENDs behind a RECEIVE that waits), and resumes at half. One command may be larger on its
 * own (up to maxCommandBytes); it is read whole, and then nothing more until it has run.
 * createTcpServer's `maxPendingBytes` changes it.
 */
export const MAX_PENDING_BYTES_PER_CONNECTION = 64 * 1024 * 1024;
/** A connection the server closes (QUIT, protocol error, shutdown) is cut this long after, at the latest. */
export const CLOSE_DEADLINE_MS = 5_000;
/** Consecutive commands of the same kind that may run at once on one connection (see connection.ts). */
export const MAX_RUNNING_PER_CONNECTION = 1024;
/**
 * And only while what already runs of the connection holds less than this many argument bytes. The
 * bulk gate (below) bounds commands of 64 KiB or more across connections; this bounds one
 * connection's pipeline of bodies just under that (1,000 SENDs of 60 KiB would otherwise put 60 MiB
 * in the engine at once, copies in transit that no budget counts). A pipeline of small SENDs
 * (1,000 × 1 KiB) still runs whole, in a few script calls.
 */
export const MAX_RUNNING_BYTES_PER_CONNECTION = 1024 * 1024;
/**
 * Large commands (this many argument bytes or more: a SEND of a 64 KiB body, an MSEND of many) take
 * turns through the server's bulk gate (bulk-gate.ts), BULK_GATE_BYTES of them in the engine at
 * once: 4 MiB, four 1 MiB SENDs, each client's pipeline still runs them back to back.
 */
export const LARGE_COMMAND_BYTES = 64 * 1024;
export const BULK_GATE_BYTES = 4 * 1024 * 1024;
/** Reading also pauses while this many reply bytes wait in the socket (a client that does not read). */
export const MAX_UNSENT_REPLY_BYTES = 8 * 1024 * 1024;
/**
 * The most a connection reads in one turn of the event loop (one socket chunk: the next waits for
 * the next turn), so that clients pushing large commands cannot make a turn long for the others
 * (read-flow.ts). A turn still serves every connection that has bytes, so one client alone reads
 * as fast as its turns go.
 */
export const READ_BYTES_PER_TURN = 64 * 1024;

/**
 * A connection cut for not reading gives back the messages of the RECEIVE/TAKE replies it may not
 * have read (reply-output.ts); it remembers at most this many such replies (older ones count as
 * delivered): a client stuck behind more than a thousand unread replies is stuck for good anyway.
 */
export const MAX_UNREAD_RESERVATIONS = 1024;
/** How often the server looks for connections over their share that read no replies (at a full budget). */
export const SLOW_READER_SWEEP_MS = 500;

/** The package version, for INFO, HELLO and --version. */
export const VERSION: string = (() => {
  try {
    const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version?: string };
    return pkg.version ?? "0.0.0";
  } catch {
    return "0.0.0";
  }
})();
