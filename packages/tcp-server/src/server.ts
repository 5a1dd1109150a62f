// createTcpServer(): the engine on a TCP port. It owns the listening socket, the connection count
// and limit, the password, and an orderly close(): stop accepting, let waiting receives answer nil,
// answer what is in flight, close the connections, then close the engine if it made it.
import { createHash, timingSafeEqual } from "node:crypto";
import net from "node:net";
import { TinyQS, sleep, type DurabilityOptions, type RedisInput, type TinyQSApi } from "@tinyqs/core";
import { REDIS_ERRORS, type ClientState, type ServerState } from "./commands/index.js";
import { Connection, type ConnectionHooks } from "./connection.js";
import { DEFAULTS, MAX_PENDING_BYTES_PER_CONNECTION } from "./defaults.js";
import { error } from "./resp/encoder.js";
import type { ParserLimits } from "./resp/parser.js";

export interface TcpServerOptions {
  /** The engine to serve (yours: close() leaves it open). Default: a new TinyQS on `redis`. */
  engine?: TinyQSApi;
  /** Where a new engine finds Redis (URL, ioredis options or instance, `{ cluster: [...] }`). Default redis://127.0.0.1:6379. */
  redis?: RedisInput;
  /** How long a new engine waits for an unreachable Redis before UNAVAILABLE, 1-600000 ms (default 5000). */
  redisTimeoutMs?: number;
  /** Let a new engine serve a Redis whose maxmemory-policy evicts keys (it loses messages when full); default false: refused (MISCONFIGURED). */
  allowEviction?: boolean;
  /** A new engine's replica-acknowledged writes (TinyQSOptions.durability). */
  durability?: DurabilityOptions;
  /** Key prefix of a new engine (default "tinyqs"). */
  prefix?: string;
  /** Require AUTH with this password before any other command (but HELLO and QUIT). */
  password?: string;
  /** Largest argument, hence message body, in bytes (default 1 MiB, the engine's default limit). */
  maxMessageBytes?: number;
  /** Most arguments per command, the name included (default 1024). */
  maxArgs?: number;
  /** Most bytes of one command's arguments together (default 64 MiB). */
  maxCommandBytes?: number;
  /** Longest inline command line in bytes (default 64 KiB). */
  maxInlineBytes?: number;
  /**
   * Bytes of commands one connection may have read ahead of their turn (say, pipelined behind a
   * RECEIVE that waits) before the server stops reading it (default 64 MiB; it reads on at half).
   */
  maxPendingBytes?: number;
  /** Most open connections (default 10 000). */
  maxConnections?: number;
  /** Close connections idle this long, in ms; 0 = never (default). */
  idleTimeoutMs?: number;
  /** How long close() lets in-flight commands finish before cutting connections (default 10 s). */
  shutdownTimeoutMs?: number;
}

export interface TcpServer {
  /** Start listening (default port 7379 on 127.0.0.1; port 0 picks a free one). Resolves with the address. */
  listen(port?: number, host?: string): Promise<{ host: string; port: number }>;
  /** Stop accepting, answer what is in flight (waiting receives answer nil), close, then close the engine if it is ours. */
  close(): Promise<void>;
  /** Where it listens, or null before listen() / after close(). */
  address(): { host: string; port: number } | null;
  readonly engine: TinyQSApi;
  /** Open connections now. */
  readonly connections: number;
}

function positiveInt(name: string, value: number | undefined, fallback: number, min = 1): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < min) throw new RangeError(`${name} must be an integer >= ${min}, got ${value}`);
  return value;
}

/** The options' numbers, checked (a RangeError names the first bad one), defaults filled in. */
function settingsOf(options: TcpServerOptions) {
  const limits = {
    maxMessageBytes: positiveInt("maxMessageBytes", options.maxMessageBytes, DEFAULTS.maxMessageBytes),
    maxArgs: positiveInt("maxArgs", options.maxArgs, DEFAULTS.maxArgs, 3),
    maxCommandBytes: positiveInt("maxCommandBytes", options.maxCommandBytes, DEFAULTS.maxCommandBytes),
    maxInlineBytes: positiveInt("maxInlineBytes", options.maxInlineBytes, DEFAULTS.maxInlineBytes, 16),
    maxConnections: positiveInt("maxConnections", options.maxConnections, DEFAULTS.maxConnections),
  };
  // The parser's names for the same limits: an argument is a bulk string.
  const parser: ParserLimits = {
    maxBulkBytes: limits.maxMessageBytes,
    maxArgs: limits.maxArgs,
    maxCommandBytes: limits.maxCommandBytes,
    maxInlineBytes: limits.maxInlineBytes,
  };
  return {
    limits,
    parser,
    idleTimeoutMs: positiveInt("idleTimeoutMs", options.idleTimeoutMs, DEFAULTS.idleTimeoutMs, 0),
    shutdownTimeoutMs: positiveInt("shutdownTimeoutMs", options.shutdownTimeoutMs, DEFAULTS.shutdownTimeoutMs, 0),
    maxPendingBytes: positiveInt("maxPendingBytes", options.maxPendingBytes, MAX_PENDING_BYTES_PER_CONNECTION),
  };
}

