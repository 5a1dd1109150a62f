// The bounds whatever the clients do (issue 16), scaled down: a byte budget for all connections
// (clients that pipeline and never read are held to it, then cut, and the messages they had
// reserved are at once receivable by others, their receive counts undone), the AUTH deadline and
// the cap on connections waiting to AUTH, and the limit per remote address.
import net from "node:net";
import { TinyQSError } from "@tinyqs/core";
import { afterEach, describe, expect, it } from "vitest";
import { createTcpServer } from "../src/index.js";
import { RawClient, eventually, req, sleep, startServer, uniqueQueue, type Running } from "./helpers.js";

let running: Running[] = [];
afterEach(async () => {
  await Promise.all(running.map((r) => r.server.close()));
  running = [];
});
async function server(options: Parameters<typeof startServer>[0]): Promise<Running> {
  const r = await startServer(options);
  running.push(r);
  return r;
}

/** A client that writes `bytes` and never reads a reply (its socket is paused from the start). */
function stuckClient(port: number, bytes: Buffer): Promise<{ socket: net.Socket }> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ port, host: "127.0.0.1" }, () => {
      socket.pause();
      socket.write(bytes);
      resolve({ socket });
    });
    socket.on("error", () => {});
    socket.once("error", reject);
  });
}

describe("the byte budget of all connections", () => {
  it("holds clients that pipeline and never read to it, serves a normal client meanwhile, cuts them, and gives back what they reserved", async () => {
    const MiB = 1024 * 1024;
    const budget = 4 * MiB;
    const s = await server({ maxBufferedBytes: budget, slowReaderTimeoutMs: 1000, maxMessageBytes: MiB });
    const q = uniqueQueue("stuck");
    const body = Buffer.alloc(512 * 1024, 0x62);
    const stuckCount = 4;
    // More reply bytes than the socket buffers of both ends take in (about 6 MiB on loopback here):
    // the rest waits in the server, where it counts against the budget and shows the client reads nothing.
    const receivesEach = 20;
    for (let i = 0; i < stuckCount * receivesEach; i++) await s.server.engine.send(q, body);

    // Each: RECEIVE (alternating with STATS, so that no two RECEIVEs run at once), then big SENDs.
    const pipeline: Buffer[] = [];
    for (let i = 0; i < receivesEach; i++) pipeline.push(req("RECEIVE", q, "VISIBILITY", "600000"), req("STATS", q));
    for (let i = 0; i < 4; i++) pipeline.push(req("SEND", uniqueQueue("pushed"), body));
    const stuck = await Promise.all(Array.from({ length: stuckCount }, () => stuckClient(s.port, Buffer.concat(pipeline))));

    let most = 0;
    const watch = setInterval(() => (most = Math.max(most, s.server.bufferedBytes)), 10);
    try {
      // A normal client is served throughout.
      const normal = await RawClient.connect(s.port);
      const mine = uniqueQueue("normal");
      let served = 0;
      // (The stuck clients read nothing, so they do not even see the cut: the server's count does.)
      while (s.server.connections > 1) {
        expect(await normal.call(req("PING"), 20_000)).toBe("+PONG\r\n");
        expect(await normal.call(req("SEND", mine, "x"), 20_000)).toMatch(/^\$\d+\r\n/);
        expect(await normal.call(req("RECEIVE", mine), 20_000)).toMatch(/^\*5\r\n/);
        served++;
        await sleep(20);
      }
      expect(served).toBeGreaterThan(0);
      normal.destroy();
    } finally {
      clearInterval(watch);
    }
    // Held to the budget (a quarter over it at most), plus one reply each at most (a reply is built
    // whole before it is counted) and a socket chunk each.
    expect(most).toBeGreaterThan(budget / 2);
    expect(most).toBeLessThanOrEqual(budget * 1.25 + stuckCount * (body.length + 64 * 1024) + MiB);
    for (const c of stuck) c.socket.destroy();

    // Every message is receivable now, by another client, delivered once so far: nothing waits for
    // its lease (600 s) to end, and the cut clients' receives were taken back.
    const checker = await RawClient.connect(s.port);
    const counts: string[] = [];
    await eventually(async () => {
      const r = await checker.call(req("RECEIVE", q, "COUNT", "4", "VISIBILITY", "600000"), 20_000);
      for (const m of r.matchAll(/\r\n:(\d+)\r\n:\d+\r\n/g)) counts.push(m[1]!);
      return counts.length === stuckCount * receivesEach;
    }, 20_000);
    expect(new Set(counts)).toEqual(new Set(["1"]));
    checker.destroy();
  }, 60_000);

  it("counts the commands queued inside MULTI until EXEC or DISCARD, and what EXEC runs", async () => {
    const s = await server({});
    const c = await RawClient.connect(s.port);
    const q = uniqueQueue("multi");
    const body = Buffer.alloc(300_000, 0x61);
    expect(await c.call(req("MULTI"))).toBe("+OK\r\n");
    for (let i = 0; i < 3; i++) expect(await c.call(req("SEND", q, body))).toBe("+QUEUED\r\n");
    // Held for the client while it sits in MULTI: a MULTI that never ends must count too.
    expect(s.server.bufferedBytes).toBeGreaterThanOrEqual(3 * body.length);
    expect(await c.call(req("DISCARD"))).toBe("+OK\r\n");
    expect(s.server.bufferedBytes).toBe(0);
    expect(await c.call(req("MULTI"))).toBe("+OK\r\n");
    for (let i = 0; i < 2; i++) expect(await c.call(req("SEND", q, body))).toBe("+QUEUED\r\n");
    // EXEC takes them over while it runs, and lets them go once it is done.
    expect(await c.call(req("EXEC"))).toMatch(/^\*2\r\n/);
    await eventually(() => s.server.bufferedBytes === 0);
    c.socket.destroy();
  });

  it("validates the bounds' options with the engine's BAD_ARGUMENT", () => {
    expect(() => createTcpServer({ engine: {} as never, maxBufferedBytes: 1000 })).toThrow(TinyQSError);
    expect(() => createTcpServer({ engine: {} as never, slowReaderTimeoutMs: 0 })).toThrow(/slowReaderTimeoutMs must be an integer from 1/);
    expect(() => createTcpServer({ engine: {} as never, maxConnectionsPerAddress: -1 })).toThrow(/maxConnectionsPerAddress/);
  });
});

