// createTcpServer(): the engine on a TCP port. It owns the listening socket, the connection count
// and limits (in all, per remote address, waiting to AUTH), the password and the users, the byte
// budget of all connections with the cut of those that hold more than their share and read nothing,
// and an orderly close(): stop accepting, let waiting receives answer nil, answer what is in flight,
// close the connections, then close the engine if it made it.
import net from "node:net";
import tls from "node:tls";
import { AddressLimit, AuthGate, ByteBudget, TinyQS, checkBounds, sleep, type BoundOptions, type DurabilityOptions, type RedisInput, type TinyQSApi } from "@tinyqs/core";
import { Access, clientCertificateRefusal, reloadTls, serverTlsOptions, type LoginLimitOptions, type TlsFiles } from "@tinyqs/core/security";
import { REDIS_ERRORS, tooManyConnections, type ClientState, type ServerState } from "./commands/index.js";
import { Connection, type ConnectionHooks } from "./connection.js";
import { BulkGate } from "./bulk-gate.js";
import { BULK_GATE_BYTES, DEFAULTS, LARGE_COMMAND_BYTES, MAX_PENDING_BYTES_PER_CONNECTION, SLOW_READER_SWEEP_MS } from "./defaults.js";
import { error } from "./resp/encoder.js";
import type { ParserLimits } from "./resp/parser.js";

export interface TcpServerOptions extends BoundOptions {
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
  /** Require AUTH with this password before any other command (but HELLO and QUIT): the all-powerful user `default`. */
  password?: string;
  /** A users file (JSON: names, scrypt hashes, grants per queue glob): `AUTH user pass`; re-read by reload(). */
  usersFile?: string;
  /** Serve TLS on the port: PEM certificate and key (and a CA for client certificates); re-read by reload(). */
  tls?: TlsFiles;
  /** Where failed logins are said (with the address, never the password). Default: stderr. */
  log?: (line: string) => void;
  /** The failed-login limit per remote address (default: 10 a second, then refusals delayed 1 s). */
  loginLimit?: LoginLimitOptions;
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
  /**
   * Bytes of large commands (64 KiB or more) of all connections in the engine at once (default
   * 4 MiB; bulk-gate.ts, docs/limits.md).
   */
  bulkGateBytes?: number;
  /** Most open connections (default 10 000). */
  maxConnections?: number;
  /** Close connections idle this long, in ms; 0 = never (default). */
  idleTimeoutMs?: number;
  /** How long close() lets in-flight commands finish before cutting connections (default 10 s). */
  shutdownTimeoutMs?: number;
  // And the bounds (BoundOptions, core's bounds.ts): maxBufferedBytes (256 MiB), slowReaderTimeoutMs
  // (10 s), authTimeoutMs (10 s) and maxPendingAuth (1000) with a password, maxConnectionsPerAddress
  // (1000; 0: no limit).
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
  /**
   * Re-read the TLS files and the users file (SIGHUP): new connections get the new certificate,
   * open ones keep theirs; connections of a user removed (or whose password changed) are cut, and
   * changed grants apply from each connection's next command. Returns what was re-read; throws,
   * changing nothing of that file, if one is bad.
   */
  reload(): string[];
  /** Bytes held for all clients now (what --max-buffered-bytes bounds). */
  readonly bufferedBytes: number;
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
    bulkGateBytes: positiveInt("bulkGateBytes", options.bulkGateBytes, BULK_GATE_BYTES),
    bounds: checkBounds(options),
  };
}

