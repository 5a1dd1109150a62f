// Request/response over real HTTP (fetch, and curl) against a running server on the private Redis:
// POST …/requests waits for the reply that a responder stores with POST …/messages/:receipt/respond
// after an ordinary receive; GET /v1/replies/:handle collects a reply later, once.
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { ALL_BYTES, eventually, json, metric, sleep, startServer, uniqueQueue, type Running, JSON_TYPE } from "./helpers.js";

/** What fetch takes as a request body. */
type RequestBody = NonNullable<RequestInit["body"]>;

const run = promisify(execFile);

let s: Running;
/** The private Redis itself: to see what the server did (a wait listening, a reply stored). */
let admin: Redis;
beforeAll(async () => {
  s = await startServer();
  admin = new Redis(inject("redisUrl"), { maxRetriesPerRequest: 1 });
});
afterAll(async () => {
  admin.disconnect();
  await s.close();
});

const request = (q: string, body: RequestBody, query = "", init: RequestInit = {}) =>
  fetch(`${s.url}/v1/queues/${q}/requests${query}`, { method: "POST", body, ...init });
const respond = (q: string, receipt: string, body: RequestBody) =>
  fetch(`${s.url}/v1/queues/${q}/messages/${receipt}/respond`, { method: "POST", body });
const collect = (handle: string, query = "", init: RequestInit = {}) =>
  fetch(`${s.url}/v1/replies/${encodeURIComponent(handle)}${query}`, init);
const stats = async (q: string) => (await json(await fetch(`${s.url}/v1/queues/${q}`))).body;

/** A responder's receive: the request with its id and receipt (fails when none came). */
async function take(q: string, query = "?waitMs=10000") {
  const res = await fetch(`${s.url}/v1/queues/${q}/messages${query}`);
  expect(res.status, `receive on ${q}`).toBe(200);
  return {
    id: res.headers.get("tinyqs-id")!,
    receipt: res.headers.get("tinyqs-receipt")!,
    receiveCount: Number(res.headers.get("tinyqs-receive-count")),
    body: Buffer.from(await res.arrayBuffer()),
  };
}

/** Reply waits the server has finished, however they ended (reply, nothing, or the client left). */
const waitsEnded = () => metric(s.url, "tinyqs_operation_duration_seconds_count", { operation: "wait" });
/** 200s the server finished writing on GET /v1/replies/:handle: replies it handed over. */
const repliesWritten = () => metric(s.url, "tinyqs_http_requests_total", { method: "GET", route: "/v1/replies/:handle", status: "200" });

/** Whether a reply wait of the server listens for the queue's replies: its long poll is waiting. */
async function listening(q: string): Promise<boolean> {
  const [, subscribers] = (await admin.pubsub("NUMSUB", `${s.prefix}:{${q}}:replied`)) as [string, number];
  return subscribers > 0;
}

/** Whether the reply to request `id` is stored, waiting to be collected. */
const replyStored = async (q: string, id: string) => (await admin.hexists(`${s.prefix}:{${q}}:replies`, id)) === 1;

/** put over HTTP: a plain send; the handle is `<queue>:<id>`. */
async function put(q: string, body: RequestBody): Promise<string> {
  const sent = await json(await fetch(`${s.url}/v1/queues/${q}/messages`, { method: "POST", body }));
  expect(sent.status).toBe(201);
  return `${q}:${sent.body.id}`;
}

