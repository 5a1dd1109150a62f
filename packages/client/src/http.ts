// The HTTP transport: the REST routes of @tinyqs/http-server, with fetch; process() runs its worker
// on the server's WebSocket instead (ws-source.ts). The routes, headers, message JSON and error
// envelope are @tinyqs/core/wire's, the ones the server writes.
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
  HEADERS,
  ROUTES,
  bodyToJson,
  browsedFromJson,
  errorCodeOfStatus,
  errorFromJson,
  itemResultsFromJson,
  messageFromHeaders,
  messageFromJson,
  pathOf,
  webSocketUrl,
  type PathParams,
  type Route,
} from "@tinyqs/core/wire";
import {
  DEFAULT_MAX_RECONNECT_DELAY_MS,
  DEFAULT_TIMEOUT_MS,
  DEFAULTS,
  checkQueueName,
  checkReplyTimeout,
  parseReplyHandle,
  replyHandle,
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
  delayArg,
  redriveArgs,
  receiveArgs,
  receiveBatchArgs,
  visibilityArg,
  waitArg,
} from "./args.js";
import { authorizationOf, tlsFetch } from "./http-auth.js";
import { tlsConnectOptions, tlsError } from "./tls.js";
import { SendRetries } from "./send-retries.js";
import { WsSource } from "./ws-source.js";

type Query = Record<string, number | undefined>;

interface Request {
  method: string;
  path: string;
  query?: Query;
  body?: Buffer | string;
  json?: unknown;
  /** Request headers beyond those every request has. */
  headers?: Record<string, string>;
  signal?: AbortSignal;
  /** Extra time the server may take on purpose (a long poll's waitMs). */
  waitMs?: number;
}

const ABORTED = Symbol("aborted");

/** A route of the wire table with its parameters: the method and path of a Request. */
function at<R extends Route>(route: R, params: PathParams<R["path"]>): { method: string; path: string } {
  return { method: route.method, path: pathOf(route, params) };
}

export class HttpClient implements TinyQSApi {
  private readonly timeoutMs: number;
  private readonly fetch: typeof fetch;
  private readonly retries: SendRetries;
  private readonly closing = new AbortController();
  private closed = false;
  /** The WebSocket sources of the running workers (process()), ended with the client. */
  private readonly sources = new Set<WsSource>();

  constructor(
    private readonly base: string,
    private readonly options: ClientOptions = {},
  ) {
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.fetch = options.fetch ?? tlsFetch(base, options) ?? globalThis.fetch;
    this.retries = new SendRetries(options.retrySends ?? false, this.timeoutMs);
  }

  /**
   * One request. Resolves with the response, or ABORTED when the caller's signal (or close())
   * ended it. Network failures are UNAVAILABLE, no answer within timeoutMs (+ waitMs) is TIMEOUT,
   * error statuses are the TinyQSError of their JSON body (except 404 when `notFoundOk`).
   */
  private async exchange(req: Request, notFoundOk = false): Promise<Response | typeof ABORTED> {
    if (this.closed) throw new TinyQSError("CLOSED");
    if (req.signal?.aborted) return ABORTED;
    const url = new URL(this.base + req.path);
    for (const [k, v] of Object.entries(req.query ?? {})) if (v !== undefined) url.searchParams.set(k, String(v));
    const headers: Record<string, string> = { ...req.headers };
    const authorization = authorizationOf(this.options);
    if (authorization !== undefined) headers.authorization = authorization;
    let body: Buffer | string | undefined = req.body;
    if (req.json !== undefined) {
      headers["content-type"] = "application/json";
      body = JSON.stringify(req.json);
    } else if (body !== undefined) {
      headers["content-type"] = "application/octet-stream";
    }
    const timeout = AbortSignal.timeout(this.timeoutMs + (req.waitMs ?? 0));
    const signals = [timeout, this.closing.signal, ...(req.signal ? [req.signal] : [])];
    let res: Response;
    try {
      res = await this.fetch(url, { method: req.method, headers, body, signal: AbortSignal.any(signals) });
    } catch (e) {
      if (req.signal?.aborted || this.closing.signal.aborted) return ABORTED;
      if (timeout.aborted) throw new TinyQSError("TIMEOUT", `no answer from ${this.base} within ${this.timeoutMs + (req.waitMs ?? 0)} ms`, { cause: e });
      throw tlsError(e, this.base) ?? new TinyQSError("UNAVAILABLE", `the tinyqs server at ${this.base} cannot be reached: ${(e as Error)?.message ?? e}`, { cause: e });
    }
    if (res.ok || (notFoundOk && res.status === 404)) return res;
    throw await errorOfResponse(res);
  }

