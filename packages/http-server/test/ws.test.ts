// The WebSocket at /v1/ws with a real `ws` client: subscriptions and flow control, the ops and their
// replies, malformed frames, and what happens to held messages when a socket goes away.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ALL_BYTES, eventually, json, metric, sleep, startServer, uniqueQueue, type Running, JSON_TYPE } from "./helpers.js";
import { WsClient } from "./ws-client.js";

let s: Running;
const open: WsClient[] = [];
beforeAll(async () => {
  s = await startServer();
});
afterAll(async () => {
  await Promise.all(open.map((c) => c.close()));
  await s.close();
});

async function client(): Promise<WsClient> {
  const c = await WsClient.open(s.wsUrl);
  open.push(c);
  return c;
}
const stats = async (q: string) => (await json(await fetch(`${s.url}/v1/queues/${q}`))).body;
const sendHttp = (q: string, body: string | Buffer) => fetch(`${s.url}/v1/queues/${q}/messages`, { method: "POST", body });

describe("subscribe", () => {
  it("pushes messages as they arrive, with every field; the body is base64 of the exact bytes", async () => {
    const c = await client();
    const q = uniqueQueue();
    await sendHttp(q, ALL_BYTES);
    const reply = await c.request("subscribe", { queue: q, prefetch: 5, visibilityMs: 60_000 });
    expect(reply).toEqual({ op: "reply", requestId: expect.any(String), ok: true, queue: q, prefetch: 5, visibilityMs: 60_000 });
    const [m] = await c.waitMessages(1, q);
    expect(Object.keys(m!).sort()).toEqual(["body", "id", "op", "queue", "receipt", "receiveCount", "sentAt"]);
    expect(Buffer.from(m!.body, "base64").equals(ALL_BYTES)).toBe(true);
    expect(m).toMatchObject({ op: "message", queue: q, receipt: `${m!.id}.1`, receiveCount: 1, sentAt: Number(m!.id.split("-")[0]) });
    // one sent later is pushed too (the subscription long-polls)
    await sendHttp(q, "later");
    const msgs = await c.waitMessages(2, q);
    expect(Buffer.from(msgs[1]!.body, "base64").toString()).toBe("later");
    expect(await stats(q)).toMatchObject({ inFlight: 2, ready: 0 });
  });

  it("without visibilityMs, the queue's own is used (and reported in the reply)", async () => {
    const c = await client();
    const q = uniqueQueue();
    await fetch(`${s.url}/v1/queues/${q}`, { method: "PUT", headers: JSON_TYPE, body: '{"visibilityMs":4321}' });
    expect((await c.request("subscribe", { queue: q, prefetch: 1 })).visibilityMs).toBe(4321);
  });
});

