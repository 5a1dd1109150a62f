// The TCP client's connections to tinyqs-tcp, over ioredis:
//
// - One main connection carries every command that answers at once; ioredis pipelines them.
// - A receive or peek that waits (WAIT ms) blocks the connection it is on, so it runs on a
//   connection of its own, taken from a small pool of duplicates. Aborting its signal destroys that
//   connection: the server then puts back whatever it was reserving for it.
// - Reconnection: capped exponential backoff with jitter (backoff.ts). No offline queue: a command
//   issued while disconnected waits for 'ready' at most `timeoutMs`, then fails with UNAVAILABLE.
//   Commands cut by a dropped connection fail (UNAVAILABLE, as CommandCut) and are never re-sent
//   behind the caller's back (autoResendUnfulfilledCommands: false), so a cut receive cannot strand
//   a reservation; the one command the client sends again itself is WAIT (tcp.ts says why).
// - Every command has a deadline once sent: timeoutMs from the call's start, plus the server-side
//   wait of a long poll or reply WAIT. Past it the call fails with UNAVAILABLE ("whether the command
//   ran is unknown") and its connection is reset (dropped, then reconnected), so a late reply can
//   never be matched to a later command; the other commands pending on it fail the same way.
// - Error replies become TinyQSErrors by core's reading of RESP error lines (errorFromResp).
import { Redis, type RedisOptions } from "ioredis";
import { TinyQSError, sleep } from "@tinyqs/core";
import { errorFromResp } from "@tinyqs/core/wire";
import type { ConnectionOptions } from "node:tls";
import { reconnectDelay } from "./backoff.js";
import { tlsError } from "./tls.js";
import type { Reply } from "./tcp-replies.js";

export interface TcpConnectionsOptions {
  host: string;
  port: number;
  username: string | undefined;
  password: string | undefined;
  /** tls.connect's options for tinyqss://; undefined: plain TCP. */
  tls: ConnectionOptions | undefined;
  /**
   * How long a command waits for its connection to be ready, and for its answer from the call's
   * start (plus the server-side wait of a long poll or reply WAIT).
   */
  timeoutMs: number;
  /** Idle blocking connections kept for the next long poll. */
  poolSize: number;
  maxReconnectDelayMs: number;
}

type Args = Array<string | Buffer>;

/**
 * A command cut by a dropped connection (callers see UNAVAILABLE). Kept apart from "the server
 * cannot be reached", so wait() knows it may send its WAIT again.
 */
export class CommandCut extends TinyQSError {}

/** The events after which a command waiting for its connection looks again. */
const CHANGES = ["ready", "end", "error"] as const;

export class TcpConnections {
  private readonly main: Redis;
  private readonly idle: Redis[] = [];
  private readonly pollers = new Set<Redis>();
  private readonly redisOptions: RedisOptions;
  private isClosed = false;
  private lastError: unknown;
  /** The shared wait for each connection's next ready/end/error (nextChange). */
  private readonly changes = new Map<Redis, Promise<void>>();
  /** Some connection of this client has been ready once: the server exists, a refusal is a restart. */
  private everReady = false;
  /**
   * Each connection's resets for a missed deadline: how many so far (a command sent before the last
   * one was cut by it) and the error the commands it cut get.
   */
  private readonly resets = new WeakMap<Redis, { count: number; error: TinyQSError }>();

  constructor(private readonly o: TcpConnectionsOptions) {
    this.redisOptions = {
      host: o.host,
      port: o.port,
      username: o.username,
      password: o.password,
      ...(o.tls ? { tls: o.tls } : {}),
      protocol: 2,
      enableOfflineQueue: false,
      autoResendUnfulfilledCommands: false,
      enableReadyCheck: false,
      maxRetriesPerRequest: 0,
      connectTimeout: o.timeoutMs,
      retryStrategy: (times: number) => reconnectDelay(times, o.maxReconnectDelayMs),
    };
    this.main = this.open();
  }

  get closed(): boolean {
    return this.isClosed;
  }

  /** One command on the main connection; binary replies when `binary`. */
  async cmd(args: Args, binary = false): Promise<Reply> {
    try {
      return await this.call(this.main, args, binary, 0);
    } catch (e) {
      throw this.mapError(e);
    }
  }

