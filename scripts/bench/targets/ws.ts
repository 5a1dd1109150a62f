// tinyqs through @tinyqs/http-server's WebSocket (/v1/ws): the server runs in its own process, the
// benchmark holds one socket. It subscribes with a prefetch, so the server pushes messages while
// fewer than that are unacknowledged; receive() takes the next pushed message (waiting up to waitMs
// for one); send and delete are request frames whose reply is awaited. Protocol: docs/websocket.md.
import { requireFromHttpServer, startHttpServer } from "./http-server-process.js";
import type { QueueHandle, Received, Target } from "./types.js";

/** The part of a `ws` WebSocket used here (its types live with @tinyqs/http-server, not here). */
interface Socket {
  on(event: "message", fn: (data: Buffer) => void): void;
  once(event: "open" | "close", fn: () => void): void;
  once(event: "error", fn: (err: Error) => void): void;
  send(data: string): void;
  close(): void;
  /** ws's TCP socket (private, but stable across ws 8). */
  _socket?: { cork(): void; uncork(): void };
}

// `ws` is a dependency of @tinyqs/http-server, not of the repository root.
const WebSocket = requireFromHttpServer("ws") as new (url: string, options: { perMessageDeflate: boolean }) => Socket;

/** Messages pushed ahead of the consumer loops (the benchmark runs 50 receive→delete loops). */
const PREFETCH = Number(process.env.TINYQS_BENCH_WS_PREFETCH) || 100;

interface Reply {
  ok: boolean;
  id?: string;
  error?: { code: string; message: string };
  /** deleteBatch's, one per item. */
  results?: Array<{ ok: boolean }>;
  /** sendBatch's, in order. */
  ids?: string[];
}

const target: Target = {
  name: "ws",
  noRequests: "the WebSocket protocol (docs/websocket.md) has no put, take, respond or wait ops; request/response is on HTTP and TCP",
  async open({ redisUrl, queue, visibilityMs }): Promise<QueueHandle> {
    const server = await startHttpServer(redisUrl, "ws");
    const socket = new WebSocket(`${server.url.replace(/^http/, "ws")}/v1/ws`, { perMessageDeflate: false });
    await new Promise<void>((resolve, reject) => {
      socket.once("open", () => resolve());
      socket.once("error", reject);
    });

    let nextId = 1;
    const pending = new Map<number, (r: Reply) => void>();
    const inbox: Received[] = [];
    const takers: Array<(m: Received | null) => void> = [];
    let failure: Error | null = null;

    socket.on("message", (data) => {
      const f = JSON.parse(data.toString()) as { op: string; requestId?: number; receipt?: string; body?: string } & Reply;
      if (f.op === "reply") {
        pending.get(f.requestId!)?.(f);
        pending.delete(f.requestId!);
      } else if (f.op === "message") {
        const m = { ref: f.receipt!, body: Buffer.from(f.body!, "base64") };
        const taker = takers.shift();
        if (taker) taker(m);
        else inbox.push(m);
      } else if (f.op === "error") {
        failure = new Error(`server error frame: ${JSON.stringify(f)}`);
      }
    });
    socket.once("close", () => {
      failure ??= new Error("the socket closed");
      for (const t of takers.splice(0)) t(null);
      for (const p of pending.values()) p({ ok: false, error: { code: "CLOSED", message: "socket closed" } });
    });

    // The requests of one tick leave in one write, as the servers' replies do (core's corkForTick:
    // the TCP socket under the WebSocket corked until the next tick); without it, a window of 50
    // sends was 50 system calls.
    let corked = false;
    const cork = () => {
      const tcp = socket._socket;
      if (corked || !tcp) return;
      corked = true;
      tcp.cork();
      process.nextTick(() => {
        corked = false;
        tcp.uncork();
      });
    };
    const request = (frame: Record<string, unknown>): Promise<Reply> => {
      if (failure) return Promise.reject(failure);
      const requestId = nextId++;
      return new Promise((resolve) => {
        pending.set(requestId, resolve);
        cork();
        socket.send(JSON.stringify({ ...frame, requestId }));
      });
    };
    const must = (r: Reply, what: string): Reply => {
      if (!r.ok) throw new Error(`${what}: ${r.error?.code} ${r.error?.message}`);
      return r;
    };

    const receive = (waitMs: number): Promise<Received | null> => {
      const m = inbox.shift();
      if (m) return Promise.resolve(m);
      if (failure) return Promise.reject(failure);
      return new Promise((resolve) => {
        const taker = (got: Received | null) => {
          clearTimeout(timer);
          resolve(got);
        };
        const timer = setTimeout(() => {
          takers.splice(takers.indexOf(taker), 1);
          resolve(null);
        }, waitMs);
        takers.push(taker);
      });
    };

    must(await request({ op: "subscribe", queue, prefetch: PREFETCH, visibilityMs }), "subscribe");
    return {
      send: async (body) => must(await request({ op: "send", queue, body, encoding: "utf8" }), "send").id,
      receive,
      async delete(ref) {
        const r = await request({ op: "delete", queue, receipt: ref });
        if (!r.ok && r.error?.code !== "NOT_FOUND") must(r, "delete");
        return r.ok;
      },
      // A batch is one sendBatch frame (bodies as UTF-8 strings). Receives take what was pushed (up
      // to max, waiting for the first); one deleteBatch frame acknowledges them.
      batch: {
        sendBatch: async (bodies, delayMs) =>
          must(await request({ op: "sendBatch", queue, messages: bodies.map((body) => ({ body, encoding: "utf8", delayMs })) }), "sendBatch").ids,
        async receiveBatch(max, waitMs) {
          const first = await receive(waitMs);
          return first ? [first, ...inbox.splice(0, max - 1)] : [];
        },
        async deleteBatch(refs) {
          const r = must(await request({ op: "deleteBatch", queue, receipts: refs }), "deleteBatch");
          return r.results!.map((x) => x.ok);
        },
      },
      async close() {
        socket.close();
        await server.stop();
      },
    };
  },
};

export default target;
