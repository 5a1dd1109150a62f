// node-redis (the npm package `redis`, 6.x) as it ships: createClient({ url }) with DEFAULT options,
// which means HELLO 3 and RESP3 replies (before tinyqs spoke RESP3 it got NOPROTO and reconnected
// forever). sendCommand() for the tinyqs verbs, one at a time and several in one tick (node-redis
// writes those as one pipeline), multi() … exec(), and clientInfo().
import { createClient } from "redis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startServer, uniqueQueue, type Running } from "../helpers.js";

let s: Running;
let client: ReturnType<typeof createClient>;
const errors: Error[] = [];

beforeAll(async () => {
  s = await startServer();
  client = createClient({ url: `redis://127.0.0.1:${s.port}` });
  client.on("error", (e: Error) => errors.push(e));
  await client.connect();
});
afterAll(async () => {
  client.destroy();
  await s.server.close();
});

describe("node-redis with default options", () => {
  it("connects in RESP3 at the first try", async () => {
    expect(client.isReady).toBe(true);
    expect(errors).toEqual([]);
    const hello = (await client.sendCommand(["HELLO"])) as Record<string, unknown>;
    expect(hello).toMatchObject({ server: "tinyqs", proto: 3, mode: "standalone", role: "master", modules: [] });
    expect(await client.ping()).toBe("PONG");
  });

  it("with a password in the URL (HELLO 3 AUTH): connects; a wrong one is refused with WRONGPASS", async () => {
    const locked = await startServer({ password: "pw1" });
    const good = createClient({ url: `redis://:pw1@127.0.0.1:${locked.port}` });
    const bad = createClient({ url: `redis://:nope@127.0.0.1:${locked.port}`, socket: { reconnectStrategy: false } });
    const seen: Error[] = [];
    good.on("error", (e: Error) => seen.push(e));
    bad.on("error", () => {}); // the rejected connect() below is what is checked
    try {
      await good.connect();
      expect(await good.sendCommand(["RECEIVE", uniqueQueue("nrpw")])).toBeNull();
      expect(seen).toEqual([]);
      await expect(bad.connect()).rejects.toThrow(/WRONGPASS invalid password/);
    } finally {
      good.destroy();
      if (bad.isOpen) bad.destroy();
      await locked.server.close();
    }
  });

  it("SEND, RECEIVE, TOUCH, DELETE, and the nulls of nothing to receive", async () => {
    const q = uniqueQueue("nr");
    expect(await client.sendCommand(["RECEIVE", q])).toBeNull();
    const id = (await client.sendCommand(["SEND", q, "héllo\r\nworld"])) as string;
    expect(id).toMatch(/^\d+-1$/);
    const peeked = await client.sendCommand(["PEEK", q]);
    expect(peeked).toEqual([id, null, "héllo\r\nworld", 0, Number(id.split("-")[0])]);
    const m = (await client.sendCommand(["RECEIVE", q, "VISIBILITY", "60000"])) as [string, string, string, number, number];
    expect(m).toEqual([id, `${id}.1`, "héllo\r\nworld", 1, Number(id.split("-")[0])]);
    expect(await client.sendCommand(["TOUCH", q, m[1], "VISIBILITY", "30000"])).toBe(1);
    expect(await client.sendCommand(["DELETE", q, m[1]])).toBe(1);
    expect(await client.sendCommand(["DELETE", q, m[1]])).toBe(0);
    expect(await client.sendCommand(["TOUCH", q, m[1]])).toBe(0);
    expect(errors).toEqual([]);
  });

  it("STATS and QCONFIG come as maps (objects)", async () => {
    const q = uniqueQueue("nrmap");
    await client.sendCommand(["SEND", q, "x"]);
    expect(await client.sendCommand(["STATS", q])).toEqual({
      ready: 1, inFlight: 0, delayed: 0, sent: 1, received: 0, deleted: 0, deadLettered: 0, deduplicated: 0, paused: 0, oldestReadyAgeMs: expect.any(Number),
    });
    expect(await client.sendCommand(["QCONFIG", q, "maxReceives", "2"])).toMatchObject({ maxReceives: 2, deadLetterQueue: `${q}.dead` });
  });

  it("binary bodies come back byte for byte (returning buffers)", async () => {
    const q = uniqueQueue("nrbin");
    const body = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    const bin = client.withTypeMapping({ [36 /* RESP_TYPES.BLOB_STRING */]: Buffer });
    await bin.sendCommand(["SEND", q, body]);
    const m = (await bin.sendCommand(["RECEIVE", q])) as [Buffer, Buffer, Buffer, number, number];
    expect(Buffer.compare(m[2], body)).toBe(0);
    expect(await bin.sendCommand(["DELETE", q, m[1]])).toBe(1);
  });

  it("a pipeline: 200 SENDs, RECEIVE COUNT and DELETEs issued in one tick, replies in order", async () => {
    const q = uniqueQueue("nrpipe");
    const ids = (await Promise.all(Array.from({ length: 200 }, (_, i) => client.sendCommand(["SEND", q, `m${i}`])))) as unknown as string[];
    expect(new Set(ids).size).toBe(200);
    expect(ids.map((id) => Number(id.split("-")[1]))).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
    const got = (await client.sendCommand(["RECEIVE", q, "COUNT", "200"])) as Array<[string, string, string, number, number]>;
    expect(got.map((m) => m[2])).toEqual(Array.from({ length: 200 }, (_, i) => `m${i}`));
    const deleted = await Promise.all(got.map((m) => client.sendCommand(["DELETE", q, m[1]])));
    expect(deleted).toEqual(Array(200).fill(1));
    expect(await client.sendCommand(["STATS", q])).toMatchObject({ ready: 0, inFlight: 0, deleted: 200 });
    expect(errors).toEqual([]);
  });

  it("multi() … exec(): the commands run at EXEC, their replies in one array; a bad one discards them all", async () => {
    const q = uniqueQueue("nrmulti");
    const replies = (await client.multi().addCommand(["SEND", q, "a"]).addCommand(["SEND", q, "b"]).addCommand(["RECEIVE", q, "COUNT", "2"]).exec()) as unknown[];
    const [a, b, got] = replies as [string, string, Array<[string, string, string, number, number]>];
    expect([a, b].map((id) => Number(id.split("-")[1]))).toEqual([1, 2]);
    expect(got.map((m) => m[2])).toEqual(["a", "b"]);
    await expect(client.multi().addCommand(["SEND", q, "never"]).addCommand(["NOSUCH", q]).exec()).rejects.toThrow(/EXECABORT|unknown command/);
    expect(await client.sendCommand(["STATS", q])).toMatchObject({ sent: 2, inFlight: 2 });
    expect(errors).toEqual([]);
  });

  it("clientInfo(): every field Redis gives, numbers as numbers (none NaN)", async () => {
    const info = (await client.clientInfo()) as unknown as Record<string, unknown>;
    expect(info).toMatchObject({ db: 0, resp: 3 });
    const numbers = Object.entries(info).filter(([, v]) => typeof v === "number");
    expect(numbers.length).toBeGreaterThan(10);
    expect(numbers.filter(([, v]) => Number.isNaN(v))).toEqual([]);
  });
});
