// What a remote HTTP worker runs on. HttpClient.process() gives core's createWorker this instead of
// the REST client, so that messages are pushed over ONE WebSocket (docs/websocket.md) instead of
// fetched by one long poll after another. It is a TinyQSApi whose worker-facing part is the socket:
//
//   receiveBatch   subscribes the queue (prefetch = the first call's max: the worker's concurrency)
//                  and hands out what was pushed, or waits for a push until waitMs / the signal
//   delete, touch, release   ws ops on the same socket (so the server frees the prefetch slots);
//   and their batches        deleteBatch and touchBatch: one frame each;
//                  over REST while no socket is open: same engine calls, same answers
//   everything else          the REST client
//
// Flow control. The server frees a prefetch slot when a held message's lease runs out. A worker
// whose handler outlived its lease still has that slot busy, so if the subscription stayed on, the
// server would reserve another message for a worker with no room, where it would sit (its lease
// running out, received again, its receive count climbing towards the dead-letter queue). So pushes
// run only while the caller has room: a receiveBatch that hands out all it was asked for (the worker
// is full) unsubscribes, and the next receiveBatch (a slot is free) subscribes again. Made for the
// worker's way of calling: one receiveBatch at a time, on one queue (the first call's; a receive on
// another queue goes over REST).
//
// A dropped socket: what waited on it fails with UNAVAILABLE, the server puts back what it held, the
// drop is reported once by receiveBatch, and the next receiveBatch reconnects after the backoff of
// backoff.ts. An aborted receiveBatch stops the pushes and gives back what was pushed and not handed
// out, before it resolves with [] (as an aborted long poll leaves nothing reserved).
import {
  TinyQSError,
  isTinyQSError,
  sleep,
  type Body,
  type BrowsedMessage,
  type BrowseOptions,
  type Handler,
  type Message,
  type QueueConfig,
  type QueueSettings,
  type RedriveOptions,
  type QueueStats,
  type ReceiveBatchOptions,
  type ReceiveOptions,
  type ReleaseOptions,
  type ReplyWaitOptions,
  type SendBatchOptions,
  type SendOptions,
  type TinyQSApi,
  type TouchOptions,
  type WaitOptions,
  type Worker,
  type WorkerOptions,
} from "@tinyqs/core";
import { itemResultsFromJson, type RequestFrame } from "@tinyqs/core/wire";
import { checkQueueName } from "./common.js";
import { checkIdOrReceipt, checkReceipt, checkRefs, delayArg, receiveBatchArgs, visibilityArg } from "./args.js";
import { reconnectDelay } from "./backoff.js";
import { WsConnection, type WsConnectionOptions } from "./ws-connection.js";

export interface WsSourceOptions extends WsConnectionOptions {
  /** The cap of the reconnection backoff (ms). */
  maxReconnectDelayMs: number;
}

/** The subscription this source serves: the queue, prefetch and lease of its first receiveBatch. */
interface Target {
  queue: string;
  prefetch: number;
  visibilityMs: number | undefined;
}

const closed = () => new TinyQSError("CLOSED");

export class WsSource implements TinyQSApi {
  private target: Target | null = null;
  private conn: WsConnection | null = null;
  private connecting: Promise<void> | null = null;
  /** Failed connection attempts in a row (a drop counts as one): the backoff's attempt number. */
  private failures = 0;
  /** Should the server push (the caller has room), and the socket on which it was subscribed. */
  private want = false;
  private liveOn: WsConnection | null = null;
  /** subscribe / unsubscribe, one at a time, each after the reply of the one before. */
  private steering: Promise<void> = Promise.resolve();
  /** Lease of the pushed messages: the subscribe reply's visibilityMs (pushes can come before it: 0, unknown). */
  private leaseMs = 0;
  /** Pushed, not yet handed out, with when; dropped once their lease is over (the server has them back). */
  private buffer: Array<{ m: Message; at: number }> = [];
  /** A drop or a failing subscription not yet reported: the next receiveBatch throws it. */
  private pending: TinyQSError | null = null;
  /** Wakes a waiting receiveBatch: a push, a drop, a failure, end(). */
  private wake: (() => void) | null = null;
  private ended = false;
  private ending: Promise<void> | null = null;
  /** Aborted by end(): a connection attempt (or its backoff pause) is given up. */
  private readonly halt = new AbortController();