  /** exchange() for a JSON answer. */
  private async json<T>(req: Request): Promise<T> {
    const res = await this.exchange(req);
    if (res === ABORTED) throw new TinyQSError(this.closed ? "CLOSED" : "INTERNAL", "the request was aborted");
    return (await this.read(res, () => res.json())) as T;
  }

  private async read<T>(res: Response, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      throw new TinyQSError("UNAVAILABLE", `the answer from ${this.base} was cut: ${(e as Error)?.message ?? e}`, { cause: e });
    }
  }

  /** The queue name, checked (the first check of every queue's call, as in the engine). */
  private q(queue: string): string {
    return checkQueueName(queue);
  }

  async send(queue: string, body: Body, options: SendOptions = {}): Promise<string> {
    const route = at(ROUTES.send, { queue: this.q(queue) });
    const delayMs = delayArg(options?.delayMs) || undefined;
    const dedupId = this.retries.dedupIdOf(options);
    const headers = dedupId === undefined ? undefined : { [HEADERS.dedupId]: dedupId };
    const bytes = toBuffer(body);
    const r = await this.retries.run(dedupId !== undefined, () => this.json<{ id: string }>({ ...route, query: { delayMs }, body: bytes, headers }));
    return r.id;
  }

  async sendBatch(queue: string, bodies: Body[], options: SendBatchOptions = {}): Promise<string[]> {
    const route = at(ROUTES.sendBatch, { queue: this.q(queue) });
    checkBodies(bodies);
    const delayMs = delayArg(options?.delayMs);
    const dedupIds = this.retries.dedupIdsOf(options, bodies.length);
    if (bodies.length === 0) return [];
    const messages = bodies.map((b, i) => ({
      ...bodyToJson(toBuffer(b)),
      ...(delayMs ? { delayMs } : {}),
      ...(dedupIds?.[i] !== undefined ? { dedupId: dedupIds[i] } : {}),
    }));
    const r = await this.retries.run(dedupIds?.some((d) => d !== undefined) ?? false, () => this.json<{ ids: string[] }>({ ...route, json: { messages } }));
    return r.ids;
  }

  async receive(queue: string, options: ReceiveOptions = {}): Promise<Message | null> {
    const route = at(ROUTES.receive, { queue: this.q(queue) });
    const { waitMs, visibilityMs } = receiveArgs(options);
    const res = await this.exchange({ ...route, query: { waitMs: waitMs || undefined, visibilityMs }, signal: options?.signal, waitMs });
    return this.single(queue, res);
  }

  async peek(queue: string, options: WaitOptions = {}): Promise<Message | null> {
    const route = at(ROUTES.peek, { queue: this.q(queue) });
    const waitMs = waitArg(options?.waitMs);
    const res = await this.exchange({ ...route, query: { waitMs: waitMs || undefined }, signal: options?.signal, waitMs });
    return this.single(queue, res);
  }

  async browse(queue: string, options: BrowseOptions): Promise<BrowsedMessage[]> {
    const { state, offset, limit, bodyBytes } = checkBrowseOptions(options);
    const route = at(ROUTES.browse, { queue: this.q(queue), state });
    const r = await this.json<{ messages: unknown[] }>({ ...route, query: { offset, limit, bodyBytes } });
    return r.messages.map((m) => browsedFromJson(queue, m));
  }

  /** A raw message: the body, its metadata in the tinyqs-* headers; 204 is none. */
  private async single(queue: string, res: Response | typeof ABORTED): Promise<Message | null> {
    if (res === ABORTED || res.status === 204) return null;
    const body = Buffer.from(await this.read(res, () => res.arrayBuffer()));
    return messageFromHeaders(queue, (name) => res.headers.get(name), body);
  }

  async receiveBatch(queue: string, options: ReceiveBatchOptions): Promise<Message[]> {
    const route = at(ROUTES.receive, { queue: this.q(queue) });
    const { max, waitMs, visibilityMs } = receiveBatchArgs(options);
    const res = await this.exchange({ ...route, query: { max, waitMs: waitMs || undefined, visibilityMs }, signal: options.signal, waitMs });
    if (res === ABORTED || res.status === 204) return [];
    const r = (await this.read(res, () => res.json())) as { messages: unknown[] };
    return r.messages.map((m) => messageFromJson(queue, m));
  }

  private async yesNo(req: Request): Promise<boolean> {
    const res = await this.exchange(req, true);
    if (res === ABORTED) throw new TinyQSError("CLOSED");
    await res.arrayBuffer().catch(() => undefined);
    return res.status !== 404;
  }

  async delete(queue: string, idOrReceipt: string): Promise<boolean> {
    return this.yesNo(at(ROUTES.delete, { queue: this.q(queue), idOrReceipt: checkIdOrReceipt(idOrReceipt) }));
  }

  async touch(queue: string, receipt: string, options: TouchOptions = {}): Promise<boolean> {
    const route = at(ROUTES.touch, { queue: this.q(queue), receipt: checkReceipt(receipt) });
    return this.yesNo({ ...route, query: { visibilityMs: visibilityArg(options?.visibilityMs) } });
  }

  async deleteBatch(queue: string, idsOrReceipts: string[]): Promise<boolean[]> {
    const route = at(ROUTES.deleteBatch, { queue: this.q(queue) });
    checkRefs("deleteBatch", idsOrReceipts);
    if (idsOrReceipts.length === 0) return [];
    const r = await this.json<{ results: unknown }>({ ...route, json: { receipts: idsOrReceipts } });
    return itemResultsFromJson(r.results, idsOrReceipts.length);
  }

  async touchBatch(queue: string, receipts: string[], options: TouchOptions = {}): Promise<boolean[]> {
    const route = at(ROUTES.touchBatch, { queue: this.q(queue) });
    checkRefs("touchBatch", receipts);
    const visibilityMs = visibilityArg(options?.visibilityMs);
    if (receipts.length === 0) return [];
    const r = await this.json<{ results: unknown }>({ ...route, query: { visibilityMs }, json: { receipts } });
    return itemResultsFromJson(r.results, receipts.length);
  }

  async release(queue: string, receipt: string, options: ReleaseOptions = {}): Promise<boolean> {
    const route = at(ROUTES.release, { queue: this.q(queue), receipt: checkReceipt(receipt) });
    return this.yesNo({ ...route, query: { delayMs: delayArg(options?.delayMs) || undefined } });
  }

  // ---- request/response ----------------------------------------------------------------------

  /** A send: the request is an ordinary message, and its handle is `<queue>:<id>`. */
  async put(queue: string, body: Body): Promise<string> {
    return replyHandle(queue, await this.send(queue, body));
  }

  take(queue: string, options: ReceiveOptions = {}): Promise<Message | null> {
    return this.receive(queue, options);
  }

  async respond(queue: string, receipt: string, body: Body): Promise<boolean> {
    const route = at(ROUTES.respond, { queue: this.q(queue), receipt: checkReceipt(receipt) });
    return this.yesNo({ ...route, body: toBuffer(body) });
  }

  async wait(handle: string, options: ReplyWaitOptions = {}): Promise<Buffer | null> {
    parseReplyHandle(handle);
    const timeoutMs = checkReplyTimeout(options.timeoutMs);
    const res = await this.exchange({
      ...at(ROUTES.reply, { handle }),
      query: { timeoutMs },
      signal: options.signal,
      waitMs: timeoutMs ?? DEFAULTS.replyTimeoutMs,
    });
    if (res === ABORTED || res.status === 204) return null;
    return Buffer.from(await this.read(res, () => res.arrayBuffer()));
  }

  /** One round trip: the server puts, waits, and answers with the reply (200) or TIMEOUT (504). */
  async request(queue: string, body: Body, options: ReplyWaitOptions = {}): Promise<Buffer> {
    const route = at(ROUTES.request, { queue: this.q(queue) });
    const timeoutMs = checkReplyTimeout(options.timeoutMs);
    if (this.closed) throw new TinyQSError("CLOSED");
    if (options.signal?.aborted) throw requestAbandoned(queue); // exchange() would not send it either
    const res = await this.exchange({ ...route, query: { timeoutMs }, body: toBuffer(body), signal: options.signal, waitMs: timeoutMs ?? DEFAULTS.replyTimeoutMs });
    if (res === ABORTED) {
      // As in the engine, a request whose wait was given up on got no reply in time.
      if (this.closed) throw new TinyQSError("CLOSED");
      throw requestTimedOut(`the request to ${queue}`, timeoutMs);
    }
    return Buffer.from(await this.read(res, () => res.arrayBuffer()));
  }

  // ---- queues ----------------------------------------------------------------------------------

  async configure(queue: string, changes: Partial<QueueSettings>): Promise<QueueConfig> {
    const route = at(ROUTES.configure, { queue: this.q(queue) });
    return this.json<QueueConfig>({ ...route, json: configArgs(queue, changes) });
  }

  async getConfig(queue: string): Promise<QueueConfig> {
    return (await this.json<{ config: QueueConfig }>(at(ROUTES.queue, { queue: this.q(queue) }))).config;
  }

  async stats(queue: string): Promise<QueueStats> {
    const r = await this.json<QueueStats & { name: string; config: unknown }>(at(ROUTES.queue, { queue: this.q(queue) }));
    // A user without admin on the queue is shown its settings only (docs/security.md).
    if (r.ready === undefined) throw new TinyQSError("FORBIDDEN", `the server shows no stats of ${queue} to this user (it has no admin grant on it)`);
    const { ready, inFlight, delayed, sent, received, deleted, deadLettered, deduplicated, paused, oldestReadyAgeMs } = r;
    return { ready, inFlight, delayed, sent, received, deleted, deadLettered, deduplicated, paused, oldestReadyAgeMs };
  }

  async queues(): Promise<string[]> {
    return (await this.json<Array<{ name: string }>>(at(ROUTES.queues, {}))).map((q) => q.name);
  }

  async purge(queue: string): Promise<number> {
    return (await this.json<{ purged: number }>(at(ROUTES.purge, { queue: this.q(queue) }))).purged;
  }

  async pause(queue: string): Promise<void> {
    await this.json<{ paused: boolean }>(at(ROUTES.pause, { queue: this.q(queue) }));
  }

  async resume(queue: string): Promise<void> {
    await this.json<{ paused: boolean }>(at(ROUTES.resume, { queue: this.q(queue) }));
  }

  async redrive(deadLetterQueue: string, options: RedriveOptions = {}): Promise<number> {
    const route = at(ROUTES.redrive, { queue: this.q(deadLetterQueue) });
    const { to, max } = redriveArgs(deadLetterQueue, options);
    return (await this.json<{ moved: number }>({ ...route, json: { to, max } })).moved;
  }

  async deleteQueue(queue: string): Promise<void> {
    const res = await this.exchange(at(ROUTES.deleteQueue, { queue: this.q(queue) }));
    if (res === ABORTED) throw new TinyQSError(this.closed ? "CLOSED" : "INTERNAL", "the request was aborted");
    await this.read(res, () => res.arrayBuffer()); // 204: nothing to read, but the connection is free only once read
  }

  async ping(): Promise<void> {
    await this.json<unknown>(at(ROUTES.healthz, {}));
  }

  /**
   * Core's worker on a WebSocket source (ws-source.ts): messages are pushed over one socket instead
   * of fetched by long polls, and the worker's delete/touch/release go over it too, so the server
   * frees each prefetch slot as its message is done; everything else the worker asks stays REST.
   * close() stops the pushes (what was pushed and not handed to a handler goes back), waits for the
   * handlers in flight and their deletes, then closes the socket.
   */
  process(queue: string, handler: Handler, options?: WorkerOptions): Worker {
    const source = new WsSource(this, {
      url: webSocketUrl(this.base),
      authorization: authorizationOf(this.options),
      tls: this.base.startsWith("https:") ? tlsConnectOptions(this.options, new URL(this.base).hostname) : undefined,
      timeoutMs: this.timeoutMs,
      maxReconnectDelayMs: this.options.maxReconnectDelayMs ?? DEFAULT_MAX_RECONNECT_DELAY_MS,
    });
    // Bad options throw here; the source has opened nothing yet (it connects on the first receive).
    const worker = createWorker(source, queue, handler, options);
    if (this.closed) void source.end(); // as on REST: the worker's first receive is CLOSED, and it stops
    else this.sources.add(source);
    const done = worker.done.then(() => source.end()).finally(() => this.sources.delete(source));
    let closing: Promise<void> | null = null;
    return {
      get active() {
        return worker.active;
      },
      done,
      close() {
        // stop(): a worker that is full is not in a receive whose abort would stop the pushes.
        return (closing ??= Promise.all([worker.close(), source.stop()]).then(() => done));
      },
    };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.closing.abort();
    await Promise.all([...this.sources].map((s) => s.end()));
  }
}

/**
 * An error answering a request (POST …/requests) names its reply handle, from the header
 * tinyqs-reply-handle, so the reply can still be collected with wait().
 */
function withHandle(message: string, res: Response): string {
  const handle = res.headers.get(HEADERS.replyHandle);
  return !handle || message.includes(handle) ? message : `${message} (reply handle ${handle})`;
}

/** An error status as the TinyQSError of its envelope; without one (a proxy's page), the code of the status. */
async function errorOfResponse(res: Response): Promise<TinyQSError> {
  const text = await res.text().catch(() => "");
  let sent: TinyQSError | null = null;
  try {
    sent = errorFromJson(JSON.parse(text));
  } catch {
    // not JSON: no envelope
  }
  if (sent) return new TinyQSError(sent.code, withHandle(sent.message, res));
  return new TinyQSError(errorCodeOfStatus(res.status), `HTTP ${res.status}${text ? `: ${text.slice(0, 200)}` : ""}`);
}
