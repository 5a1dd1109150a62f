// The bounds whatever the clients do (issue 16), scaled down with short configured timeouts:
// slow headers and slow bodies are cut (408) while a normal client is served, a long poll is not
// a slow request, idle keep-alive connections close, connections that do not authenticate are cut
// and capped, and the limit per remote address.
import net from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { eventually, sleep, startServer, uniqueQueue, type Running } from "./helpers.js";
import { WsClient } from "./ws-client.js";

let running: Running[] = [];
afterEach(async () => {
  await Promise.all(running.map((r) => r.close()));
  running = [];
});
async function server(options: Parameters<typeof startServer>[0]): Promise<Running> {
  const r = await startServer(options);
  running.push(r);
  return r;
}

/** A raw connection: everything the server sent, and whether it closed. */
async function rawConnect(url: string): Promise<{ socket: net.Socket; got: () => string; closed: Promise<void>; isClosed: () => boolean }> {
  const { hostname, port } = new URL(url);
  const socket = net.connect({ host: hostname, port: Number(port) });
  await new Promise<void>((resolve, reject) => socket.once("connect", resolve).once("error", reject));
  let text = "";
  let ended = false;
  socket.on("data", (d) => (text += d.toString("latin1")));
  socket.on("error", () => {});
  const closed = new Promise<void>((resolve) => socket.once("close", () => ((ended = true), resolve())));
  return { socket, got: () => text, closed, isClosed: () => ended };
}

/** Write `text` a byte at a time, every `everyMs`, until the socket closes. */
async function trickle(socket: net.Socket, text: string, everyMs: number): Promise<void> {
  for (const ch of text) {
    if (socket.destroyed || !socket.writable) return;
    socket.write(ch);
    await sleep(everyMs);
  }
}

describe("slow clients", () => {
  it("cuts 20 slow-header and 20 slow-body connections within their timeouts, serving a normal client meanwhile", async () => {
    const s = await server({ headersTimeoutMs: 1000, requestTimeoutMs: 8000, minBodyBytesPerSecond: 1024, bodyRateGraceMs: 1000 });
    const host = new URL(s.url).host;
    const slowHeaders = await Promise.all(Array.from({ length: 20 }, () => rawConnect(s.url)));
    const slowBodies = await Promise.all(Array.from({ length: 20 }, () => rawConnect(s.url)));
    const started = Date.now();
    for (const c of slowHeaders) void trickle(c.socket, `GET /healthz HTTP/1.1\r\nHost: ${host}\r\nX-Slow: ${"a".repeat(200)}\r\n\r\n`, 100);
    const q = uniqueQueue("slow");
    for (const c of slowBodies) {
      c.socket.write(`POST /v1/queues/${q}/messages HTTP/1.1\r\nHost: ${host}\r\nContent-Length: 10000\r\n\r\n`);
      void trickle(c.socket, "b".repeat(10000), 100);
    }

    // A normal client is served until every slow one is cut.
    let served = 0;
    while (![...slowHeaders, ...slowBodies].every((c) => c.isClosed())) {
      const sent = await fetch(`${s.url}/v1/queues/${uniqueQueue("normal")}/messages`, { method: "POST", body: "x" });
      expect(sent.status).toBe(201);
      served++;
      if (Date.now() - started > 30_000) throw new Error("slow connections still open after 30 s");
      await sleep(50);
    }
    expect(served).toBeGreaterThan(0);
    for (const c of slowHeaders) expect(c.got()).toMatch(/^HTTP\/1\.1 408 /);
    for (const c of slowBodies) {
      expect(c.got()).toMatch(/^HTTP\/1\.1 408 /);
      expect(c.got()).toContain('"code":"REQUEST_TIMEOUT"');
    }
    // Nothing of a slow body was stored.
    expect((await s.engine.stats(q)).ready).toBe(0);
  }, 60_000);

  it("does not time out a long poll: it waits on the server, not on the client", async () => {
    const s = await server({ headersTimeoutMs: 300, requestTimeoutMs: 500 });
    const res = await fetch(`${s.url}/v1/queues/${uniqueQueue("poll")}/messages?waitMs=1500`);
    expect(res.status).not.toBe(408);
    expect(res.ok).toBe(true);
  });

  it("closes a keep-alive connection idle for the keep-alive timeout", async () => {
    const s = await server({ keepAliveTimeoutMs: 300 });
    const c = await rawConnect(s.url);
    c.socket.write(`GET /healthz HTTP/1.1\r\nHost: ${new URL(s.url).host}\r\n\r\n`);
    await c.closed;
    expect(c.got()).toMatch(/^HTTP\/1\.1 200 /);
  });
});

