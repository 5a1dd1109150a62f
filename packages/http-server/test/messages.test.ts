// The message routes over real HTTP (fetch) against a running server on the private Redis: every
// route, status and header; binary bodies; batches; parameters; long polls.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ALL_BYTES, json, metric, sleep, startServer, uniqueQueue, type Running, JSON_TYPE } from "./helpers.js";

/** What fetch takes as a request body. */
type RequestBody = NonNullable<RequestInit["body"]>;

let s: Running;
beforeAll(async () => {
  s = await startServer();
});
afterAll(() => s.close());

const send = (q: string, body: RequestBody, query = "", headers: Record<string, string> = {}) =>
  fetch(`${s.url}/v1/queues/${q}/messages${query}`, { method: "POST", body, headers });
const receive = (q: string, query = "") => fetch(`${s.url}/v1/queues/${q}/messages${query}`);

describe("send and receive one message", () => {
  it("POST stores the raw body (201 { id }); GET returns it with its tinyqs-* headers", async () => {
    const q = uniqueQueue();
    const sent = await json(await send(q, "hello", "", { "Content-Type": "text/plain" }));
    expect(sent.status).toBe(201);
    expect(sent.body.id).toMatch(/^\d+-\d+$/);

    const res = await receive(q);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/octet-stream");
    expect(res.headers.get("cache-control")).toBe("no-store"); // a delivery, not a resource: never cached
    expect(res.headers.get("tinyqs-id")).toBe(sent.body.id);
    expect(res.headers.get("tinyqs-receipt")).toBe(`${sent.body.id}.1`);
    expect(res.headers.get("tinyqs-receive-count")).toBe("1");
    expect(Number(res.headers.get("tinyqs-sent-at"))).toBe(Number(sent.body.id.split("-")[0]));
    expect(await res.text()).toBe("hello");
  });

  it("a binary body with every byte value comes back byte for byte, whatever the content type", async () => {
    const q = uniqueQueue();
    for (const type of ["application/octet-stream", "image/png", "text/plain; charset=utf-8", "application/json"]) {
      expect((await send(q, ALL_BYTES, "", { "Content-Type": type })).status).toBe(201);
    }
    expect((await send(q, ALL_BYTES)).status).toBe(201);
    for (let i = 0; i < 5; i++) {
      const res = await receive(q);
      expect(res.status).toBe(200);
      expect(Buffer.from(await res.arrayBuffer()).equals(ALL_BYTES)).toBe(true);
    }
  });

  it("an empty body is a message too", async () => {
    const q = uniqueQueue();
    expect((await send(q, "")).status).toBe(201);
    const res = await receive(q);
    expect(res.status).toBe(200);
    expect((await res.arrayBuffer()).byteLength).toBe(0);
  });

  it("204 with no body when nothing is ready", async () => {
    const res = await receive(uniqueQueue());
    expect(res.status).toBe(204);
    expect(await res.text()).toBe("");
  });

  it("?delayMs holds the message back", async () => {
    const q = uniqueQueue();
    expect((await send(q, "later", "?delayMs=300")).status).toBe(201);
    expect((await receive(q)).status).toBe(204);
    expect((await json(await fetch(`${s.url}/v1/queues/${q}`))).body.delayed).toBe(1);
    const res = await receive(q, "?waitMs=3000");
    expect(res.status).toBe(200);
    expect(await res.text()).toBe("later");
  });

  it("?visibilityMs sets the lease: not deleted in time, the message comes back with receiveCount 2", async () => {
    const q = uniqueQueue();
    await send(q, "x");
    const first = await receive(q, "?visibilityMs=150");
    expect(first.headers.get("tinyqs-receive-count")).toBe("1");
    expect((await receive(q)).status).toBe(204);
    const again = await receive(q, "?waitMs=3000");
    expect(again.status).toBe(200);
    expect(again.headers.get("tinyqs-receive-count")).toBe("2");
    expect(again.headers.get("tinyqs-receipt")).toBe(`${first.headers.get("tinyqs-id")}.2`);
  });
});

