// The size limit: a body over it is refused with 413 without being read whole. Raw sockets make
// that observable: the 413 arrives while most of the body has not even been sent.
import net from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { json, startServer, uniqueQueue, type Running, JSON_TYPE } from "./helpers.js";
import { WsClient } from "./ws-client.js";

const LIMIT = 1000;
let s: Running;
beforeAll(async () => {
  s = await startServer({ maxMessageBytes: LIMIT });
});
afterAll(() => s.close());

/** Open a socket, write `head` (and whatever `then` writes), collect the reply until the server closes. */
function rawExchange(head: string, then?: (sock: net.Socket) => void): Promise<{ reply: string; closedByServer: boolean }> {
  const { port } = new URL(s.url);
  return new Promise((resolve, reject) => {
    const sock = net.connect({ port: Number(port), host: "127.0.0.1" });
    let reply = "";
    const timer = setTimeout(() => {
      sock.destroy();
      resolve({ reply, closedByServer: false });
    }, 5000);
    sock.on("error", () => {}); // a reset after the reply is fine: the reply is what we check
    sock.on("data", (d) => (reply += d.toString()));
    sock.on("close", () => {
      clearTimeout(timer);
      resolve({ reply, closedByServer: true });
    });
    sock.on("connect", () => {
      sock.write(head);
      then?.(sock);
    });
    sock.on("timeout", reject);
  });
}