describe("request and respond", () => {
  it("the caller of POST …/requests gets 200 with the exact reply bytes a responder stored with respond", async () => {
    const q = uniqueQueue();
    const reply = Buffer.from(ALL_BYTES).reverse();
    const calling = request(q, ALL_BYTES, "?timeoutMs=15000", { headers: { "Content-Type": "image/png" } });

    const req = await take(q); // the long poll is woken by the request
    expect(req.body.equals(ALL_BYTES)).toBe(true);
    expect(req.receiveCount).toBe(1);
    const answered = await respond(q, req.receipt, reply);
    expect(answered.status).toBe(204);
    expect(await answered.text()).toBe("");

    const res = await calling;
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/octet-stream");
    expect(res.headers.get("tinyqs-reply-handle")).toBe(`${q}:${req.id}`);
    expect(Buffer.from(await res.arrayBuffer()).equals(reply)).toBe(true);
    // the request is gone (answered = deleted), and the reply was handed over once
    expect(await stats(q)).toMatchObject({ ready: 0, inFlight: 0, delayed: 0, sent: 1, received: 1, deleted: 1 });
    expect((await collect(`${q}:${req.id}`, "?timeoutMs=0")).status).toBe(204);
  });

  it("an empty request and an empty reply are fine", async () => {
    const q = uniqueQueue();
    const calling = request(q, "", "?timeoutMs=15000");
    const req = await take(q);
    expect(req.body.length).toBe(0);
    expect((await respond(q, req.receipt, "")).status).toBe(204);
    const res = await calling;
    expect(res.status).toBe(200);
    expect((await res.arrayBuffer()).byteLength).toBe(0);
  });

  it("a responder whose lease ran out cannot respond (404); the next delivery's reply is the one the caller gets", async () => {
    const q = uniqueQueue();
    const calling = request(q, "question", "?timeoutMs=15000");
    const first = await take(q, "?waitMs=10000&visibilityMs=200");
    const second = await take(q, "?waitMs=10000"); // comes back when the first lease ends
    expect(second.id).toBe(first.id);
    expect(second.receiveCount).toBe(2);

    const late = await json(await respond(q, first.receipt, "from the first"));
    expect(late).toEqual({ status: 404, body: { error: { code: "NOT_FOUND", message: expect.any(String) } } });
    expect((await respond(q, second.receipt, "from the second")).status).toBe(204);

    const res = await calling;
    expect(res.status).toBe(200);
    expect(await res.text()).toBe("from the second");
    expect((await collect(`${q}:${first.id}`, "?timeoutMs=0")).status).toBe(204); // no second reply anywhere
    expect(await stats(q)).toMatchObject({ ready: 0, inFlight: 0, deleted: 1 });
  });

  it("a second respond, a stale or unknown receipt → 404 NOT_FOUND, and the stored reply is not replaced", async () => {
    const q = uniqueQueue();
    const handle = await put(q, "one");
    const req = await take(q);
    expect((await respond(q, req.receipt, "first answer")).status).toBe(204);
    const again = await json(await respond(q, req.receipt, "second answer"));
    expect(again.status).toBe(404);
    expect(again.body.error.code).toBe("NOT_FOUND");

    const other = await put(q, "two");
    const held = await take(q);
    for (const receipt of [`${held.id}.2`, `${held.id}.0`, held.id, "1-1.1", "nope"]) {
      const r = await json(await respond(q, receipt, "wrong"));
      expect(r.status, receipt).toBe(404);
      expect(r.body.error.code).toBe("NOT_FOUND");
    }
    expect((await respond(q, held.receipt, "right")).status).toBe(204); // the real receipt was untouched

    expect(await (await collect(handle)).text()).toBe("first answer");
    expect(await (await collect(other)).text()).toBe("right");
  });

  it("a reply larger than the queue's maxMessageBytes → 413 TOO_BIG, nothing stored; the request can still be answered", async () => {
    const q = uniqueQueue();
    await fetch(`${s.url}/v1/queues/${q}`, { method: "PUT", headers: JSON_TYPE, body: JSON.stringify({ maxMessageBytes: 10 }) });
    const handle = await put(q, "small");
    const req = await take(q);
    const big = await json(await respond(q, req.receipt, "eleven bytes"));
    expect(big.status).toBe(413);
    expect(big.body.error.code).toBe("TOO_BIG");
    expect(await stats(q)).toMatchObject({ inFlight: 1, deleted: 0 });
    expect((await respond(q, req.receipt, "ten bytes!")).status).toBe(204);
    expect(await (await collect(handle)).text()).toBe("ten bytes!");
  });
});

