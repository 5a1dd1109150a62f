// The embedded engine: every operation is one atomic Lua script on the keys of one queue.
import {
  checkBodies,
  checkConfigChanges,
  checkDelayMs,
  checkIdOrReceipt,
  checkMax,
  checkReceipt,
  checkReplyTimeoutMs,
  checkVisibilityMs,
  checkWaitMs,
  LIMITS,
  checkInt,
  checkQueueName,
  toBuffer,
} from "./arguments.js";
import { BATCH_BYTES, Coalescer, batchWeight } from "./coalescer.js";
import { connect, fromRedisError, subscriberFor, type Connection, type RedisClient, type RedisInput } from "./connection.js";
import { TinyQSError } from "./errors.js";
import { KeySpace, type QueueKeys } from "./keys.js";
import { DEFAULTS } from "./defaults.js";
import { Replies } from "./replies.js";
import { parseReplyHandle, replyHandle, replyTimedOut, requestAbandoned } from "./reply-handle.js";
import { Scripts } from "./scripts.js";
import type {
  Body, Message, QueueConfig, QueueStats, ReceiveBatchOptions, ReceiveOptions, ReleaseOptions, ReplyWaitOptions,
  SendOptions, TinyQSApi, TouchOptions, WaitOptions,
} from "./types.js";
import { Waiters } from "./waiters.js";
import { createWorker, type Handler, type Worker, type WorkerOptions } from "./worker.js";

export interface TinyQSOptions {
  /** A redis:// URL, ioredis options, an ioredis Redis or Cluster, or `{ cluster: ['host:port', …] }`. Default redis://127.0.0.1:6379. */
  redis?: RedisInput;
  /** First part of every key (default "tinyqs"). */
  prefix?: string;
  /** How long an operation waits for an unreachable Redis before failing with UNAVAILABLE (default DEFAULTS.redisTimeoutMs, 5000 ms). */
  timeoutMs?: number;
}

interface SendGroup {
  delayMs: number;
  bodies: Buffer[];
}

interface ReceiveGroup {
  max: number;
  visibilityMs: number; // 0 = the queue's
}

interface Attempt<T> {
  value: T;
  nextDueIn: number;
}

/** The coalescers of one queue. */
interface QueueOps {
  keys: QueueKeys;
  send: Coalescer<SendGroup, string[] | TinyQSError>;
  receive: Coalescer<ReceiveGroup, Attempt<Message[]>>;
  delete: Coalescer<string, boolean>;
}

export class TinyQS implements TinyQSApi {
  private readonly conn: Connection;
  private readonly redis: RedisClient;
  private readonly subscriber: RedisClient;
  private readonly scripts: Scripts;
  private readonly keys: KeySpace;
  private readonly waiters: Waiters;
  private readonly replies: Replies;
  private readonly timeoutMs: number;
  private readonly ops = new Map<string, QueueOps>();
  private readonly registered = new Set<string>();
  /** Dead-letter queue names learned from receive redirects (default `<queue>.dead`). */
  private readonly deadLetterNames = new Map<string, string>();
  private readonly draining = new Set<string>();
  /** One shared wait for the connection, however many operations are waiting for it. */
  private readyWait: Promise<void> | null = null;
  private closed = false;

  constructor(options: TinyQSOptions = {}) {
    this.timeoutMs = checkInt("timeoutMs", options.timeoutMs, 1, 600_000, DEFAULTS.redisTimeoutMs);
    this.keys = new KeySpace(options.prefix);
    this.conn = connect(options.redis, this.timeoutMs);
    this.redis = this.conn.client;
    this.subscriber = subscriberFor(this.redis);
    // ioredis reports connection trouble as 'error' events; operations report it as UNAVAILABLE.
    if (this.conn.owned) this.redis.on("error", () => {});
    this.subscriber.on("error", () => {});
    this.scripts = new Scripts(this.redis);
    this.waiters = new Waiters(this.subscriber, this.keys);
    this.replies = new Replies({
      waiters: this.waiters,
      run: (name, keys, args, buffers) => this.run(name, keys, args, buffers),
      isClosed: () => this.closed,
    });
  }

  // ---- sending ------------------------------------------------------------------------------

  async send(queue: string, body: Body, options: SendOptions = {}): Promise<string> {
    const [id] = await this.sendGroup(queue, [body], options);
    return id!;
  }

  async sendBatch(queue: string, bodies: Body[], options: SendOptions = {}): Promise<string[]> {
    checkBodies(bodies);
    if (bodies.length === 0) {
      checkQueueName(queue);
      return [];
    }
    return this.sendGroup(queue, bodies, options);
  }

