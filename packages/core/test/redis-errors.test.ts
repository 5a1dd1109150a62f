// Issue 18: errors say what happened in tinyqs's words, not ioredis's, and keep the original error as
// `cause` (for logs). A full Redis (maxmemory + noeviction) is FULL; a stopped Redis is UNAVAILABLE
// without ioredis's option names; a failing Redis Cluster says so.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ReplyError } from "ioredis";
import { ERRORS, TinyQS, TinyQSError } from "../src/index.js";
import { fromRedisError } from "../src/connection.js";
import { RedisCluster, RedisServer, expectCode, rawCommand, uniqueQueue } from "@tinyqs/test-support";

const TIMEOUT = 1000;
const engines: TinyQS[] = [];
const servers: RedisServer[] = [];

afterAll(async () => {
  await Promise.all(engines.map((e) => e.close().catch(() => {})));
  await Promise.all(servers.map((s) => s.cleanup()));
});

/** Send 64 KiB bodies until a send fails; that failure (and how many went in before it). */
async function fillUntilRefused(tq: TinyQS, queue: string): Promise<{ error: unknown; stored: number }> {
  const body = Buffer.alloc(64 * 1024, 7);
  for (let stored = 0; stored < 1000; stored++) {
    try {
      await tq.send(queue, body);
    } catch (error) {
      return { error, stored };
    }
  }
  throw new Error("1000 sends of 64 KiB went into a Redis of maxmemory 2mb");
}

describe("a full Redis (maxmemory 2mb, noeviction)", () => {
  let tq: TinyQS;
  beforeAll(async () => {
    const server = await RedisServer.start({ extraArgs: ["--maxmemory", "2mb", "--maxmemory-policy", "noeviction"] });
    servers.push(server);
    tq = new TinyQS({ redis: server.url, timeoutMs: TIMEOUT });
    engines.push(tq);
  });

  it("a send refused for memory is FULL, in tinyqs's words, with Redis's OOM error as its cause", async () => {
    const q = uniqueQueue("full");
    const { error, stored } = await fillUntilRefused(tq, q);
    expect(stored).toBeGreaterThan(0);
    expect(error).toBeInstanceOf(TinyQSError);
    const e = error as TinyQSError;
    expect(e.code).toBe("FULL");
    expect(e.message).toBe("Redis is full (maxmemory reached): nothing was stored");
    expect(e.httpStatus).toBe(507);
    expect(e.respError).toBe("FULL Redis is full (maxmemory reached): nothing was stored");
    expect(e.cause).toBeInstanceOf(ReplyError);
    expect((e.cause as Error).message).toMatch(/^OOM command not allowed when used memory > 'maxmemory'/);
    // nothing of the refused send was stored: the queue holds exactly what went in before
    expect((await tq.stats(q)).ready).toBe(stored);
    // and it stays FULL (not INTERNAL) for the next writer, a batch included
    await expectCode(() => tq.sendBatch(q, ["a", "b"]), "FULL", "sendBatch");
  });
});

describe("a Redis that was stopped", () => {
  it("an operation is UNAVAILABLE in tinyqs's words: no ioredis option names, the cause kept", async () => {
    const server = await RedisServer.start();
    servers.push(server);
    const tq = new TinyQS({ redis: server.url, timeoutMs: TIMEOUT });
    engines.push(tq);
    const q = uniqueQueue("stopped");
    await tq.send(q, "before");
    // Sends in flight when Redis goes: the ones ioredis fails with words of its own.
    const inFlight = Array.from({ length: 20 }, (_, i) => tq.send(q, `x${i}`).catch((e: unknown) => e));
    process.kill(server.pid!, "SIGKILL");
    const afterwards: unknown[] = [];
    for (let i = 0; i < 5; i++) afterwards.push(await tq.send(q, `after ${i}`).catch((e: unknown) => e));
    const failures = [...(await Promise.all(inFlight)), ...afterwards].filter((e) => e instanceof Error) as Error[];
    expect(failures.length).toBeGreaterThanOrEqual(5); // at least every send after the kill
    // the sends cut in flight carry ioredis's own error as their cause, for logs
    expect(failures.some((e) => e.cause instanceof Error && /max retries|Connection is closed/.test(e.cause.message))).toBe(true);
    for (const e of failures) {
      expect(e).toBeInstanceOf(TinyQSError);
      expect((e as TinyQSError).code, e.message).toBe("UNAVAILABLE");
      expect(e.message).toMatch(/^(Redis is unavailable|Redis did not answer within 1000 ms)/);
      expect(e.message).not.toMatch(/maxRetriesPerRequest|enableOfflineQueue|max retries/);
    }
  });
});