describe("receive several: ?max=n answers JSON", () => {
  it("bodies in base64, receipts, counts; an empty list when none", async () => {
    const q = uniqueQueue();
    for (const b of ["a", "b", "c"]) await send(q, b);
    await send(q, ALL_BYTES);
    const { status, body } = await json(await receive(q, "?max=10"));
    expect(status).toBe(200);
    expect(body.messages).toHaveLength(4);
    expect(body.messages.slice(0, 3).map((m: any) => Buffer.from(m.body, "base64").toString())).toEqual(["a", "b", "c"]);
    expect(Buffer.from(body.messages[3].body, "base64").equals(ALL_BYTES)).toBe(true);
    for (const m of body.messages) {
      expect(Object.keys(m).sort()).toEqual(["body", "id", "receipt", "receiveCount", "sentAt"]);
      expect(m.receipt).toBe(`${m.id}.1`);
      expect(m.receiveCount).toBe(1);
    }
    const none = await json(await receive(q, "?max=10"));
    expect(none).toEqual({ status: 200, body: { messages: [] } });
  });

  it("max=2 gives two; max=0 and max=1001 are 400 BAD_ARGUMENT", async () => {
    const q = uniqueQueue();
    for (const b of ["a", "b", "c"]) await send(q, b);
    expect((await json(await receive(q, "?max=2"))).body.messages).toHaveLength(2);
    for (const max of ["0", "1001"]) {
      const r = await json(await receive(q, `?max=${max}`));
      expect(r.status).toBe(400);
      expect(r.body.error.code).toBe("BAD_ARGUMENT");
    }
  });
});

describe("batch send", () => {
  const batch = (q: string, payload: unknown, raw?: string) =>
    fetch(`${s.url}/v1/queues/${q}/messages/batch`, {
      method: "POST",
      body: raw ?? JSON.stringify(payload),
      headers: { "Content-Type": "application/json" },
    });

  it("utf8 (default) and base64 bodies; 201 { ids } in request order", async () => {
    const q = uniqueQueue();
    const r = await json(
      await batch(q, {
        messages: [
          { body: "héllo" },
          { body: "plain", encoding: "utf8" },
          { body: ALL_BYTES.toString("base64"), encoding: "base64" },
        ],
      }),
    );
    expect(r.status).toBe(201);
    expect(r.body.ids).toHaveLength(3);
    const got = (await json(await receive(q, "?max=10"))).body.messages;
    expect(got.map((m: any) => m.id)).toEqual(r.body.ids);
    expect(Buffer.from(got[0].body, "base64").toString("utf8")).toBe("héllo");
    expect(Buffer.from(got[1].body, "base64").toString("utf8")).toBe("plain");
    expect(Buffer.from(got[2].body, "base64").equals(ALL_BYTES)).toBe(true);
  });

  it("per-message delayMs: the undelayed ones are ready now, the others later", async () => {
    const q = uniqueQueue();
    const r = await json(await batch(q, { messages: [{ body: "now" }, { body: "later", delayMs: 60_000 }, { body: "now too" }] }));
    expect(r.status).toBe(201);
    const stats = (await json(await fetch(`${s.url}/v1/queues/${q}`))).body;
    expect(stats).toMatchObject({ ready: 2, delayed: 1 });
  });

  it("an empty batch is fine: { ids: [] }", async () => {
    expect(await json(await batch(uniqueQueue(), { messages: [] }))).toEqual({ status: 201, body: { ids: [] } });
  });

  it.each([
    ["not JSON", undefined, "{nope"],
    ["no messages array", { bodies: [] }, undefined],
    ["a bare array", [{ body: "x" }], undefined],
    ["a body that is not a string", { messages: [{ body: 5 }] }, undefined],
    ["an unknown encoding", { messages: [{ body: "x", encoding: "hex" }] }, undefined],
    ["bad base64", { messages: [{ body: "!!!!", encoding: "base64" }] }, undefined],
    ["an unknown field", { messages: [{ body: "x", priority: 1 }] }, undefined],
    ["a negative delay", { messages: [{ body: "x", delayMs: -1 }] }, undefined],
    ["a fractional delay", { messages: [{ body: "x", delayMs: 1.5 }] }, undefined],
    ["over 1000 messages", { messages: Array.from({ length: 1001 }, () => ({ body: "" })) }, undefined],
  ])("%s → 400 BAD_ARGUMENT, nothing stored", async (_what, payload, raw) => {
    const q = uniqueQueue();
    const r = await json(await batch(q, payload, raw));
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe("BAD_ARGUMENT");
    expect(r.body.error.message).toEqual(expect.any(String));
    expect((await json(await fetch(`${s.url}/v1/queues/${q}`))).body.sent).toBe(0);
  });

  it("a message over the queue's maxMessageBytes → 413 TOO_BIG and nothing of the batch is stored (one or several delays)", async () => {
    const q = uniqueQueue();
    await fetch(`${s.url}/v1/queues/${q}`, { method: "PUT", headers: JSON_TYPE, body: JSON.stringify({ maxMessageBytes: 10 }) });
    for (const messages of [
      [{ body: "ok" }, { body: "this is too long" }],
      [{ body: "ok" }, { body: "this is too long", delayMs: 5 }],
    ]) {
      const r = await json(await batch(q, { messages }));
      expect(r.status).toBe(413);
      expect(r.body.error.code).toBe("TOO_BIG");
    }
    expect((await json(await fetch(`${s.url}/v1/queues/${q}`))).body).toMatchObject({ sent: 0, ready: 0, delayed: 0 });
  });
});

