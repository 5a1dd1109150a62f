// The TCP transport: tinyqs's RESP commands (docs/protocol.md) over ioredis connections.
//
// - One main connection carries every command that answers at once; ioredis pipelines them.
// - A receive or peek that waits (WAIT ms) blocks the connection it is on, so it runs on a
//   connection of its own, taken from a small pool of duplicates. Aborting its signal destroys that
//   connection: the server then puts back whatever it was reserving for it.
// - Reconnection: capped exponential backoff with jitter. No offline queue: a command issued while
//   disconnected waits for 'ready' at most `timeoutMs`, then fails with UNAVAILABLE. Commands cut by
//   a dropped connection fail (UNAVAILABLE) and are never re-sent behind the caller's back
//   (autoResendUnfulfilledCommands: false), so a cut receive cannot strand a reservation.
//   The one exception is WAIT (a reply wait): the server puts back a reply it was collecting at
//   the instant the connection vanished, so a cut WAIT is safe to send again for the rest of its
//   timeout (a reply already written to the lost connection counted as delivered: the new WAIT
//   cannot get it, but it is never handed out twice either).
import { Redis, type RedisOptions } from "ioredis";
import {
  TinyQSError,
  createWorker,
  type Body,
  type Handler,
  type Message,
  type QueueConfig,
  type QueueStats,
  type ReceiveBatchOptions,
  type ReceiveOptions,
  type ReleaseOptions,
  type ReplyWaitOptions,
  type SendOptions,
  type TinyQSApi,
  type TouchOptions,
  type WaitOptions,
  type Worker,
  type WorkerOptions,
} from "@tinyqs/core";
import {
  DEFAULT_TIMEOUT_MS,
  LIMITS,
  checkQueueName,
  checkReplyTimeout,
  fromReplyText,
  parseReplyHandle,
  requestAbandoned,
  requestTimedOut,
  toBuffer,
  type ClientOptions,
} from "./common.js";

export interface TcpClientOptions extends ClientOptions {
  host: string;
  port: number;
}

type Reply = null | number | Buffer | string | Reply[];

const NUMBER_FIELDS = new Set(["visibilityMs", "maxReceives", "maxMessageBytes", "replyTtlMs"]);

/**
 * A command cut by a dropped connection (callers see UNAVAILABLE). Kept apart from "the server
 * cannot be reached", so wait() knows it may send its WAIT again.
 */
class CommandCut extends TinyQSError {}

export class TcpClient implements TinyQSApi {
  private readonly main: Redis;
  private readonly timeoutMs: number;
  private readonly poolSize: number;
  private readonly idle: Redis[] = [];
  private readonly pollers = new Set<Redis>();
  private readonly redisOptions: RedisOptions;
  private closed = false;
  private lastError: unknown;

  constructor(private readonly options: TcpClientOptions) {
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.poolSize = options.pollPoolSize ?? 4;
    const maxDelay = options.maxReconnectDelayMs ?? 2000;
    this.redisOptions = {
      host: options.host,
      port: options.port,
      password: options.password,
      protocol: 2,
      enableOfflineQueue: false,
      autoResendUnfulfilledCommands: false,
      enableReadyCheck: false,
      maxRetriesPerRequest: 0,
      connectTimeout: this.timeoutMs,
      // Capped exponential backoff with full-ish jitter: 50 ms, 100 ms, … up to maxDelay.
      retryStrategy: (times: number) => Math.round(Math.min(maxDelay, 50 * 2 ** Math.min(times - 1, 16)) * (0.5 + Math.random() / 2)),
    };
    this.main = this.open();
  }

  private open(): Redis {
    const r = new Redis(this.redisOptions);
    r.on("error", (e: unknown) => {
      this.lastError = e;
    });
    r.on("ready", () => {
      this.lastError = undefined;
    });
    return r;
  }

  private where(): string {
    return `${this.options.host}:${this.options.port}`;
  }

