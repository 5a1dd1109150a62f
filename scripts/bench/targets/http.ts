// tinyqs through @tinyqs/http-server's REST API: the server runs in its own process (as deployed),
// the benchmark talks to it with keep-alive HTTP/1.1 over a pool of several connections, one raw
// POST per send, one GET (long poll, raw body + tinyqs-receipt header) per receive, one DELETE per
// acknowledgement. node:http with a keep-alive Agent is the client: no dependency to add, and what
// a Node user without undici gets.
// --batch: `POST …/messages/batch` of 1000 (JSON, bodies as UTF-8 strings), `GET …/messages?max=100`
// (JSON, bodies in base64) per receive loop, one `POST …/messages/delete` per receive.
// Request/response (scenario R): a caller's put + wait is one `POST …/requests` that answers with the
// reply; a responder takes with the ordinary receive and answers with `POST …/messages/:receipt/respond`.
// Both the callers' exchanges and the takes wait, so each has a connection of its own (pools without
// a limit, growing to the requests in flight and the take loops); responds share the short pool.
import http from "node:http";
import https from "node:https";
import { startHttpServer } from "./http-server-process.js";
import type { QueueHandle, Target } from "./types.js";

/** Keep-alive connections to the server. Sends and deletes share one pool, receives (which may
 * wait out a long poll) have their own, so an idle wait never holds up an acknowledgement. */
const CONNECTIONS = Number(process.env.TINYQS_BENCH_HTTP_CONNECTIONS) || 16;

interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

const JSON_TYPE = { "content-type": "application/json" };

function requester(base: URL, agent: http.Agent) {
  return (method: string, path: string, body?: string, headers: Record<string, string> = {}): Promise<Reply> =>
    new Promise((resolve, reject) => {
      const length = body === undefined ? {} : { "content-length": String(Buffer.byteLength(body)) };
      // https (pnpm bench --tls): the same request, over TLS; the agents are https.Agents then.
      const req = (base.protocol === "https:" ? https : http).request(
        { host: base.hostname, port: base.port, method, path, agent, headers: { ...headers, ...length } },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (c: Buffer) => chunks.push(c));
          res.on("end", () => resolve({ status: res.statusCode!, headers: res.headers, body: chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks) }));
          res.on("error", reject);
        },
      );
      req.on("error", reject);
      req.end(body);
    });
}

function check(reply: Reply, status: number, what: string): Reply {
  if (reply.status !== status) throw new Error(`${what}: HTTP ${reply.status} ${reply.body.toString().slice(0, 200)}`);
  return reply;
}

const target: Target = {
  name: "http",
  async open({ redisUrl, queue, visibilityMs }): Promise<QueueHandle> {
    const server = await startHttpServer(redisUrl, "http");
    const base = new URL(server.url);
    const Agent = base.protocol === "https:" ? https.Agent : http.Agent;
    const short = new Agent({ keepAlive: true, maxSockets: CONNECTIONS / 2 });
    const long = new Agent({ keepAlive: true, maxSockets: CONNECTIONS / 2 });
    // R only: callers wait for their replies and take loops long-poll, all at the same time.
    const callers = new Agent({ keepAlive: true });
    const takers = new Agent({ keepAlive: true });
    const call = requester(base, short);
    const poll = requester(base, long);
    const ask = requester(base, callers);
    const take = requester(base, takers);
    const q = `/v1/queues/${queue}`;
    check(await call("PUT", q, JSON.stringify({ visibilityMs }), JSON_TYPE), 200, "configure");
    return {
      send: async (body) => check(await call("POST", `${q}/messages`, body), 201, "send"),
      async receive(waitMs) {
        const r = await poll("GET", `${q}/messages?waitMs=${waitMs}`);
        if (r.status === 204) return null;
        check(r, 200, "receive");
        return { ref: r.headers["tinyqs-receipt"] as string, body: r.body };
      },
      async delete(ref) {
        const r = await call("DELETE", `${q}/messages/${ref}`);
        if (r.status !== 204 && r.status !== 404) check(r, 204, "delete");
        return r.status === 204;
      },
      batch: {
        sendBatch: async (bodies, delayMs) =>
          check(await call("POST", `${q}/messages/batch`, JSON.stringify({ messages: bodies.map((body) => ({ body, delayMs })) }), JSON_TYPE), 201, "send batch"),
        async receiveBatch(max, waitMs) {
          const r = check(await poll("GET", `${q}/messages?max=${max}&waitMs=${waitMs}`), 200, "receive batch");
          const { messages } = JSON.parse(r.body.toString()) as { messages: Array<{ receipt: string; body: string }> };
          return messages.map((m) => ({ ref: m.receipt, body: Buffer.from(m.body, "base64") }));
        },
        async deleteBatch(refs) {
          const r = check(await call("POST", `${q}/messages/delete`, JSON.stringify({ receipts: refs }), JSON_TYPE), 200, "delete batch");
          return (JSON.parse(r.body.toString()) as { results: Array<{ ok: boolean }> }).results.map((x) => x.ok);
        },
      },
      requests: {
        // put = send; the handle is <queue>:<id> (the caller's exchange below does not need it)
        async put(body) {
          const r = check(await call("POST", `${q}/messages`, body), 201, "put");
          return `${queue}:${(JSON.parse(r.body.toString()) as { id: string }).id}`;
        },
        async take(waitMs) {
          const r = await take("GET", `${q}/messages?waitMs=${waitMs}`);
          if (r.status === 204) return null;
          check(r, 200, "take");
          return { ref: r.headers["tinyqs-receipt"] as string, body: r.body };
        },
        async respond(ref, body) {
          const r = await call("POST", `${q}/messages/${ref}/respond`, body);
          if (r.status !== 204 && r.status !== 404) check(r, 204, "respond");
          return r.status === 204;
        },
        async wait(handle, timeoutMs) {
          const r = await ask("GET", `/v1/replies/${encodeURIComponent(handle)}?timeoutMs=${timeoutMs}`);
          if (r.status === 204) return null;
          return check(r, 200, "wait").body;
        },
        async request(body, timeoutMs) {
          const r = await ask("POST", `${q}/requests?timeoutMs=${timeoutMs}`, body);
          if (r.status === 504) return null;
          return check(r, 200, "request").body;
        },
      },
      async close() {
        short.destroy();
        long.destroy();
        callers.destroy();
        takers.destroy();
        await server.stop();
      },
    };
  },
};

export default target;