describe("peek", () => {
  it("shows the next ready message without reserving it: no receipt, receive count 0", async () => {
    const q = uniqueQueue();
    const { body } = await json(await send(q, ALL_BYTES));
    const p = await fetch(`${s.url}/v1/queues/${q}/messages/peek`);
    expect(p.status).toBe(200);
    expect(p.headers.get("tinyqs-id")).toBe(body.id);
    expect(p.headers.get("tinyqs-receipt")).toBeNull();
    expect(p.headers.get("tinyqs-receive-count")).toBe("0");
    expect(p.headers.get("tinyqs-sent-at")).toMatch(/^\d+$/);
    expect(Buffer.from(await p.arrayBuffer()).equals(ALL_BYTES)).toBe(true);
    expect((await receive(q)).status).toBe(200); // still there
  });

  it("204 when empty; ?waitMs waits for a send", async () => {
    const q = uniqueQueue();
    expect((await fetch(`${s.url}/v1/queues/${q}/messages/peek`)).status).toBe(204);
    const waiting = fetch(`${s.url}/v1/queues/${q}/messages/peek?waitMs=10000`);
    await sleep(200);
    await send(q, "arrived");
    const p = await waiting;
    expect(p.status).toBe(200);
    expect(await p.text()).toBe("arrived");
  });

  it("takes no visibilityMs or max: 400", async () => {
    const r = await json(await fetch(`${s.url}/v1/queues/${uniqueQueue()}/messages/peek?max=2`));
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe("BAD_ARGUMENT");
  });
});