describe("a Redis Cluster that stops serving its slots", () => {
  it("a send is UNAVAILABLE: the Redis Cluster is failing over, with ioredis's error as its cause", async () => {
    // A private cluster: the shared one of the global setup must keep its slots.
    const cluster = await RedisCluster.start(3);
    const tq = new TinyQS({ redis: { cluster: cluster.nodes }, timeoutMs: 3000 });
    try {
      const q = uniqueQueue("cluster");
      await tq.send(q, "before");
      // every master gives up its slots: CLUSTERDOWN, then no node can say where the keys are
      for (const s of cluster.servers) expect(await rawCommand(s.port, ["CLUSTER", "DELSLOTSRANGE", "0", "16383"])).toBe("OK");
      const e = await expectCode(() => tq.send(q, "during"), "UNAVAILABLE", "send");
      expect(e.message).toMatch(/^the Redis Cluster is failing over \(.+\)$/);
      expect(e.message).not.toMatch(/enableOfflineQueue|Too many|Last error/);
      expect(e.cause).toBeInstanceOf(Error);
      expect((e.cause as Error).message).toMatch(/Cluster isn't ready|CLUSTERDOWN|Too many Cluster redirections|Failed to refresh slots cache/);
    } finally {
      await tq.close();
      await cluster.cleanup();
    }
  }, 60_000);
});

describe("fromRedisError: each kind of ioredis failure in tinyqs's words", () => {
  const cases: Array<[string, Error, string, string | RegExp]> = [
    [
      "max retries (a command in flight when the connection dropped)",
      new Error("Reached the max retries per request limit (which is 0). Refer to \"maxRetriesPerRequest\" option for details."),
      "UNAVAILABLE",
      "Redis is unavailable: the connection closed before Redis answered (whether the command ran is unknown)",
    ],
    ["connection closed", new Error("Connection is closed."), "UNAVAILABLE", /^Redis is unavailable: the connection closed/],
    ["stream not writeable", new Error("Stream isn't writeable and enableOfflineQueue options is false"), "UNAVAILABLE", "Redis is unavailable: the connection is down (reconnecting)"],
    ["command timeout", new Error("Command timed out"), "UNAVAILABLE", "Redis did not answer within 2500 ms"],
    [
      "too many Cluster redirections",
      new Error("Too many Cluster redirections. Last error: ReplyError: CLUSTERDOWN The cluster is down"),
      "UNAVAILABLE",
      "the Redis Cluster is failing over (a command was redirected too many times)",
    ],
    ["CLUSTERDOWN", new ReplyError("CLUSTERDOWN The cluster is down"), "UNAVAILABLE", "the Redis Cluster is failing over (Redis said: CLUSTERDOWN The cluster is down)"],
    ["MOVED", new ReplyError("MOVED 3999 127.0.0.1:7001"), "UNAVAILABLE", /^the Redis Cluster is failing over/],
    ["TRYAGAIN", new ReplyError("TRYAGAIN Multiple keys request during rehashing of slot"), "UNAVAILABLE", /^the Redis Cluster is failing over/],
    ["slots refresh failed", new Error("Failed to refresh slots cache."), "UNAVAILABLE", /^the Redis Cluster is failing over/],
    ["LOADING", new ReplyError("LOADING Redis is loading the dataset in memory"), "UNAVAILABLE", "Redis is unavailable: LOADING Redis is loading the dataset in memory"],
    ["OOM", new ReplyError("OOM command not allowed when used memory > 'maxmemory'."), "FULL", ERRORS.FULL.message],
    ["a script's own error (a bug)", new ReplyError("ERR user_script:1: Script attempted to access nonexistent global variable 'x'"), "INTERNAL", /^Redis refused a tinyqs command: ERR/],
    ["a socket error", new Error("connect ECONNREFUSED 127.0.0.1:1"), "UNAVAILABLE", "Redis is unavailable: connect ECONNREFUSED 127.0.0.1:1"],
  ];
  it.each(cases)("%s", (_, raw, code, words) => {
    const e = fromRedisError(raw, 2500);
    expect(e.code).toBe(code);
    if (typeof words === "string") expect(e.message).toBe(words);
    else expect(e.message).toMatch(words);
    expect(e.message).not.toMatch(/maxRetriesPerRequest|enableOfflineQueue|Last error/);
    expect(e.cause).toBe(raw);
  });

  it("a TinyQSError passes through unchanged", () => {
    const own = new TinyQSError("CLOSED");
    expect(fromRedisError(own)).toBe(own);
  });
});