describe("connections that do not authenticate", () => {
  it("are cut after the deadline, at most N wait at once; a request or WebSocket with the token ends the wait", async () => {
    const s = await server({ token: "t0k", authTimeoutMs: 600, maxPendingAuth: 5 });
    const idle = await Promise.all(Array.from({ length: 5 }, () => rawConnect(s.url)));
    const refused = await rawConnect(s.url);
    await refused.closed;
    expect(refused.got()).toMatch(/^HTTP\/1\.1 503 /);
    expect(refused.got()).toContain('"code":"TOO_MANY_CONNECTIONS"');
    expect(refused.got()).toContain("5 connections are waiting to authenticate already (--max-pending-auth)");

    // One of them sends a request with the token: it is no longer waiting, so one more is let in.
    const host = new URL(s.url).host;
    idle[0]!.socket.write(`GET /v1/queues HTTP/1.1\r\nHost: ${host}\r\nAuthorization: Bearer t0k\r\n\r\n`);
    await eventually(() => idle[0]!.got().startsWith("HTTP/1.1 200 "));
    const ws = await WsClient.open(`${s.wsUrl}?token=t0k`);

    await Promise.all(idle.slice(1).map((c) => c.closed));
    for (const c of idle.slice(1)) expect(c.got()).toBe("");
    await sleep(700); // past the deadline: the authenticated ones stay
    expect(idle[0]!.isClosed()).toBe(false);
    const sent = await ws.request("send", { queue: uniqueQueue("ws"), body: "hi", encoding: "utf8" });
    expect(sent.error).toBeUndefined();
    expect(typeof sent.id).toBe("string");
    ws.socket.close();
    idle[0]!.socket.destroy();
  });
});

describe("connections per remote address", () => {
  it("refuses one over the limit with 503 TOO_MANY_CONNECTIONS, and admits again once one closed", async () => {
    const s = await server({ maxConnectionsPerAddress: 3 });
    const open = await Promise.all(Array.from({ length: 3 }, () => rawConnect(s.url)));
    const over = await rawConnect(s.url);
    await over.closed;
    expect(over.got()).toMatch(/^HTTP\/1\.1 503 /);
    expect(over.got()).toContain("3 connections from 127.0.0.1 are open already (--max-connections-per-address)");
    open[0]!.socket.destroy();
    await sleep(100);
    expect((await fetch(`${s.url}/healthz`)).status).toBe(200);
    for (const c of open) c.socket.destroy();
  });
});

describe("the byte budget of all connections", () => {
  it("cuts a WebSocket that holds more than its share and reads nothing; its messages are receivable at once", async () => {
    const s = await server({ maxBufferedBytes: 1024 * 1024, slowReaderTimeoutMs: 500 });
    const q = uniqueQueue("stuckws");
    const body = Buffer.alloc(64 * 1024, 0x63);
    const n = 150; // about 13 MiB of frames: more than the socket buffers of both ends hold
    for (let i = 0; i < n; i++) await s.engine.send(q, body);
    const stuck = await WsClient.open(s.wsUrl);
    await stuck.request("subscribe", { queue: q, prefetch: 1000, visibilityMs: 600_000 });
    (stuck.socket as unknown as { _socket: net.Socket })._socket.pause(); // reads nothing from now on
    await eventually(async () => (await s.engine.stats(q)).inFlight > 100, 20_000);
    // Cut (the paused client does not see it): back to ready at once (their lease is 600 s), all of them.
    await eventually(async () => (await s.engine.stats(q)).ready === n, 20_000);
    stuck.socket.terminate();
  }, 60_000);
});
