// --users over HTTP: Basic user:password and Bearer <password> per user, 401 without or with wrong
// credentials, every grant allowed and denied on the REST routes (403 FORBIDDEN, nothing changed),
// globs, the queue list filtered, /metrics for admins of `*` only; the WebSocket's upgrade and
// each op checked against the grants; reload(): a removed user's requests are refused and its
// socket closed (1008), a grant taken away closes a subscription's socket.
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writeUsersFile, type TestUser } from "@tinyqs/test-support";
import { json, startServer, type Running } from "./helpers.js";
import { WsClient } from "./ws-client.js";

const dir = mkdtempSync(path.join(os.tmpdir(), "tinyqs-http-users-"));
const file = path.join(dir, "users.json");
const USERS: TestUser[] = [
  { name: "producer", password: "p-pass", grants: [{ queues: "orders.*", allow: ["send"] }] },
  { name: "worker", password: "w-pass", grants: [{ queues: "orders.*", allow: ["receive"] }] },
  { name: "operator", password: "o-pass", grants: [{ queues: "orders.*", allow: ["admin"] }] },
  { name: "root", password: "r-pass", grants: [{ queues: "*", allow: ["send", "receive", "admin"] }] },
  // A glob that happens to match the name "*" is not admin on every queue.
  { name: "globber", password: "g-pass", grants: [{ queues: "?*", allow: ["admin"] }] },
];
const basic = (user: string, pass: string) => ({ Authorization: `Basic ${Buffer.from(`${user}:${pass}`).toString("base64")}` });
const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

let s: Running;
beforeAll(async () => {
  await writeUsersFile(file, USERS);
  s = await startServer({ usersFile: file });
});
afterAll(() => s.close());

const call = (method: string, route: string, headers: Record<string, string>, body?: string) =>
  fetch(`${s.url}${route}`, { method, headers: { ...headers, ...(body !== undefined && route.endsWith("batch") ? { "Content-Type": "application/json" } : {}) }, body });

async function expectForbidden(r: Response, user: string, verb: string, queue: string) {
  const { status, body } = await json(r);
  expect({ status, body }).toEqual({ status: 403, body: { error: { code: "FORBIDDEN", message: `user "${user}" may not ${verb} on queue "${queue}"` } } });
}