  private async sendGroup(queue: string, bodies: Body[], options: SendOptions): Promise<string[]> {
    const ops = this.queueOps(queue);
    const delayMs = checkDelayMs(options.delayMs);
    const buffers = bodies.map(toBuffer);
    for (const b of buffers) {
      if (b.length > LIMITS.maxMessageBytesCeiling) throw tooBig(b.length, LIMITS.maxMessageBytesCeiling);
    }
    const [result] = await Promise.all([ops.send.add({ delayMs, bodies: buffers }), this.register(queue)]);
    if (result instanceof TinyQSError) throw result;
    return result;
  }

  private async flushSends(keys: QueueKeys, groups: SendGroup[]): Promise<Array<string[] | TinyQSError>> {
    const runs: number[] = [];
    const bodies: Buffer[] = [];
    for (const g of groups) {
      const n = runs.length;
      if (n > 0 && runs[n - 2] === g.delayMs && runs[n - 1] === g.bodies.length) runs[n - 3]!++;
      else runs.push(1, g.delayMs, g.bodies.length);
      bodies.push(...g.bodies);
    }
    const args = [keys.wake, DEFAULTS.maxMessageBytes, runs.length / 3, ...runs, ...bodies];
    const [now, ...firsts] = (await this.run("send", [keys.ready, keys.delayed, keys.bodies, keys.stats, keys.config], args)) as [string, ...number[]];
    return groups.map((g, i) => {
      const first = firsts[i]!;
      if (first < 0) return new TinyQSError("TOO_BIG", "a message body is larger than the queue's maxMessageBytes");
      return g.bodies.map((_, k) => `${now}-${first + k}`);
    });
  }

  // ---- receiving ----------------------------------------------------------------------------

  async receive(queue: string, options: ReceiveOptions = {}): Promise<Message | null> {
    const [m] = await this.receiveBatch(queue, { ...options, max: 1 });
    return m ?? null;
  }

  async receiveBatch(queue: string, options: ReceiveBatchOptions): Promise<Message[]> {
    const ops = this.queueOps(queue);
    const max = checkMax(options?.max);
    const visibilityMs = checkVisibilityMs(options.visibilityMs) ?? 0; // 0: the queue's setting
    const waitMs = checkWaitMs(options.waitMs);
    const { signal } = options;
    if (signal?.aborted) return [];
    const messages = await this.waitFor(queue, waitMs, signal, () => ops.receive.add({ max, visibilityMs }));
    if (signal?.aborted && messages.length > 0) {
      // The receiver went away while its messages were being reserved: they go straight back.
      await Promise.all(messages.map((m) => this.releaseReceipt(ops.keys, m.receipt!, 0, true).catch(() => false)));
      return [];
    }
    return messages;
  }

  async peek(queue: string, options: WaitOptions = {}): Promise<Message | null> {
    const ops = this.queueOps(queue);
    const waitMs = checkWaitMs(options.waitMs);
    if (options.signal?.aborted) return null;
    const [m] = await this.waitFor(queue, waitMs, options.signal, () => this.peekOnce(queue, ops.keys));
    return m ?? null;
  }

  private async peekOnce(queue: string, keys: QueueKeys): Promise<Attempt<Message[]>> {
    const reply = await this.receiveScript(queue, keys, "peek", []);
    return { value: toMessages(queue, reply, 2, false), nextDueIn: Number(reply[0]) };
  }

  /**
   * Try once; if nothing came and the caller may wait, hold the queue's wake channel and try again
   * on every wake until something comes, the time is up or the signal aborts.
   */
  private async waitFor<T>(queue: string, waitMs: number, signal: AbortSignal | undefined, attempt: () => Promise<Attempt<T[]>>): Promise<T[]> {
    const deadline = Date.now() + waitMs;
    let result = await attempt();
    if (result.value.length > 0 || waitMs === 0) return result.value;
    const watch = await this.waiters.hold(queue).catch((err: unknown) => {
      throw fromRedisError(err);
    });
    try {
      for (;;) {
        if (this.closed || signal?.aborted) return [];
        // Subscribed now: a wake from here on is seen, so this attempt closes the gap since the first.
        const generation = watch.generation;
        result = await attempt();
        if (result.value.length > 0) return result.value;
        const left = deadline - Date.now();
        if (left <= 0 || signal?.aborted || this.closed) return result.value;
        if (watch.generation !== generation) continue;
        watch.wakeIn(result.nextDueIn);
        await watch.next(left, signal);
      }
    } finally {
      watch.release();
    }
  }

