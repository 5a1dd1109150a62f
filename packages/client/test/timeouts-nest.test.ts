// Timeouts nest the right way round (issue 18): the engine's Redis timeout is shorter than a client's
// timeoutMs, so that while Redis is away a client with its DEFAULT timeoutMs gets the server's
// UNAVAILABLE (HTTP 503; "-UNAVAILABLE" over TCP), which says why, and not its own TIMEOUT, which
// does not. Real parts: a private redis-server, stopped by its PID mid-test; both servers with
// their own engine at its default Redis timeout; both clients at their defaults.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULTS, TinyQSError } from "@tinyqs/core";
import { createHttpServer, type TinyQSHttpServer } from "@tinyqs/http-server";
import { createTcpServer, type TcpServer } from "@tinyqs/tcp-server";
import { RedisServer, uniqueQueue } from "@tinyqs/test-support";
import { DEFAULT_TIMEOUT_MS } from "../src/common.js";
import { connect, type TinyQSApi } from "../src/index.js";

describe("the defaults nest: engine < client", () => {
  it("a client's default timeoutMs leaves the engine's Redis timeout room to answer, twice over", () => {
    expect(DEFAULTS.redisTimeoutMs).toBe(5000);
    expect(DEFAULT_TIMEOUT_MS).toBe(DEFAULTS.clientTimeoutMs);
    expect(DEFAULT_TIMEOUT_MS).toBeGreaterThanOrEqual(2 * DEFAULTS.redisTimeoutMs);
  });
});

/** What `call` rejects with, and after how long (it must reject). */
async function failure(call: () => Promise<unknown>): Promise<{ error: TinyQSError; ms: number }> {
  const t0 = Date.now();
  const error = await call().then(
    () => {
      throw new Error("expected the call to fail while Redis is down");
    },
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(TinyQSError);
  return { error: error as TinyQSError, ms: Date.now() - t0 };
}

describe("Redis down: clients at their default timeoutMs see the server's UNAVAILABLE, not their own TIMEOUT", { timeout: 60_000 }, () => {
  let redis: RedisServer;
  let tcpServer: TcpServer;
  let httpServer: TinyQSHttpServer;
  const clients: Record<"tcp" | "http", TinyQSApi> = {} as never;

  beforeAll(async () => {
    redis = await RedisServer.start();
    // Their own engines, at the engine's default Redis timeout (no redisTimeoutMs given).
    tcpServer = createTcpServer({ redis: redis.url });
    httpServer = createHttpServer({ redis: redis.url, log: () => {} });
    const tcpAt = await tcpServer.listen(0, "127.0.0.1");
    const httpAt = await httpServer.listen(0, "127.0.0.1");
    clients.tcp = connect(`tinyqs://127.0.0.1:${tcpAt.port}`);
    clients.http = connect(httpAt.url);
  });

  afterAll(async () => {
    await Promise.all(Object.values(clients).map((c) => c.close()));
    await Promise.all([tcpServer?.close(), httpServer?.close()]);
    await redis?.cleanup();
  });

  it("send and a long poll, through both servers, fail with UNAVAILABLE from the server, within the client's deadline", async () => {
    const q = uniqueQueue("redis-down");
    // Up first: both paths work, so what follows is the outage and nothing else.
    for (const c of Object.values(clients)) expect(await c.send(q, "before")).toEqual(expect.any(String));

    const pid = redis.pid!;
    expect(pid).toBeGreaterThan(0);
    await redis.kill(); // SIGKILL to that PID: Redis is gone, not shutting down politely.

    const cases = (["tcp", "http"] as const).flatMap((name) => [
      { name: `${name} send`, call: () => clients[name].send(q, "during") },
      { name: `${name} receive (waitMs 1000)`, call: () => clients[name].receive(q, { waitMs: 1000 }) },
    ]);
    const results = await Promise.all(cases.map(async (c) => ({ name: c.name, ...(await failure(c.call)) })));
    for (const { name, error, ms } of results) {
      expect({ name, code: error.code }).toEqual({ name, code: "UNAVAILABLE" });
      // The engine's words ("Redis is unavailable: … after 5000 ms"), passed on by the server.
      expect(error.message, name).toMatch(/Redis/);
      expect(error.message, name).toContain(`${DEFAULTS.redisTimeoutMs} ms`);
      // The server answered after about its engine's timeout, well inside the client's.
      expect(ms, name).toBeLessThan(DEFAULT_TIMEOUT_MS);
    }
  });
});