describe("flow control", () => {
  it("never more than prefetch unacknowledged; a delete lets one more through, a release too", async () => {
    const c = await client();
    const q = uniqueQueue();
    for (let i = 0; i < 10; i++) await sendHttp(q, `m${i}`);
    await c.request("subscribe", { queue: q, prefetch: 3, visibilityMs: 60_000 });
    const first = await c.waitMessages(3, q);
    await sleep(400);
    expect(c.messages(q)).toHaveLength(3); // held back: 3 unacknowledged
    expect(await stats(q)).toMatchObject({ inFlight: 3, ready: 7 });

    expect(await c.request("delete", { queue: q, receipt: first[0]!.receipt })).toMatchObject({ ok: true });
    await c.waitMessages(4, q);
    await sleep(300);
    expect(c.messages(q)).toHaveLength(4);

    expect(await c.request("release", { queue: q, receipt: first[1]!.receipt })).toMatchObject({ ok: true });
    await c.waitMessages(5, q);
    await sleep(300);
    expect(c.messages(q)).toHaveLength(5);
    expect(await stats(q)).toMatchObject({ inFlight: 3 });

    // touch keeps the slot taken
    expect(await c.request("touch", { queue: q, receipt: first[2]!.receipt, visibilityMs: 60_000 })).toMatchObject({ ok: true });
    await sleep(300);
    expect(c.messages(q)).toHaveLength(5);
  });

  it("acknowledging everything drains the queue with no duplicates", async () => {
    const c = await client();
    const q = uniqueQueue();
    const n = 40;
    const ids = new Set<string>();
    for (let i = 0; i < n; i++) ids.add(((await (await sendHttp(q, `m${i}`)).json()) as { id: string }).id);
    await c.request("subscribe", { queue: q, prefetch: 4 });
    const seen: string[] = [];
    let acked = 0;
    while (acked < n) {
      const msgs = await c.waitMessages(acked + 1, q);
      const m = msgs[acked]!;
      seen.push(m.id);
      expect((await c.request("delete", { queue: q, receipt: m.receipt })).ok).toBe(true);
      acked++;
    }
    expect(new Set(seen)).toEqual(ids);
    expect(seen).toHaveLength(n);
    expect(await stats(q)).toMatchObject({ ready: 0, inFlight: 0, deleted: n });
  });

  it("a delete by message id (not receipt) frees the slot too", async () => {
    const c = await client();
    const q = uniqueQueue();
    for (const b of ["first", "second"]) await sendHttp(q, b);
    await c.request("subscribe", { queue: q, prefetch: 1, visibilityMs: 600_000 });
    const [m] = await c.waitMessages(1, q);
    await sleep(300);
    expect(c.messages(q)).toHaveLength(1); // held back: the slot is taken
    expect(await c.request("delete", { queue: q, receipt: m!.id })).toMatchObject({ ok: true });
    const msgs = await c.waitMessages(2, q);
    expect(Buffer.from(msgs[1]!.body, "base64").toString()).toBe("second");
    expect(await stats(q)).toMatchObject({ deleted: 1, inFlight: 1, ready: 0 });
  });

  it("a message whose lease runs out frees its slot and comes back (receiveCount 2)", async () => {
    const c = await client();
    const q = uniqueQueue();
    await sendHttp(q, "slow");
    await c.request("subscribe", { queue: q, prefetch: 1, visibilityMs: 200 });
    const msgs = await c.waitMessages(2, q, 5000);
    expect(msgs[1]).toMatchObject({ id: msgs[0]!.id, receiveCount: 2 });
  });

  it("two sockets on one queue share its messages, none delivered twice", async () => {
    const [a, b] = [await client(), await client()];
    const q = uniqueQueue();
    await a.request("subscribe", { queue: q, prefetch: 20 });
    await b.request("subscribe", { queue: q, prefetch: 20 });
    for (let i = 0; i < 20; i++) await sendHttp(q, `m${i}`);
    await eventually(() => a.messages(q).length + b.messages(q).length === 20);
    const ids = [...a.messages(q), ...b.messages(q)].map((m) => m.id);
    expect(new Set(ids).size).toBe(20);
  });

  it("unsubscribe stops the pushes; what is held stays held and can still be deleted", async () => {
    const c = await client();
    const q = uniqueQueue();
    await sendHttp(q, "one");
    await c.request("subscribe", { queue: q, prefetch: 5 });
    const [m] = await c.waitMessages(1, q);
    expect(await c.request("unsubscribe", { queue: q })).toMatchObject({ ok: true, queue: q, held: 1 });
    await sendHttp(q, "two");
    await sleep(300);
    expect(c.messages(q)).toHaveLength(1);
    expect(await stats(q)).toMatchObject({ ready: 1, inFlight: 1 });
    expect((await c.request("delete", { queue: q, receipt: m!.receipt })).ok).toBe(true);
    // subscribing again picks up where it left off
    await c.request("subscribe", { queue: q, prefetch: 5 });
    await c.waitMessages(2, q);
  });

  it("subscribing again on the same socket does not read the queue's settings from Redis again", async () => {
    const c = await client();
    const q = uniqueQueue();
    const configReads = () => metric(s.url, "tinyqs_operations_total", { operation: "getConfig", outcome: "ok" });
    const before = await configReads();
    for (let i = 0; i < 3; i++) {
      expect(await c.request("subscribe", { queue: q, prefetch: 1 })).toMatchObject({ ok: true, visibilityMs: 30_000 });
      await c.request("unsubscribe", { queue: q });
    }
    expect(await configReads()).toBe(before + 1);
  });
});

