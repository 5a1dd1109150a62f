// PAUSE, RESUME, REDRIVE and QDELETE on the wire (issue 14): exact RESP replies from a raw socket,
// redis-cli as a person runs it, their errors, and the admin grant they need with --users.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TinyQS } from "@tinyqs/core";
import { inject } from "vitest";
import { deadLettered, operatorUsersFile } from "@tinyqs/test-support";
import { RawClient, bulk, redisCli, req, sleep, startServer, uniqueQueue, type Running } from "./helpers.js";

let s: Running;
let c: RawClient;
/** The same Redis and prefix as the server, straight through the engine. */
let engine: TinyQS;
beforeAll(async () => {
  s = await startServer();
  c = await RawClient.connect(s.port);
  engine = new TinyQS({ redis: inject("redisUrl") });
});
afterAll(async () => {
  c.destroy();
  await engine.close();
  await s.server.close();
});

describe("queue operations over RESP", () => {
  it("PAUSE → +OK: RECEIVE nil, a waiting RECEIVE keeps waiting; STATS and QCONFIG say paused 1; RESUME → +OK wakes it", async () => {
    const q = uniqueQueue("tpause");
    expect(await c.call(req("PAUSE", q))).toBe("+OK\r\n");
    expect(await c.call(req("PAUSE", q))).toBe("+OK\r\n");
    const id = (await c.call(req("SEND", q, "hi"))).split("\r\n")[1]!;
    expect(await c.call(req("RECEIVE", q))).toBe("$-1\r\n");
    expect(await c.call(req("STATS", q))).toMatch(/\$6\r\npaused\r\n:1\r\n\$16\r\noldestReadyAgeMs\r\n:\d+\r\n$/);
    expect(await c.call(req("QCONFIG", q))).toMatch(/\$6\r\npaused\r\n:1\r\n$/);
    expect(await c.call(req("QCONFIG", q, "paused", "0"))).toBe("-BAD_ARGUMENT paused is read only: PAUSE and RESUME the queue instead\r\n");
    const waiter = await RawClient.connect(s.port);
    try {
      const waiting = waiter.call(req("RECEIVE", q, "WAIT", "15000"));
      await sleep(200);
      expect(await c.call(req("RESUME", q))).toBe("+OK\r\n");
      expect(await waiting).toMatch(new RegExp(`^\\*5\r\n${bulk(id).replace(/\$/g, "\\$")}`));
    } finally {
      waiter.destroy();
    }
    expect(await c.call(req("STATS", q))).toMatch(/\$6\r\npaused\r\n:0\r\n\$16\r\noldestReadyAgeMs\r\n\$-1\r\n$/);
  });

  it("REDRIVE dlq [TO q] [MAX n] → :moved, ids kept; BROWSE shows deadLetterOf", async () => {
    const q = uniqueQueue("tredrive");
    const ids = await deadLettered(engine, q, 3);
    expect(await c.call(req("BROWSE", `${q}.dead`, "READY", "LIMIT", "1"))).toContain(`${bulk("deadLetterOf")}${bulk(`${q}/${ids[0]}`)}`);
    expect(await c.call(req("REDRIVE", `${q}.dead`, "MAX", "1"))).toBe(":1\r\n");
    const other = uniqueQueue("tredrive-to");
    expect(await c.call(req("REDRIVE", `${q}.dead`, "to", other, "max", "1"))).toBe(":1\r\n");
    expect(await c.call(req("REDRIVE", `${q}.dead`))).toBe(":1\r\n");
    expect(await c.call(req("REDRIVE", `${q}.dead`))).toBe(":0\r\n");
    expect((await engine.browse(q, { state: "ready" })).map((m) => m.id)).toEqual([ids[0], ids[2]]);
    expect((await engine.browse(other, { state: "ready" })).map((m) => m.id)).toEqual([ids[1]]);
  });

  it("REDRIVE's errors change nothing", async () => {
    const q = uniqueQueue("tredrive-bad");
    await c.call(req("SEND", q, "plain"));
    expect(await c.call(req("REDRIVE", q))).toMatch(/^-BAD_ARGUMENT \S+ is not a dead-letter queue: its next message has no source queue/);
    expect(await c.call(req("REDRIVE", q, "TO", q))).toBe("-BAD_ARGUMENT a queue cannot be redriven into itself\r\n");
    expect(await c.call(req("REDRIVE", q, "TO", "a b"))).toMatch(/^-BAD_NAME /);
    expect(await c.call(req("REDRIVE", q, "MAX", "0"))).toBe('-BAD_ARGUMENT MAX must be an integer from 1 to 1000000000, got "0"\r\n');
    expect(await c.call(req("REDRIVE", q, "MAX"))).toBe("-ERR syntax error\r\n");
    expect(await c.call(req("REDRIVE", q, "LIMIT", "3"))).toBe("-ERR syntax error\r\n");
    expect(await c.call(req("REDRIVE"))).toBe("-ERR wrong number of arguments for 'redrive' command\r\n");
    expect(await c.call(req("REDRIVE", uniqueQueue("tredrive-none")))).toMatch(/^-NOT_FOUND there is no queue \S+ to redrive/);
    expect((await engine.stats(q)).ready).toBe(1);
  });

  it("QDELETE → +OK: QUEUES no longer lists it, STATS all zeros; again → +OK", async () => {
    const q = uniqueQueue("tqdel");
    await c.call(req("SEND", q, "a"));
    await c.call(req("QCONFIG", q, "visibilityMs", "5000"));
    expect(await c.call(req("QDELETE", q))).toBe("+OK\r\n");
    expect(await c.call(req("QUEUES"))).not.toContain(q);
    expect(await c.call(req("STATS", q))).toMatch(/^\*20\r\n\$5\r\nready\r\n:0\r\n/);
    expect(await c.call(req("QCONFIG", q))).toContain(`${bulk("visibilityMs")}:30000\r\n`);
    expect(await c.call(req("QDELETE", q))).toBe("+OK\r\n");
    expect(await c.call(req("QDELETE", q, "extra"))).toBe("-ERR wrong number of arguments for 'qdelete' command\r\n");
  });

  it("redis-cli: PAUSE, RESUME, REDRIVE, QDELETE as a person sees them", async () => {
    const q = uniqueQueue("tcli");
    const cli = (...args: string[]) => redisCli(s.port, ["--no-raw", ...args]);
    await deadLettered(engine, q, 2);
    expect(await cli("PAUSE", q)).toBe("OK\n");
    expect(await cli("RESUME", q)).toBe("OK\n");
    expect(await cli("REDRIVE", `${q}.dead`, "MAX", "5")).toBe("(integer) 2\n");
    expect(await cli("QDELETE", q)).toBe("OK\n");
    expect(await cli("STATS", q)).toMatch(/19\) "oldestReadyAgeMs"\n20\) \(nil\)\n$/);
  });
});

