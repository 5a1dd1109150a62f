// Browsers, CORS and CSRF (issue 17): a web page on another origin cannot change anything on a
// server that did not allow it (--cors-origin), whatever the request looks like ("simple" text/plain
// POSTs included, and the WebSocket upgrade); allowed origins get proper CORS answers; requests
// without Origin (curl, SDKs, servers) and from the server's own origin are served as before.
// Real servers, real fetch (which lets a test set Origin and Sec-Fetch-Site as a browser would).
import { request, type IncomingMessage } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { parseAllowedHosts } from "../src/allowed-hosts.js";
import { createHttpServer } from "../src/index.js";
import { originPolicy } from "../src/origin.js";
import { JSON_TYPE, json, startServer, uniqueQueue, type Running } from "./helpers.js";

const EVIL = "https://evil.example";
const APP = "https://app.example";

/** A "simple" cross-origin request: what a page's <form> or fetch(no-cors) sends without a preflight. */
const simple = (origin: string) => ({ Origin: origin, "Content-Type": "text/plain;charset=UTF-8", "Sec-Fetch-Site": "cross-site" });

/**
 * A request with the exact headers given, Host included (fetch() will not set Host): what a browser
 * sends when evil.example has been re-pointed to 127.0.0.1, or curl with -H 'Host: …'.
 */
function raw(url: string, init: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<{ status: number; body: any; headers: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: init.method ?? "GET", headers: init.headers }, (res) => {
      let text = "";
      res.on("data", (c: Buffer) => (text += c.toString()));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body: text ? JSON.parse(text) : null, headers: res.headers }));
    });
    req.once("error", reject);
    req.end(init.body);
  });
}

/** Opening a WebSocket: the status of the refusal, or 101 when it opened. */
function upgrade(url: string, options: WebSocket.ClientOptions = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, options);
    ws.once("open", () => {
      ws.close();
      resolve({ status: 101, body: "" });
    });
    ws.once("unexpected-response", (_req, res) => {
      let body = "";
      res.on("data", (c: Buffer) => (body += c.toString()));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
    });
    ws.once("error", (e) => reject(e));
  });
}