  constructor(
    private readonly rest: TinyQSApi,
    private readonly o: WsSourceOptions,
  ) {}

  // ---- receiving -------------------------------------------------------------------------------

  async receiveBatch(queue: string, options: ReceiveBatchOptions): Promise<Message[]> {
    checkQueueName(queue);
    const { waitMs, visibilityMs, ...args } = receiveBatchArgs(options);
    const max = args.max!; // receiveBatchArgs requires it
    this.target ??= { queue, prefetch: max, visibilityMs };
    if (queue !== this.target.queue) return this.rest.receiveBatch(queue, options); // one subscription per source
    const signal = options.signal;
    const deadline = Date.now() + waitMs;
    for (;;) {
      if (this.ended) throw closed();
      if (this.pending) throw this.takePending()!;
      if (signal?.aborted) {
        await this.stop(); // what was pushed for this receive goes back
        return [];
      }
      const got = this.takeBuffered(max);
      if (got.length > 0) {
        this.setWant(got.length < max); // all it asked for: the caller is full, pushes stop
        return got;
      }
      const left = deadline - Date.now();
      if (left <= 0) return [];
      this.want = true;
      try {
        await untilAborted(this.ready(), signal);
      } catch (e) {
        if (this.ended) throw closed();
        throw this.takePending() ?? e; // a drop while subscribing is one error, not two
      }
      // Pushes may have come while subscribing (before its reply): look again before waiting.
      if (!signal?.aborted && this.buffer.length === 0 && !this.pending) await this.arrival(left, signal);
    }
  }

  /** Connected (with the backoff after failures) and subscribed. */
  private async ready(): Promise<void> {
    if (!this.conn?.isOpen) await (this.connecting ??= this.connect().finally(() => (this.connecting = null)));
    await this.steer();
  }

  private async connect(): Promise<void> {
    const halt = this.halt.signal;
    if (this.failures > 0) await sleep(reconnectDelay(this.failures, this.o.maxReconnectDelayMs), halt);
    if (this.ended) throw closed();
    let conn: WsConnection;
    try {
      conn = await WsConnection.open(this.o, halt);
    } catch (e) {
      this.failures++;
      throw this.ended ? closed() : e;
    }
    this.failures = 0;
    this.conn = conn;
    conn.onMessage = (m) => {
      if (conn !== this.conn) return;
      this.buffer.push({ m, at: Date.now() });
      this.wake?.();
    };
    conn.onFailure = (e) => {
      // The server's receives fail (Redis away): a REST long poll would fail too. It keeps trying.
      if (!this.want) return;
      this.pending = e;
      this.wake?.();
    };
    conn.onClose = (why) => this.dropped(conn, why);
  }

  /** Make the subscription match `want`, after whatever subscribe/unsubscribe is on its way. */
  private steer(): Promise<void> {
    const step = this.steering.then(async () => {
      const conn = this.conn;
      if (!conn?.isOpen || this.ended) return;
      if (this.want && this.liveOn !== conn) {
        const { queue, prefetch, visibilityMs } = this.target!;
        const reply = await conn.request({ op: "subscribe", queue, prefetch, ...(visibilityMs === undefined ? {} : { visibilityMs }) });
        this.leaseMs = Number(reply.visibilityMs);
        if (conn === this.conn) this.liveOn = conn;
      } else if (!this.want && this.liveOn === conn) {
        this.liveOn = null;
        // Its reply means nothing more is pushed; a push that came before it is in the buffer.
        await conn.request({ op: "unsubscribe", queue: this.target!.queue }).catch(() => {});
      }
    });
    this.steering = step.catch(() => {});
    return step;
  }

  private setWant(want: boolean): void {
    if (this.want === want) return;
    this.want = want;
    // A failed subscribe here is found (and reported) by the next receiveBatch, which steers again.
    if (this.conn?.isOpen) this.steer().catch(() => {});
  }