describe("ops and replies", () => {
  it("send: base64 by default, utf8 on request, with delayMs; the reply carries the id", async () => {
    const c = await client();
    const q = uniqueQueue();
    const a = await c.request("send", { queue: q, body: ALL_BYTES.toString("base64") });
    expect(a).toEqual({ op: "reply", requestId: expect.any(String), ok: true, id: expect.stringMatching(/^\d+-\d+$/) });
    const b = await c.request("send", { queue: q, body: "héllo", encoding: "utf8" });
    const d = await c.request("send", { queue: q, body: "", delayMs: 60_000 });
    expect(b.ok && d.ok).toBe(true);
    const got = (await json(await fetch(`${s.url}/v1/queues/${q}/messages?max=10`))).body.messages;
    expect(got.map((m: any) => m.id)).toEqual([a.id, b.id]);
    expect(Buffer.from(got[0].body, "base64").equals(ALL_BYTES)).toBe(true);
    expect(Buffer.from(got[1].body, "base64").toString()).toBe("héllo");
    expect(await stats(q)).toMatchObject({ delayed: 1 });
  });

  it("sendBatch: many messages in one frame, base64 unless an item says utf8, each with its delayMs; ids in order", async () => {
    const c = await client();
    const q = uniqueQueue();
    const r = await c.request("sendBatch", {
      queue: q,
      messages: [{ body: ALL_BYTES.toString("base64") }, { body: "héllo", encoding: "utf8" }, { body: "", delayMs: 60_000 }, { body: "dA==", dedupId: "d-1" }],
    });
    expect(r).toEqual({ op: "reply", requestId: expect.any(String), ok: true, ids: [expect.stringMatching(/^\d+-\d+$/), expect.any(String), expect.any(String), expect.any(String)] });
    const got = (await json(await fetch(`${s.url}/v1/queues/${q}/messages?max=10`))).body.messages;
    expect(got.map((m: any) => m.id)).toEqual([r.ids[0], r.ids[1], r.ids[3]]);
    expect(Buffer.from(got[0].body, "base64").equals(ALL_BYTES)).toBe(true);
    expect(Buffer.from(got[1].body, "base64").toString()).toBe("héllo");
    expect(await stats(q)).toMatchObject({ delayed: 1 });
    // the same dedupId again within the window: nothing stored, the first message's id
    const again = await c.request("sendBatch", { queue: q, messages: [{ body: "dA==", dedupId: "d-1" }] });
    expect(again.ids).toEqual([r.ids[3]]);
    expect((await c.request("sendBatch", { queue: q, messages: [] })).ids).toEqual([]);
  });

  it("sendBatch is whole or nothing: a bad item, too many items or a body over the limit store nothing", async () => {
    const c = await client();
    const q = uniqueQueue();
    const bad = await c.request("sendBatch", { queue: q, messages: [{ body: "aGk=" }, { body: "not base64!" }] });
    expect(bad.error).toEqual({ code: "BAD_ARGUMENT", message: "messages[1].body is not valid base64" });
    const extra = await c.request("sendBatch", { queue: q, messages: [{ body: "aGk=", colour: "red" }] });
    expect(extra.error).toEqual({ code: "BAD_ARGUMENT", message: 'messages[0] has unknown field "colour"' });
    const many = await c.request("sendBatch", { queue: q, messages: Array.from({ length: 1001 }, () => ({ body: "" })) });
    expect(many.error).toEqual({ code: "BAD_ARGUMENT", message: "a batch holds at most 1000 messages, got 1001" });
    expect((await c.request("sendBatch", { queue: q, messages: "aGk=" })).error.code).toBe("BAD_ARGUMENT");
    await json(await fetch(`${s.url}/v1/queues/${q}`, { method: "PUT", headers: JSON_TYPE, body: JSON.stringify({ maxMessageBytes: 4 }) }));
    const big = await c.request("sendBatch", { queue: q, messages: [{ body: "aGk=" }, { body: Buffer.from("12345").toString("base64") }] });
    expect(big.error.code).toBe("TOO_BIG");
    expect(await stats(q)).toMatchObject({ ready: 0, delayed: 0 });
  });

  it("requestId may be a number and is echoed as given", async () => {
    const c = await client();
    const reply = c.waitFor((f) => f.requestId === 42);
    c.sendRaw(JSON.stringify({ op: "send", requestId: 42, queue: uniqueQueue(), body: "" }));
    expect(await reply).toMatchObject({ op: "reply", requestId: 42, ok: true });
  });

  it("delete, touch and release of an unknown or stale receipt reply NOT_FOUND", async () => {
    const c = await client();
    const q = uniqueQueue();
    for (const op of ["delete", "touch", "release"]) {
      const r = await c.request(op, { queue: q, receipt: "1-1.1" });
      expect(r, op).toEqual({ op: "reply", requestId: expect.any(String), ok: false, error: { code: "NOT_FOUND", message: expect.any(String) } });
    }
  });

  it("deleteBatch and touchBatch: one result per item; deleted ones free their prefetch slots", async () => {
    const c = await client();
    const q = uniqueQueue();
    for (const body of ["a", "b", "c"]) await sendHttp(q, body);
    expect((await c.request("subscribe", { queue: q, prefetch: 3, visibilityMs: 60_000 })).ok).toBe(true);
    await eventually(() => c.frames.filter((f) => f.op === "message").length === 3 || undefined);
    const receipts = c.frames.filter((f) => f.op === "message").map((f) => f.receipt as string);
    const touched = await c.request("touchBatch", { queue: q, receipts: [receipts[0], "1-1.1", 3], visibilityMs: 120_000 });
    expect(touched).toEqual({
      op: "reply", requestId: expect.any(String), ok: true,
      results: [{ ok: true }, { ok: false, error: { code: "NOT_FOUND", message: expect.any(String) } }, { ok: false, error: { code: "BAD_ARGUMENT", message: expect.any(String) } }],
    });
    const deleted = await c.request("deleteBatch", { queue: q, receipts });
    expect(deleted.results).toEqual([{ ok: true }, { ok: true }, { ok: true }]);
    // All three slots are free again: the next three messages are pushed.
    for (const body of ["d", "e", "f"]) await sendHttp(q, body);
    await eventually(() => c.frames.filter((f) => f.op === "message").length === 6 || undefined);
    expect(await stats(q)).toMatchObject({ deleted: 3, inFlight: 3 });
    const over = await c.request("deleteBatch", { queue: q, receipts: Array.from({ length: 1001 }, () => "1-1.1") });
    expect(over.error).toEqual({ code: "BAD_ARGUMENT", message: "deleteBatch takes at most 1000 receipts, got 1001" });
  });

  it("a message received over HTTP can be deleted over the socket (by receipt or id)", async () => {
    const c = await client();
    const q = uniqueQueue();
    await sendHttp(q, "a");
    const { id } = (await (await sendHttp(q, "b")).json()) as { id: string };
    const r = await fetch(`${s.url}/v1/queues/${q}/messages`);
    await r.arrayBuffer();
    expect((await c.request("delete", { queue: q, receipt: r.headers.get("tinyqs-receipt") })).ok).toBe(true);
    expect((await c.request("delete", { queue: q, receipt: id })).ok).toBe(true);
    expect(await stats(q)).toMatchObject({ ready: 0, inFlight: 0, deleted: 2 });
  });

  it.each([
    ["an unknown op", { op: "fly", queue: "q" }, "BAD_ARGUMENT"],
    ["a bad queue name", { op: "send", queue: "a b", body: "" }, "BAD_NAME"],
    ["prefetch 0", { op: "subscribe", queue: "q", prefetch: 0 }, "BAD_ARGUMENT"],
    ["prefetch over 1000", { op: "subscribe", queue: "q", prefetch: 1001 }, "BAD_ARGUMENT"],
    ["no prefetch", { op: "subscribe", queue: "q" }, "BAD_ARGUMENT"],
    ["visibilityMs 0", { op: "subscribe", queue: "q", prefetch: 1, visibilityMs: 0 }, "BAD_ARGUMENT"],
    ["bad base64", { op: "send", queue: "q", body: "%%%" }, "BAD_ARGUMENT"],
    ["a body that is not a string", { op: "send", queue: "q", body: [1, 2] }, "BAD_ARGUMENT"],
    ["an unknown field", { op: "delete", queue: "q", receipt: "1-1.1", force: true }, "BAD_ARGUMENT"],
    ["no receipt", { op: "touch", queue: "q" }, "BAD_ARGUMENT"],
    ["a negative delay", { op: "release", queue: "q", receipt: "1-1.1", delayMs: -1 }, "BAD_ARGUMENT"],
    ["unsubscribe without a subscription", { op: "unsubscribe", queue: "q" }, "BAD_ARGUMENT"],
  ])("%s → a failed reply with %s", async (_what, frame, code) => {
    const c = await client();
    const reply = c.waitFor((f) => f.requestId === "x1");
    c.sendRaw(JSON.stringify({ requestId: "x1", ...frame }));
    expect(await reply).toEqual({ op: "reply", requestId: "x1", ok: false, error: { code, message: expect.any(String) } });
  });

  it("subscribing twice to one queue on one socket is refused", async () => {
    const c = await client();
    const q = uniqueQueue();
    expect((await c.request("subscribe", { queue: q, prefetch: 1 })).ok).toBe(true);
    expect((await c.request("subscribe", { queue: q, prefetch: 2 })).error.code).toBe("BAD_ARGUMENT");
  });

  it("frames that cannot be answered as a request get an error frame, and the socket stays open", async () => {
    const c = await client();
    for (const raw of ["not json", "[1,2]", '{"op":"send","queue":"q","body":""}', '{"op":"send","requestId":{},"queue":"q"}']) {
      const from = c.frames.length;
      c.sendRaw(raw);
      const f = await c.waitFor((x) => x.op === "error", 5000, from);
      expect(f, raw).toEqual({ op: "error", error: { code: "BAD_ARGUMENT", message: expect.any(String) } });
    }
    const from = c.frames.length;
    c.sendRaw(Buffer.from([1, 2, 3]), true);
    expect((await c.waitFor((x) => x.op === "error", 5000, from)).error.code).toBe("BAD_ARGUMENT");
    expect((await c.request("send", { queue: uniqueQueue(), body: "" })).ok).toBe(true);
  });
});