describe("no --cors-origin: pages of other origins change nothing", () => {
  let s: Running;
  beforeAll(async () => (s = await startServer()));
  afterAll(() => s.close());

  it("a cross-origin simple POST (text/plain JSON body) is refused 403 FORBIDDEN and nothing is stored", async () => {
    const q = uniqueQueue();
    const attempts = [
      fetch(`${s.url}/v1/queues/${q}/messages`, { method: "POST", headers: simple(EVIL), body: '{"evil":1}' }),
      fetch(`${s.url}/v1/queues/${q}/messages/batch`, { method: "POST", headers: simple(EVIL), body: '{"messages":[{"body":"x"}]}' }),
      fetch(`${s.url}/v1/queues/${q}/requests?timeoutMs=0`, { method: "POST", headers: simple(EVIL), body: "x" }),
    ];
    for (const res of await Promise.all(attempts)) {
      const r = await json(res);
      expect(r.status).toBe(403);
      expect(r.body.error.code).toBe("FORBIDDEN");
      expect(r.body.error.message).toContain(EVIL);
      expect(r.body.error.message).toContain("--cors-origin");
      expect(res.headers.get("access-control-allow-origin")).toBeNull();
    }
    expect(await s.engine.stats(q)).toMatchObject({ ready: 0, sent: 0 });
  });

  it("purge, configure, delete, touch, release, respond, receive and a reply collect are refused; the queue is untouched", async () => {
    const q = uniqueQueue();
    const id = await s.engine.send(q, "keep me");
    const held = await s.engine.put(q, "a request");
    const headers = { Origin: EVIL };
    const url = `${s.url}/v1/queues/${q}`;
    const attempts: Array<[string, RequestInit]> = [
      [`${url}/purge`, { method: "POST", headers }],
      [url, { method: "PUT", headers: { ...headers, ...JSON_TYPE }, body: '{"visibilityMs":1}' }],
      [`${url}/messages/${id}`, { method: "DELETE", headers }],
      [`${url}/messages/${id}.1/touch`, { method: "POST", headers }],
      [`${url}/messages/${id}.1/release`, { method: "POST", headers }],
      [`${url}/messages/${id}.1/respond`, { method: "POST", headers, body: "x" }],
      // GETs that change state: a receive reserves, a collect takes the reply (any case, as express routes).
      [`${url}/messages?waitMs=0`, { headers }],
      [`${s.url}/V1/QUEUES/${q}/MESSAGES`, { headers }],
      [`${url}/messages?max=10`, { headers: { "Sec-Fetch-Site": "cross-site" } }],
      [`${s.url}/v1/replies/${encodeURIComponent(held)}?timeoutMs=0`, { headers }],
    ];
    for (const [at, init] of attempts) {
      const r = await json(await fetch(at, init));
      expect(r.status, `${init.method ?? "GET"} ${at}`).toBe(403);
      expect(r.body.error.code).toBe("FORBIDDEN");
    }
    expect(await s.engine.stats(q)).toMatchObject({ ready: 2, inFlight: 0, deleted: 0, received: 0 });
    expect((await s.engine.getConfig(q)).visibilityMs).toBe(30000);
  });

  it("Sec-Fetch-Site: cross-site or same-site without Origin is refused; same-origin / none without Origin are served", async () => {
    // Changed by the rebinding review: same-site was served, but ports do not count for same-site.
    const q = uniqueQueue();
    const post = (site: string) => fetch(`${s.url}/v1/queues/${q}/messages`, { method: "POST", headers: { "Sec-Fetch-Site": site }, body: "x" });
    expect((await post("cross-site")).status).toBe(403);
    expect((await post("same-site")).status).toBe(403);
    for (const site of ["same-origin", "none"]) expect((await post(site)).status, site).toBe(201);
    expect((await s.engine.stats(q)).sent).toBe(2);
  });

  it("a state-changing GET with Sec-Fetch-Site: same-site and no Origin (an <img> on 127.0.0.1:3000) is refused; nothing received, the reply kept", async () => {
    const q = uniqueQueue();
    await s.engine.send(q, "not for port 3000");
    const held = await s.engine.put(q, "a request");
    const img = { "Sec-Fetch-Site": "same-site", "Sec-Fetch-Dest": "image", "Sec-Fetch-Mode": "no-cors" };
    for (const at of [`${s.url}/v1/queues/${q}/messages?max=10`, `${s.url}/v1/replies/${encodeURIComponent(held)}?timeoutMs=0`]) {
      const r = await json(await fetch(at, { headers: img }));
      expect(r.status, at).toBe(403);
      expect(r.body.error.code).toBe("FORBIDDEN");
      expect(r.body.error.message).toContain("Sec-Fetch-Site: same-site");
    }
    // A read-only GET is still answered, as a link would be (no CORS headers: unreadable to a script).
    expect((await fetch(`${s.url}/v1/queues/${q}`, { headers: img })).status).toBe(200);
    expect(await s.engine.stats(q)).toMatchObject({ ready: 2, inFlight: 0, received: 0 });
    // The same receive from the server's own page (same-origin), or typed in (none), is served.
    const own = await json(await fetch(`${s.url}/v1/queues/${q}/messages?max=10`, { headers: { "Sec-Fetch-Site": "same-origin" } }));
    expect(own.status).toBe(200);
    expect(own.body.messages).toHaveLength(2);
  });

  it("requests without Origin (curl, SDKs, servers) and from the server's own origin are served", async () => {
    const q = uniqueQueue();
    expect((await fetch(`${s.url}/v1/queues/${q}/messages`, { method: "POST", body: "plain" })).status).toBe(201);
    const own = { Origin: s.url, "Sec-Fetch-Site": "same-origin" };
    const sent = await fetch(`${s.url}/v1/queues/${q}/messages`, { method: "POST", headers: own, body: "own page" });
    expect(sent.status).toBe(201);
    expect(sent.headers.get("access-control-allow-origin")).toBeNull(); // same origin: CORS does not apply
    expect(sent.headers.get("vary")).toMatch(/Origin/);
    const got = await fetch(`${s.url}/v1/queues/${q}/messages?max=10`, { headers: own });
    expect((await json(got)).body.messages).toHaveLength(2);
    // The server's own origin by another name is another origin.
    const other = await fetch(`${s.url}/v1/queues/${q}/purge`, { method: "POST", headers: { Origin: s.url.replace("127.0.0.1", "localhost") } });
    expect(other.status).toBe(403);
  });

  it("read-only GETs from a foreign origin are answered, without CORS headers (its script cannot read them)", async () => {
    const q = uniqueQueue();
    await s.engine.send(q, "x");
    for (const path of [`/v1/queues/${q}`, "/v1/queues", `/v1/queues/${q}/messages/peek`, "/healthz"]) {
      const res = await fetch(`${s.url}${path}`, { headers: { Origin: EVIL } });
      expect(res.status, path).toBe(200);
      expect(res.headers.get("access-control-allow-origin")).toBeNull();
    }
    expect(await s.engine.stats(q)).toMatchObject({ ready: 1, inFlight: 0 });
  });

  it("a preflight from a foreign origin: 403 with the error envelope", async () => {
    const res = await fetch(`${s.url}/v1/queues/q/messages`, { method: "OPTIONS", headers: { Origin: EVIL, "Access-Control-Request-Method": "POST" } });
    const r = await json(res);
    expect(r.status).toBe(403);
    expect(r.body.error.code).toBe("FORBIDDEN");
    expect(res.headers.get("access-control-allow-origin")).toBeNull();
  });

  it("a plain OPTIONS (no preflight) answers 204 with the path's methods; no HEAD, no text/plain; unknown path 404 JSON", async () => {
    const res = await fetch(`${s.url}/v1/queues/q/messages`, { method: "OPTIONS" });
    expect(res.status).toBe(204);
    expect(res.headers.get("allow")).toBe("POST, GET, OPTIONS");
    expect(res.headers.get("content-type")).toBeNull();
    expect((await fetch(`${s.url}/v1/queues/q`, { method: "OPTIONS" })).headers.get("allow")).toBe("GET, PUT, DELETE, OPTIONS");
    const unknown = await json(await fetch(`${s.url}/v1/nothing`, { method: "OPTIONS" }));
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe("NOT_FOUND");
  });

  it("the WebSocket upgrade with a foreign Origin is refused 403 (cross-site WebSocket hijacking); own origin and none open", async () => {
    const q = uniqueQueue();
    await s.engine.send(q, "not for evil");
    const refused = await upgrade(s.wsUrl, { origin: EVIL });
    expect(refused.status).toBe(403);
    expect(JSON.parse(refused.body).error.code).toBe("FORBIDDEN");
    expect((await upgrade(s.wsUrl, { headers: { "Sec-Fetch-Site": "cross-site" } })).status).toBe(403);
    expect((await upgrade(s.wsUrl, { headers: { "Sec-Fetch-Site": "same-site" } })).status).toBe(403);
    expect((await upgrade(s.wsUrl, { origin: s.url })).status).toBe(101);
    expect((await upgrade(s.wsUrl)).status).toBe(101);
    expect(await s.engine.stats(q)).toMatchObject({ ready: 1, received: 0 });
  });
});

