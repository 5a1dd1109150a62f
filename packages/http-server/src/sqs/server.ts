// createSqsServer(options): Amazon SQS's API (both wire protocols) on a node:http server of its
// own, over a tinyqs engine. One request: the browser guard, the body (read with a hard limit:
// 413 before the rest is read), the signature (with credentials), then the action, and the reply
// or error in the request's protocol. The node:http server is made in one place (makeServer) so
// that a TLS variant can be put there.
import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { listenOn } from "../listen.js";
import { BOUNDS_DEFAULTS, ByteBudget, isTinyQSError } from "@tinyqs/core";
import { readBody, type BodyBounds } from "../body.js";
import { DEFAULTS as HTTP_DEFAULTS } from "../defaults.js";
import { actionTable } from "./actions/index.js";
import { SqsQueues, type ActionContext, type SqsEngine } from "./context.js";
import { SqsError, toSqsError } from "./errors.js";
import type { Naming } from "./names.js";
import { parseRequest, protocolOf, type Protocol } from "./protocol.js";
import { writeError, writeReply } from "./reply.js";
import { SQS_DEFAULTS } from "./defaults.js";
import { parseCredentials, verifySignature, type Credentials } from "./sigv4.js";

export interface SqsServerOptions {
  /** The engine to serve (the embedded TinyQS: the port needs its queue records). Yours: close() leaves it open. */
  engine: SqsEngine;
  /** The account id in queue URLs and ARNs (default 000000000000). */
  account?: string;
  /** The region in ARNs (default us-east-1). */
  region?: string;
  /** "ACCESS_KEY:SECRET[,…]": every request must carry a valid Signature V4 of one of them. Default: any request is accepted. */
  credentials?: string;
  /** Largest request body read (413 beyond, the rest unread). Default: 3 MiB + 64 KiB (a 1 MiB message form-encoded). */
  maxRequestBytes?: number;
  /**
   * How bodies are read: the byte budget they count against and the minimum rate (docs/limits.md).
   * Default: a budget of the port's own (BOUNDS_DEFAULTS.maxBufferedBytes) and tinyqs-http's
   * minimum body rate and grace.
   */
  bodies?: BodyBounds;
  /** listen() defaults. */
  host?: string;
  port?: number;
  /** How long close() lets requests in progress finish before cutting them. Default 10 000 ms. */
  shutdownGraceMs?: number;
  /** Where errors worth a human's look go (bugs, not bad requests). Default: stderr. */
  log?: (line: string) => void;
}

export interface TinyQSSqsServer {
  server: Server;
  listen(port?: number, host?: string): Promise<{ host: string; port: number; url: string }>;
  close(): Promise<void>;
}

/** The node:http server (the one place a TLS server would be made instead). */
function makeServer(handle: (req: IncomingMessage, res: ServerResponse) => void): Server {
  const server = createServer(handle);
  // "Expect: 100-continue": the body is invited only once its size is known to fit (readBody).
  server.on("checkContinue", (req, res) => server.emit("request", req, res));
  return server;
}