describe("delete, touch, release", () => {
  async function reserve(q: string, query = ""): Promise<{ id: string; receipt: string }> {
    await send(q, "m");
    const res = await receive(q, query);
    await res.arrayBuffer();
    return { id: res.headers.get("tinyqs-id")!, receipt: res.headers.get("tinyqs-receipt")! };
  }
  const del = (q: string, ref: string) => fetch(`${s.url}/v1/queues/${q}/messages/${ref}`, { method: "DELETE" });

  it("DELETE by receipt → 204, then the same receipt → 404 NOT_FOUND", async () => {
    const q = uniqueQueue();
    const { receipt } = await reserve(q);
    const ok = await del(q, receipt);
    expect(ok.status).toBe(204);
    expect(await ok.text()).toBe("");
    const again = await json(await del(q, receipt));
    expect(again.status).toBe(404);
    expect(again.body.error.code).toBe("NOT_FOUND");
    expect((await json(await fetch(`${s.url}/v1/queues/${q}`))).body).toMatchObject({ ready: 0, inFlight: 0, deleted: 1 });
  });

  it("DELETE by id removes a ready message; an unknown id is 404", async () => {
    const q = uniqueQueue();
    const { body } = await json(await send(q, "m"));
    expect((await del(q, body.id)).status).toBe(204);
    expect((await receive(q)).status).toBe(204);
    expect((await del(q, "1-1")).status).toBe(404);
  });

  it("a stale receipt (lease over, delivered again) cannot delete the new delivery: 404", async () => {
    const q = uniqueQueue();
    const first = await reserve(q, "?visibilityMs=100");
    await sleep(150);
    const second = await receive(q, "?waitMs=2000");
    expect(second.headers.get("tinyqs-receive-count")).toBe("2");
    expect((await del(q, first.receipt)).status).toBe(404);
    expect((await del(q, second.headers.get("tinyqs-receipt")!)).status).toBe(204);
  });

  it("touch extends the lease (204); a stale receipt is 404", async () => {
    const q = uniqueQueue();
    const { receipt } = await reserve(q, "?visibilityMs=300");
    const t = await fetch(`${s.url}/v1/queues/${q}/messages/${receipt}/touch?visibilityMs=5000`, { method: "POST" });
    expect(t.status).toBe(204);
    await sleep(450); // past the first lease: still held
    expect((await receive(q)).status).toBe(204);
    expect((await del(q, receipt)).status).toBe(204);
    const stale = await json(await fetch(`${s.url}/v1/queues/${q}/messages/${receipt}/touch`, { method: "POST" }));
    expect(stale.status).toBe(404);
    expect(stale.body.error.code).toBe("NOT_FOUND");
  });

  it("release makes it ready again now (204) or after ?delayMs; then the receipt is stale (404)", async () => {
    const q = uniqueQueue();
    const a = await reserve(q);
    expect((await fetch(`${s.url}/v1/queues/${q}/messages/${a.receipt}/release`, { method: "POST" })).status).toBe(204);
    const back = await receive(q);
    expect(back.headers.get("tinyqs-id")).toBe(a.id);
    expect(back.headers.get("tinyqs-receive-count")).toBe("2");
    const receipt = back.headers.get("tinyqs-receipt")!;
    expect((await fetch(`${s.url}/v1/queues/${q}/messages/${receipt}/release?delayMs=60000`, { method: "POST" })).status).toBe(204);
    expect((await json(await fetch(`${s.url}/v1/queues/${q}`))).body).toMatchObject({ ready: 0, inFlight: 0, delayed: 1 });
    const stale = await fetch(`${s.url}/v1/queues/${q}/messages/${a.receipt}/release`, { method: "POST" });
    expect(stale.status).toBe(404);
  });

  it("bad parameters → 400 BAD_ARGUMENT", async () => {
    const q = uniqueQueue();
    const { receipt } = await reserve(q);
    for (const [method, path] of [
      ["POST", `${receipt}/touch?visibilityMs=0`],
      ["POST", `${receipt}/touch?visibilityMs=abc`],
      ["POST", `${receipt}/touch?delayMs=5`],
      ["POST", `${receipt}/release?delayMs=-1`],
      ["POST", `${receipt}/release?delayMs=999999999999`],
      ["DELETE", `${receipt}?force=1`],
      ["DELETE", "x".repeat(300)],
    ] as const) {
      const r = await json(await fetch(`${s.url}/v1/queues/${q}/messages/${path}`, { method }));
      expect(r.status, `${method} ${path}`).toBe(400);
      expect(r.body.error.code).toBe("BAD_ARGUMENT");
    }
  });
});

