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
  DEFAULT_MAX_RECONNECT_DELAY_MS,
  DEFAULT_TIMEOUT_MS,
  DEFAULTS,
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
import {
  checkBodies,
  checkIdOrReceipt,
  checkReceipt,
  configArgs,
  delayArg,
  receiveArgs,
  receiveBatchArgs,
  visibilityArg,
  waitArg,
  type ReceiveArgs,
} from "./args.js";
import { reconnectDelay } from "./backoff.js";

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
    const maxDelay = options.maxReconnectDelayMs ?? DEFAULT_MAX_RECONNECT_DELAY_MS;
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
      retryStrategy: (times: number) => reconnectDelay(times, maxDelay),
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

  /** Resolves once `conn` is ready; UNAVAILABLE at `deadline`, CLOSED if the client closes. */
  private ready(conn: Redis, deadline: number): Promise<void> {
    if (this.closed) return Promise.reject(new TinyQSError("CLOSED"));
    if (conn.status === "ready") return Promise.resolve();
    if (conn.status === "end") return Promise.reject(this.unavailable()); // disconnected for good (an abort)
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
      const timer = setTimeout(() => done(this.unavailable()), Math.max(0, deadline - Date.now()));
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

  /**
   * `args` on `conn` once it is ready, waiting at most timeoutMs in all. A command ioredis refused to
   * write (the connection went down between 'ready' and the write, so nothing was sent) waits for
   * the connection again; only a command that may have reached the server fails as cut.
   */
  private async call(conn: Redis, args: Array<string | Buffer>, binary: boolean): Promise<Reply> {
    const deadline = Date.now() + this.timeoutMs;
    const [name, ...rest] = args as [string, ...Array<string | Buffer>];
    for (;;) {
      await this.ready(conn, deadline);
      try {
        return (binary ? await conn.callBuffer(name, ...rest) : await conn.call(name, ...rest)) as Reply;
      } catch (e) {
        if (!notWritten(e) || this.closed) throw e;
        if (Date.now() >= deadline) throw this.unavailable(e);
        // The socket is gone but ioredis has not said so yet (status still "ready"): give it a
        // moment to notice, then wait for the reconnection like any command issued while down.
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    }
  }

  /** One command on the main connection; binary replies when `binary`. */
  private async cmd(args: Array<string | Buffer>, binary = false): Promise<Reply> {
    try {
      return await this.call(this.main, args, binary);
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
      let reply: Reply;
      try {
        reply = await this.call(conn, args, true);
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
    const delayMs = delayArg(options?.delayMs);
    const args: Array<string | Buffer> = ["SEND", queue, toBuffer(body)];
    if (delayMs) args.push("DELAY", String(delayMs));
    return String(await this.cmd(args));
  }

  async sendBatch(queue: string, bodies: Body[], options: SendOptions = {}): Promise<string[]> {
    this.checkOpen();
    checkQueueName(queue);
    checkBodies(bodies);
    const delayMs = delayArg(options?.delayMs);
    if (bodies.length === 0) return [];
    const buffers = bodies.map(toBuffer);
    if (delayMs) {
      // MSEND has no DELAY: pipelined SENDs (each stored on its own).
      return Promise.all(buffers.map((b) => this.send(queue, b, { delayMs })));
    }
    const reply = await this.cmd(["MSEND", queue, ...buffers]);
    return (reply as Reply[]).map(String);
  }

  receive(queue: string, options: ReceiveOptions = {}): Promise<Message | null> {
    return this.receiveOne("RECEIVE", queue, options);
  }

  /** RECEIVE or TAKE (a receive under the request/response name): one message or null. */
  private async receiveOne(command: "RECEIVE" | "TAKE", queue: string, options: ReceiveOptions | undefined): Promise<Message | null> {
    this.checkOpen();
    checkQueueName(queue);
    const checked = receiveArgs(options);
    const args = this.receiveCommand(command, queue, checked);
    if (options?.signal?.aborted) return null;
    const parse = (r: Reply) => (r === null ? null : toMessage(queue, r as Reply[]));
    if (checked.waitMs) return this.blocking(args, options?.signal, parse, null);
    return parse(await this.cmd(args, true));
  }

  async receiveBatch(queue: string, options: ReceiveBatchOptions): Promise<Message[]> {
    this.checkOpen();
    checkQueueName(queue);
    const checked = receiveBatchArgs(options);
    const args = this.receiveCommand("RECEIVE", queue, checked);
    if (options.signal?.aborted) return [];
    const parse = (r: Reply) => ((r ?? []) as Reply[]).map((m) => toMessage(queue, m as Reply[]));
    if (checked.waitMs) return this.blocking(args, options.signal, parse, []);
    return parse(await this.cmd(args, true));
  }

  private receiveCommand(command: "RECEIVE" | "TAKE", queue: string, { max, waitMs, visibilityMs }: ReceiveArgs): Array<string | Buffer> {
    const args = [command, queue];
    if (max !== undefined) args.push("COUNT", String(max));
    if (waitMs) args.push("WAIT", String(waitMs));
    if (visibilityMs !== undefined) args.push("VISIBILITY", String(visibilityMs));
    return args;
  }

  async peek(queue: string, options: WaitOptions = {}): Promise<Message | null> {
    this.checkOpen();
    checkQueueName(queue);
    const waitMs = waitArg(options?.waitMs);
    if (options?.signal?.aborted) return null;
    const args = ["PEEK", queue];
    const parse = (r: Reply) => (r === null ? null : toMessage(queue, r as Reply[]));
    if (waitMs) return this.blocking([...args, "WAIT", String(waitMs)], options.signal, parse, null);
    return parse(await this.cmd(args, true));
  }

  async delete(queue: string, idOrReceipt: string): Promise<boolean> {
    this.checkOpen();
    checkQueueName(queue);
    return Number(await this.cmd(["DELETE", queue, checkIdOrReceipt(idOrReceipt)])) > 0;
  }

  async touch(queue: string, receipt: string, options: TouchOptions = {}): Promise<boolean> {
    this.checkOpen();
    checkQueueName(queue);
    const args = ["TOUCH", queue, checkReceipt(receipt)];
    const visibilityMs = visibilityArg(options?.visibilityMs);
    if (visibilityMs !== undefined) args.push("VISIBILITY", String(visibilityMs));
    return Number(await this.cmd(args)) === 1;
  }

  async release(queue: string, receipt: string, options: ReleaseOptions = {}): Promise<boolean> {
    this.checkOpen();
    checkQueueName(queue);
    const args = ["RELEASE", queue, checkReceipt(receipt)];
    const delayMs = delayArg(options?.delayMs);
    if (delayMs) args.push("DELAY", String(delayMs));
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
    return Number(await this.cmd(["RESPOND", queue, checkReceipt(receipt), toBuffer(body)])) === 1;
  }

  async wait(handle: string, options: ReplyWaitOptions = {}): Promise<Buffer | null> {
    this.checkOpen();
    parseReplyHandle(handle);
    const { signal } = options;
    let left = checkReplyTimeout(options.timeoutMs);
    if (signal?.aborted) return null;
    const deadline = Date.now() + (left ?? DEFAULTS.replyTimeoutMs);
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
    for (const [k, v] of Object.entries(configArgs(queue, changes))) args.push(k, String(v));
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
  const mapped = fromReplyText(e.message, e);
  return mapped.code === "UNAUTHORIZED" ? mapped : undefined;
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