describe("queue operations with --users", () => {
  it("need admin on the queue: -NOPERM for send/receive grants, nothing done", async () => {
    const file = await operatorUsersFile();
    const u = await startServer({ usersFile: file, log: () => {} });
    const w = await RawClient.connect(u.port);
    const o = await RawClient.connect(u.port);
    try {
      expect(await w.call(req("AUTH", "worker", "w-pass"))).toBe("+OK\r\n");
      expect(await o.call(req("AUTH", "operator", "o-pass"))).toBe("+OK\r\n");
      const q = `jobs.${uniqueQueue("tgr")}`;
      await deadLettered(engine, q, 1);
      for (const args of [["PAUSE", q], ["RESUME", q], ["REDRIVE", `${q}.dead`], ["QDELETE", q]]) {
        expect(await w.call(req(...args)), args[0]).toBe(`-NOPERM this user has no permissions to run the '${args[0]!.toLowerCase()}' command on queue '${args[1]}'\r\n`);
      }
      expect((await engine.stats(`${q}.dead`)).ready).toBe(1);
      expect(await engine.getConfig(q)).toMatchObject({ paused: false });
      expect(await o.call(req("PAUSE", "elsewhere"))).toMatch(/^-NOPERM /);
      expect(await o.call(req("PAUSE", q))).toBe("+OK\r\n");
      expect(await o.call(req("REDRIVE", `${q}.dead`))).toBe(":1\r\n");
      // TO a queue puts messages there: admin on the dead-letter queue is not enough, it takes send
      // or admin on the target as well.
      const q2 = `jobs.${uniqueQueue("tgr-to")}`;
      await deadLettered(engine, q2, 1);
      expect(await o.call(req("REDRIVE", `${q2}.dead`, "MAX", "1", "TO", "payroll"))).toBe(
        "-NOPERM this user has no permissions to run the 'redrive' command into queue 'payroll' (it needs send or admin there)\r\n",
      );
      expect((await engine.stats(`${q2}.dead`)).ready).toBe(1);
      expect((await engine.stats("payroll")).ready).toBe(0);
      expect(await o.call(req("REDRIVE", `${q2}.dead`, "TO", `${q2}.again`))).toBe(":1\r\n");
      expect(await o.call(req("QDELETE", q))).toBe("+OK\r\n");
    } finally {
      w.destroy();
      o.destroy();
      await u.server.close();
    }
  });
});