describe("parameters and names", () => {
  it.each([
    ["a bad queue name", "bad:name", "", "BAD_NAME"],
    ["a queue name too long", "q".repeat(129), "", "BAD_NAME"],
    ["waitMs not a number", "q", "?waitMs=soon", "BAD_ARGUMENT"],
    ["waitMs negative", "q", "?waitMs=-5", "BAD_ARGUMENT"],
    ["waitMs over the server's cap", "q", "?waitMs=20001", "BAD_ARGUMENT"],
    ["waitMs given twice", "q", "?waitMs=1&waitMs=2", "BAD_ARGUMENT"],
    ["visibilityMs 0", "q", "?visibilityMs=0", "BAD_ARGUMENT"],
    ["visibilityMs over 12 h", "q", "?visibilityMs=43200001", "BAD_ARGUMENT"],
    ["an unknown parameter", "q", "?wait=5", "BAD_ARGUMENT"],
    ["a parameter in the wrong case", "q", "?waitms=5", "BAD_ARGUMENT"],
  ])("receive with %s → 400 %s", async (_what, q, query, code) => {
    const r = await json(await receive(q, query));
    expect(r.status).toBe(400);
    expect(r.body).toEqual({ error: { code, message: expect.any(String) } });
  });

  it("send with a bad delay or name → 400, nothing stored", async () => {
    const q = uniqueQueue();
    for (const [name, query, code] of [
      [q, "?delayMs=604800001", "BAD_ARGUMENT"],
      [q, "?delayMs=1.5", "BAD_ARGUMENT"],
      [q, "?delay=5", "BAD_ARGUMENT"],
      ["no spaces", "", "BAD_NAME"],
    ]) {
      const r = await json(await send(name!, "x", query));
      expect(r.status).toBe(400);
      expect(r.body.error.code).toBe(code);
    }
    expect((await json(await fetch(`${s.url}/v1/queues/${q}`))).body.sent).toBe(0);
  });
});

describe("long polls", () => {
  it("a waiting receive is woken by a send, well before its waitMs", async () => {
    const q = uniqueQueue();
    const t0 = Date.now();
    const waiting = receive(q, "?waitMs=15000");
    await sleep(300);
    await send(q, "wake up");
    const res = await waiting;
    expect(res.status).toBe(200);
    expect(await res.text()).toBe("wake up");
    expect(Date.now() - t0).toBeLessThan(10_000); // not the end of the wait
  });

  it("with max, a waiting receive answers as soon as one message is there", async () => {
    const q = uniqueQueue();
    const waiting = receive(q, "?waitMs=15000&max=5");
    await sleep(300);
    await send(q, "one");
    const { body } = await json(await waiting);
    expect(body.messages).toHaveLength(1);
  });

  it("waitMs passes with nothing: 204", async () => {
    const res = await receive(uniqueQueue(), "?waitMs=200");
    expect(res.status).toBe(204);
  });

  it("a client that disconnects during a long poll gets nothing reserved: the message stays receivable", async () => {
    const q = uniqueQueue();
    const ac = new AbortController();
    const waiting = receive(q, "?waitMs=15000").catch((e: Error) => e);
    const waitingMax = fetch(`${s.url}/v1/queues/${q}/messages?waitMs=15000&max=3`, { signal: ac.signal }).catch((e: Error) => e);
    const aborter = new AbortController();
    const gone = fetch(`${s.url}/v1/queues/${q}/messages?waitMs=15000`, { signal: aborter.signal }).catch((e: Error) => e);
    await sleep(300);
    aborter.abort();
    ac.abort();
    expect(await gone).toBeInstanceOf(Error);
    expect(await waitingMax).toBeInstanceOf(Error);
    await sleep(300); // the server has seen both disconnects
    await send(q, "for the one still waiting");
    const res = (await waiting) as Response;
    expect(res.status).toBe(200);
    expect(await res.text()).toBe("for the one still waiting");
    expect((await json(await fetch(`${s.url}/v1/queues/${q}`))).body).toMatchObject({ inFlight: 1, received: 1 });
  });

  it("a disconnect at the instant of the send leaves the message ready unless the reply was written", async () => {
    // The abort lands before, during or after the server reserves the message for the waiter. The
    // oracle is the server's own count of receive replies it finished writing: if it wrote one, the
    // message is in flight (the bytes left; the lease will bring it back if the client lost them);
    // if not, the message must be ready again, not stuck in flight.
    const written = () => metric(s.url, "tinyqs_http_requests_total", { method: "GET", route: "/v1/queues/:queue/messages", status: "200" });
    const outcomes = new Set<string>();
    for (const delay of [-1, 0, 0.5, 1, 1.5, 2, 2.5, 3, 4, 6]) {
      const q = uniqueQueue();
      const before = await written();
      const aborter = new AbortController();
      const waiting = fetch(`${s.url}/v1/queues/${q}/messages?waitMs=15000&visibilityMs=600000`, { signal: aborter.signal })
        .then((r) => r.arrayBuffer())
        .catch(() => null);
      await sleep(100); // the long poll is waiting
      if (delay < 0) aborter.abort();
      else setTimeout(() => aborter.abort(), delay);
      await s.engine.send(q, "race");
      await waiting;
      await sleep(150); // the server has seen the disconnect and put back what it had to
      const replied = (await written()) > before;
      outcomes.add(replied ? "replied" : "not replied");
      const st = (await json(await fetch(`${s.url}/v1/queues/${q}`))).body;
      if (replied) expect(st, `delay ${delay}`).toMatchObject({ inFlight: 1, ready: 0 });
      else expect(st, `delay ${delay}`).toMatchObject({ inFlight: 0, ready: 1 });
    }
    expect(outcomes.has("not replied")).toBe(true);
  });
});