export function createSqsServer(options: SqsServerOptions): TinyQSSqsServer {
  const log = options.log ?? ((line: string) => process.stderr.write(line + "\n"));
  const naming: Naming = { account: options.account ?? SQS_DEFAULTS.account, region: options.region ?? SQS_DEFAULTS.region };
  if (!/^\d{12}$/.test(naming.account)) throw new RangeError(`the SQS account id must be 12 digits, got ${JSON.stringify(naming.account)}`);
  if (!/^[a-z0-9-]{1,32}$/.test(naming.region)) throw new RangeError(`the SQS region must be a region name such as us-east-1, got ${JSON.stringify(naming.region)}`);
  const credentials: Credentials | null = options.credentials ? parseCredentials(options.credentials) : null;
  const maxRequestBytes = options.maxRequestBytes ?? SQS_DEFAULTS.maxRequestBytes;
  const bodies: BodyBounds = options.bodies ?? {
    budget: new ByteBudget(BOUNDS_DEFAULTS.maxBufferedBytes),
    minBytesPerSecond: HTTP_DEFAULTS.minBodyBytesPerSecond,
    graceMs: HTTP_DEFAULTS.bodyRateGraceMs,
  };
  const graceMs = options.shutdownGraceMs ?? SQS_DEFAULTS.shutdownGraceMs;
  const unexpected = (e: unknown) => log(`tinyqs-sqs: unexpected error: ${(e as Error)?.stack ?? String(e)}`);
  const actions = actionTable(unexpected);
  const queues = new SqsQueues(options.engine);
  const waits = new Set<AbortController>();
  let closing = false;

  async function handle(req: IncomingMessage, res: ServerResponse, protocol: Protocol, requestId: string): Promise<void> {
    // A browser (it says so in Origin or Sec-Fetch-Site; Node's fetch sends neither): a web page could post a form here, and SQS
    // clients are programs, so browsers are refused (no CORS on this port).
    if (req.headers.origin !== undefined || req.headers["sec-fetch-site"] !== undefined) {
      res.setHeader("Connection", "close");
      throw new SqsError("AccessDenied", "Requests from web browsers are not accepted on the SQS port.");
    }
    if (req.method !== "POST" && req.method !== "GET") throw new SqsError("InvalidAction", `The SQS API takes POST (or GET with the query protocol), not ${req.method}.`);
    let body: Buffer;
    try {
      body = await readBody(req, res, maxRequestBytes, bodies);
    } catch (e) {
      if (isTinyQSError(e) && e.code === "TOO_BIG") throw new SqsError("RequestEntityTooLarge", `The request body is larger than ${maxRequestBytes} bytes, the most this server reads.`);
      throw e;
    }
    const url = new URL(req.url ?? "/", "http://sqs.invalid");
    if (credentials) verifySignature(req, url, body, credentials);
    const { action, params } = parseRequest(protocol, req, url, body);
    if (action === undefined) throw new SqsError(protocol === "json" ? "InvalidAction" : "MissingParameter", protocol === "json" ? "The request has no X-Amz-Target: AmazonSQS.<Action>." : "The request must contain the parameter Action.");
    const run = Object.hasOwn(actions, action) ? actions[action] : undefined;
    if (!run) throw new SqsError("InvalidAction", `The action ${action} is not valid for this web service.`);

    const ac = new AbortController();
    if (closing) ac.abort();
    waits.add(ac);
    const onClose = () => !res.writableFinished && ac.abort();
    res.once("close", onClose);
    try {
      const ctx: ActionContext = {
        engine: options.engine,
        queues,
        naming,
        origin: `http://${req.headers.host ?? `${SQS_DEFAULTS.host}:${SQS_DEFAULTS.port}`}`,
        signal: ac.signal,
        pathQueueUrl: url.pathname.split("/").filter(Boolean).length === 2 ? url.pathname : undefined,
      };
      const reply = await run(ctx, params);
      writeReply(res, protocol, action, reply, requestId);
    } finally {
      waits.delete(ac);
      res.off("close", onClose);
    }
  }

  const server = makeServer((req, res) => {
    const protocol = protocolOf(req);
    const requestId = randomUUID();
    handle(req, res, protocol, requestId).catch((e: unknown) => writeError(res, protocol, toSqsError(e, unexpected), requestId));
  });

  let closed: Promise<void> | null = null;
  return {
    server,
    listen(port = options.port ?? SQS_DEFAULTS.port, host = options.host ?? SQS_DEFAULTS.host) {
      return listenOn(server, port, host);
    },
    close() {
      return (closed ??= (async () => {
        closing = true;
        const stopped = new Promise<void>((resolve) => (server.listening ? server.close(() => resolve()) : resolve()));
        for (const ac of waits) ac.abort(); // long polls answer "no messages" now
        server.closeIdleConnections();
        const sweep = setInterval(() => server.closeIdleConnections(), 25);
        const cut = setTimeout(() => server.closeAllConnections(), graceMs);
        await stopped;
        clearInterval(sweep);
        clearTimeout(cut);
      })());
    },
  };
}
