// The HTTP client's worker (process()) on the server's WebSocket: messages pushed over one socket,
// no long polls; a cut socket whose messages come back and are handled once after reconnection;
// close() that waits for the handlers, then closes the socket with nothing left reserved; tokens;
// the client closed under a running worker. A real http-server of its own (its /metrics counts
// only this file's traffic), a real Redis, and the proxy of core's test helpers to cut the socket.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { inject } from "vitest";
import type { Message, WorkerErrorInfo } from "@tinyqs/core";
import { createHttpServer, type TinyQSHttpServer } from "@tinyqs/http-server";
import { eventually, uniqueQueue, metric as scrape, proxy, type Proxy } from "@tinyqs/test-support";
import { connect, type TinyQSApi } from "../src/index.js";

const redis = inject("redisUrl");
let server: TinyQSHttpServer;
let url: string;
let port: number;
const opened: Array<{ close(): Promise<void> }> = [];

beforeAll(async () => {
  server = createHttpServer({ redis, log: () => {} });
  ({ url, port } = await server.listen(0, "127.0.0.1"));
});
afterAll(async () => {
  for (const o of opened.reverse()) await o.close().catch(() => {});
  await server.close();
});

function client(at = url, options = {}): TinyQSApi {
  const c = connect(at, options);
  opened.push(c);
  return c;
}

/** A metric of this file's server (summed over the samples whose labels include `labels`). */
const metric = (name: string, labels: Record<string, string> = {}) => scrape(url, name, labels);

const wsConnections = () => metric("tinyqs_ws_connections");
/** REST requests for messages: long polls (GET …/messages) and the acknowledgements a REST worker makes. */
async function restMessageTraffic(): Promise<Record<string, number>> {
  const route = (method: string, r: string) => metric("tinyqs_http_requests_total", { method, route: r });
  return {
    receive: await route("GET", "/v1/queues/:queue/messages"),
    delete: await route("DELETE", "/v1/queues/:queue/messages/:idOrReceipt"),
    touch: await route("POST", "/v1/queues/:queue/messages/:receipt/touch"),
    release: await route("POST", "/v1/queues/:queue/messages/:receipt/release"),
  };
}

function collect() {
  const errors: Array<{ code: string | undefined; stage: string }> = [];
  const onError = (error: unknown, info: WorkerErrorInfo) => errors.push({ code: (error as { code?: string }).code, stage: info.stage });
  return { errors, onError };
}

