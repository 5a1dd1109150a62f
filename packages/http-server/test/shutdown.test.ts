// close() (what SIGTERM/SIGINT call): long polls answer "nothing came" at once, sockets are closed
// with 1001 and their messages are back in the queue, idle keep-alive connections do not hold it up.
import { describe, expect, it } from "vitest";
import { json, startServer, uniqueQueue } from "./helpers.js";
import { WsClient } from "./ws-client.js";

describe("graceful close", () => {
  it("ends long polls (204), gives back what sockets held, and refuses new connections", async () => {
    const s = await startServer({ shutdownGraceMs: 20_000 });
    const q = uniqueQueue();
    for (let i = 0; i < 2; i++) await fetch(`${s.url}/v1/queues/${q}/messages`, { method: "POST", body: `m${i}` });
    // an idle keep-alive connection, a long poll on an empty queue, and a socket holding both messages
    await (await fetch(`${s.url}/healthz`)).text();
    const poll = fetch(`${s.url}/v1/queues/${uniqueQueue()}/messages?waitMs=15000`);
    const c = await WsClient.open(s.wsUrl);
    await c.request("subscribe", { queue: q, prefetch: 5, visibilityMs: 600_000 });
    await c.waitMessages(2, q);
    expect(await s.engine.stats(q)).toMatchObject({ inFlight: 2 });

    const t0 = Date.now();
    await s.http.close();
    expect(Date.now() - t0).toBeLessThan(10_000); // not the 20 s grace: nothing had to be cut
    expect((await poll).status).toBe(204);
    expect(await c.closed).toMatchObject({ code: 1001 });
    expect(await s.engine.stats(q)).toMatchObject({ inFlight: 0, ready: 2 });
    await expect(fetch(`${s.url}/healthz`)).rejects.toThrow();
    await s.close(); // again: a no-op
  });

  it("ends reply waits too: a waiting request answers 504 with its handle (the reply stays collectable), a collect 204", async () => {
    const s = await startServer({ shutdownGraceMs: 20_000 });
    const q = uniqueQueue();
    const collecting = fetch(`${s.url}/v1/replies/${q}:1-1?timeoutMs=15000`);
    const calling = fetch(`${s.url}/v1/queues/${q}/requests?timeoutMs=15000`, { method: "POST", body: "asked just before" });
    const req = (await s.engine.take(q, { waitMs: 5000 }))!; // the request reached the server
    await new Promise((r) => setTimeout(r, 100)); // and so did the collect, started first

    const t0 = Date.now();
    await s.http.close();
    expect(Date.now() - t0).toBeLessThan(10_000);
    const res = await calling;
    expect(res.status).toBe(504);
    expect(res.headers.get("tinyqs-reply-handle")).toBe(`${q}:${req.id}`);
    expect((await json(res)).body.error).toMatchObject({ code: "TIMEOUT", message: expect.stringContaining("shutting down") });
    expect((await collecting).status).toBe(204);
    // the request was not lost with the server: answered now, its reply waits for its caller
    expect(await s.engine.respond(q, req.receipt!, "answer")).toBe(true);
    expect((await s.engine.wait(`${q}:${req.id}`, { timeoutMs: 0 }))?.toString()).toBe("answer");
    await s.engine.close();
  });

  it("a request in progress (a send) completes before the server stops", async () => {
    const s = await startServer();
    const q = uniqueQueue();
    const sending = fetch(`${s.url}/v1/queues/${q}/messages`, { method: "POST", body: "last words" });
    await new Promise((r) => setTimeout(r, 5));
    const closing = s.http.close();
    const res = await sending.catch(() => null);
    await closing;
    // either it made it in before the close (201, stored) or it was never accepted: never half-done
    if (res) {
      expect(res.status).toBe(201);
      expect((await s.engine.stats(q)).sent).toBe(1);
    }
    await s.engine.close();
  });

  it("a server over someone else's engine leaves that engine open", async () => {
    const s = await startServer();
    const { createHttpServer } = await import("../src/index.js");
    const other = createHttpServer({ engine: s.engine, log: () => {} });
    const { url } = await other.listen(0);
    const q = uniqueQueue();
    expect((await json(await fetch(`${url}/v1/queues/${q}/messages`, { method: "POST", body: "x" }))).status).toBe(201);
    await other.close();
    expect(await s.engine.stats(q)).toMatchObject({ ready: 1 }); // still usable
    await s.close();
  });
});
