// Issue 18: a full Redis (maxmemory + noeviction) must not cost a remote worker its lease. A worker
// of @tinyqs/client, over tinyqs:// (TOUCH) and over http:// (its WebSocket source and the REST
// touch), keeps its message through a 10 s handler with a 1.5 s visibility while Redis refuses every
// send: one delivery each, deleted after, no error. Real parts: a private redis-server kept full by a
// filler, both servers with their own engines, both clients.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TinyQS } from "@tinyqs/core";
import { createHttpServer, type TinyQSHttpServer } from "@tinyqs/http-server";
import { createTcpServer, type TcpServer } from "@tinyqs/tcp-server";
import { RedisServer, expectCode, fillMemory, freeMemory, keepMemoryFull, runOneSlowHandler, uniqueQueue } from "@tinyqs/test-support";
import { connect, type TinyQSApi } from "../src/index.js";

let redis: RedisServer;
let engine: TinyQS;
let tcpServer: TcpServer;
let httpServer: TinyQSHttpServer;
const clients: Record<"tcp" | "http", TinyQSApi> = {} as never;

beforeAll(async () => {
  redis = await RedisServer.start({ extraArgs: ["--maxmemory", "2mb", "--maxmemory-policy", "noeviction"] });
  engine = new TinyQS({ redis: redis.url });
  tcpServer = createTcpServer({ redis: redis.url });
  httpServer = createHttpServer({ redis: redis.url, log: () => {} });
  clients.tcp = connect(`tinyqs://127.0.0.1:${(await tcpServer.listen(0, "127.0.0.1")).port}`);
  clients.http = connect((await httpServer.listen(0, "127.0.0.1")).url);
});

afterAll(async () => {
  await freeMemory(redis.port);
  await Promise.all(Object.values(clients).map((c) => c.close()));
  await Promise.all([tcpServer?.close(), httpServer?.close(), engine?.close()]);
  await redis?.cleanup();
});

describe("a remote worker while Redis is full", () => {
  it("over TCP and over HTTP, keeps its lease through a 10 s handler (visibility 1.5 s): one delivery each", async () => {
    const queues = { tcp: uniqueQueue("full-tcp"), http: uniqueQueue("full-http") };
    for (const q of Object.values(queues)) await engine.send(q, "slow job");
    await fillMemory(redis.port);
    const full = keepMemoryFull(redis.port); // Redis gives memory back by itself: kept full all along
    const runs = (["tcp", "http"] as const).map(async (transport) => ({
      transport,
      ...(await runOneSlowHandler(clients[transport], engine, queues[transport], 10_000, 1500)),
      stats: await engine.stats(queues[transport]),
    }));
    const outcomes = await Promise.all(runs);
    await expectCode(() => clients.tcp.send(queues.tcp, "x"), "FULL", "a send over TCP while full");
    await expectCode(() => clients.http.send(queues.http, "x"), "FULL", "a send over HTTP while full");
    await full.stop();
    for (const o of outcomes) {
      expect(o, o.transport).toMatchObject({ deliveries: [1], errors: [] });
      expect(o.stats, o.transport).toMatchObject({ ready: 0, inFlight: 0, delayed: 0, received: 1, deleted: 1 });
    }
  }, 40_000);
});