describe("connections that do not authenticate", () => {
  it("are closed after the AUTH deadline, at most N wait at once, and an authenticated one stays", async () => {
    const s = await server({ password: "pw", authTimeoutMs: 600, maxPendingAuth: 5 });
    const waiting = await Promise.all(Array.from({ length: 5 }, () => RawClient.connect(s.port)));
    const refused = await RawClient.connect(s.port);
    expect(await refused.rest()).toBe("-TOO_MANY_CONNECTIONS 5 connections are waiting to authenticate already (--max-pending-auth); try again later\r\n");

    // One authenticates: it leaves the queue of those waiting, so one more is admitted.
    expect(await waiting[0]!.call(req("AUTH", "pw"))).toBe("+OK\r\n");
    const late = await RawClient.connect(s.port);
    expect(await late.call(req("PING"))).toBe("-NOAUTH Authentication required.\r\n");

    for (const c of waiting.slice(1)) {
      expect(await c.rest(10_000)).toBe("-NOAUTH Authentication required: no AUTH within 600 ms, closing the connection\r\n");
    }
    await late.closed;
    expect(await waiting[0]!.call(req("PING"))).toBe("+PONG\r\n");
    waiting[0]!.destroy();
  });

  it("do not exist without a password: an idle connection stays", async () => {
    const s = await server({ authTimeoutMs: 100 });
    const c = await RawClient.connect(s.port);
    await sleep(400);
    expect(await c.call(req("PING"))).toBe("+PONG\r\n");
    c.destroy();
  });
});

describe("connections per remote address", () => {
  it("refuses one over the limit, with the reason, and admits again once one closed", async () => {
    const s = await server({ maxConnectionsPerAddress: 3 });
    const open = await Promise.all(Array.from({ length: 3 }, () => RawClient.connect(s.port)));
    const over = await RawClient.connect(s.port);
    expect(await over.rest()).toBe("-TOO_MANY_CONNECTIONS 3 connections from 127.0.0.1 are open already (--max-connections-per-address)\r\n");
    open[0]!.destroy();
    await eventually(() => s.server.connections === 2);
    const again = await RawClient.connect(s.port);
    expect(await again.call(req("PING"))).toBe("+PONG\r\n");
    for (const c of [...open.slice(1), again]) c.destroy();
  });
});