describe("timeouts and collecting later", () => {
  it("no reply in time: 504 TIMEOUT with the handle; the reply responded later is collected with GET /v1/replies/:handle, once", async () => {
    const q = uniqueQueue();
    const res = await request(q, "slow question", "?timeoutMs=200");
    expect(res.status).toBe(504);
    const handle = res.headers.get("tinyqs-reply-handle")!;
    expect(handle).toMatch(new RegExp(`^${q}:\\d+-\\d+$`));
    const err = await json(res);
    expect(err.body).toEqual({ error: { code: "TIMEOUT", message: expect.stringContaining(`/v1/replies/${encodeURIComponent(handle)}`) } });

    const req = await take(q); // the request is still queued
    expect(`${q}:${req.id}`).toBe(handle);
    expect(req.body.toString()).toBe("slow question");
    expect((await respond(q, req.receipt, ALL_BYTES)).status).toBe(204);

    const got = await collect(handle);
    expect(got.status).toBe(200);
    expect(got.headers.get("content-type")).toBe("application/octet-stream");
    expect(Buffer.from(await got.arrayBuffer()).equals(ALL_BYTES)).toBe(true);
    const second = await collect(handle, "?timeoutMs=0");
    expect(second.status).toBe(204);
    expect(await second.text()).toBe("");
  });

  it("GET /v1/replies/:handle long-polls: a respond while it waits answers it with the reply", async () => {
    const q = uniqueQueue();
    const handle = await put(q, "q");
    const waiting = collect(handle, "?timeoutMs=15000");
    await eventually(() => listening(q)); // the long poll is waiting
    const req = await take(q);
    expect((await respond(q, req.receipt, "answer")).status).toBe(204);
    const got = await waiting;
    expect(got.status).toBe(200);
    expect(await got.text()).toBe("answer");
  });

  it("GET /v1/replies/:handle with nothing there answers 204 after timeoutMs (0: at once)", async () => {
    const handle = await put(uniqueQueue(), "never answered");
    expect((await collect(handle, "?timeoutMs=0")).status).toBe(204);
    expect((await collect(handle, "?timeoutMs=200")).status).toBe(204);
  });

  it("a reply not collected within the queue's replyTtlMs expires: 204", async () => {
    const q = uniqueQueue();
    const cfg = await json(await fetch(`${s.url}/v1/queues/${q}`, { method: "PUT", headers: JSON_TYPE, body: JSON.stringify({ replyTtlMs: 200, dedupWindowMs: 300000 }) }));
    expect(cfg).toEqual({
      status: 200,
      body: { visibilityMs: 30000, maxReceives: 0, deadLetterQueue: `${q}.dead`, maxMessageBytes: 1048576, replyTtlMs: 200, dedupWindowMs: 300000, paused: false },
    });
    const handle = await put(q, "q");
    const req = await take(q);
    expect((await respond(q, req.receipt, "too late")).status).toBe(204);
    await sleep(500);
    expect((await collect(handle, "?timeoutMs=0")).status).toBe(204);
  });

  it("replyTtlMs out of range → 400 BAD_ARGUMENT", async () => {
    for (const replyTtlMs of [0, 7 * 24 * 3600_000 + 1, "300000"]) {
      const r = await json(await fetch(`${s.url}/v1/queues/${uniqueQueue()}`, { method: "PUT", headers: JSON_TYPE, body: JSON.stringify({ replyTtlMs }) }));
      expect(r.status, String(replyTtlMs)).toBe(400);
      expect(r.body.error.code).toBe("BAD_ARGUMENT");
    }
  });

  it("without timeoutMs the wait is the engine's 30 s cut to the server's --max-wait-ms", async () => {
    const short = await startServer({ maxWaitMs: 300 });
    try {
      const q = uniqueQueue();
      const res = await fetch(`${short.url}/v1/queues/${q}/requests`, { method: "POST", body: "x" });
      expect(res.status).toBe(504);
      expect((await json(res)).body.error.message).toContain("within 300 ms");
      expect((await fetch(`${short.url}/v1/replies/${q}:1-1`)).status).toBe(204);
      const over = await json(await fetch(`${short.url}/v1/replies/${q}:1-1?timeoutMs=301`));
      expect(over.status).toBe(400);
      expect(over.body.error.message).toContain("timeoutMs must be an integer from 0 to 300");
    } finally {
      await short.close();
    }
  });
});

