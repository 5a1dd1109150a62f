// Many clients at once: 1000 connections, 500 of them blocked in RECEIVE … WAIT while the other 500
// keep being served; every blocked one gets exactly one message. And a blocked client that goes
// away loses no message: it stays receivable by another client, its receive count untouched.
import type { Message, ReceiveBatchOptions, ReleaseOptions, TinyQSApi } from "@tinyqs/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTcpServer } from "../src/index.js";
import { RawClient, eventually, req, startServer, uniqueQueue, unbulk, type Running } from "./helpers.js";

let s: Running;
beforeAll(async () => {
  s = await startServer();
});
afterAll(() => s.server.close());

const infoField = async (k: RawClient, field: string) => Number(new RegExp(`${field}:(\\d+)`).exec(await k.call(req("INFO", "clients")))![1]);

describe("concurrent connections", () => {
  it("1000 connections, 500 blocked in RECEIVE WAIT, the others served meanwhile", async () => {
    const q = uniqueQueue("many");
    const clients = await Promise.all(Array.from({ length: 1000 }, () => RawClient.connect(s.port)));
    const blocked = clients.slice(0, 500);
    const active = clients.slice(500);
    try {
      for (const k of blocked) k.write(req("RECEIVE", q, "WAIT", "30000"));
      await eventually(async () => (await infoField(active[0]!, "blocked_clients")) === 500, 10_000);
      // (connect() resolves on the client side; the server may still be accepting the last ones)
      await eventually(async () => (await infoField(active[0]!, "connected_clients")) === 1000, 10_000);

      // The other 500 keep being served while the 500 wait: each pings, and sends to another queue.
      const other = uniqueQueue("busy");
      const served = await Promise.all(active.map(async (k, i) => [await k.call(req("PING", `p${i}`)), await k.call(req("SEND", other, `b${i}`))]));
      served.forEach(([pong, id], i) => {
        expect(pong).toBe(`$${`p${i}`.length}\r\np${i}\r\n`);
        expect(id).toMatch(/^\$\d+\r\n\d+-\d+\r\n$/);
      });
      expect(blocked.every((k) => k.pending === "")).toBe(true);

      // 500 messages: each blocked client gets exactly one, all different.
      const ids = new Set<string>();
      for (let i = 0; i < 5; i++) {
        const r = await active[i]!.call(req("MSEND", q, ...Array.from({ length: 100 }, (_, j) => `m${i * 100 + j}`)));
        for (const m of r.matchAll(/\r\n(\d+-\d+)\r\n/g)) ids.add(m[1]!);
      }
      expect(ids.size).toBe(500);
      const got = await Promise.all(blocked.map((k) => k.reply(20_000)));
      const received = got.map((r) => /^\*5\r\n\$\d+\r\n(\d+-\d+)\r\n/.exec(r)?.[1]);
      expect(new Set(received).size).toBe(500);
      for (const id of received) expect(ids.has(id!)).toBe(true);
      expect(await active[0]!.call(req("STATS", q))).toContain("$5\r\nready\r\n:0\r\n$8\r\ninFlight\r\n:500\r\n");
    } finally {
      for (const k of clients) k.destroy();
    }
    await eventually(() => s.server.connections === 0, 10_000);
  });

  it("a blocked client that disconnects loses no message", async () => {
    const q = uniqueQueue("gone");
    const quitter = await RawClient.connect(s.port);
    const observer = await RawClient.connect(s.port);
    quitter.write(req("RECEIVE", q, "WAIT", "30000"));
    await eventually(async () => (await infoField(observer, "blocked_clients")) >= 1, 5000);
    quitter.destroy();
    await eventually(async () => (await infoField(observer, "blocked_clients")) === 0, 5000);

    const id = unbulk(await observer.call(req("SEND", q, "precious")));
    // Nothing was reserved for the client that left: the message is ready, never delivered.
    expect(await observer.call(req("STATS", q))).toContain("$5\r\nready\r\n:1\r\n$8\r\ninFlight\r\n:0\r\n");
    expect(await observer.call(req("RECEIVE", q))).toMatch(new RegExp(`^\\*5\\r\\n\\$\\d+\\r\\n${id}\\r\\n\\$\\d+\\r\\n${id}\\.1\\r\\n\\$8\\r\\nprecious\\r\\n:1\\r\\n`));
    observer.destroy();
  });

  it("clients that leave while a send wakes them: every message still delivered exactly once", async () => {
    const q = uniqueQueue("race");
    const waiters = await Promise.all(Array.from({ length: 50 }, () => RawClient.connect(s.port)));
    const producer = await RawClient.connect(s.port);
    for (const k of waiters) k.write(req("RECEIVE", q, "WAIT", "30000", "VISIBILITY", "600000"));
    await eventually(async () => (await infoField(producer, "blocked_clients")) === 50, 5000);
    // Send 50 messages and drop half of the waiters at the same moment.
    producer.write(req("MSEND", q, ...Array.from({ length: 50 }, (_, i) => `r${i}`)));
    waiters.slice(0, 25).forEach((k) => k.destroy());
    await producer.reply();
    const stayed = await Promise.all(waiters.slice(25).map((k) => k.reply(10_000)));
    expect(stayed.every((r) => r.startsWith("*5\r\n"))).toBe(true);
    // What the leavers might have been given at that instant went back: 25 are ready, none lost.
    await eventually(async () => (await producer.call(req("STATS", q))).includes("$5\r\nready\r\n:25\r\n$8\r\ninFlight\r\n:25\r\n"), 5000);
    const rest = await producer.call(req("RECEIVE", q, "COUNT", "100"));
    expect(rest.startsWith("*25\r\n")).toBe(true);
    for (const k of [...waiters, producer]) k.destroy();
  });

  it("messages whose reply the client left before it was written go back, delivery taken back", async () => {
    // A stub engine: RECEIVE on "slow" answers only when told; on "fast" at once.
    const released: Array<[string, string, ReleaseOptions | undefined]> = [];
    let answerSlow!: (m: Message[]) => void;
    const msg = (queue: string, id: string): Message => ({ queue, id, receipt: `${id}.1`, body: Buffer.from(queue), receiveCount: 1, sentAt: 1 });
    const engine = {
      receiveBatch: (queue: string, _o: ReceiveBatchOptions) =>
        queue === "slow" ? new Promise<Message[]>((resolve) => (answerSlow = resolve)) : Promise.resolve([msg(queue, "1-1")]),
      release: async (queue: string, receipt: string, options?: ReleaseOptions) => (released.push([queue, receipt, options]), true),
    } as unknown as TinyQSApi;
    const srv = createTcpServer({ engine });
    const { port } = await srv.listen(0, "127.0.0.1");
    const k = await RawClient.connect(port);
    // Two RECEIVEs without WAIT run together; "fast" is done, but its reply waits behind "slow".
    k.write(Buffer.concat([req("RECEIVE", "slow"), req("RECEIVE", "fast")]));
    await eventually(() => answerSlow !== undefined);
    // The client dies hard (RST). (A client that only closes its sending side may still read, so
    // it is answered: see "a client that sends and closes its side" in limits.test.ts.)
    k.socket.resetAndDestroy();
    await eventually(() => released.length === 1);
    expect(released[0]).toEqual(["fast", "1-1.1", { undeliver: true }]);
    answerSlow([msg("slow", "2-1")]); // finishes after the client left
    await eventually(() => released.length === 2);
    expect(released[1]).toEqual(["slow", "2-1.1", { undeliver: true }]);
    await srv.close();
  });
});