describe("when the socket goes away", () => {
  it("a dropped socket's messages are ready again at once, long before their lease ends", async () => {
    const c = await client();
    const q = uniqueQueue();
    for (let i = 0; i < 5; i++) await sendHttp(q, `m${i}`);
    await c.request("subscribe", { queue: q, prefetch: 3, visibilityMs: 600_000 });
    const held = await c.waitMessages(3, q);
    expect(await stats(q)).toMatchObject({ inFlight: 3, ready: 2 });
    await c.kill(); // no close handshake, as a crashed client
    await eventually(async () => (await stats(q)).inFlight === 0, 3000);
    expect(await stats(q)).toMatchObject({ ready: 5, inFlight: 0 });
    // and they are receivable again, as a second delivery
    const again = (await json(await fetch(`${s.url}/v1/queues/${q}/messages?max=10`))).body.messages;
    const back = again.filter((m: any) => held.some((h) => h.id === m.id));
    expect(back).toHaveLength(3);
    for (const m of back) expect(m.receiveCount).toBe(2);
  });

  it("a socket closed normally gives its messages back too; deleted ones stay deleted", async () => {
    const c = await client();
    const q = uniqueQueue();
    for (let i = 0; i < 3; i++) await sendHttp(q, `m${i}`);
    await c.request("subscribe", { queue: q, prefetch: 3, visibilityMs: 600_000 });
    const held = await c.waitMessages(3, q);
    await c.request("delete", { queue: q, receipt: held[0]!.receipt });
    await c.close();
    await eventually(async () => (await stats(q)).inFlight === 0, 3000);
    expect(await stats(q)).toMatchObject({ ready: 2, deleted: 1 });
  });

  it("messages held after unsubscribe come back when the socket closes", async () => {
    const c = await client();
    const q = uniqueQueue();
    await sendHttp(q, "m");
    await c.request("subscribe", { queue: q, prefetch: 1, visibilityMs: 600_000 });
    await c.waitMessages(1, q);
    await c.request("unsubscribe", { queue: q });
    await c.kill();
    await eventually(async () => (await stats(q)).ready === 1, 3000);
  });
});

describe("endpoint", () => {
  it("only /v1/ws upgrades: another path is 404", async () => {
    await expect(WsClient.open(s.wsUrl.replace("/v1/ws", "/v1/other"))).rejects.toMatchObject({ status: 404 });
  });

  it("open sockets show in tinyqs_ws_connections", async () => {
    const c = await client();
    expect(await metric(s.url, "tinyqs_ws_connections")).toBeGreaterThanOrEqual(1);
    await c.close();
  });
});