describe("REST with --users", () => {
  it("401 without credentials or with wrong ones (a Basic challenge offered); /healthz needs none", async () => {
    const none = await call("GET", "/v1/queues", {});
    expect(none.status).toBe(401);
    expect(none.headers.get("www-authenticate")).toBe('Basic realm="tinyqs", Bearer realm="tinyqs"');
    for (const h of [basic("producer", "nope"), basic("ghost", "p-pass"), bearer("nope")]) {
      const { status, body } = await json(await call("POST", "/v1/queues/orders.eu/messages", h, "x"));
      expect({ status, code: body.error.code }).toEqual({ status: 401, code: "UNAUTHORIZED" });
    }
    expect((await call("GET", "/healthz", {})).status).toBe(200);
  });

  it("send: send, batch send, request and reply on orders.*; every other route and queue 403", async () => {
    for (const h of [basic("producer", "p-pass"), bearer("p-pass")]) {
      expect((await call("POST", "/v1/queues/orders.eu/messages", h, "a")).status).toBe(201);
      expect((await call("POST", "/v1/queues/orders.eu/messages/batch", h, JSON.stringify({ messages: [{ body: "b" }] }))).status).toBe(201);
    }
    const h = basic("producer", "p-pass");
    const req = await call("POST", "/v1/queues/orders.rpc/requests?timeoutMs=1", h, "q");
    expect(req.status).toBe(504);
    const handle = req.headers.get("tinyqs-reply-handle")!;
    expect((await call("GET", `/v1/replies/${encodeURIComponent(handle)}?timeoutMs=1`, h)).status).toBe(204);
    await expectForbidden(await call("POST", "/v1/queues/billing/messages", h, "a"), "producer", "send", "billing");
    await expectForbidden(await call("GET", "/v1/replies/billing%3A1-1", h), "producer", "send", "billing");
    await expectForbidden(await call("GET", "/v1/queues/orders.eu/messages", h), "producer", "receive", "orders.eu");
    await expectForbidden(await call("GET", "/v1/queues/orders.eu/messages/peek", h), "producer", "receive", "orders.eu");
    await expectForbidden(await call("DELETE", "/v1/queues/orders.eu/messages/1-1", h), "producer", "receive", "orders.eu");
    await expectForbidden(await call("POST", "/v1/queues/orders.eu/purge", h), "producer", "admin", "orders.eu");
    // Its settings, not its stats (a worker needs visibilityMs, a producer maxMessageBytes).
    const shown = await json(await call("GET", "/v1/queues/orders.eu", h));
    expect(shown.status).toBe(200);
    expect(Object.keys(shown.body).sort()).toEqual(["config", "name"]);
    await expectForbidden(await call("GET", "/v1/queues/billing", h), "producer", "admin", "billing");
    const list = await json(await call("GET", "/v1/queues", h));
    expect(list).toEqual({ status: 403, body: { error: { code: "FORBIDDEN", message: 'user "producer" may not list queues (it has no admin grant)' } } });
    await expectForbidden(await call("GET", "/metrics", h), "producer", "admin", "*");
    expect((await call("GET", "/v1/openapi.json", h)).status).toBe(200); // open to every user
  });

  it("receive: receive, peek, touch, release, delete, respond on orders.*; not send, not admin; a denied purge purges nothing", async () => {
    await s.engine.sendBatch("orders.work", [Buffer.from("one"), Buffer.from("two")]);
    const h = basic("worker", "w-pass");
    expect((await call("GET", "/v1/queues/orders.work/messages/peek", h)).status).toBe(200);
    const got = await call("GET", "/v1/queues/orders.work/messages?visibilityMs=60000", h);
    expect(got.status).toBe(200);
    const receipt = got.headers.get("tinyqs-receipt")!;
    expect((await call("POST", `/v1/queues/orders.work/messages/${receipt}/touch`, h)).status).toBe(204);
    expect((await call("POST", `/v1/queues/orders.work/messages/${receipt}/release`, h)).status).toBe(204);
    const again = (await call("GET", "/v1/queues/orders.work/messages", h)).headers.get("tinyqs-receipt")!;
    expect((await call("DELETE", `/v1/queues/orders.work/messages/${again}`, h)).status).toBe(204);
    const handle = await s.engine.put("orders.rpc2", Buffer.from("q"));
    const taken = (await call("GET", "/v1/queues/orders.rpc2/messages", h)).headers.get("tinyqs-receipt")!;
    expect((await call("POST", `/v1/queues/orders.rpc2/messages/${taken}/respond`, h, "answer")).status).toBe(204);
    expect((await s.engine.wait(handle, { timeoutMs: 5000 }))?.toString()).toBe("answer");
    await expectForbidden(await call("POST", "/v1/queues/orders.work/messages", h, "x"), "worker", "send", "orders.work");
    await expectForbidden(await call("GET", "/v1/queues/billing/messages", h), "worker", "receive", "billing");
    await expectForbidden(await call("POST", "/v1/queues/orders.work/purge", h), "worker", "admin", "orders.work");
    expect((await s.engine.stats("orders.work")).ready).toBe(1);
  });

  it("admin: stats, settings, configure, purge on orders.*; the queue list shows only its queues; /metrics needs admin on *", async () => {
    await s.engine.send("billing", Buffer.from("secret"));
    await s.engine.send("orders.listed", Buffer.from("x"));
    const h = basic("operator", "o-pass");
    const list = await json(await call("GET", "/v1/queues", h));
    const names = (list.body as Array<{ name: string }>).map((q) => q.name);
    expect(names).toContain("orders.listed");
    expect(names).not.toContain("billing");
    expect(names.every((n) => n.startsWith("orders."))).toBe(true);
    expect((await call("GET", "/v1/queues/orders.listed", h)).status).toBe(200);
    const put = await fetch(`${s.url}/v1/queues/orders.listed`, { method: "PUT", headers: { ...h, "Content-Type": "application/json" }, body: JSON.stringify({ visibilityMs: 45000 }) });
    expect((await json(put)).body.visibilityMs).toBe(45000);
    expect((await json(await call("POST", "/v1/queues/orders.listed/purge", h))).body).toEqual({ purged: 1 });
    await expectForbidden(await call("GET", "/v1/queues/billing", h), "operator", "admin", "billing");
    await expectForbidden(await call("GET", "/metrics", h), "operator", "admin", "*");
    expect((await call("GET", "/metrics", basic("root", "r-pass"))).status).toBe(200);
    await expectForbidden(await call("GET", "/metrics", basic("globber", "g-pass")), "globber", "admin", "*");
    expect((await json(await call("GET", "/v1/queues", basic("root", "r-pass")))).body.map((q: { name: string }) => q.name)).toContain("billing");
  });
});

