// ioredis 6 as it ships: default options send HELLO 3, so it now talks RESP3 to tinyqs (its default
// reply mapping turns maps back into flat arrays and `_` into null, so replies look as in RESP2).
// call/callBuffer for the four verbs, and a pipeline(). The long ioredis suite is ../ioredis.test.ts.
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ioredisClient, startServer, uniqueQueue, type Running } from "../helpers.js";

let s: Running;
let redis: Redis;
let errors: Error[] = [];

beforeAll(async () => {
  s = await startServer();
  ({ redis, errors } = await ioredisClient(s.port)); // default options
});
afterAll(async () => {
  redis.disconnect();
  await s.server.close();
});

describe("ioredis with default options", () => {
  it("is in RESP3: HELLO without a version reports proto 3", async () => {
    const hello = (await redis.call("HELLO")) as unknown[];
    expect(hello.slice(0, 6)).toEqual(["server", "tinyqs", "version", expect.any(String), "proto", 3]);
    expect(errors).toEqual([]);
  });

  it("SEND, RECEIVE, TOUCH, DELETE with call and callBuffer", async () => {
    const q = uniqueQueue("fio");
    expect(await redis.call("RECEIVE", q)).toBeNull();
    const body = Buffer.from([0, 255, 13, 10, 36, 95, 37]); // NUL, 0xff, CRLF, "$_%"
    const id = (await redis.call("SEND", q, body)) as string;
    expect(id).toMatch(/^\d+-1$/);
    const peeked = (await redis.callBuffer("PEEK", q)) as [Buffer, null, Buffer, number, number];
    expect(peeked[1]).toBeNull();
    const m = (await redis.callBuffer("RECEIVE", q, "VISIBILITY", "60000")) as [Buffer, Buffer, Buffer, number, number];
    expect(m[0].toString()).toBe(id);
    expect(m[1].toString()).toBe(`${id}.1`);
    expect(Buffer.compare(m[2], body)).toBe(0);
    expect(m[3]).toBe(1);
    expect(await redis.call("TOUCH", q, m[1], "VISIBILITY", "30000")).toBe(1);
    expect(await redis.call("DELETE", q, m[1])).toBe(1);
    expect(await redis.call("DELETE", q, m[1])).toBe(0);
    expect(await redis.call("STATS", q)).toEqual(["ready", 0, "inFlight", 0, "delayed", 0, "sent", 1, "received", 1, "deleted", 1, "deadLettered", 0, "deduplicated", 0, "paused", 0, "oldestReadyAgeMs", null]);
  });

  it("a pipeline of SENDs, RECEIVE COUNT, TOUCH and DELETE", async () => {
    const q = uniqueQueue("fiopipe");
    const p = redis.pipeline();
    for (let i = 0; i < 50; i++) p.call("SEND", q, `b${i}`);
    p.call("RECEIVE", q, "COUNT", "50");
    const results = (await p.exec())!;
    expect(results.every(([e]) => e === null)).toBe(true);
    const got = results[50]![1] as Array<[string, string, string, number, number]>;
    expect(got.map((m) => m[2])).toEqual(Array.from({ length: 50 }, (_, i) => `b${i}`));
    const p2 = redis.pipeline();
    for (const m of got) p2.call("TOUCH", q, m[1]).call("DELETE", q, m[1]);
    expect((await p2.exec())!.map(([e, r]) => [e, r])).toEqual(Array(100).fill([null, 1]));
    expect(errors).toEqual([]);
  });
});