  /** Resolves once `conn` is ready; UNAVAILABLE after timeoutMs, CLOSED if the client closes. */
  private ready(conn: Redis): Promise<void> {
    if (this.closed) return Promise.reject(new TinyQSError("CLOSED"));
    if (conn.status === "ready") return Promise.resolve();
    const refused = authRefusal(this.lastError);
    if (refused) return Promise.reject(refused);
    return new Promise<void>((resolve, reject) => {
      const done = (err?: TinyQSError) => {
        clearTimeout(timer);
        conn.off("ready", onReady);
        conn.off("end", onEnd);
        conn.off("error", onError);
        err ? reject(err) : resolve();
      };
      const onReady = () => done();
      const onEnd = () => done(this.closed ? new TinyQSError("CLOSED") : this.unavailable());
      // A wrong or missing password will not get better by waiting.
      const onError = (e: unknown) => {
        const refusal = authRefusal(e);
        if (refusal) done(refusal);
      };
      const timer = setTimeout(() => done(this.unavailable()), this.timeoutMs);
      conn.on("ready", onReady);
      conn.on("end", onEnd);
      conn.on("error", onError);
    });
  }

  private unavailable(cause: unknown = this.lastError): TinyQSError {
    const why = cause instanceof Error ? `: ${cause.message}` : "";
    return new TinyQSError("UNAVAILABLE", `the tinyqs server at ${this.where()} cannot be reached within ${this.timeoutMs} ms${why}`, { cause });
  }

  private mapError(e: unknown): TinyQSError {
    if (e instanceof TinyQSError) return e;
    if (e instanceof Error && e.name === "ReplyError") return fromReplyText(e.message, e);
    if (this.closed) return new TinyQSError("CLOSED", undefined, { cause: e });
    return new CommandCut("UNAVAILABLE", `the connection to the tinyqs server at ${this.where()} dropped: ${(e as Error)?.message ?? e}`, { cause: e });
  }

  /** One command on the main connection; binary replies when `binary`. */
  private async cmd(args: Array<string | Buffer>, binary = false): Promise<Reply> {
    await this.ready(this.main);
    try {
      const [name, ...rest] = args as [string, ...Array<string | Buffer>];
      return (binary ? await this.main.callBuffer(name, ...rest) : await this.main.call(name, ...rest)) as Reply;
    } catch (e) {
      throw this.mapError(e);
    }
  }

  /**
   * One waiting command on a pooled connection of its own. `aborted` is the answer when the signal
   * aborts or the client closes while it waits (the connection is destroyed then).
   */
  private async blocking<T>(args: Array<string | Buffer>, signal: AbortSignal | undefined, parse: (r: Reply) => T, aborted: T): Promise<T> {
    if (this.closed) throw new TinyQSError("CLOSED");
    if (signal?.aborted) return aborted;
    const conn = this.idle.pop() ?? this.open();
    this.pollers.add(conn);
    const onAbort = () => conn.disconnect();
    signal?.addEventListener("abort", onAbort, { once: true });
    let reusable = false;
    try {
      await this.ready(conn);
      if (signal?.aborted) return aborted;
      const [name, ...rest] = args as [string, ...Array<string | Buffer>];
      let reply: Reply;
      try {
        reply = (await conn.callBuffer(name, ...rest)) as Reply;
      } catch (e) {
        if (signal?.aborted || this.closed) return aborted;
        throw this.mapError(e);
      }
      reusable = !signal?.aborted && !this.closed;
      return parse(reply);
    } catch (e) {
      if (e instanceof TinyQSError && e.code === "CLOSED") return aborted;
      throw e;
    } finally {
      signal?.removeEventListener("abort", onAbort);
      this.pollers.delete(conn);
      if (reusable && conn.status === "ready" && this.idle.length < this.poolSize) this.idle.push(conn);
      else conn.disconnect();
    }
  }

  private checkOpen(): void {
    if (this.closed) throw new TinyQSError("CLOSED");
  }

  async send(queue: string, body: Body, options: SendOptions = {}): Promise<string> {
    this.checkOpen();
    checkQueueName(queue);
    const args: Array<string | Buffer> = ["SEND", queue, toBuffer(body)];
    if (options.delayMs !== undefined) args.push("DELAY", num(options.delayMs, "delayMs"));
    return String(await this.cmd(args));
  }

  async sendBatch(queue: string, bodies: Body[], options: SendOptions = {}): Promise<string[]> {
    this.checkOpen();
    checkQueueName(queue);
    if (!Array.isArray(bodies)) throw new TinyQSError("BAD_ARGUMENT", "sendBatch takes an array of bodies");
    if (bodies.length === 0) return [];
    const buffers = bodies.map(toBuffer);
    if (options.delayMs) {
      // MSEND has no DELAY: pipelined SENDs (each stored on its own).
      return Promise.all(buffers.map((b) => this.send(queue, b, options)));
    }
    const reply = await this.cmd(["MSEND", queue, ...buffers]);
    return (reply as Reply[]).map(String);
  }

