// One metrics registry for a process, as `pnpm start` wires it: the TCP server counts in it through
// an instrumented engine, the HTTP server is given it, and GET /metrics shows every way in by path.
import { afterAll, beforeAll, expect, it } from "vitest";
import { Redis } from "ioredis";
import { createTcpServer, type TcpServer } from "@tinyqs/tcp-server";
import { createHttpServer, Metrics, type TinyQSHttpServer } from "../src/index.js";
import { metric, startServer, uniqueQueue, type Running } from "./helpers.js";
import { WsClient } from "./ws-client.js";

let s: Running;
let tcp: TcpServer;
let http: TinyQSHttpServer;
let url: string;
let redis: Redis;
beforeAll(async () => {
  s = await startServer(); // for its engine on the private Redis (its own server stays unused)
  const metrics = new Metrics(s.engine);
  tcp = createTcpServer({ engine: metrics.instrument(s.engine, "tcp") });
  http = createHttpServer({ engine: s.engine, metrics, log: () => {} });
  ({ url } = await http.listen(0, "127.0.0.1"));
  const at = await tcp.listen(0, "127.0.0.1");
  redis = new Redis({ port: at.port, host: "127.0.0.1", lazyConnect: true, protocol: 2 });
});
afterAll(async () => {
  redis.disconnect();
  await Promise.all([tcp.close(), http.close()]);
  await s.close();
});

it("GET /metrics counts TCP, REST, WebSocket and page operations in one registry, by path", async () => {
  const q = uniqueQueue("shared");
  await redis.call("SEND", q, "over tcp");
  await redis.call("SEND", q, "over tcp again");
  await fetch(`${url}/v1/queues/${q}/messages`, { method: "POST", body: "over rest" });
  await fetch(`${url}/v1/queues/${q}/messages`, { method: "POST", body: "from the page", headers: { "tinyqs-ui": "1" } });
  const ws = await WsClient.open(url.replace(/^http/, "ws") + "/v1/ws");
  await ws.request("send", { queue: q, body: Buffer.from("over ws").toString("base64") });
  ws.socket.close();
  const sends = (path: string) => metric(url, "tinyqs_operations_total", { path, operation: "send", outcome: "ok" });
  expect([await sends("tcp"), await sends("rest"), await sends("ws"), await sends("ui")]).toEqual([2, 1, 1, 1]);
  expect((await s.engine.stats(q)).sent).toBe(5);
});
