// The operator's routes over HTTP with fetch (issue 14): POST …/pause, …/resume, …/redrive and
// DELETE /v1/queues/:queue; stats carry paused and oldestReadyAgeMs; bad input (400), --token
// (401) and --users grants (403: admin on the queue, nothing done).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { deadLettered, operatorUsersFile } from "@tinyqs/test-support";
import { JSON_TYPE, json, sleep, startServer, uniqueQueue, type Running } from "./helpers.js";
import { WsClient } from "./ws-client.js";

let s: Running;
beforeAll(async () => {
  s = await startServer();
});
afterAll(() => s.close());

const post = (url: string, init: RequestInit = {}) => fetch(url, { method: "POST", ...init });

describe("queue operations over HTTP", () => {
  it("pause → { paused: true }: a receive gets 204 while sends are taken; resume → { paused: false } wakes a waiting long poll", async () => {
    const q = uniqueQueue("hpause");
    expect(await json(await post(`${s.url}/v1/queues/${q}/pause`))).toEqual({ status: 200, body: { paused: true } });
    expect((await post(`${s.url}/v1/queues/${q}/messages`, { body: "hi" })).status).toBe(201);
    expect((await fetch(`${s.url}/v1/queues/${q}/messages`)).status).toBe(204);
    const detail = (await json(await fetch(`${s.url}/v1/queues/${q}`))).body;
    expect(detail).toMatchObject({ ready: 1, paused: true, config: { paused: true } });
    expect(detail.oldestReadyAgeMs).toBeGreaterThanOrEqual(0);
    const waiting = fetch(`${s.url}/v1/queues/${q}/messages?waitMs=15000`);
    await sleep(200);
    expect(await json(await post(`${s.url}/v1/queues/${q}/resume`))).toEqual({ status: 200, body: { paused: false } });
    const got = await waiting;
    expect(got.status).toBe(200);
    expect(await got.text()).toBe("hi");
    const listed = (await json(await fetch(`${s.url}/v1/queues`))).body.find((x: { name: string }) => x.name === q);
    expect(listed).toMatchObject({ paused: false, oldestReadyAgeMs: null, inFlight: 1 });
  });

  it("a WebSocket subscription on a paused queue gets nothing until resume, then its messages", async () => {
    const q = uniqueQueue("hwspause");
    await post(`${s.url}/v1/queues/${q}/pause`);
    const c = await WsClient.open(s.wsUrl);
    try {
      await c.request("subscribe", { queue: q, prefetch: 5 });
      await post(`${s.url}/v1/queues/${q}/messages`, { body: "one" });
      await post(`${s.url}/v1/queues/${q}/messages`, { body: "two" });
      await sleep(500);
      expect(c.messages(q)).toEqual([]);
      expect((await s.engine.stats(q)).ready).toBe(2);
      await post(`${s.url}/v1/queues/${q}/resume`);
      const got = await c.waitMessages(2, q);
      expect(got.map((m) => Buffer.from(m.body, "base64").toString())).toEqual(["one", "two"]);
      // Paused again: the next one stays ready.
      await post(`${s.url}/v1/queues/${q}/pause`);
      await post(`${s.url}/v1/queues/${q}/messages`, { body: "three" });
      await sleep(500);
      expect(c.messages(q)).toHaveLength(2);
    } finally {
      await c.close();
    }
  });

  it("PUT cannot set paused (400, read only)", async () => {
    const q = uniqueQueue("hpaused-put");
    const r = await json(await fetch(`${s.url}/v1/queues/${q}`, { method: "PUT", headers: JSON_TYPE, body: JSON.stringify({ paused: true }) }));
    expect(r.status).toBe(400);
    expect(r.body.error.message).toMatch(/read only/);
  });

  it("redrive with no body, an empty JSON object, or { to, max } → { moved }", async () => {
    const q = uniqueQueue("hrd");
    const ids = await deadLettered(s.engine, q, 5);
    expect(await json(await post(`${s.url}/v1/queues/${q}.dead/redrive`, { headers: JSON_TYPE, body: JSON.stringify({ max: 2 }) }))).toEqual({ status: 200, body: { moved: 2 } });
    const other = uniqueQueue("hrd-to");
    expect(await json(await post(`${s.url}/v1/queues/${q}.dead/redrive`, { headers: JSON_TYPE, body: JSON.stringify({ to: other, max: 1 }) }))).toEqual({ status: 200, body: { moved: 1 } });
    expect(await json(await post(`${s.url}/v1/queues/${q}.dead/redrive`, { headers: JSON_TYPE, body: "{}" }))).toEqual({ status: 200, body: { moved: 2 } });
    expect(await json(await post(`${s.url}/v1/queues/${q}.dead/redrive`))).toEqual({ status: 200, body: { moved: 0 } });
    expect((await s.engine.browse(q, { state: "ready" })).map((m) => m.id)).toEqual([ids[0], ids[1], ids[3], ids[4]]);
    expect((await s.engine.browse(other, { state: "ready" })).map((m) => m.id)).toEqual([ids[2]]);
    const dead = (await json(await fetch(`${s.url}/v1/queues/${q}.dead/browse/ready`))).body;
    expect(dead).toEqual({ messages: [] });
  });

  it("browse of a dead-letter queue shows where each letter died", async () => {
    const q = uniqueQueue("hbrowse-dead");
    const [id] = await deadLettered(s.engine, q, 1);
    const { body } = await json(await fetch(`${s.url}/v1/queues/${q}.dead/browse/ready`));
    expect(body.messages[0]).toMatchObject({ deadLetterOf: { queue: q, id }, size: 2, body: Buffer.from("m0").toString("base64") });
  });

  it("redrive's bad input: not a dead-letter queue, to itself, bad max, unknown option, bad JSON, not JSON → 400/415", async () => {
    const q = uniqueQueue("hrdbad");
    await s.engine.send(q, "plain");
    const notDlq = await json(await post(`${s.url}/v1/queues/${q}/redrive`));
    expect(notDlq.status).toBe(400);
    expect(notDlq.body.error).toMatchObject({ code: "BAD_ARGUMENT", message: expect.stringMatching(/not a dead-letter queue/) });
    for (const body of [{ to: q }, { max: 0 }, { max: "3" }, { limit: 1 }, [1]]) {
      const r = await json(await post(`${s.url}/v1/queues/${q}/redrive`, { headers: JSON_TYPE, body: JSON.stringify(body) }));
      expect([r.status, r.body.error.code], JSON.stringify(body)).toEqual([400, "BAD_ARGUMENT"]);
    }
    expect((await json(await post(`${s.url}/v1/queues/${q}/redrive`, { headers: JSON_TYPE, body: "{" }))).status).toBe(400);
    expect((await post(`${s.url}/v1/queues/${q}/redrive`, { body: "{}" })).status).toBe(415);
    expect((await json(await post(`${s.url}/v1/queues/bad%20name/redrive`))).body.error.code).toBe("BAD_NAME");
    const none = await json(await post(`${s.url}/v1/queues/${uniqueQueue("hrd-none")}/redrive`));
    expect([none.status, none.body.error.code]).toEqual([404, "NOT_FOUND"]);
    // The routes take their one method only.
    for (const [method, p] of [["GET", "pause"], ["PUT", "resume"], ["GET", "redrive"]] as const) {
      const r = await json(await fetch(`${s.url}/v1/queues/${q}/${p}`, { method }));
      expect([r.status, r.body.error.code], `${method} ${p}`).toEqual([404, "NOT_FOUND"]);
    }
    expect((await s.engine.stats(q)).ready).toBe(1);
  });

  it("DELETE /v1/queues/:queue → 204: gone from the list, its messages and settings too; again → 204", async () => {
    const q = uniqueQueue("hdel");
    await s.engine.sendBatch(q, ["a", "b"]);
    await s.engine.configure(q, { visibilityMs: 5000 });
    const r = await fetch(`${s.url}/v1/queues/${q}`, { method: "DELETE" });
    expect([r.status, await r.text()]).toEqual([204, ""]);
    expect((await json(await fetch(`${s.url}/v1/queues`))).body.map((x: { name: string }) => x.name)).not.toContain(q);
    expect((await json(await fetch(`${s.url}/v1/queues/${q}`))).body).toMatchObject({ ready: 0, config: { visibilityMs: 30_000 } });
    expect((await fetch(`${s.url}/v1/queues/${q}`, { method: "DELETE" })).status).toBe(204);
    expect((await fetch(`${s.url}/v1/queues/bad%20name`, { method: "DELETE" })).status).toBe(400);
  });
});