  /** Up to max buffered messages whose lease is not over. */
  private takeBuffered(max: number): Message[] {
    const now = Date.now();
    if (this.leaseMs > 0) this.buffer = this.buffer.filter((b) => b.at + this.leaseMs > now);
    return this.buffer.splice(0, max).map((b) => b.m);
  }

  private takePending(): TinyQSError | null {
    const e = this.pending;
    this.pending = null;
    return e;
  }

  /** Resolves on a push, a drop, a failure or end(), after ms, or when the signal aborts. */
  private async arrival(ms: number, signal: AbortSignal | undefined): Promise<void> {
    let mine: (() => void) | null = null;
    await sleep(ms, signal, (wake) => (this.wake = mine = wake));
    if (this.wake === mine) this.wake = null;
  }

  /**
   * No more pushes, and what was pushed but not handed out goes back (released: its delivery
   * counts, as when a socket closes). Resolves once the server has stopped pushing.
   */
  async stop(): Promise<void> {
    this.want = false;
    await this.steer().catch(() => {});
    const held = this.buffer.splice(0);
    await Promise.all(held.map((b) => this.release(b.m.queue, b.m.receipt!).catch(() => false)));
  }

  private dropped(conn: WsConnection, why: TinyQSError): void {
    if (conn !== this.conn) return;
    this.conn = null;
    this.liveOn = null;
    this.buffer = []; // the server puts them back
    if (this.ended) return;
    this.failures = Math.max(this.failures, 1); // reconnect after the first step of the backoff
    this.pending = why;
    this.wake?.();
  }

  // ---- the worker's acknowledgements: over the socket while it is open ---------------------------

  private async op(frame: RequestFrame, viaRest: () => Promise<boolean>): Promise<boolean> {
    const conn = this.conn;
    if (!conn?.isOpen) return viaRest();
    try {
      await conn.request(frame);
      return true;
    } catch (e) {
      if (isTinyQSError(e) && e.code === "NOT_FOUND") return false;
      throw e;
    }
  }

  async delete(queue: string, idOrReceipt: string): Promise<boolean> {
    checkQueueName(queue);
    const receipt = checkIdOrReceipt(idOrReceipt);
    return this.op({ op: "delete", queue, receipt }, () => this.rest.delete(queue, receipt));
  }

  async touch(queue: string, receipt: string, options: TouchOptions = {}): Promise<boolean> {
    checkQueueName(queue);
    checkReceipt(receipt);
    const visibilityMs = visibilityArg(options?.visibilityMs);
    return this.op({ op: "touch", queue, receipt, ...(visibilityMs === undefined ? {} : { visibilityMs }) }, () =>
      this.rest.touch(queue, receipt, options),
    );
  }

  /** A batch in one frame while the socket is open: one result per item. */
  private async batchOp(frame: RequestFrame & { receipts: string[] }, viaRest: () => Promise<boolean[]>): Promise<boolean[]> {
    const conn = this.conn;
    if (frame.receipts.length === 0) return [];
    if (!conn?.isOpen) return viaRest();
    const reply = await conn.request(frame);
    return itemResultsFromJson(reply.results, frame.receipts.length);
  }

  async deleteBatch(queue: string, idsOrReceipts: string[]): Promise<boolean[]> {
    checkQueueName(queue);
    checkRefs("deleteBatch", idsOrReceipts);
    return this.batchOp({ op: "deleteBatch", queue, receipts: idsOrReceipts }, () => this.rest.deleteBatch(queue, idsOrReceipts));
  }

  async touchBatch(queue: string, receipts: string[], options: TouchOptions = {}): Promise<boolean[]> {
    checkQueueName(queue);
    checkRefs("touchBatch", receipts);
    const visibilityMs = visibilityArg(options?.visibilityMs);
    return this.batchOp({ op: "touchBatch", queue, receipts, ...(visibilityMs === undefined ? {} : { visibilityMs }) }, () =>
      this.rest.touchBatch(queue, receipts, options),
    );
  }

