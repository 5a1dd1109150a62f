// The TCP transport: tinyqs's RESP commands (docs/protocol.md), one method of the TinyQSApi each.
// The connections they go over (the main one, the pool for long polls, reconnection, what a cut
// command means) are tcp-connections.ts; reading the replies back is tcp-replies.ts.
//
// The one command sent again after a cut is WAIT (a reply wait): the server puts back a reply it was
// collecting at the instant the connection vanished, so a cut WAIT is safe to send again for the
// rest of its timeout (a reply already written to the lost connection counted as delivered: the new
// WAIT cannot get it, but it is never handed out twice either).
import {
  TinyQSError,
  checkBrowseOptions,
  createWorker,
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
import {
  DEFAULT_MAX_RECONNECT_DELAY_MS,
  DEFAULT_TIMEOUT_MS,
  DEFAULTS,
  checkQueueName,
  checkReplyTimeout,
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
  checkRefs,
  configArgs,
  redriveArgs,
  delayArg,
  receiveArgs,
  receiveBatchArgs,
  visibilityArg,
  waitArg,
  type ReceiveArgs,
} from "./args.js";
import { tlsConnectOptions } from "./tls.js";
import { SendRetries } from "./send-retries.js";
import { CommandCut, TcpConnections } from "./tcp-connections.js";
import { perItem, refArg, toBrowsed, toConfig, toMessageOrNull, toMessages, toStats, type Reply } from "./tcp-replies.js";

export interface TcpClientOptions extends ClientOptions {
  host: string;
  port: number;
  /** TLS (tinyqss://), with the `ca`, `cert` and `key` options. */
  tls?: boolean;
}

export class TcpClient implements TinyQSApi {
  private readonly link: TcpConnections;
  private readonly retries: SendRetries;

  constructor(options: TcpClientOptions) {
    this.retries = new SendRetries(options.retrySends ?? false, options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
    this.link = new TcpConnections({
      host: options.host,
      port: options.port,
      username: options.username,
      password: options.password,
      tls: options.tls ? tlsConnectOptions(options, options.host) : undefined,
      timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      poolSize: options.pollPoolSize ?? 4,
      maxReconnectDelayMs: options.maxReconnectDelayMs ?? DEFAULT_MAX_RECONNECT_DELAY_MS,
    });
  }

  private cmd(args: Array<string | Buffer>, binary = false): Promise<Reply> {
    return this.link.cmd(args, binary);
  }

  /** A command the server holds up to `waitMs` (a long poll, a reply WAIT): timeoutMs + waitMs to answer. */
  private blocking<T>(args: Array<string | Buffer>, waitMs: number, signal: AbortSignal | undefined, parse: (r: Reply) => T, aborted: T): Promise<T> {
    return this.link.blocking(args, waitMs, signal, parse, aborted);
  }

  private checkOpen(): void {
    if (this.link.closed) throw new TinyQSError("CLOSED");
  }

  async send(queue: string, body: Body, options: SendOptions = {}): Promise<string> {
    this.checkOpen();
    checkQueueName(queue);
    const delayMs = delayArg(options?.delayMs);
    const dedupId = this.retries.dedupIdOf(options);
    const args: Array<string | Buffer> = ["SEND", queue, toBuffer(body)];
    if (delayMs) args.push("DELAY", String(delayMs));
    if (dedupId !== undefined) args.push("DEDUP", dedupId);
    return this.retries.run(dedupId !== undefined, async () => String(await this.cmd(args)));
  }

  async sendBatch(queue: string, bodies: Body[], options: SendBatchOptions = {}): Promise<string[]> {
    this.checkOpen();
    checkQueueName(queue);
    checkBodies(bodies);
    const delayMs = delayArg(options?.delayMs);
    const dedupIds = this.retries.dedupIdsOf(options, bodies.length);
    if (bodies.length === 0) return [];
    const buffers = bodies.map(toBuffer);
    if (delayMs || dedupIds) {
      // MSEND takes no options (every argument is a body): pipelined SENDs, each stored on its own
      // (and, with a dedup id, sent again on its own when its connection dropped).
      return Promise.all(buffers.map((b, i) => this.send(queue, b, { delayMs, dedupId: dedupIds?.[i] })));
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
    const parse = toMessageOrNull(queue);
    if (checked.waitMs) return this.blocking(args, checked.waitMs, options?.signal, parse, null);
    return parse(await this.cmd(args, true));
  }

  async receiveBatch(queue: string, options: ReceiveBatchOptions): Promise<Message[]> {
    this.checkOpen();
    checkQueueName(queue);
    const checked = receiveBatchArgs(options);
    const args = this.receiveCommand("RECEIVE", queue, checked);
    if (options.signal?.aborted) return [];
    const parse = toMessages(queue);
    if (checked.waitMs) return this.blocking(args, checked.waitMs, options.signal, parse, []);
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
    const parse = toMessageOrNull(queue);
    if (waitMs) return this.blocking([...args, "WAIT", String(waitMs)], waitMs, options.signal, parse, null);
    return parse(await this.cmd(args, true));
  }

  async browse(queue: string, options: BrowseOptions): Promise<BrowsedMessage[]> {
    this.checkOpen();
    checkQueueName(queue);
    const { state, offset, limit, bodyBytes } = checkBrowseOptions(options);
    const args = ["BROWSE", queue, state.toUpperCase()];
    if (offset) args.push("OFFSET", String(offset));
    args.push("LIMIT", String(limit), "BODYBYTES", String(bodyBytes));
    return toBrowsed(queue, await this.cmd(args, true));
  }

  async delete(queue: string, idOrReceipt: string): Promise<boolean> {
    this.checkOpen();
    checkQueueName(queue);
    return Number(await this.cmd(["DELETE", queue, checkIdOrReceipt(idOrReceipt)])) > 0;
  }

  /** MDELETE: one command, one 1/0 per item. Items that are not receipts are sent too: the server answers 0 for them. */
  async deleteBatch(queue: string, idsOrReceipts: string[]): Promise<boolean[]> {
    this.checkOpen();
    checkQueueName(queue);
    checkRefs("deleteBatch", idsOrReceipts);
    if (idsOrReceipts.length === 0) return [];
    return perItem(await this.cmd(["MDELETE", queue, ...idsOrReceipts.map(refArg)]));
  }

  async touchBatch(queue: string, receipts: string[], options: TouchOptions = {}): Promise<boolean[]> {
    this.checkOpen();
    checkQueueName(queue);
    checkRefs("touchBatch", receipts);
    const visibilityMs = visibilityArg(options?.visibilityMs);
    if (receipts.length === 0) return [];
    const args = ["MTOUCH", queue, ...receipts.map(refArg)];
    if (visibilityMs !== undefined) args.push("VISIBILITY", String(visibilityMs));
    return perItem(await this.cmd(args));
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
        return await this.blocking(args, left ?? DEFAULTS.replyTimeoutMs, signal, parse, null);
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

  async configure(queue: string, changes: Partial<QueueSettings>): Promise<QueueConfig> {
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
    return toStats(await this.cmd(["STATS", queue]));
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

  async pause(queue: string): Promise<void> {
    this.checkOpen();
    checkQueueName(queue);
    await this.cmd(["PAUSE", queue]);
  }

  async resume(queue: string): Promise<void> {
    this.checkOpen();
    checkQueueName(queue);
    await this.cmd(["RESUME", queue]);
  }

  async redrive(deadLetterQueue: string, options: RedriveOptions = {}): Promise<number> {
    this.checkOpen();
    checkQueueName(deadLetterQueue);
    const { to, max } = redriveArgs(deadLetterQueue, options);
    const args = ["REDRIVE", deadLetterQueue];
    if (to !== undefined) args.push("TO", to);
    if (max !== undefined) args.push("MAX", String(max));
    return Number(await this.cmd(args));
  }

  async deleteQueue(queue: string): Promise<void> {
    this.checkOpen();
    checkQueueName(queue);
    await this.cmd(["QDELETE", queue]);
  }

  async ping(): Promise<void> {
    this.checkOpen();
    await this.cmd(["PING"]);
  }

  process(queue: string, handler: Handler, options?: WorkerOptions): Worker {
    return createWorker(this, queue, handler, options);
  }

  close(): Promise<void> {
    return this.link.close();
  }
}