  receive(queue: string, options: ReceiveOptions = {}): Promise<Message | null> {
    return this.receiveOne("RECEIVE", queue, options);
  }

  /** RECEIVE or TAKE (a receive under the request/response name): one message or null. */
  private async receiveOne(command: "RECEIVE" | "TAKE", queue: string, options: ReceiveOptions): Promise<Message | null> {
    const args = this.receiveArgs(command, queue, options, undefined);
    if (options.signal?.aborted) return null;
    const parse = (r: Reply) => (r === null ? null : toMessage(queue, r as Reply[]));
    if (options.waitMs) return this.blocking(args, options.signal, parse, null);
    return parse(await this.cmd(args, true));
  }

  async receiveBatch(queue: string, options: ReceiveBatchOptions): Promise<Message[]> {
    const args = this.receiveArgs("RECEIVE", queue, options, options?.max);
    if (options.signal?.aborted) return [];
    const parse = (r: Reply) => ((r ?? []) as Reply[]).map((m) => toMessage(queue, m as Reply[]));
    if (options.waitMs) return this.blocking(args, options.signal, parse, []);
    return parse(await this.cmd(args, true));
  }

  private receiveArgs(command: "RECEIVE" | "TAKE", queue: string, options: ReceiveOptions, max: number | undefined): Array<string | Buffer> {
    this.checkOpen();
    checkQueueName(queue);
    const args = [command, queue];
    if (max !== undefined) args.push("COUNT", num(max, "max"));
    if (options.waitMs) args.push("WAIT", num(options.waitMs, "waitMs"));
    if (options.visibilityMs !== undefined) args.push("VISIBILITY", num(options.visibilityMs, "visibilityMs"));
    return args;
  }

  async peek(queue: string, options: WaitOptions = {}): Promise<Message | null> {
    this.checkOpen();
    checkQueueName(queue);
    if (options.signal?.aborted) return null;
    const args = ["PEEK", queue];
    const parse = (r: Reply) => (r === null ? null : toMessage(queue, r as Reply[]));
    if (options.waitMs) return this.blocking([...args, "WAIT", num(options.waitMs, "waitMs")], options.signal, parse, null);
    return parse(await this.cmd(args, true));
  }

  async delete(queue: string, idOrReceipt: string): Promise<boolean> {
    this.checkOpen();
    checkQueueName(queue);
    return Number(await this.cmd(["DELETE", queue, idOrReceipt])) > 0;
  }

  async touch(queue: string, receipt: string, options: TouchOptions = {}): Promise<boolean> {
    this.checkOpen();
    checkQueueName(queue);
    const args = ["TOUCH", queue, receipt];
    if (options.visibilityMs !== undefined) args.push("VISIBILITY", num(options.visibilityMs, "visibilityMs"));
    return Number(await this.cmd(args)) === 1;
  }

  async release(queue: string, receipt: string, options: ReleaseOptions = {}): Promise<boolean> {
    this.checkOpen();
    checkQueueName(queue);
    const args = ["RELEASE", queue, receipt];
    if (options.delayMs) args.push("DELAY", num(options.delayMs, "delayMs"));
    return Number(await this.cmd(args)) === 1;
  }

  // ---- request/response ----------------------------------------------------------------------

  async put(queue: string, body: Body): Promise<string> {
    this.checkOpen();
    checkQueueName(queue);
    return String(await this.cmd(["PUT", queue, toBuffer(body)]));
  }

  take(queue: string, options: ReceiveOptions = {}): Promise<Message | null> {
    return this.receiveOne("TAKE", queue, options);
  }

  async respond(queue: string, receipt: string, body: Body): Promise<boolean> {
    this.checkOpen();
    checkQueueName(queue);
    return Number(await this.cmd(["RESPOND", queue, receipt, toBuffer(body)])) === 1;
  }