describe("HttpClient.process() over the WebSocket", () => {
  it("receives through one WebSocket: messages are pushed, no long poll and no REST acknowledgement is made", async () => {
    const tq = client();
    const ctl = client();
    const q = uniqueQueue("ws-push");
    const before = await restMessageTraffic();
    const deletesBefore = await metric("tinyqs_operations_total", { operation: "delete", outcome: "ok" });
    const seen: string[] = [];
    const { errors, onError } = collect();
    const w = tq.process(q, (m) => void seen.push(m.body.toString()), { concurrency: 4, visibilityMs: 30_000, onError });
    await eventually(async () => (await wsConnections()) === 1);
    await ctl.sendBatch(q, Array.from({ length: 20 }, (_, i) => `m${i}`));
    await eventually(async () => (await ctl.stats(q)).deleted === 20);
    // still one socket, the same one, while it works
    expect(await wsConnections()).toBe(1);
    await w.close();
    expect(seen.sort()).toEqual(Array.from({ length: 20 }, (_, i) => `m${i}`).sort());
    expect(await ctl.stats(q)).toMatchObject({ ready: 0, inFlight: 0, received: 20, deleted: 20 });
    // the twenty deletes reached the engine, none of them over REST, and no message was fetched over REST
    expect((await metric("tinyqs_operations_total", { operation: "delete", outcome: "ok" })) - deletesBefore).toBe(20);
    expect(await restMessageTraffic()).toEqual(before);
    expect(errors).toEqual([]);
    await eventually(async () => (await wsConnections()) === 0);
  });

  it("a cut socket: the messages it held come back and, after reconnection, each is handled exactly once", async () => {
    const px: Proxy = await proxy(port);
    opened.push(px);
    const tq = client(`http://127.0.0.1:${px.port}`);
    const ctl = client();
    const q = uniqueQueue("ws-cut");
    const deliveries: Message[] = [];
    const handled: string[] = [];
    const { errors, onError } = collect();
    const w = tq.process(
      q,
      async (m, { signal }) => {
        deliveries.push(m);
        if (m.receiveCount === 1) {
          // held by the socket that is about to be cut: the worker finds the reservation gone
          // (its touch says so) and gives up this delivery
          await new Promise<void>((resolve) => signal.addEventListener("abort", () => resolve(), { once: true }));
          return;
        }
        handled.push(m.body.toString());
      },
      { concurrency: 3, visibilityMs: 60_000, touchIntervalMs: 100, onError },
    );
    await ctl.sendBatch(q, ["a", "b", "c"]);
    await eventually(() => deliveries.length === 3);
    expect(await ctl.stats(q)).toMatchObject({ inFlight: 3, ready: 0 });

    px.cut();
    await eventually(async () => (await ctl.stats(q)).deleted === 3, 10_000);
    await w.close();

    expect(handled.sort()).toEqual(["a", "b", "c"]);
    // two deliveries each: the one on the cut socket (back to ready at once, not after its 60 s
    // lease), and the one after reconnection, handled and deleted
    const counts = (body: string) => deliveries.filter((m) => m.body.toString() === body).map((m) => m.receiveCount);
    for (const body of ["a", "b", "c"]) expect(counts(body), body).toEqual([1, 2]);
    expect(await ctl.stats(q)).toMatchObject({ ready: 0, inFlight: 0, delayed: 0, received: 6, deleted: 3 });
    // the drop was reported as a failed receive; the lost reservations as NOT_FOUND from touch
    expect(errors.filter((e) => e.stage === "receive").map((e) => e.code)).toContain("UNAVAILABLE");
    expect(errors.filter((e) => e.stage === "touch" && e.code === "NOT_FOUND")).toHaveLength(3);
    expect(errors.every((e) => (e.stage === "receive" || e.stage === "touch") && ["UNAVAILABLE", "NOT_FOUND"].includes(e.code!))).toBe(true);
    // it reconnected through the proxy: a connection after the cut carried the new socket
    expect(px.connections).toBeGreaterThan(1);
    await eventually(async () => (await wsConnections()) === 0);
  });

  it("a server unreachable for a while: each reconnection attempt fails with UNAVAILABLE, then the worker resumes", async () => {
    const px: Proxy = await proxy(port);
    opened.push(px);
    const tq = client(`http://127.0.0.1:${px.port}`, { maxReconnectDelayMs: 100 });
    const ctl = client();
    const q = uniqueQueue("ws-away");
    const seen: string[] = [];
    const { errors, onError } = collect();
    const w = tq.process(q, (m) => void seen.push(m.body.toString()), { visibilityMs: 30_000, onError });
    await ctl.send(q, "before");
    // Cut only once the handler's delete has landed and its reply came back (the worker counts a
    // message as active until then): cut earlier, the delete fails (UNAVAILABLE), and the message,
    // still reserved, comes back and is handled a second time.
    await eventually(async () => seen.length === 1 && w.active === 0 && (await ctl.stats(q)).deleted === 1);
    px.refuse();
    px.cut();
    // the drop, then failed attempts (refused connections), each reported
    await eventually(() => errors.length >= 3);
    expect(new Set(errors.map((e) => `${e.stage} ${e.code}`))).toEqual(new Set(["receive UNAVAILABLE"]));
    await ctl.send(q, "while away");
    await px.accept();
    await eventually(async () => (await ctl.stats(q)).deleted === 2, 10_000);
    await w.close();
    expect(seen).toEqual(["before", "while away"]);
    expect(await ctl.stats(q)).toMatchObject({ ready: 0, inFlight: 0, received: 2 });
  });

  it("close() waits for the handlers in flight and their deletes, then closes the socket; nothing stays reserved", async () => {
    const tq = client();
    const ctl = client();
    const q = uniqueQueue("ws-close");
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    const started: string[] = [];
    const finished: string[] = [];
    const w = tq.process(
      q,
      async (m) => {
        started.push(m.body.toString());
        await gate;
        finished.push(m.body.toString());
      },
      { concurrency: 2, visibilityMs: 30_000 },
    );
    await ctl.sendBatch(q, ["one", "two", "three"]);
    await eventually(() => started.length === 2);
    let closed = false;
    const closing = w.close().then(() => (closed = true));
    // a round trip later: still waiting for the two handlers, its socket still open for their deletes
    expect(await ctl.stats(q)).toMatchObject({ inFlight: 2, ready: 1 });
    expect(await wsConnections()).toBe(1);
    expect(closed).toBe(false);
    expect(w.active).toBe(2);

    open();
    await closing;
    expect(finished.sort()).toEqual(["one", "two"]);
    expect(w.active).toBe(0);
    // the deletes are done before close() resolves: nothing reserved, the third never pushed
    expect(await ctl.stats(q)).toMatchObject({ ready: 1, inFlight: 0, received: 2, deleted: 2 });
    await eventually(async () => (await wsConnections()) === 0);
    await ctl.send(q, "after");
    await w.done;
    expect(started).toHaveLength(2);
    expect(await ctl.stats(q)).toMatchObject({ ready: 2, inFlight: 0, received: 2 });
  });

  it("the token goes on the upgrade: right, it works; wrong, the worker reports UNAUTHORIZED receives", async () => {
    const secured = createHttpServer({ redis, token: "s3cret", log: () => {} });
    const { url: at } = await secured.listen(0, "127.0.0.1");
    try {
      const good = client(at, { token: "s3cret" });
      const bad = client(at, { token: "wrong" });
      const q = uniqueQueue("ws-token");
      const seen: string[] = [];
      const ok = collect();
      const refused = collect();
      const w1 = good.process(q, (m) => void seen.push(m.body.toString()), { onError: ok.onError });
      const w2 = bad.process(q, () => {}, { visibilityMs: 30_000, onError: refused.onError });
      await good.send(q, "x");
      await eventually(async () => (await good.stats(q)).deleted === 1);
      await eventually(() => refused.errors.length > 0);
      await Promise.all([w1.close(), w2.close()]);
      expect(seen).toEqual(["x"]);
      expect(ok.errors).toEqual([]);
      expect(new Set(refused.errors.map((e) => `${e.stage} ${e.code}`))).toEqual(new Set(["receive UNAUTHORIZED"]));
    } finally {
      await secured.close();
    }
  });

  it("the client closed under a running worker: CLOSED is reported once, the worker stops, the socket closes", async () => {
    const tq = client();
    const ctl = client();
    const q = uniqueQueue("ws-closed");
    const { errors, onError } = collect();
    const w = tq.process(q, () => {}, { visibilityMs: 30_000, onError });
    await ctl.send(q, "first");
    await eventually(async () => (await ctl.stats(q)).deleted === 1);
    await tq.close();
    await w.done;
    expect(errors).toEqual([{ stage: "receive", code: "CLOSED" }]);
    await eventually(async () => (await wsConnections()) === 0);
    await ctl.send(q, "later");
    expect(await ctl.stats(q)).toMatchObject({ ready: 1, inFlight: 0, received: 1 });
  });
});