  private async flushReceives(queue: string, keys: QueueKeys, groups: ReceiveGroup[]): Promise<Array<Attempt<Message[]>>> {
    const reply = await this.receiveScript(queue, keys, "receive", runsOf(groups));
    const nextDueIn = Number(reply[0]);
    if (this.conn.isCluster && Number(reply[1]) > 0) void this.drainOutbox(queue);
    const messages = toMessages(queue, reply, 2, true);
    let at = 0;
    return groups.map((g) => ({ value: messages.slice(at, (at += g.max)), nextDueIn }));
  }

  /** Runs receive-9.lua, following its redirect to the configured dead-letter queue. */
  private async receiveScript(queue: string, keys: QueueKeys, mode: "receive" | "peek", groups: number[]): Promise<unknown[]> {
    for (let tries = 0; ; tries++) {
      let deadName = "";
      let target: QueueKeys;
      if (this.conn.isCluster) {
        // Cluster: dead letters wait in this queue's outbox (same slot), handed over by drainOutbox().
        target = { ...keys, ready: keys.outbox, bodies: keys.outboxBodies };
      } else {
        deadName = this.deadLetterNames.get(queue) ?? `${queue}.dead`;
        target = this.keys.queue(deadName);
      }
      const reply = (await this.run(
        "receive",
        [keys.ready, keys.delayed, keys.inflight, keys.bodies, keys.stats, keys.config, target.ready, target.bodies, target.stats],
        [queue, deadName, DEFAULTS.visibilityMs, mode, this.keys.queue(deadName).wake, ...groups],
        true,
      )) as unknown[];
      if (Number(reply[0]) !== -2) return reply;
      const configured = String(reply[1]);
      if (tries > 0) throw new TinyQSError("INTERNAL", `dead-letter queue of ${queue} keeps changing`);
      this.deadLetterNames.set(queue, configured);
    }
  }

  // ---- acting on a reservation ---------------------------------------------------------------

  async delete(queue: string, idOrReceipt: string): Promise<boolean> {
    const ops = this.queueOps(queue);
    return ops.delete.add(checkIdOrReceipt(idOrReceipt));
  }

  private async flushDeletes(keys: QueueKeys, items: string[]): Promise<boolean[]> {
    const reply = (await this.run("delete", [keys.ready, keys.delayed, keys.inflight, keys.bodies, keys.stats], items)) as string;
    return items.map((_, i) => reply[i] === "1");
  }

  async touch(queue: string, receipt: string, options: TouchOptions = {}): Promise<boolean> {
    const { keys } = this.queueOps(queue);
    checkReceipt(receipt);
    const visibilityMs = checkVisibilityMs(options.visibilityMs) ?? 0; // 0: the queue's setting
    const r = await this.run("touch", [keys.inflight, keys.config], [receipt, visibilityMs, DEFAULTS.visibilityMs]);
    return r === 1;
  }

  async release(queue: string, receipt: string, options: ReleaseOptions = {}): Promise<boolean> {
    const { keys } = this.queueOps(queue);
    checkReceipt(receipt);
    const delayMs = checkDelayMs(options.delayMs);
    return this.releaseReceipt(keys, receipt, delayMs, options.undeliver === true);
  }

  private async releaseReceipt(keys: QueueKeys, receipt: string, delayMs: number, undo: boolean): Promise<boolean> {
    const r = await this.run(
      "release",
      [keys.ready, keys.delayed, keys.inflight, keys.stats, keys.bodies],
      [receipt, delayMs, keys.wake, undo ? "undo" : ""],
    );
    return r === 1;
  }

  // ---- request/response -------------------------------------------------------------------------

  async put(queue: string, body: Body): Promise<string> {
    return replyHandle(queue, await this.send(queue, body));
  }

  take(queue: string, options: ReceiveOptions = {}): Promise<Message | null> {
    return this.receive(queue, options);
  }

  async respond(queue: string, receipt: string, body: Body): Promise<boolean> {
    const { keys } = this.queueOps(queue);
    checkReceipt(receipt);
    const reply = toBuffer(body);
    if (reply.length > LIMITS.maxMessageBytesCeiling) throw tooBig(reply.length, LIMITS.maxMessageBytesCeiling);
    return this.replies.respond(keys, receipt, reply);
  }