  async release(queue: string, receipt: string, options: ReleaseOptions = {}): Promise<boolean> {
    checkQueueName(queue);
    checkReceipt(receipt);
    const delayMs = delayArg(options?.delayMs);
    return this.op({ op: "release", queue, receipt, ...(delayMs ? { delayMs } : {}) }, () => this.rest.release(queue, receipt, options));
  }

  // ---- the end ---------------------------------------------------------------------------------

  /** Close the socket for good (the server puts back what it still held); receiveBatch is CLOSED from now on. */
  end(): Promise<void> {
    return (this.ending ??= (async () => {
      this.ended = true;
      this.want = false;
      this.halt.abort();
      this.wake?.();
      await this.connecting?.catch(() => {});
      const conn = this.conn;
      this.conn = null;
      this.liveOn = null;
      this.buffer = [];
      await conn?.close();
    })());
  }

  /** As an api: the socket, then the REST client under it. */
  async close(): Promise<void> {
    await this.end();
    await this.rest.close();
  }

  // ---- everything else: REST ---------------------------------------------------------------------

  send(queue: string, body: Body, options?: SendOptions): Promise<string> {
    return this.rest.send(queue, body, options);
  }
  sendBatch(queue: string, bodies: Body[], options?: SendBatchOptions): Promise<string[]> {
    return this.rest.sendBatch(queue, bodies, options);
  }
  receive(queue: string, options?: ReceiveOptions): Promise<Message | null> {
    return this.rest.receive(queue, options);
  }
  peek(queue: string, options?: WaitOptions): Promise<Message | null> {
    return this.rest.peek(queue, options);
  }
  put(queue: string, body: Body): Promise<string> {
    return this.rest.put(queue, body);
  }
  take(queue: string, options?: ReceiveOptions): Promise<Message | null> {
    return this.rest.take(queue, options);
  }
  respond(queue: string, receipt: string, body: Body): Promise<boolean> {
    return this.rest.respond(queue, receipt, body);
  }
  wait(handle: string, options?: ReplyWaitOptions): Promise<Buffer | null> {
    return this.rest.wait(handle, options);
  }
  browse(queue: string, options: BrowseOptions): Promise<BrowsedMessage[]> {
    return this.rest.browse(queue, options);
  }

  request(queue: string, body: Body, options?: ReplyWaitOptions): Promise<Buffer> {
    return this.rest.request(queue, body, options);
  }
  configure(queue: string, changes: Partial<QueueSettings>): Promise<QueueConfig> {
    return this.rest.configure(queue, changes);
  }
  getConfig(queue: string): Promise<QueueConfig> {
    return this.rest.getConfig(queue);
  }
  stats(queue: string): Promise<QueueStats> {
    return this.rest.stats(queue);
  }
  queues(): Promise<string[]> {
    return this.rest.queues();
  }
  purge(queue: string): Promise<number> {
    return this.rest.purge(queue);
  }
  pause(queue: string): Promise<void> {
    return this.rest.pause(queue);
  }
  resume(queue: string): Promise<void> {
    return this.rest.resume(queue);
  }
  redrive(deadLetterQueue: string, options?: RedriveOptions): Promise<number> {
    return this.rest.redrive(deadLetterQueue, options);
  }
  deleteQueue(queue: string): Promise<void> {
    return this.rest.deleteQueue(queue);
  }
  ping(): Promise<void> {
    return this.rest.ping();
  }
  process(queue: string, handler: Handler, options?: WorkerOptions): Worker {
    return this.rest.process(queue, handler, options);
  }
}

/** p, or nothing once the signal aborts (p goes on; a failure of it is then nobody's). */
function untilAborted(p: Promise<void>, signal: AbortSignal | undefined): Promise<void> {
  if (!signal) return p;
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      p.catch(() => {});
      resolve();
    };
    if (signal.aborted) return onAbort();
    signal.addEventListener("abort", onAbort, { once: true });
    p.then(
      () => (signal.removeEventListener("abort", onAbort), resolve()),
      (e: unknown) => (signal.removeEventListener("abort", onAbort), reject(e)),
    );
  });
}