export function createTcpServer(options: TcpServerOptions = {}): TcpServer {
  const { limits, parser, idleTimeoutMs, shutdownTimeoutMs, maxPendingBytes, bulkGateBytes, bounds } = settingsOf(options);
  const log = options.log ?? ((line: string) => process.stderr.write(`tinyqs-tcp: ${line}\n`));
  // Checked before an engine is made: a bad file must not leave a Redis connection behind.
  const access = new Access({ secret: options.password, usersFile: options.usersFile, log, limit: options.loginLimit });
  const tlsOptions = options.tls ? serverTlsOptions(options.tls) : null;
  const ownsEngine = !options.engine;
  const engine: TinyQSApi = options.engine ?? new TinyQS({ redis: options.redis ?? DEFAULTS.redis, prefix: options.prefix, timeoutMs: options.redisTimeoutMs, allowEviction: options.allowEviction, durability: options.durability });

  const connections = new Set<Connection>();
  let nextId = 1;
  let closing: Promise<void> | null = null;
  let bound: { host: string; port: number } | null = null;

  const budget = new ByteBudget(bounds.maxBufferedBytes);
  const bulkGate = new BulkGate(bulkGateBytes, LARGE_COMMAND_BYTES);
  const state: ServerState = {
    engine,
    buffered: budget,
    limits,
    access,
    counters: { connectionsReceived: 0, commandsProcessed: 0, rejectedConnections: 0, slowReadersCut: 0 },
    startedAt: Date.now(),
    get port() {
      return bound?.port ?? null;
    },
    clients: (): Iterable<ClientState> => connections,
  };

  const perAddress = new AddressLimit(bounds.maxConnectionsPerAddress);
  const authGate = access.required ? new AuthGate(bounds.authTimeoutMs, bounds.maxPendingAuth) : null;
  const remoteOf = new WeakMap<Connection, string>();

  let allClosed: (() => void) | null = null;
  const hooks: ConnectionHooks = {
    limits: parser,
    idleTimeoutMs,
    maxPendingBytes,
    tls: tlsOptions !== null,
    budget,
    bulkGate,
    authGate,
    onClose: (c: Connection) => {
      connections.delete(c);
      perAddress.release(remoteOf.get(c)!);
      if (connections.size === 0) allClosed?.();
    },
  };

  // A connection whose replies have waited this long with less than 256 KiB of them taken is cut once it
  // holds its share or the budget is half used; what it may not have read goes back (connection.ts).
  const sweep = setInterval(() => {
    if (budget.used === 0) return;
    const now = Date.now();
    for (const c of connections) {
      if (budget.cutIfStuck(c) && c.stalledMs(now) >= bounds.slowReaderTimeoutMs) {
        state.counters.slowReadersCut++;
        c.cutForNotReading();
      }
    }
  }, SLOW_READER_SWEEP_MS);
  sweep.unref();

  /** Why a new socket is refused (told as an error line before it closes), or null to take it. */
  function refusal(remote: string): string | null {
    if (connections.size >= limits.maxConnections) return REDIS_ERRORS.maxClients;
    if (authGate && authGate.waiting >= authGate.maxPending) {
      return tooManyConnections(`${authGate.maxPending} connections are waiting to authenticate already (--max-pending-auth); try again later`);
    }
    if (!perAddress.admit(remote)) {
      return tooManyConnections(`${perAddress.max} connections from ${remote} are open already (--max-connections-per-address)`);
    }
    return null;
  }

  // allowHalfOpen: a client that sends its commands and then closes its side (nc, a script) still
  // gets every answer; the connection closes once they are written.
  const accept = (socket: net.Socket) => {
    state.counters.connectionsReceived++;
    socket.on("error", () => {});
    const certRefusal = options.tls && clientCertificateRefusal(socket as tls.TLSSocket, options.tls);
    if (certRefusal) {
      log(`${certRefusal} (from ${socket.remoteAddress})`);
      socket.destroy();
      return;
    }
    if (closing) {
      socket.destroy(); // accepted in the instant the listener was closing
      return;
    }
    const remote = socket.remoteAddress ?? "";
    const refused = refusal(remote);
    if (refused !== null) {
      state.counters.rejectedConnections++;
      socket.end(error(refused));
      // A client that does not read (or close) must not keep its refused socket open.
      setTimeout(() => socket.destroy(), 1000).unref();
      return;
    }
    const c = new Connection(nextId++, socket, state, hooks);
    remoteOf.set(c, remote);
    connections.add(c);
  };
  const server: net.Server = tlsOptions
    ? // Not half-open over TLS: a client that closes its side during the handshake would otherwise
      // leave a socket that no Connection owns open for good (and close() waiting for it).
      // A handshake must end within the AUTH deadline (node's default would hold a silent socket 120 s).
      tls.createServer({ ...tlsOptions, allowHalfOpen: false, noDelay: true, handshakeTimeout: bounds.authTimeoutMs }, accept)
    : net.createServer({ allowHalfOpen: true, noDelay: true }, accept);
  // The TLS port's raw sockets: once every Connection is closed, close() cuts those left (still in
  // their handshake, or half-closed by a client that left during it).
  const rawSockets = new Set<net.Socket>();
  if (tlsOptions) {
    server.on("connection", (raw: net.Socket) => {
      // The limits above apply once a handshake is done; sockets still in theirs are capped here
      // (at most maxPendingAuth at once), so silent ones cannot pile up meanwhile.
      if (rawSockets.size - connections.size >= bounds.maxPendingAuth) {
        state.counters.rejectedConnections++;
        raw.destroy();
        return;
      }
      rawSockets.add(raw);
      raw.once("close", () => rawSockets.delete(raw));
    });
  }
  server.on("error", () => {}); // listen() reports its own errors
  // A failed handshake (a plain-text client on the TLS port, an untrusted client certificate): Node
  // closes that socket; nothing else is affected.
  server.on("tlsClientError", (_e: Error, socket: net.Socket) => socket.destroy());

  async function shutdown(): Promise<void> {
    clearInterval(sweep);
    const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
    if (connections.size > 0) {
      // Until the last connection closes (it calls allClosed), but no longer than shutdownTimeoutMs.
      const drained = sleep(shutdownTimeoutMs, undefined, (wake) => (allClosed = wake));
      for (const c of connections) c.shutdown();
      await drained;
      for (const c of connections) c.destroy();
    }
    for (const raw of rawSockets) raw.destroy();
    await stopped;
    bound = null;
    if (ownsEngine) await engine.close();
  }

  return {
    engine,
    get connections() {
      return connections.size;
    },
    get bufferedBytes() {
      return budget.used;
    },
    async listen(port = DEFAULTS.port, host = DEFAULTS.host) {
      return (bound = await listenOn(server, port, host));
    },
    close() {
      return (closing ??= shutdown());
    },
    address: () => bound,
    reload() {
      const done: string[] = [];
      if (options.tls) {
        reloadTls(server as tls.Server, options.tls);
        done.push("the TLS certificate");
      }
      if (options.usersFile !== undefined) {
        access.reload();
        done.push("the users file");
        for (const c of connections) if (c.user && !access.isCurrent(c.user)) c.destroy();
      }
      return done;
    },
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