  async wait(handle: string, options: ReplyWaitOptions = {}): Promise<Buffer | null> {
    this.checkOpen();
    const { queue, id } = parseReplyHandle(handle);
    const { keys } = this.queueOps(queue);
    const timeoutMs = checkReplyTimeoutMs(options.timeoutMs) ?? DEFAULTS.replyTimeoutMs;
    return this.replies.wait(queue, keys, id, timeoutMs, options.signal);
  }

  async request(queue: string, body: Body, options: ReplyWaitOptions = {}): Promise<Buffer> {
    const timeoutMs = checkReplyTimeoutMs(options.timeoutMs) ?? DEFAULTS.replyTimeoutMs;
    if (options.signal?.aborted) throw requestAbandoned(queue);
    const handle = await this.put(queue, body);
    const reply = await this.wait(handle, options);
    if (reply) return reply;
    this.checkOpen();
    throw replyTimedOut(handle, timeoutMs);
  }

  // ---- queues ----------------------------------------------------------------------------------

  async configure(queue: string, changes: Partial<QueueConfig>): Promise<QueueConfig> {
    const { keys } = this.queueOps(queue);
    const checked = checkConfigChanges(queue, changes);
    const fields = Object.entries(checked).flat() as Array<string | number>;
    const current = await this.getConfig(queue);
    const next = { ...current, ...checked } as QueueConfig;
    if (next.maxReceives > 0) checkQueueName(next.deadLetterQueue, "dead-letter queue (set deadLetterQueue: the default <queue>.dead is too long)");
    if (fields.length > 0) await this.call(() => this.redis.hset(keys.config, ...fields));
    await this.register(queue);
    if (next.maxReceives > 0) {
      await this.register(next.deadLetterQueue);
      this.deadLetterNames.set(queue, next.deadLetterQueue);
    }
    return next;
  }

  async getConfig(queue: string): Promise<QueueConfig> {
    const { keys } = this.queueOps(queue);
    const stored = await this.call(() => this.redis.hgetall(keys.config));
    return {
      visibilityMs: Number(stored.visibilityMs ?? DEFAULTS.visibilityMs),
      maxReceives: Number(stored.maxReceives ?? 0),
      deadLetterQueue: stored.deadLetterQueue ?? `${queue}.dead`,
      maxMessageBytes: Number(stored.maxMessageBytes ?? DEFAULTS.maxMessageBytes),
      replyTtlMs: Number(stored.replyTtlMs ?? DEFAULTS.replyTtlMs),
    };
  }

  async stats(queue: string): Promise<QueueStats> {
    const { keys } = this.queueOps(queue);
    const r = (await this.run("stats", [keys.ready, keys.delayed, keys.inflight, keys.stats], [])) as number[];
    const [ready, inFlight, delayed, sent, received, deleted, deadLettered] = r.map(Number) as [number, number, number, number, number, number, number];
    return { ready, inFlight, delayed, sent, received, deleted, deadLettered };
  }

  async ping(): Promise<void> {
    this.checkOpen();
    await this.call(() => this.redis.ping());
  }

  async queues(): Promise<string[]> {
    this.checkOpen();
    const names = await this.call(() => this.redis.smembers(this.keys.registry));
    return names.sort();
  }

  async purge(queue: string): Promise<number> {
    const { keys } = this.queueOps(queue);
    const r = await this.run("purge", [keys.ready, keys.delayed, keys.inflight, keys.bodies], []);
    return Number(r);
  }

  process(queue: string, handler: Handler, options?: WorkerOptions): Worker {
    return createWorker(this, queue, handler, options);
  }

  /** Stops long polls (they return empty), waits for operations in flight, and closes the connections it made. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.waiters.close();
    const quit = (c: RedisClient) => c.quit().catch(() => c.disconnect());
    await Promise.all([quit(this.subscriber), this.conn.owned ? quit(this.redis) : Promise.resolve()]);
  }

  // ---- plumbing -------------------------------------------------------------------------------

  private queueOps(queue: string): QueueOps {
    this.checkOpen();
    let ops = this.ops.get(queue);
    if (ops) return ops;
    checkQueueName(queue);
    const keys = this.keys.queue(queue);
    ops = {
      keys,
      send: new Coalescer((groups) => this.flushSends(keys, groups), { maxWeight: BATCH_BYTES, weigh: (g) => batchWeight(g.bodies) }),
      receive: new Coalescer((groups) => this.flushReceives(queue, keys, groups), { weigh: (g) => g.max }),
      delete: new Coalescer((items) => this.flushDeletes(keys, items)),
    };
    this.ops.set(queue, ops);
    return ops;
  }

  /** Add a queue to the registry behind queues() (once per queue per engine). */
  private async register(queue: string): Promise<void> {
    if (this.registered.has(queue)) return;
    await this.call(() => this.redis.sadd(this.keys.registry, queue));
    this.registered.add(queue);
  }