describe("clients that leave", () => {
  it("a client that abandons its GET /v1/replies long poll does not take the reply: it is still collectable", async () => {
    const q = uniqueQueue();
    const handle = await put(q, "q");
    const ended = await waitsEnded();
    const ac = new AbortController();
    const abandoned = collect(handle, "?timeoutMs=15000", { signal: ac.signal }).catch((e: Error) => e);
    await eventually(() => listening(q)); // the long poll is waiting
    ac.abort();
    expect(await abandoned).toBeInstanceOf(Error);
    await eventually(async () => (await waitsEnded()) > ended); // the server has seen the disconnect
    const req = await take(q);
    expect((await respond(q, req.receipt, "still here")).status).toBe(204);
    const got = await collect(handle, "?timeoutMs=0");
    expect(got.status).toBe(200);
    expect(await got.text()).toBe("still here");
  });

  it("a caller that disconnects from POST …/requests leaves the reply to be collected", async () => {
    const q = uniqueQueue();
    const ended = await waitsEnded();
    const ac = new AbortController();
    const abandoned = request(q, "q", "?timeoutMs=15000", { signal: ac.signal }).catch((e: Error) => e);
    const req = await take(q);
    ac.abort();
    expect(await abandoned).toBeInstanceOf(Error);
    await eventually(async () => (await waitsEnded()) > ended); // the server has seen the disconnect
    expect((await respond(q, req.receipt, "for later")).status).toBe(204);
    expect(await (await collect(`${q}:${req.id}`)).text()).toBe("for later");
  });

  it("a disconnect at the instant of the respond: the reply was written to the client, or it is still collectable", async () => {
    // The abort lands before, during or after the engine collects the reply for the waiter. The oracle
    // is the server's own count of 200s it finished writing on this route: if it wrote one, the reply
    // left with it; if not, the reply must still be there for the next collect, never lost, and
    // never both.
    const outcomes = new Set<string>();
    for (const delay of [-1, 0, 0.5, 1, 1.5, 2, 2.5, 3, 4, 6]) {
      const q = uniqueQueue();
      const handle = await s.engine.put(q, "race");
      const req = (await s.engine.take(q))!;
      const [written, ended] = [await repliesWritten(), await waitsEnded()];
      const aborter = new AbortController();
      const waiting = collect(handle, "?timeoutMs=15000", { signal: aborter.signal })
        .then((r) => r.arrayBuffer())
        .catch(() => null);
      await eventually(() => listening(q)); // the long poll is waiting
      if (delay < 0) aborter.abort();
      else setTimeout(() => aborter.abort(), delay);
      expect(await s.engine.respond(q, req.receipt!, "the reply")).toBe(true);
      await waiting;
      // The server's wait has ended (so it no longer holds a collected reply), and it either wrote
      // the reply or the reply is stored again: whichever happened, once it has happened it stays.
      await eventually(async () => (await waitsEnded()) > ended, 10_000);
      await eventually(async () => (await repliesWritten()) > written || (await replyStored(q, req.id)), 10_000).catch(() => {
        throw new Error(`delay ${delay}: the reply was neither written to the client nor stored again: lost`);
      });
      const replied = (await repliesWritten()) > written;
      outcomes.add(replied ? "replied" : "not replied");
      const left = await collect(handle, "?timeoutMs=0");
      if (replied) expect(left.status, `delay ${delay}: written to the client and still collectable`).toBe(204);
      else {
        expect(left.status, `delay ${delay}`).toBe(200);
        expect(await left.text()).toBe("the reply");
      }
    }
    expect(outcomes.has("not replied")).toBe(true);
  });
});

