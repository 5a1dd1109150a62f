// Idempotent sends over HTTP and WebSocket (issue 11 item 3): the `tinyqs-dedup-id` header on
// POST …/messages, a `dedupId` field per item of POST …/messages/batch, and on the WebSocket's send op.
// A repeat within the queue's dedupWindowMs answers the first id and stores nothing.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { JSON_TYPE, json, startServer, uniqueQueue, type Running } from "./helpers.js";

let s: Running;
beforeAll(async () => {
  s = await startServer();
});
afterAll(async () => {
  await s?.close();
});

const send = (q: string, body: string, dedupId?: string) =>
  fetch(`${s.url}/v1/queues/${q}/messages`, { method: "POST", body, headers: dedupId === undefined ? {} : { "tinyqs-dedup-id": dedupId } }).then(json);

describe("idempotent sends over HTTP", () => {
  it("POST with tinyqs-dedup-id: the repeat answers 201 with the first id; stats count it", async () => {
    const q = uniqueQueue("dedup");
    const first = await send(q, "one", "order-1");
    expect(first.status).toBe(201);
    expect(await send(q, "one again", "order-1")).toEqual(first);
    expect((await send(q, "no id")).body.id).not.toBe(first.body.id);
    const stats = await json(await fetch(`${s.url}/v1/queues/${q}`));
    expect(stats.body).toMatchObject({ sent: 2, deduplicated: 1, ready: 2 });
  });

  it("a bad tinyqs-dedup-id is 400 BAD_ARGUMENT and nothing is stored", async () => {
    const q = uniqueQueue("dedup");
    expect(await send(q, "x", "x".repeat(129))).toMatchObject({ status: 400, body: { error: { code: "BAD_ARGUMENT" } } });
    expect((await json(await fetch(`${s.url}/v1/queues/${q}`))).body.sent).toBe(0);
  });

  it("a batch: dedupId per item; repeats in the batch and across batches answer the first ids", async () => {
    const q = uniqueQueue("dedup");
    const batch = (messages: unknown[]) =>
      fetch(`${s.url}/v1/queues/${q}/messages/batch`, { method: "POST", headers: JSON_TYPE, body: JSON.stringify({ messages }) }).then(json);
    const a = await batch([{ body: "a", dedupId: "A" }, { body: "b" }, { body: "a twice", dedupId: "A" }]);
    expect(a.status).toBe(201);
    expect(a.body.ids[2]).toBe(a.body.ids[0]);
    const b = await batch([{ body: "b", dedupId: "B", delayMs: 60_000 }, { body: "a", dedupId: "A" }]);
    expect(b.body.ids[1]).toBe(a.body.ids[0]);
    expect(await batch([{ body: "x", dedupId: 7 }])).toMatchObject({
      status: 400,
      body: { error: { code: "BAD_ARGUMENT", message: "messages[0].dedupId is 1-128 printable ASCII characters without spaces, got 7" } },
    });
    expect((await json(await fetch(`${s.url}/v1/queues/${q}`))).body).toMatchObject({ sent: 3, deduplicated: 2, delayed: 1 });
  });

  it("the WebSocket send op takes dedupId", async () => {
    const q = uniqueQueue("dedup");
    const ws = new WebSocket(s.wsUrl);
    await new Promise((resolve, reject) => ws.once("open", resolve).once("error", reject));
    const replies = new Map<number, { id?: string; error?: { code: string } }>();
    ws.on("message", (data) => {
      const f = JSON.parse(String(data));
      if (typeof f.requestId === "number") replies.set(f.requestId, f);
    });
    const op = async (requestId: number, frame: object) => {
      ws.send(JSON.stringify({ requestId, ...frame }));
      for (let i = 0; i < 200 && !replies.has(requestId); i++) await new Promise((r) => setTimeout(r, 25));
      return replies.get(requestId)!;
    };
    const first = await op(1, { op: "send", queue: q, body: "hi", encoding: "utf8", dedupId: "ws-1" });
    const again = await op(2, { op: "send", queue: q, body: "hi", encoding: "utf8", dedupId: "ws-1" });
    expect(first.id).toMatch(/^\d+-\d+$/);
    expect(again.id).toBe(first.id);
    expect((await op(3, { op: "send", queue: q, body: "hi", dedupId: "" })).error?.code).toBe("BAD_ARGUMENT");
    ws.close();
    expect((await json(await fetch(`${s.url}/v1/queues/${q}`))).body).toMatchObject({ sent: 1, deduplicated: 1 });
  });
});