/**
 * The password check. The password is kept only as a hash; comparing two equal-length hashes with
 * timingSafeEqual takes the same time whatever the input, and hides the password's length too.
 */
function passwordCheck(password: string | undefined): Pick<ServerState, "passwordRequired" | "checkPassword"> {
  const passwordHash = password !== undefined && password !== "" ? sha256(Buffer.from(password)) : null;
  return {
    passwordRequired: passwordHash !== null,
    checkPassword: (given) => passwordHash !== null && timingSafeEqual(sha256(given), passwordHash),
  };
}

export function createTcpServer(options: TcpServerOptions = {}): TcpServer {
  const { limits, parser, idleTimeoutMs, shutdownTimeoutMs, maxPendingBytes } = settingsOf(options);
  const ownsEngine = !options.engine;
  const engine: TinyQSApi = options.engine ?? new TinyQS({ redis: options.redis ?? DEFAULTS.redis, prefix: options.prefix, timeoutMs: options.redisTimeoutMs, allowEviction: options.allowEviction, durability: options.durability });

  const connections = new Set<Connection>();
  let nextId = 1;
  let closing: Promise<void> | null = null;
  let bound: { host: string; port: number } | null = null;

  const state: ServerState = {
    engine,
    limits,
    ...passwordCheck(options.password),
    counters: { connectionsReceived: 0, commandsProcessed: 0, rejectedConnections: 0 },
    startedAt: Date.now(),
    get port() {
      return bound?.port ?? null;
    },
    clients: (): Iterable<ClientState> => connections,
  };

  let allClosed: (() => void) | null = null;
  const hooks: ConnectionHooks = {
    limits: parser,
    idleTimeoutMs,
    maxPendingBytes,
    onClose: (c: Connection) => {
      connections.delete(c);
      if (connections.size === 0) allClosed?.();
    },
  };

  // allowHalfOpen: a client that sends its commands and then closes its side (nc, a script) still
  // gets every answer; the connection closes once they are written.
  const server = net.createServer({ allowHalfOpen: true, noDelay: true }, (socket) => {
    state.counters.connectionsReceived++;
    socket.on("error", () => {});
    if (closing) {
      socket.destroy(); // accepted in the instant the listener was closing
      return;
    }
    if (connections.size >= limits.maxConnections) {
      state.counters.rejectedConnections++;
      socket.end(error(REDIS_ERRORS.maxClients));
      return;
    }
    connections.add(new Connection(nextId++, socket, state, hooks));
  });
  server.on("error", () => {}); // listen() reports its own errors

  async function shutdown(): Promise<void> {
    const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
    if (connections.size > 0) {
      // Until the last connection closes (it calls allClosed), but no longer than shutdownTimeoutMs.
      const drained = sleep(shutdownTimeoutMs, undefined, (wake) => (allClosed = wake));
      for (const c of connections) c.shutdown();
      await drained;
      for (const c of connections) c.destroy();
    }
    await stopped;
    bound = null;
    if (ownsEngine) await engine.close();
  }

  return {
    engine,
    get connections() {
      return connections.size;
    },
    async listen(port = DEFAULTS.port, host = DEFAULTS.host) {
      return (bound = await listenOn(server, port, host));
    },
    close() {
      return (closing ??= shutdown());
    },
    address: () => bound,
  };
}

/** server.listen() as a promise of the address bound, rejected with the listen error. */
function listenOn(server: net.Server, port: number, host: string): Promise<{ host: string; port: number }> {
  return new Promise((resolve, reject) => {
    const onError = (e: Error) => reject(e);
    server.once("error", onError);
    server.listen({ port, host }, () => {
      server.off("error", onError);
      const a = server.address() as net.AddressInfo;
      resolve({ host: a.address, port: a.port });
    });
  });
}

function sha256(b: Buffer): Buffer {
  return createHash("sha256").update(b).digest();
}