  /**
   * One waiting command (the server waits up to `waitMs`) on a pooled connection of its own.
   * `aborted` is the answer when the signal aborts or the client closes while it waits (the
   * connection is destroyed then). Its deadline is timeoutMs + waitMs.
   */
  async blocking<T>(args: Args, waitMs: number, signal: AbortSignal | undefined, parse: (r: Reply) => T, aborted: T): Promise<T> {
    if (this.isClosed) throw new TinyQSError("CLOSED");
    if (signal?.aborted) return aborted;
    const conn = this.idle.pop() ?? this.open();
    this.pollers.add(conn);
    const onAbort = () => conn.disconnect();
    signal?.addEventListener("abort", onAbort, { once: true });
    let reusable = false;
    try {
      let reply: Reply;
      try {
        reply = await this.call(conn, args, true, waitMs);
      } catch (e) {
        if (signal?.aborted || this.isClosed) return aborted;
        throw this.mapError(e);
      }
      reusable = !signal?.aborted && !this.isClosed;
      return parse(reply);
    } catch (e) {
      if (e instanceof TinyQSError && e.code === "CLOSED") return aborted;
      throw e;
    } finally {
      signal?.removeEventListener("abort", onAbort);
      this.pollers.delete(conn);
      if (reusable && conn.status === "ready" && this.idle.length < this.o.poolSize) this.idle.push(conn);
      else conn.disconnect();
    }
  }

  async close(): Promise<void> {
    if (this.isClosed) return;
    this.isClosed = true;
    for (const c of this.pollers) c.disconnect();
    for (const c of this.idle.splice(0)) c.disconnect();
    if (this.main.status === "ready") {
      await this.main.quit().catch(() => this.main.disconnect());
    } else {
      this.main.disconnect();
    }
  }

  private open(): Redis {
    const r = new Redis(this.redisOptions);
    r.on("error", (e: unknown) => {
      this.lastError = e;
    });
    r.on("ready", () => {
      this.lastError = undefined;
      this.everReady = true;
    });
    return r;
  }

  private where(): string {
    return `${this.o.host}:${this.o.port}`;
  }

  /**
   * `args` on `conn` once it is ready, waiting at most timeoutMs for that, and answered within
   * timeoutMs + `waitMs` of the start (else UNAVAILABLE and `conn` is reset: answerBy). A command
   * ioredis refused to write (the connection went down between 'ready' and the write, so nothing was
   * sent) waits for the connection again; only a command that may have reached the server fails as cut.
   */
  private async call(conn: Redis, args: Args, binary: boolean, waitMs: number): Promise<Reply> {
    const start = Date.now();
    const deadline = start + this.o.timeoutMs;
    const limitMs = this.o.timeoutMs + waitMs;
    const [name, ...rest] = args as [string, ...Args];
    for (;;) {
      await this.ready(conn, deadline);
      try {
        const sent = binary ? conn.callBuffer(name, ...rest) : conn.call(name, ...rest);
        return await this.answerBy(conn, sent as Promise<Reply>, start + limitMs, limitMs);
      } catch (e) {
        if (!notWritten(e) || this.isClosed) throw e;
        if (Date.now() >= deadline) throw this.unavailable(e);
        // The socket is gone but ioredis has not said so yet (status still "ready"): give it a
        // moment to notice, then wait for the reconnection like any command issued while down.
        await sleep(10);
      }
    }
  }

  /**
   * `sent`'s answer, or at `by` UNAVAILABLE (the outcome unknown) and `conn` reset: disconnected and
   * reconnecting (the main one) or dropped (a pool one), so a late answer goes nowhere. A command
   * cut by a reset that another command's deadline caused fails the same way.
   */
  private answerBy(conn: Redis, sent: Promise<Reply>, by: number, limitMs: number): Promise<Reply> {
    const resetsBefore = this.resets.get(conn)?.count ?? 0;
    return new Promise<Reply>((resolve, reject) => {
      const timer = setTimeout(() => {
        const error = this.noAnswer(limitMs);
        reject(error);
        this.reset(conn, error);
      }, Math.max(0, by - Date.now()));
      sent.then(
        (reply) => {
          clearTimeout(timer);
          resolve(reply);
        },
        (e: unknown) => {
          clearTimeout(timer);
          const reset = this.resets.get(conn);
          reject(reset && reset.count > resetsBefore ? reset.error : e);
        },
      );
    });
  }

