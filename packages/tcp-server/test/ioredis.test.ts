// ioredis 6 with its DEFAULT options as a tinyqs client: it sends HELLO 3 and goes on in RESP3
// without a word (its default reply mapping flattens maps back to arrays); then call/callBuffer for every queue command, a pipeline of 1000
// commands, and binary bodies with all 256 byte values.
import { Redis, ReplyError } from "ioredis";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { ioredisClient, startServer, uniqueQueue, type Running } from "./helpers.js";

let s: Running;
let redis: Redis;
let errors: Error[] = [];
let warn: ReturnType<typeof vi.spyOn>;

beforeAll(async () => {
  s = await startServer();
  warn = vi.spyOn(console, "warn");
  ({ redis, errors } = await ioredisClient(s.port)); // default options
});
afterEach(() => {
  expect(errors).toEqual([]);
});
afterAll(async () => {
  redis.disconnect();
  await s.server.close();
  warn.mockRestore();
});

describe("ioredis with default options", () => {
  it("connects with no error and no warning shown", async () => {
    expect(redis.status).toBe("ready");
    expect(warn).not.toHaveBeenCalled();
    expect(await redis.ping()).toBe("PONG");
    expect(await redis.call("CLIENT", "INFO")).toMatch(/lib-name=ioredis lib-ver=6\.0\.0/);
  });

  it("connectionName (CLIENT SETNAME on connect) and select(0) work too", async () => {
    const named = new Redis({ port: s.port, connectionName: "worker-7" });
    named.on("error", (e: Error) => errors.push(e));
    try {
      expect(await named.call("CLIENT", "GETNAME")).toBe("worker-7");
      expect(await named.select(0)).toBe("OK");
      expect(await named.call("CLIENT", "INFO")).toMatch(/ name=worker-7 .* lib-name=ioredis /);
    } finally {
      named.disconnect();
    }
  });

  it("every queue command through call()", async () => {
    const q = uniqueQueue("io");
    const id = (await redis.call("SEND", q, "hello")) as string;
    expect(id).toMatch(/^\d+-1$/);
    expect(await redis.call("MSEND", q, "a", "b")).toEqual([expect.stringMatching(/-2$/), expect.stringMatching(/-3$/)]);
    expect(await redis.call("PEEK", q)).toEqual([id, null, "hello", 0, Number(id.split("-")[0])]);
    const m = (await redis.call("RECEIVE", q, "VISIBILITY", "60000")) as [string, string, string, number, number];
    expect(m).toEqual([id, `${id}.1`, "hello", 1, Number(id.split("-")[0])]);
    expect(await redis.call("TOUCH", q, m[1], "VISIBILITY", "30000")).toBe(1);
    expect(await redis.call("RELEASE", q, m[1])).toBe(1);
    const batch = (await redis.call("RECEIVE", q, "COUNT", "10")) as unknown[][];
    expect(batch.map((x) => x[2])).toEqual(["a", "b", "hello"]);
    expect(await redis.call("DELETE", q, ...batch.map((x) => x[1] as string))).toBe(3);
    expect(await redis.call("STATS", q)).toEqual(["ready", 0, "inFlight", 0, "delayed", 0, "sent", 3, "received", 4, "deleted", 3, "deadLettered", 0, "deduplicated", 0, "paused", 0, "oldestReadyAgeMs", null]);
    expect(await redis.call("QCONFIG", q, "maxReceives", "2")).toEqual(["visibilityMs", 30000, "maxReceives", 2, "deadLetterQueue", `${q}.dead`, "maxMessageBytes", 1048576, "replyTtlMs", 300000, "dedupWindowMs", 300000, "paused", 0]);
    expect(await redis.call("QUEUES")).toContain(q);
    await redis.call("SEND", q, "z");
    expect(await redis.call("PURGE", q)).toBe(1);
  });

  it("engine errors arrive as ReplyErrors with the code first", async () => {
    const e = await redis.call("SEND", "no good", "x").catch((err: unknown) => err);
    expect(e).toBeInstanceOf(ReplyError);
    expect((e as Error).message).toMatch(/^BAD_NAME /);
    await expect(redis.call("RECEIVE", "q", "WAIT", "soon")).rejects.toThrow(/^BAD_ARGUMENT WAIT must be an integer/);
  });

  it("a pipeline of 1000 commands: replies in order", async () => {
    const q = uniqueQueue("io");
    const sends = redis.pipeline();
    for (let i = 0; i < 1000; i++) sends.call("SEND", q, `m${i}`);
    const sent = (await sends.exec())!;
    expect(sent).toHaveLength(1000);
    const ids = sent.map(([err, id]) => (expect(err).toBeNull(), id as string));
    expect(ids.map((id) => Number(id.split("-")[1]))).toEqual(Array.from({ length: 1000 }, (_, i) => i + 1));

    const mixed = redis.pipeline();
    for (let i = 0; i < 1000; i++) {
      if (i % 4 === 3) mixed.call("PING", `p${i}`);
      else mixed.call("RECEIVE", q);
    }
    const got = (await mixed.exec())!;
    const bodies: string[] = [];
    got.forEach(([err, r], i) => {
      expect(err).toBeNull();
      if (i % 4 === 3) expect(r).toBe(`p${i}`);
      else bodies.push((r as string[])[2]!);
    });
    expect(bodies).toEqual(Array.from({ length: 750 }, (_, i) => `m${i}`));
    expect(await redis.call("PURGE", q)).toBe(1000);
  });

  it("binary bodies with all 256 byte values, via callBuffer", async () => {
    const q = uniqueQueue("io");
    const all = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    await redis.call("SEND", q, all);
    const single = redis.pipeline();
    for (let b = 0; b < 256; b++) single.call("SEND", q, Buffer.from([b]));
    await single.exec();
    const [, , body] = (await redis.callBuffer("RECEIVE", q)) as Buffer[];
    expect(Buffer.compare(body!, all)).toBe(0);
    const rest = (await redis.callBuffer("RECEIVE", q, "COUNT", "1000")) as Buffer[][];
    expect(rest.map((m) => m[2]![0])).toEqual(Array.from({ length: 256 }, (_, i) => i));
    expect(rest.every((m) => m[2]!.length === 1)).toBe(true);
  });

  it("RECEIVE WAIT on its own connection wakes when another connection sends", async () => {
    const q = uniqueQueue("io");
    const consumer = redis.duplicate();
    const waiting = consumer.call("RECEIVE", q, "WAIT", "10000");
    await new Promise((r) => setTimeout(r, 100));
    await redis.call("SEND", q, "ding");
    expect(((await waiting) as string[])[2]).toBe("ding");
    consumer.disconnect();
  });
});