describe("queue operations' credentials", () => {
  it("--token: 401 without it, nothing done", async () => {
    const t = await startServer({ token: "secret" });
    try {
      const q = uniqueQueue("htok");
      await t.engine.send(q, "x");
      for (const [method, p] of [["POST", "pause"], ["POST", "resume"], ["POST", "redrive"], ["DELETE", ""]] as const) {
        const r = await fetch(`${t.url}/v1/queues/${q}${p ? `/${p}` : ""}`, { method });
        expect(r.status, `${method} ${p}`).toBe(401);
      }
      expect(await t.engine.stats(q)).toMatchObject({ ready: 1, paused: false });
      const ok = await fetch(`${t.url}/v1/queues/${q}/pause`, { method: "POST", headers: { Authorization: "Bearer secret" } });
      expect(ok.status).toBe(200);
    } finally {
      await t.close();
    }
  });

  it("--users: admin on the queue needed (403 for send/receive grants, nothing done); an admin may", async () => {
    const file = await operatorUsersFile();
    const u = await startServer({ usersFile: file });
    try {
      const q = `jobs.${uniqueQueue("hgr")}`;
      await deadLettered(u.engine, q, 1);
      const as = (user: string, pass: string) => ({ Authorization: `Basic ${Buffer.from(`${user}:${pass}`).toString("base64")}` });
      for (const [method, p] of [["POST", "pause"], ["POST", "resume"], ["POST", "redrive"], ["DELETE", ""]] as const) {
        const target = p === "redrive" ? `${q}.dead` : q;
        const r = await json(await fetch(`${u.url}/v1/queues/${target}${p ? `/${p}` : ""}`, { method, headers: as("worker", "w-pass") }));
        expect([r.status, r.body.error.code], `${method} ${p}`).toEqual([403, "FORBIDDEN"]);
      }
      expect(await u.engine.stats(q)).toMatchObject({ paused: false });
      expect((await u.engine.stats(`${q}.dead`)).ready).toBe(1);
      const other = await json(await fetch(`${u.url}/v1/queues/elsewhere/pause`, { method: "POST", headers: as("operator", "o-pass") }));
      expect(other.status).toBe(403);
      expect((await json(await fetch(`${u.url}/v1/queues/${q}/pause`, { method: "POST", headers: as("operator", "o-pass") }))).body).toEqual({ paused: true });
      expect((await json(await fetch(`${u.url}/v1/queues/${q}.dead/redrive`, { method: "POST", headers: as("operator", "o-pass") }))).body).toEqual({ moved: 1 });
      expect((await fetch(`${u.url}/v1/queues/${q}`, { method: "DELETE", headers: as("operator", "o-pass") })).status).toBe(204);
    } finally {
      await u.close();
    }
  });
});