describe("body size limit", () => {
  it("at the limit is fine; one byte over → 413 TOO_BIG, nothing stored", async () => {
    const q = uniqueQueue();
    const ok = await fetch(`${s.url}/v1/queues/${q}/messages`, { method: "POST", body: Buffer.alloc(LIMIT, 1) });
    expect(ok.status).toBe(201);
    const over = await fetch(`${s.url}/v1/queues/${q}/messages`, { method: "POST", body: Buffer.alloc(LIMIT + 1, 1) });
    expect(over.status).toBe(413);
    expect(over.headers.get("connection")).toBe("close");
    expect((await json(over)).body.error.code).toBe("TOO_BIG");
    expect((await json(await fetch(`${s.url}/v1/queues/${q}`))).body.sent).toBe(1);
  });

  it("a declared Content-Length over the limit is refused before a byte of the body is sent", async () => {
    const q = uniqueQueue();
    const { reply, closedByServer } = await rawExchange(
      `POST /v1/queues/${q}/messages HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/octet-stream\r\nContent-Length: 100000000\r\n\r\n`,
    );
    expect(reply).toMatch(/^HTTP\/1\.1 413 /);
    expect(reply).toContain('"code":"TOO_BIG"');
    expect(closedByServer).toBe(true);
  });

  it("a chunked body is refused as soon as the count passes the limit, the rest never sent", async () => {
    const q = uniqueQueue();
    let chunksWritten = 0;
    const { reply, closedByServer } = await rawExchange(
      `POST /v1/queues/${q}/messages HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\n`,
      (sock) => {
        // 400 bytes at a time, slowly, up to 100 chunks (40 000 bytes); the server should stop us at the 3rd.
        const tick = setInterval(() => {
          if (sock.destroyed || chunksWritten >= 100 || sock.readableLength > 0 || sock.bytesRead > 0) return clearInterval(tick);
          sock.write(`190\r\n${"x".repeat(400)}\r\n`);
          chunksWritten++;
        }, 20);
      },
    );
    expect(reply).toMatch(/^HTTP\/1\.1 413 /);
    expect(closedByServer).toBe(true);
    expect(chunksWritten).toBeLessThan(10);
    expect((await json(await fetch(`${s.url}/v1/queues/${q}`))).body.sent).toBe(0);
  });

  it('"Expect: 100-continue" with a body over the limit gets 413 instead of 100 Continue', async () => {
    const q = uniqueQueue();
    const { reply } = await rawExchange(
      `POST /v1/queues/${q}/messages HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 5000\r\nExpect: 100-continue\r\n\r\n`,
    );
    expect(reply).toMatch(/^HTTP\/1\.1 413 /);
    expect(reply).not.toContain("100 Continue");
  });

  it('"Expect: 100-continue" within the limit gets 100 Continue, then the message is stored', async () => {
    const q = uniqueQueue();
    const { reply } = await rawExchange(
      `POST /v1/queues/${q}/messages HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 5\r\nExpect: 100-continue\r\nConnection: close\r\n\r\n`,
      (sock) => {
        sock.once("data", () => sock.write("hello"));
      },
    );
    expect(reply).toMatch(/^HTTP\/1\.1 100 Continue\r\n\r\nHTTP\/1\.1 201 /);
    const got = await fetch(`${s.url}/v1/queues/${q}/messages`);
    expect(await got.text()).toBe("hello");
  });

  it("a streamed fetch body far over the limit: 413, and the client stops sending long before the end", async () => {
    const q = uniqueQueue();
    let produced = 0;
    const total = 64 * 1024 * 1024;
    const body = new ReadableStream<Uint8Array>({
      pull(c) {
        if (produced >= total) return c.close();
        produced += 64 * 1024;
        c.enqueue(new Uint8Array(64 * 1024));
      },
    });
    const res = await fetch(`${s.url}/v1/queues/${q}/messages`, { method: "POST", body, duplex: "half" } as RequestInit);
    expect(res.status).toBe(413);
    expect(produced).toBeLessThan(total / 2);
  });

  it("a request or a reply over the limit is refused like a message: 413 before the body is read, nothing stored", async () => {
    const q = uniqueQueue();
    await s.engine.send(q, "a request");
    const held = (await s.engine.take(q))!;
    for (const path of [`/v1/queues/${q}/requests?timeoutMs=0`, `/v1/queues/${q}/messages/${held.receipt}/respond`]) {
      const { reply, closedByServer } = await rawExchange(`POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 100000000\r\n\r\n`);
      expect(reply, path).toMatch(/^HTTP\/1\.1 413 /);
      expect(reply).toContain('"code":"TOO_BIG"');
      expect(closedByServer).toBe(true);
    }
    const over = await json(await fetch(`${s.url}/v1/queues/${q}/messages/${held.receipt}/respond`, { method: "POST", body: Buffer.alloc(LIMIT + 1, 1) }));
    expect(over.status).toBe(413);
    expect(over.body.error.code).toBe("TOO_BIG");
    expect(await s.engine.stats(q)).toMatchObject({ sent: 1, inFlight: 1, deleted: 0 });
    // at the limit is fine, and the reply is the one stored
    const ok = await fetch(`${s.url}/v1/queues/${q}/messages/${held.receipt}/respond`, { method: "POST", body: Buffer.alloc(LIMIT, 2) });
    expect(ok.status).toBe(204);
    expect((await s.engine.wait(`${q}:${held.id}`, { timeoutMs: 0 }))!.equals(Buffer.alloc(LIMIT, 2))).toBe(true);
  });

  it("batch and config JSON bodies have a limit too (one message base64-encoded, plus 64 KiB): 413", async () => {
    const q = uniqueQueue();
    const huge = JSON.stringify({ messages: [{ body: "x".repeat(200_000) }] });
    const r = await json(await fetch(`${s.url}/v1/queues/${q}/messages/batch`, { method: "POST", headers: JSON_TYPE, body: huge }));
    expect(r.status).toBe(413);
    expect(r.body.error.code).toBe("TOO_BIG");
    const one = await json(
      await fetch(`${s.url}/v1/queues/${q}/messages/batch`, { method: "POST", headers: JSON_TYPE, body: JSON.stringify({ messages: [{ body: "x".repeat(LIMIT + 1) }] }) }),
    );
    expect(one.status).toBe(413);
    const cfg = await json(await fetch(`${s.url}/v1/queues/${q}`, { method: "PUT", headers: JSON_TYPE, body: " ".repeat(200_000) + "{}" }));
    expect(cfg.status).toBe(413);
  });

  it("the queue's own maxMessageBytes, when lower, applies after the server's: 413", async () => {
    const q = uniqueQueue();
    await fetch(`${s.url}/v1/queues/${q}`, { method: "PUT", headers: JSON_TYPE, body: JSON.stringify({ maxMessageBytes: 10 }) });
    const r = await json(await fetch(`${s.url}/v1/queues/${q}/messages`, { method: "POST", body: "eleven bytes" }));
    expect(r.status).toBe(413);
    expect(r.body.error.code).toBe("TOO_BIG");
  });

  it("the connection stays usable for the next request after a normal one (keep-alive)", async () => {
    const q = uniqueQueue();
    const head = (body: string) =>
      `POST /v1/queues/${q}/messages HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: ${body.length}\r\n\r\n${body}`;
    const { reply } = await rawExchange(head("one") + head("two").replace("\r\n\r\n", "\r\nConnection: close\r\n\r\n"));
    expect(reply.match(/HTTP\/1\.1 201 /g)).toHaveLength(2);
  });

  it("WebSocket: a send over the limit replies TOO_BIG; a frame far over it closes the socket with 1009", async () => {
    const c = await WsClient.open(s.wsUrl);
    const q = uniqueQueue();
    const r = await c.request("send", { queue: q, body: Buffer.alloc(LIMIT + 1).toString("base64") });
    expect(r).toMatchObject({ ok: false, error: { code: "TOO_BIG" } });
    expect((await c.request("send", { queue: q, body: Buffer.alloc(LIMIT).toString("base64") })).ok).toBe(true);
    c.sendRaw(JSON.stringify({ op: "send", requestId: 1, queue: q, body: "A".repeat(200_000) }));
    expect((await c.closed).code).toBe(1009);
  });
});