  private reset(conn: Redis, error: TinyQSError): void {
    const count = (this.resets.get(conn)?.count ?? 0) + 1;
    this.resets.set(conn, { count, error });
    if (conn === this.main && !this.isClosed) conn.disconnect(true);
    else conn.disconnect();
  }

  private noAnswer(limitMs: number): TinyQSError {
    return new TinyQSError("UNAVAILABLE", `no answer from the tinyqs server at ${this.where()} within ${limitMs} ms: whether the command ran is unknown`);
  }

  /** Resolves once `conn` is ready; UNAVAILABLE at `deadline`, CLOSED if the client closes. */
  private async ready(conn: Redis, deadline: number): Promise<void> {
    for (;;) {
      if (this.isClosed) throw new TinyQSError("CLOSED");
      if (conn.status === "ready") return;
      if (conn.status === "end") throw this.unavailable(); // disconnected for good (an abort)
      // A wrong or missing password will not get better by waiting, nor a server that never was.
      // Nor a certificate that fails its check (expired, untrusted, another name): said as such.
      const refused = authRefusal(this.lastError) ?? tlsError(this.lastError, this.where()) ?? this.neverThere(this.lastError);
      if (refused) throw refused;
      const left = deadline - Date.now();
      if (left <= 0) throw this.unavailable();
      await sleep(left, undefined, (wake) => void this.nextChange(conn).then(wake));
    }
  }

  /**
   * Resolves at `conn`'s next ready, end or error: one set of listeners on the connection however
   * many commands wait for it (a burst of commands during a reconnection would otherwise add three
   * listeners each, and Node warns of a leak past ten).
   */
  private nextChange(conn: Redis): Promise<void> {
    let change = this.changes.get(conn);
    if (!change) {
      change = new Promise<void>((resolve) => {
        const done = () => {
          for (const event of CHANGES) conn.off(event, done);
          this.changes.delete(conn);
          resolve();
        };
        for (const event of CHANGES) conn.on(event, done);
      });
      this.changes.set(conn, change);
    }
    return change;
  }

  /**
   * UNAVAILABLE at once when the connection is refused (ECONNREFUSED: nothing listens there) and
   * this client has never been connected: a wrong address or a server not started will not answer
   * within timeoutMs either. Once connected, a refusal is a server restarting, worth waiting for.
   */
  private neverThere(e: unknown): TinyQSError | undefined {
    if (this.everReady || (e as NodeJS.ErrnoException | undefined)?.code !== "ECONNREFUSED") return undefined;
    return new TinyQSError("UNAVAILABLE", `the tinyqs server at ${this.where()} cannot be reached: ${(e as Error).message} (nothing listens there: is it running?)`, { cause: e });
  }

  private unavailable(cause: unknown = this.lastError): TinyQSError {
    const why = cause instanceof Error ? `: ${cause.message}` : "";
    return new TinyQSError("UNAVAILABLE", `the tinyqs server at ${this.where()} cannot be reached within ${this.o.timeoutMs} ms${why}`, { cause });
  }

  private mapError(e: unknown): TinyQSError {
    if (e instanceof TinyQSError) return e;
    if (e instanceof Error && e.name === "ReplyError") return errorFromResp(e.message, e);
    if (this.isClosed) return new TinyQSError("CLOSED", undefined, { cause: e });
    return new CommandCut("UNAVAILABLE", `the connection to the tinyqs server at ${this.where()} dropped: ${(e as Error)?.message ?? e}`, { cause: e });
  }
}

/**
 * ioredis refused to write the command (no offline queue, and the connection is not up): it was
 * not sent. (ioredis 6's wording; anything else is treated as possibly sent.)
 */
function notWritten(e: unknown): boolean {
  return e instanceof Error && e.message.startsWith("Stream isn't writeable");
}

/** UNAUTHORIZED when `e` is the server refusing the password (WRONGPASS, NOAUTH). */
function authRefusal(e: unknown): TinyQSError | undefined {
  if (!(e instanceof Error) || e.name !== "ReplyError") return undefined;
  const mapped = errorFromResp(e.message, e);
  return mapped.code === "UNAUTHORIZED" ? mapped : undefined;
}
