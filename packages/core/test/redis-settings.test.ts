// Issue 11 item 5: Redis's settings are checked before the engine's first command. An evicting
// maxmemory-policy (it deletes keys when Redis is full: messages lost silently) is refused with
// MISCONFIGURED, saying what to change, unless allowEviction; `appendonly no` is a warning that sends
// are not durable; a Redis that refuses CONFIG GET (managed services) gives a warning, and works.
import { afterAll, describe, expect, it } from "vitest";
import { TinyQS, TinyQSError } from "../src/index.js";
import { RedisServer, expectCode, rawCommand, uniqueQueue } from "@tinyqs/test-support";

const servers: RedisServer[] = [];
const engines: TinyQS[] = [];
afterAll(async () => {
  await Promise.all(engines.map((e) => e.close()));
  await Promise.all(servers.map((s) => s.cleanup()));
});

async function setup(extraArgs: string[], options: { allowEviction?: boolean; appendonly?: boolean } = {}) {
  const redis = await RedisServer.start({ extraArgs, appendonly: options.appendonly });
  servers.push(redis);
  const warnings: string[] = [];
  const tq = new TinyQS({ redis: redis.url, allowEviction: options.allowEviction, onWarning: (w) => warnings.push(w), timeoutMs: 2000 });
  engines.push(tq);
  return { redis, tq, warnings };
}

describe("Redis settings checked at start", () => {
  it("an evicting maxmemory-policy is refused: MISCONFIGURED, saying how to fix it, and nothing is written", async () => {
    const { redis, tq } = await setup(["--maxmemory-policy", "allkeys-lru"]);
    const error = await expectCode(() => tq.send(uniqueQueue("evict"), "lost?"), "MISCONFIGURED", "send");
    expect(error.message).toBe(
      `Redis at 127.0.0.1:${redis.port} has maxmemory-policy allkeys-lru: when full it evicts keys, and so loses messages. ` +
        "Set it to noeviction (CONFIG SET maxmemory-policy noeviction, and in redis.conf), or accept the loss with --allow-eviction (engine option allowEviction: true)",
    );
    expect(error.httpStatus).toBe(500);
    expect(error.respError).toMatch(/^MISCONFIGURED Redis at /);
    // every operation gets it, checkRedis too, and Redis holds nothing of tinyqs
    await expectCode(() => tq.receive(uniqueQueue("evict")), "MISCONFIGURED", "receive");
    await expectCode(() => tq.checkRedis(), "MISCONFIGURED", "checkRedis");
    expect(await rawCommand(redis.port, ["DBSIZE"])).toBe("0");
  });

  it("allowEviction accepts it, with a warning", async () => {
    const { tq, warnings } = await setup(["--maxmemory-policy", "volatile-lru"], { allowEviction: true });
    await tq.send(uniqueQueue("evict-ok"), "x");
    expect(warnings.filter((w) => /maxmemory-policy volatile-lru: .* \(allowed by --allow-eviction\)$/.test(w))).toHaveLength(1);
  });

  it("appendonly no: one warning that sends are not durable, however many operations", async () => {
    const { redis, tq, warnings } = await setup([]);
    const q = uniqueQueue("aof-no");
    await Promise.all([tq.send(q, "a"), tq.send(q, "b"), tq.stats(q)]);
    await tq.receive(q);
    expect(warnings).toEqual([
      `Redis at 127.0.0.1:${redis.port} has appendonly no: acknowledged sends are in memory only and are lost if Redis stops; for durable sends use appendonly yes with appendfsync always`,
    ]);
  });

  it("noeviction and appendonly yes: no warning", async () => {
    const { tq, warnings } = await setup([], { appendonly: true });
    await tq.checkRedis();
    await tq.send(uniqueQueue("fit"), "x");
    expect(warnings).toEqual([]);
  });

  it("a Redis that refuses CONFIG (a managed service): a warning that nothing was checked, and the engine works", async () => {
    const { redis, tq, warnings } = await setup(["--rename-command", "CONFIG", "CONFIG-hidden-by-the-operator"]);
    const q = uniqueQueue("managed");
    await tq.send(q, "x");
    expect((await tq.receive(q))?.body.toString()).toBe("x");
    expect(warnings).toEqual([
      `Redis at 127.0.0.1:${redis.port} refused CONFIG GET, so its maxmemory-policy and appendonly were not checked: make sure the policy is noeviction (an evicting one loses messages when Redis is full) and appendonly is yes`,
    ]);
  });

  it("a Redis down at the first command: UNAVAILABLE, and the check runs once it is back", async () => {
    const { redis, tq, warnings } = await setup(["--maxmemory-policy", "allkeys-random"]);
    await redis.stop();
    const down = await expectCode(() => tq.checkRedis(), "UNAVAILABLE", "checkRedis with Redis down");
    expect(down).toBeInstanceOf(TinyQSError);
    await redis.restart();
    await expectCode(() => tq.send(uniqueQueue("later"), "x"), "MISCONFIGURED", "send once Redis is back");
    expect(warnings).toEqual([]);
  });
});