describe("--cors-origin https://app.example: that page is served, with CORS headers", () => {
  let s: Running;
  beforeAll(async () => (s = await startServer({ corsOrigins: `${APP}, http://localhost:8080/`, token: "tok" })));
  afterAll(() => s.close());
  const auth = { Authorization: "Bearer tok" };

  it("a preflight is answered 204 with the CORS headers, without the token (browsers send none on it)", async () => {
    const res = await fetch(`${s.url}/v1/queues/q/messages/batch`, {
      method: "OPTIONS",
      headers: { Origin: APP, "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "authorization, content-type" },
    });
    expect(res.status).toBe(204);
    expect(res.headers.get("access-control-allow-origin")).toBe(APP);
    expect(res.headers.get("access-control-allow-methods")).toBe("GET, POST, PUT, DELETE");
    expect(res.headers.get("access-control-allow-headers")).toBe("Authorization, Content-Type");
    expect(res.headers.get("access-control-max-age")).toBe("600");
    expect(res.headers.get("vary")).toMatch(/Origin/);
    expect(await res.text()).toBe("");
    const other = await fetch(`${s.url}/v1/queues/q/messages`, { method: "OPTIONS", headers: { Origin: "http://localhost:8080", "Access-Control-Request-Method": "PUT" } });
    expect(other.status).toBe(204);
    expect(other.headers.get("access-control-allow-origin")).toBe("http://localhost:8080");
  });

  it("the same simple POST from the allowed origin is served, with Access-Control-Allow-Origin and the tinyqs-* headers exposed", async () => {
    const q = uniqueQueue();
    const sent = await fetch(`${s.url}/v1/queues/${q}/messages`, { method: "POST", headers: { ...simple(APP), ...auth }, body: '{"ok":1}' });
    expect(sent.status).toBe(201);
    expect(sent.headers.get("access-control-allow-origin")).toBe(APP);
    expect(sent.headers.get("vary")).toMatch(/Origin/);
    const got = await fetch(`${s.url}/v1/queues/${q}/messages`, { headers: { Origin: APP, ...auth } });
    expect(got.status).toBe(200);
    expect(await got.text()).toBe('{"ok":1}');
    expect(got.headers.get("access-control-allow-origin")).toBe(APP);
    const exposed = got.headers.get("access-control-expose-headers")!.split(/,\s*/);
    expect(exposed).toEqual(expect.arrayContaining(["tinyqs-id", "tinyqs-receipt", "tinyqs-receive-count", "tinyqs-sent-at", "tinyqs-reply-handle"]));
    // Errors carry the headers too, so the page's script can read why.
    const unauthorized = await fetch(`${s.url}/v1/queues/${q}`, { headers: { Origin: APP } });
    expect(unauthorized.status).toBe(401);
    expect(unauthorized.headers.get("access-control-allow-origin")).toBe(APP);
  });

  it("the allowed origin still needs the token; a foreign one is refused even with it; no Origin with the token is served", async () => {
    const q = uniqueQueue();
    const send = (headers: Record<string, string>) => fetch(`${s.url}/v1/queues/${q}/messages`, { method: "POST", headers, body: "x" });
    expect((await send({ Origin: APP })).status).toBe(401);
    expect((await send({ Origin: EVIL, ...auth })).status).toBe(403);
    expect((await send(auth)).status).toBe(201);
    expect((await s.engine.stats(q)).sent).toBe(1);
  });

  it("JSON routes still take JSON only as application/json: a text/plain batch from the allowed origin is 415", async () => {
    const q = uniqueQueue();
    const r = await json(await fetch(`${s.url}/v1/queues/${q}/messages/batch`, { method: "POST", headers: { ...simple(APP), ...auth }, body: '{"messages":[{"body":"x"}]}' }));
    expect(r.status).toBe(415);
    expect(r.body.error.code).toBe("UNSUPPORTED_MEDIA_TYPE");
    expect((await s.engine.stats(q)).sent).toBe(0);
  });

  it("the WebSocket opens for the allowed origin (with the token), not for another", async () => {
    expect((await upgrade(`${s.wsUrl}?token=tok`, { origin: APP })).status).toBe(101);
    expect((await upgrade(`${s.wsUrl}?token=tok`, { origin: EVIL })).status).toBe(403);
  });
});

describe("--cors-origin *", () => {
  let s: Running;
  beforeAll(async () => (s = await startServer({ corsOrigins: ["*"] })));
  afterAll(() => s.close());

  it("any origin is served, its own name echoed back", async () => {
    const q = uniqueQueue();
    const res = await fetch(`${s.url}/v1/queues/${q}/purge`, { method: "POST", headers: { Origin: EVIL } });
    expect(res.status).toBe(200);
    expect(res.headers.get("access-control-allow-origin")).toBe(EVIL);
    expect((await upgrade(s.wsUrl, { origin: "null" })).status).toBe(101);
  });
});

describe("DNS rebinding: a request for a Host the server does not answer to is refused", () => {
  let s: Running;
  let port: number;
  beforeAll(async () => {
    s = await startServer();
    port = Number(new URL(s.url).port);
  });
  afterAll(() => s.close());
  // evil.example re-pointed to 127.0.0.1: to the browser the page and the server are one origin.
  const rebound = () => ({ Host: `evil.example:${port}`, Origin: `http://evil.example:${port}` });

  it("the rebound page's purge (Host = Origin = evil.example:port) is 403 FORBIDDEN, naming --allowed-host; nothing purged", async () => {
    const q = uniqueQueue();
    await s.engine.send(q, "keep me");
    const r = await raw(`${s.url}/v1/queues/${q}/purge`, { method: "POST", headers: rebound() });
    expect(r.status).toBe(403);
    expect(r.body.error.code).toBe("FORBIDDEN");
    expect(r.body.error.message).toContain('"evil.example"');
    expect(r.body.error.message).toContain("--allowed-host evil.example");
    expect(r.headers["access-control-allow-origin"]).toBeUndefined();
    expect((await s.engine.stats(q)).ready).toBe(1);
  });

  it("nor can it receive, send, or even read (its script could: same origin to the browser), with or without Origin", async () => {
    const q = uniqueQueue();
    await s.engine.send(q, "secret");
    const host = { Host: `evil.example:${port}` };
    const attempts: Array<[string, { method?: string; headers: Record<string, string>; body?: string }]> = [
      [`/v1/queues/${q}/messages?max=10`, { headers: { ...host, "Sec-Fetch-Site": "same-origin" } }],
      [`/v1/queues/${q}/messages`, { method: "POST", headers: rebound(), body: "x" }],
      [`/v1/queues/${q}/messages/peek`, { headers: { ...host, "Sec-Fetch-Site": "same-origin" } }],
      ["/v1/queues", { headers: host }],
      ["/healthz", { headers: host }],
      [`/v1/queues/${q}/messages`, { method: "OPTIONS", headers: { ...rebound(), "Access-Control-Request-Method": "PUT" } }],
    ];
    for (const [path, init] of attempts) {
      const r = await raw(`${s.url}${path}`, init);
      expect(r.status, `${init.method ?? "GET"} ${path}`).toBe(403);
      expect(r.body.error.code).toBe("FORBIDDEN");
    }
    expect(await s.engine.stats(q)).toMatchObject({ ready: 1, inFlight: 0, sent: 1, received: 0 });
  });

  it("nor open a WebSocket", async () => {
    const refused = await upgrade(s.wsUrl, { origin: `http://evil.example:${port}`, headers: { Host: `evil.example:${port}` } });
    expect(refused.status).toBe(403);
    expect(JSON.parse(refused.body).error.message).toContain("--allowed-host");
  });

  it("curl-like requests to 127.0.0.1 (and localhost, ::1, any IP literal) without Origin are served", async () => {
    const q = uniqueQueue();
    const hosts = [`127.0.0.1:${port}`, `localhost:${port}`, "LOCALHOST", `app.localhost:${port}`, `[::1]:${port}`, `127.0.0.2:${port}`, "10.1.2.3", "localhost."];
    for (const Host of hosts) {
      const r = await raw(`${s.url}/v1/queues/${q}/messages`, { method: "POST", headers: { Host, "User-Agent": "curl/8.5.0" }, body: Host });
      expect(r.status, Host).toBe(201);
    }
    // Node's fetch sends Host 127.0.0.1:port as curl does.
    expect((await fetch(`${s.url}/v1/queues/${q}/messages`, { method: "POST", body: "fetch" })).status).toBe(201);
    expect((await s.engine.stats(q)).sent).toBe(hosts.length + 1);
  });

  it("the server's own page by localhost is its own origin; a name clients dial without --allowed-host is refused too, even without Origin", async () => {
    const q = uniqueQueue();
    const own = await raw(`${s.url}/v1/queues/${q}/purge`, { method: "POST", headers: { Host: `localhost:${port}`, Origin: `http://localhost:${port}` } });
    expect(own.status).toBe(200);
    const byName = await raw(`${s.url}/v1/queues/${q}/messages`, { method: "POST", headers: { Host: `queue.example:${port}` }, body: "x" });
    expect(byName.status).toBe(403);
    expect(byName.body.error.message).toContain("--allowed-host queue.example");
    // A look-alike of an allowed name is another name.
    expect((await raw(`${s.url}/v1/queues`, { headers: { Host: "localhost.evil.example" } })).status).toBe(403);
    expect((await raw(`${s.url}/v1/queues`, { headers: { Host: "127.0.0.1.evil.example" } })).status).toBe(403);
    expect((await s.engine.stats(q)).sent).toBe(0);
  });
});

describe("--allowed-host queue.example,.corp.example: those names are served", () => {
  let s: Running;
  let port: number;
  beforeAll(async () => {
    s = await startServer({ allowedHosts: "Queue.Example, .corp.example" });
    port = Number(new URL(s.url).port);
  });
  afterAll(() => s.close());

  it("the same purge with Host = Origin = queue.example:port is served (its own page), and purges", async () => {
    const q = uniqueQueue();
    await s.engine.send(q, "purge me");
    const r = await raw(`${s.url}/v1/queues/${q}/purge`, { method: "POST", headers: { Host: `queue.example:${port}`, Origin: `http://queue.example:${port}` } });
    expect(r.status).toBe(200);
    expect(r.headers["access-control-allow-origin"]).toBeUndefined();
    expect((await s.engine.stats(q)).ready).toBe(0);
  });

  it("a TLS proxy passing its own Host (queue.example, page https://queue.example), curl through it, and .corp.example's names are served", async () => {
    const q = uniqueQueue();
    const ok: Array<Record<string, string>> = [
      { Host: "queue.example", Origin: "https://queue.example" },
      { Host: "queue.example" },
      { Host: "corp.example:443" },
      { Host: `a.b.corp.example:${port}` },
    ];
    for (const headers of ok) expect((await raw(`${s.url}/v1/queues/${q}/messages`, { method: "POST", headers, body: "x" })).status, headers.Host).toBe(201);
    expect((await s.engine.stats(q)).sent).toBe(ok.length);
    for (const Host of ["evilcorp.example", "queue.example.evil", "evil.example"]) {
      expect((await raw(`${s.url}/v1/queues/${q}/messages`, { method: "POST", headers: { Host }, body: "x" })).status, Host).toBe(403);
    }
    // An allowed name does not make another origin's page welcome.
    const foreign = await raw(`${s.url}/v1/queues/${q}/purge`, { method: "POST", headers: { Host: "queue.example", Origin: EVIL } });
    expect(foreign.status).toBe(403);
    expect(foreign.body.error.message).toContain("--cors-origin");
    expect((await s.engine.stats(q)).ready).toBe(ok.length);
  });

  it("the WebSocket opens for the allowed name", async () => {
    expect((await upgrade(s.wsUrl, { origin: `http://queue.example:${port}`, headers: { Host: `queue.example:${port}` } })).status).toBe(101);
    expect((await upgrade(s.wsUrl, { origin: `http://other.example:${port}`, headers: { Host: `other.example:${port}` } })).status).toBe(403);
  });
});

describe("--cors-origin with a Host not in --allowed-host", () => {
  it("an allowed origin's page is served by whatever name it reaches the server; a rebound one is not", async () => {
    const s = await startServer({ corsOrigins: APP });
    try {
      const q = uniqueQueue();
      const port = new URL(s.url).port;
      const r = await raw(`${s.url}/v1/queues/${q}/messages`, { method: "POST", headers: { Host: "api.example", Origin: APP }, body: "x" });
      expect(r.status).toBe(201);
      expect(r.headers["access-control-allow-origin"]).toBe(APP);
      const rebound = await raw(`${s.url}/v1/queues/${q}/purge`, { method: "POST", headers: { Host: `evil.example:${port}`, Origin: `http://evil.example:${port}` } });
      expect(rebound.status).toBe(403);
      expect(await s.engine.stats(q)).toMatchObject({ ready: 1 });
    } finally {
      await s.close();
    }
  });
});

describe("the OpenAPI document", () => {
  it("gives 403 to every operation that changes state (and the WebSocket), 415 to the JSON ones, and lists both codes", async () => {
    const s = await startServer();
    try {
      const doc = (await (await fetch(`${s.url}/v1/openapi.json`)).json()) as any;
      const ops = Object.values(doc.paths).flatMap((p: any) => Object.entries(p).filter(([m]) => m !== "parameters").map(([m, op]: [string, any]) => ({ m, op })));
      const changing = new Set(["receive", "wait", "websocket"]);
      const jsonOps = ["configure", "deleteBatch", "redrive", "sendBatch", "touchBatch"];
      for (const { m, op } of ops) {
        const has403 = "403" in op.responses;
        expect(has403, op.operationId).toBe(m !== "get" || changing.has(op.operationId));
        expect("415" in op.responses, op.operationId).toBe(jsonOps.includes(op.operationId));
      }
      // The JSON-bodied operations are exactly those whose request body is application/json.
      expect(ops.filter(({ op }) => op.requestBody?.content?.["application/json"]).map(({ op }) => op.operationId).sort()).toEqual(jsonOps);
      expect(doc.components.schemas.Error.properties.error.properties.code.enum).toEqual(expect.arrayContaining(["FORBIDDEN", "UNSUPPORTED_MEDIA_TYPE"]));
    } finally {
      await s.close();
    }
  });
});

describe("corsOrigins option", () => {
  it.each(["app.example", "https://app.example/path", "ftp://app.example", "https://user@app.example"])("refuses %s (not an origin) at once", (bad) => {
    expect(() => createHttpServer({ corsOrigins: bad })).toThrow(/not an origin/);
  });
});

describe("allowedHosts option", () => {
  it.each(["https://queue.example", "queue.example:7380", "queue.example/x", "a..b", "*", "-x.example"])("refuses %s (not a host name) at once", (bad) => {
    expect(() => createHttpServer({ allowedHosts: bad })).toThrow(/not a host name/);
  });

  it("a name given to listen() (--host queue.lan) is answered to, as the names of allowedHosts", () => {
    const policy = originPolicy([], parseAllowedHosts("queue.example"));
    const judge = (host: string) => policy.judge({ headers: { host, origin: `http://${host}` } } as IncomingMessage).kind;
    expect(judge("queue.lan:7380")).toBe("unknown-host");
    policy.allowHost("queue.lan");
    expect(judge("queue.lan:7380")).toBe("plain");
    expect(judge("QUEUE.EXAMPLE:7380")).toBe("plain");
    expect(judge("other.lan:7380")).toBe("unknown-host");
  });
});