  /**
   * Hand dead letters from a queue's outbox to its dead-letter queue (Redis Cluster only, where the
   * two may live in different slots): read, adopt there (idempotent), then forget here.
   */
  private async drainOutbox(queue: string): Promise<void> {
    if (this.draining.has(queue) || this.closed) return;
    this.draining.add(queue);
    try {
      const src = this.keys.queue(queue);
      const { deadLetterQueue } = await this.getConfig(queue);
      const dlq = this.keys.queue(deadLetterQueue);
      await this.register(deadLetterQueue);
      for (;;) {
        const ids = await this.call(() => this.redis.lrange(src.outbox, 0, 99));
        if (ids.length === 0) break;
        const bodies = await this.call(() => this.redis.hmgetBuffer(src.outboxBodies, ...ids));
        const pairs: Array<string | Buffer> = [];
        ids.forEach((id, i) => bodies[i] && pairs.push(id, bodies[i]!));
        if (pairs.length > 0) await this.run("adopt", [dlq.ready, dlq.bodies, dlq.stats, dlq.adopted], [dlq.wake, queue, ...pairs]);
        await this.run("unqueue-outbox", [src.outbox, src.outboxBodies], ids);
      }
    } catch {
      // Left in the outbox; the next receive on this queue that sees it tries again.
    } finally {
      this.draining.delete(queue);
    }
  }

  private async run(name: Parameters<Scripts["run"]>[0], keys: string[], args: Array<string | number | Buffer>, buffers = false): Promise<unknown> {
    return this.call(() => this.scripts.run(name, keys, args, buffers));
  }

  /** Wait (bounded) for Redis to be ready, run one command, and turn failures into TinyQSErrors. */
  private async call<T>(command: () => Promise<T>): Promise<T> {
    this.checkOpen();
    if (this.redis.status !== "ready") await this.whenReady();
    try {
      return await command();
    } catch (err) {
      throw this.closed ? new TinyQSError("CLOSED") : fromRedisError(err);
    }
  }

  private whenReady(): Promise<void> {
    return (this.readyWait ??= this.waitForReady().finally(() => (this.readyWait = null)));
  }

  private waitForReady(): Promise<void> {
    const redis = this.redis;
    if (redis.status === "wait") redis.connect().catch(() => {});
    return new Promise((resolve, reject) => {
      const done = (err?: TinyQSError) => {
        clearTimeout(timer);
        redis.off("ready", onReady);
        if (err) reject(err);
        else resolve();
      };
      const onReady = () => done();
      const timer = setTimeout(
        () => done(new TinyQSError("UNAVAILABLE", `Redis is unavailable: not connected after ${this.timeoutMs} ms (status ${redis.status})`)),
        this.timeoutMs,
      );
      redis.on("ready", onReady);
      if (redis.status === "ready") done();
    });
  }

  private checkOpen(): void {
    if (this.closed) throw new TinyQSError("CLOSED");
  }
}

/** Messages from a flat reply: id, receiveCount, body, id, … starting at `from`. */
function toMessages(queue: string, flat: unknown[], from: number, reserved: boolean): Message[] {
  const out: Message[] = [];
  for (let i = from; i < flat.length; i += 3) {
    const id = String(flat[i]);
    const receiveCount = Number(flat[i + 1]);
    out.push({
      queue,
      id,
      receipt: reserved ? `${id}.${receiveCount}` : null,
      body: flat[i + 2] as Buffer,
      receiveCount,
      sentAt: Number(id.slice(0, id.indexOf("-"))),
    });
  }
  return out;
}

/** receive-9.lua's ARGV for some callers: runs of equal wants as (callers, max, visibilityMs). */
function runsOf(groups: ReceiveGroup[]): number[] {
  const runs: number[] = [];
  for (const g of groups) {
    const n = runs.length;
    if (n > 0 && runs[n - 2] === g.max && runs[n - 1] === g.visibilityMs) runs[n - 3]!++;
    else runs.push(1, g.max, g.visibilityMs);
  }
  return runs;
}

function tooBig(size: number, limit: number): TinyQSError {
  return new TinyQSError("TOO_BIG", `the body is ${size} bytes; the limit is ${limit}`);
}