describe("WebSocket with --users", () => {
  it("the upgrade needs credentials (Basic, Bearer, ?token=); each op is checked against the grants", async () => {
    await expect(WsClient.open(s.wsUrl)).rejects.toMatchObject({ status: 401 });
    await expect(WsClient.open(`${s.wsUrl}?token=wrong`)).rejects.toMatchObject({ status: 401 });
    const producer = await WsClient.open(s.wsUrl, { headers: basic("producer", "p-pass") });
    expect((await producer.request("send", { queue: "orders.ws", body: "aGk=" })).id).toEqual(expect.any(String));
    expect((await producer.request("sendBatch", { queue: "orders.ws", messages: [{ body: "aGk=" }] })).ids).toEqual([expect.any(String)]);
    expect((await producer.request("send", { queue: "billing", body: "aGk=" })).error).toEqual({ code: "FORBIDDEN", message: 'user "producer" may not send on queue "billing"' });
    expect((await producer.request("subscribe", { queue: "orders.ws", prefetch: 1 })).error.code).toBe("FORBIDDEN");
    producer.socket.close();
    const worker = await WsClient.open(`${s.wsUrl}?token=w-pass`);
    expect((await worker.request("subscribe", { queue: "orders.ws", prefetch: 1 })).error).toBeUndefined();
    const [m] = await worker.waitMessages(1, "orders.ws");
    expect((await worker.request("delete", { queue: "orders.ws", receipt: m!.receipt })).error).toBeUndefined();
    expect((await worker.request("send", { queue: "orders.ws", body: "aGk=" })).error.code).toBe("FORBIDDEN");
    expect((await worker.request("sendBatch", { queue: "orders.ws", messages: [{ body: "aGk=" }] })).error.code).toBe("FORBIDDEN");
    worker.socket.close();
  });
});

describe("reload()", () => {
  it("a removed user is refused at its next request and its WebSocket closes (1008); a grant taken away closes a subscriber's socket", async () => {
    const gone = await WsClient.open(s.wsUrl, { headers: basic("producer", "p-pass") });
    const sub = await WsClient.open(s.wsUrl, { headers: bearer("w-pass") });
    expect((await sub.request("subscribe", { queue: "orders.reload", prefetch: 1 })).error).toBeUndefined();
    const keep = await WsClient.open(s.wsUrl, { headers: basic("operator", "o-pass") });
    const original = readFileSync(file, "utf8");
    // The same hashes (a new hash of the same password would be a changed password), users edited.
    const edited = JSON.parse(original) as { users: Array<{ name: string; grants: unknown[] }> };
    edited.users = edited.users.filter((u) => u.name !== "producer");
    edited.users.find((u) => u.name === "worker")!.grants = [{ queues: "orders.*", allow: ["send"] }];
    writeFileSync(file, JSON.stringify(edited));
    try {
      expect(s.http.reload()).toEqual(["the users file"]);
      expect((await gone.closed).code).toBe(1008);
      expect(await sub.closed).toEqual({ code: 1008, reason: "the user may no longer receive from orders.reload" });
      expect((await call("POST", "/v1/queues/orders.eu/messages", basic("producer", "p-pass"), "x")).status).toBe(401);
      expect((await call("POST", "/v1/queues/orders.eu/messages", basic("worker", "w-pass"), "x")).status).toBe(201); // its new grant
      expect(keep.socket.readyState).toBe(keep.socket.OPEN);
    } finally {
      writeFileSync(file, original);
      s.http.reload();
      keep.socket.close();
    }
  });
});