  async wait(handle: string, options: ReplyWaitOptions = {}): Promise<Buffer | null> {
    this.checkOpen();
    parseReplyHandle(handle);
    const { signal } = options;
    let left = checkReplyTimeout(options.timeoutMs);
    if (signal?.aborted) return null;
    const deadline = Date.now() + (left ?? LIMITS.replyTimeoutMs);
    const parse = (r: Reply) => (r === null ? null : (r as Buffer));
    for (;;) {
      try {
        // A look without waiting answers at once: the main connection. A wait blocks: its own.
        if (left === 0) return parse(await this.cmd(["WAIT", handle, "TIMEOUT", "0"], true));
        const args = left === undefined ? ["WAIT", handle] : ["WAIT", handle, "TIMEOUT", String(left)];
        return await this.blocking(args, signal, parse, null);
      } catch (e) {
        // Cut mid-wait: a reply the server was collecting for the lost connection was put back, so
        // waiting again gets it (one already written to that connection is gone: delivered).
        // Until the deadline, then one last look, then UNAVAILABLE.
        if (!(e instanceof CommandCut) || left === 0 || signal?.aborted) throw e;
        left = Math.max(0, deadline - Date.now());
      }
    }
  }

  async request(queue: string, body: Body, options: ReplyWaitOptions = {}): Promise<Buffer> {
    this.checkOpen();
    checkQueueName(queue);
    const timeoutMs = checkReplyTimeout(options.timeoutMs);
    if (options.signal?.aborted) throw requestAbandoned(queue);
    const handle = await this.put(queue, body);
    const reply = await this.wait(handle, options);
    if (reply) return reply;
    this.checkOpen();
    throw requestTimedOut(handle, timeoutMs);
  }

  // ---- queues ----------------------------------------------------------------------------------

  async configure(queue: string, changes: Partial<QueueConfig>): Promise<QueueConfig> {
    this.checkOpen();
    checkQueueName(queue);
    const args = ["QCONFIG", queue];
    for (const [k, v] of Object.entries(changes ?? {})) if (v !== undefined) args.push(k, String(v));
    return toConfig(await this.cmd(args));
  }

  async getConfig(queue: string): Promise<QueueConfig> {
    this.checkOpen();
    checkQueueName(queue);
    return toConfig(await this.cmd(["QCONFIG", queue]));
  }

  async stats(queue: string): Promise<QueueStats> {
    this.checkOpen();
    checkQueueName(queue);
    const r = (await this.cmd(["STATS", queue])) as Reply[];
    const out: Record<string, number> = {};
    for (let i = 0; i + 1 < r.length; i += 2) out[String(r[i])] = Number(r[i + 1]);
    return out as unknown as QueueStats;
  }

  async queues(): Promise<string[]> {
    this.checkOpen();
    return ((await this.cmd(["QUEUES"])) as Reply[]).map(String);
  }

  async purge(queue: string): Promise<number> {
    this.checkOpen();
    checkQueueName(queue);
    return Number(await this.cmd(["PURGE", queue]));
  }

  async ping(): Promise<void> {
    this.checkOpen();
    await this.cmd(["PING"]);
  }

  process(queue: string, handler: Handler, options?: WorkerOptions): Worker {
    return createWorker(this, queue, handler, options);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const c of this.pollers) c.disconnect();
    for (const c of this.idle.splice(0)) c.disconnect();
    if (this.main.status === "ready") {
      await this.main.quit().catch(() => this.main.disconnect());
    } else {
      this.main.disconnect();
    }
  }
}

/** UNAUTHORIZED when `e` is the server refusing the password (WRONGPASS, NOAUTH). */
function authRefusal(e: unknown): TinyQSError | undefined {
  if (!(e instanceof Error) || e.name !== "ReplyError") return undefined;
  const mapped = fromReplyText(e.message, e);
  return mapped.code === "UNAUTHORIZED" ? mapped : undefined;
}

function num(v: unknown, what: string): string {
  if (typeof v !== "number" || !Number.isSafeInteger(v) || v < 0) {
    throw new TinyQSError("BAD_ARGUMENT", `${what} must be a non-negative integer, not ${JSON.stringify(v)}`);
  }
  return String(v);
}

function toMessage(queue: string, r: Reply[]): Message {
  const [id, receipt, body, receiveCount, sentAt] = r;
  return {
    queue,
    id: String(id),
    receipt: receipt === null || receipt === undefined ? null : String(receipt),
    body: Buffer.isBuffer(body) ? body : Buffer.from(String(body)),
    receiveCount: Number(receiveCount),
    sentAt: Number(sentAt),
  };
}

function toConfig(reply: Reply): QueueConfig {
  const r = reply as Reply[];
  const out: Record<string, unknown> = {};
  for (let i = 0; i + 1 < r.length; i += 2) {
    const k = String(r[i]);
    out[k] = NUMBER_FIELDS.has(k) ? Number(r[i + 1]) : String(r[i + 1]);
  }
  return out as unknown as QueueConfig;
}