describe("batch delete and touch (POST …/messages/delete, …/messages/touch)", () => {
  const post = (q: string, what: "delete" | "touch", body: unknown, query = "") =>
    fetch(`${s.url}/v1/queues/${q}/messages/${what}${query}`, { method: "POST", headers: JSON_TYPE, body: JSON.stringify(body) });
  const receiveBatch = async (q: string, max: number) =>
    (await json(await receive(q, `?max=${max}&visibilityMs=60000`))).body.messages as Array<{ id: string; receipt: string }>;

  it("200 with one result per item, in order; stale and malformed items fail alone", async () => {
    const q = uniqueQueue();
    await json(await fetch(`${s.url}/v1/queues/${q}/messages/batch`, {
      method: "POST", headers: JSON_TYPE, body: JSON.stringify({ messages: [{ body: "a" }, { body: "b" }] }),
    }));
    const [a, b] = await receiveBatch(q, 2);
    const touched = await json(await post(q, "touch", { receipts: [a!.receipt, `${a!.id}.9`, 7] }, "?visibilityMs=120000"));
    expect(touched.status).toBe(200);
    expect(touched.body.results).toEqual([
      { ok: true },
      { ok: false, error: { code: "NOT_FOUND", message: "receipts[1] is an unknown id, or a receipt whose delivery is over" } },
      { ok: false, error: { code: "BAD_ARGUMENT", message: "receipts[2] is not a receipt or an id: a non-empty string of at most 256 characters" } },
    ]);
    const deleted = await json(await post(q, "delete", { receipts: [a!.receipt, a!.receipt, b!.id] }));
    expect(deleted.body.results.map((r: { ok: boolean }) => r.ok)).toEqual([true, false, true]);
    expect((await json(await fetch(`${s.url}/v1/queues/${q}`))).body).toMatchObject({ ready: 0, inFlight: 0, deleted: 2 });
  });

  it("refuses the whole batch (400, nothing done) for more than 1000 items, a wrong shape or a non-JSON body", async () => {
    const q = uniqueQueue();
    await send(q, "kept");
    const [m] = await receiveBatch(q, 1);
    const over = await json(await post(q, "delete", { receipts: [m!.receipt, ...Array.from({ length: 1000 }, (_, i) => `1-${i}`)] }));
    expect(over).toEqual({ status: 400, body: { error: { code: "BAD_ARGUMENT", message: "a batch delete takes at most 1000 receipts, got 1001" } } });
    expect((await json(await post(q, "delete", [m!.receipt]))).body.error.code).toBe("BAD_ARGUMENT");
    expect((await json(await post(q, "touch", { receipts: [m!.receipt], visibilityMs: 5 }))).body.error.message).toBe('a batch touch takes no field "visibilityMs"');
    const text = await fetch(`${s.url}/v1/queues/${q}/messages/delete`, { method: "POST", body: m!.receipt });
    expect(text.status).toBe(415);
    expect((await json(await fetch(`${s.url}/v1/queues/${q}`))).body).toMatchObject({ inFlight: 1, deleted: 0 });
  });
});