describe("bad input", () => {
  it.each([
    ["no ':'", "nohandle", ""],
    ["a bad queue name", "bad name:1-1", ""],
    ["an id that is not one", "q:abc", ""],
    ["an empty id", "q:", ""],
    ["timeoutMs over the server's cap", "q:1-1", "?timeoutMs=20001"],
    ["timeoutMs not a number", "q:1-1", "?timeoutMs=soon"],
    ["an unknown parameter", "q:1-1", "?waitMs=5"],
  ])("GET /v1/replies with %s → 400 BAD_ARGUMENT", async (_what, handle, query) => {
    const r = await json(await collect(handle, query));
    expect(r.status).toBe(400);
    expect(r.body).toEqual({ error: { code: "BAD_ARGUMENT", message: expect.any(String) } });
  });

  it("POST …/requests with a bad name or parameter → 400, nothing queued", async () => {
    const q = uniqueQueue();
    for (const [name, query, code] of [
      [q, "?timeoutMs=20001", "BAD_ARGUMENT"],
      [q, "?timeoutMs=-1", "BAD_ARGUMENT"],
      [q, "?delayMs=5", "BAD_ARGUMENT"],
      ["bad:name", "", "BAD_NAME"],
    ] as const) {
      const r = await json(await request(name, "x", query));
      expect(r.status, `${name}${query}`).toBe(400);
      expect(r.body.error.code).toBe(code);
    }
    expect((await stats(q)).sent).toBe(0);
  });

  it("respond takes no parameters, and checks the queue name: 400", async () => {
    const q = uniqueQueue();
    await put(q, "q");
    const req = await take(q);
    const stray = await json(await fetch(`${s.url}/v1/queues/${q}/messages/${req.receipt}/respond?delayMs=5`, { method: "POST", body: "x" }));
    expect(stray.status).toBe(400);
    expect(stray.body.error.code).toBe("BAD_ARGUMENT");
    expect((await json(await respond("bad:name", req.receipt, "x"))).body.error.code).toBe("BAD_NAME");
    expect((await respond(q, req.receipt, "still answerable")).status).toBe(204);
  });
});

describe("metrics", () => {
  it("put, wait and respond are counted as engine operations, a stale respond as NOT_FOUND", async () => {
    const q = uniqueQueue();
    const calling = request(q, "q", "?timeoutMs=15000");
    const req = await take(q);
    await respond(q, req.receipt, "a");
    await (await calling).arrayBuffer();
    await respond(q, req.receipt, "again");
    const text = await (await fetch(`${s.url}/metrics`)).text();
    for (const [op, outcome] of [["put", "ok"], ["wait", "ok"], ["respond", "ok"], ["respond", "NOT_FOUND"]]) {
      expect(text).toMatch(new RegExp(`^tinyqs_operations_total\\{path="rest",operation="${op}",outcome="${outcome}"\\} [1-9]\\d*$`, "m"));
    }
    expect(text).toMatch(/^tinyqs_operation_duration_seconds_count\{path="rest",operation="wait"\} [1-9]\d*$/m);
    expect(text).toMatch(/^tinyqs_http_requests_total\{method="POST",route="\/v1\/queues\/:queue\/requests",status="200"\} [1-9]\d*$/m);
  });
});

describe("with curl", () => {
  it("a request, a respond and a collect with the handle as it comes, unencoded", async () => {
    await run("curl", ["--version"]).catch(() => {
      throw new Error("the curl binary is needed for this test (apt-get install curl)");
    });
    const q = uniqueQueue("curl");
    // The caller: -i to see the status and the handle header; a 300 ms wait that runs out.
    const timedOut = await run("curl", ["-sS", "-i", "--data-binary", "what is 6*7?", `${s.url}/v1/queues/${q}/requests?timeoutMs=300`]);
    expect(timedOut.stdout).toMatch(/^HTTP\/1\.1 504 /);
    expect(timedOut.stdout).toContain('"code":"TIMEOUT"');
    const handle = /^tinyqs-reply-handle: (\S+)\r?$/im.exec(timedOut.stdout)![1]!;

    // The responder: receive, then respond with the receipt from the header.
    const got = await run("curl", ["-sS", "-D", "-", `${s.url}/v1/queues/${q}/messages?waitMs=5000`]);
    expect(got.stdout).toMatch(/what is 6\*7\?$/);
    const receipt = /^tinyqs-receipt: (\S+)\r?$/im.exec(got.stdout)![1]!;
    const answered = await run("curl", ["-sS", "-o", "/dev/null", "-w", "%{http_code}", "--data-binary", "42", `${s.url}/v1/queues/${q}/messages/${receipt}/respond`]);
    expect(answered.stdout).toBe("204");

    // The caller again: curl sends the ':' as it is; then a second collect finds nothing.
    const reply = await run("curl", ["-sS", "-w", " %{http_code}", `${s.url}/v1/replies/${handle}?timeoutMs=1000`]);
    expect(reply.stdout).toBe("42 200");
    const none = await run("curl", ["-sS", "-o", "/dev/null", "-w", "%{http_code}", `${s.url}/v1/replies/${encodeURIComponent(handle)}?timeoutMs=0`]);
    expect(none.stdout).toBe("204");
  });
});
