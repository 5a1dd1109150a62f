// Queue routes, health, metrics, the OpenAPI document and unknown routes, over real HTTP.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TinyQS } from "@tinyqs/core";
import { createHttpServer } from "../src/index.js";
import { json, startServer, uniqueQueue, type Running, JSON_TYPE } from "./helpers.js";

let s: Running;
beforeAll(async () => {
  s = await startServer();
});
afterAll(() => s.close());

const put = (q: string, body: string) => fetch(`${s.url}/v1/queues/${q}`, { method: "PUT", body, headers: { "Content-Type": "application/json" } });

describe("queues", () => {
  it("GET /v1/queues lists the queues that exist, sorted, each with its stats", async () => {
    const [a, b] = [`a-${uniqueQueue()}`, `b-${uniqueQueue()}`];
    await fetch(`${s.url}/v1/queues/${b}/messages`, { method: "POST", body: "x" });
    await put(a, "{}");
    const { status, body } = await json(await fetch(`${s.url}/v1/queues`));
    expect(status).toBe(200);
    expect(body.map((q: any) => q.name)).toEqual([a, b]);
    expect(body[1]).toEqual({
      name: b, ready: 1, inFlight: 0, delayed: 0, sent: 1, received: 0, deleted: 0, deadLettered: 0, deduplicated: 0, paused: false, oldestReadyAgeMs: expect.any(Number),
    });
  });

  it("GET /v1/queues/:queue gives stats and config; a queue never used gives zeros and defaults", async () => {
    const { status, body } = await json(await fetch(`${s.url}/v1/queues/${"never-" + uniqueQueue()}`));
    expect(status).toBe(200);
    expect(body).toMatchObject({ ready: 0, inFlight: 0, delayed: 0, sent: 0 });
    expect(body).toMatchObject({ paused: false, oldestReadyAgeMs: null });
    expect(body.config).toEqual({ visibilityMs: 30000, maxReceives: 0, deadLetterQueue: `${body.name}.dead`, maxMessageBytes: 1048576, replyTtlMs: 300000, dedupWindowMs: 300000, paused: false });
  });

  it("PUT /v1/queues/:queue changes the given settings and answers all of them", async () => {
    const q = uniqueQueue();
    const r = await json(await put(q, JSON.stringify({ visibilityMs: 5000, maxReceives: 3 })));
    expect(r).toEqual({ status: 200, body: { visibilityMs: 5000, maxReceives: 3, deadLetterQueue: `${q}.dead`, maxMessageBytes: 1048576, replyTtlMs: 300000, dedupWindowMs: 300000, paused: false } });
    const again = await json(await put(q, JSON.stringify({ deadLetterQueue: "elsewhere" })));
    expect(again.body).toMatchObject({ visibilityMs: 5000, maxReceives: 3, deadLetterQueue: "elsewhere" });
    expect((await json(await fetch(`${s.url}/v1/queues/${q}`))).body.config.deadLetterQueue).toBe("elsewhere");
  });

  // Issue 17: JSON is parsed only as application/json (charset and other parameters allowed); the
  // types a web page may send cross-origin without a preflight are refused, and nothing changes.
  it("PUT takes JSON only as application/json, with or without parameters", async () => {
    const q = uniqueQueue();
    for (const [type, visibilityMs] of [["application/json; charset=utf-8", 1234], ["Application/JSON", 2345], ["application/json;charset=UTF-8", 3456]] as const) {
      const r = await fetch(`${s.url}/v1/queues/${q}`, { method: "PUT", body: JSON.stringify({ visibilityMs }), headers: { "Content-Type": type } });
      expect((await json(r)).body.visibilityMs, type).toBe(visibilityMs);
    }
  });

  it.each(["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "application/jsonx", undefined])(
    "PUT and batch with Content-Type %s → 415 UNSUPPORTED_MEDIA_TYPE, nothing changed or stored",
    async (type) => {
      const q = uniqueQueue();
      const headers: Record<string, string> = type ? { "Content-Type": type } : {};
      // A Blob without a type makes fetch send no Content-Type at all.
      const body = (text: string) => (type ? text : new Blob([text]));
      const put = await json(await fetch(`${s.url}/v1/queues/${q}`, { method: "PUT", headers, body: body('{"visibilityMs":1234}') }));
      expect(put.status).toBe(415);
      expect(put.body.error.code).toBe("UNSUPPORTED_MEDIA_TYPE");
      expect(put.body.error.message).toMatch(/application\/json/);
      const batch = await json(await fetch(`${s.url}/v1/queues/${q}/messages/batch`, { method: "POST", headers, body: body('{"messages":[{"body":"x"}]}') }));
      expect(batch.status).toBe(415);
      expect(batch.body.error.code).toBe("UNSUPPORTED_MEDIA_TYPE");
      expect((await s.engine.getConfig(q)).visibilityMs).toBe(30000);
      expect((await s.engine.stats(q)).sent).toBe(0);
      // The server is still there for the next request on a new connection.
      expect((await fetch(`${s.url}/v1/queues/${q}`)).status).toBe(200);
    },
  );

  it.each([
    ["bad JSON", "{visibilityMs: 5}", "BAD_ARGUMENT"],
    ["an empty body", "", "BAD_ARGUMENT"],
    ["an array", "[]", "BAD_ARGUMENT"],
    ["a number", "5", "BAD_ARGUMENT"],
    ["an unknown setting", '{"colour":"blue"}', "BAD_ARGUMENT"],
    ["a value out of range", '{"visibilityMs":0}', "BAD_ARGUMENT"],
    ["a number as a string", '{"visibilityMs":"5000"}', "BAD_ARGUMENT"],
    ["itself as dead-letter queue", '{"deadLetterQueue":"SELF"}', "BAD_ARGUMENT"],
    ["a bad dead-letter queue name", '{"deadLetterQueue":"a b"}', "BAD_NAME"],
  ])("PUT with %s → 400 %s", async (_what, body, code) => {
    const q = uniqueQueue();
    const r = await json(await put(q, body.replace("SELF", q)));
    expect(r.status).toBe(400);
    expect(r.body).toEqual({ error: { code, message: expect.any(String) } });
  });

  it("POST /v1/queues/:queue/purge removes every message: { purged }", async () => {
    const q = uniqueQueue();
    for (const b of ["a", "b", "c"]) await fetch(`${s.url}/v1/queues/${q}/messages`, { method: "POST", body: b });
    await fetch(`${s.url}/v1/queues/${q}/messages?delayMs=60000`, { method: "POST", body: "d" });
    await (await fetch(`${s.url}/v1/queues/${q}/messages`)).arrayBuffer();
    expect(await json(await fetch(`${s.url}/v1/queues/${q}/purge`, { method: "POST" }))).toEqual({ status: 200, body: { purged: 4 } });
    expect((await json(await fetch(`${s.url}/v1/queues/${q}`))).body).toMatchObject({ ready: 0, inFlight: 0, delayed: 0, sent: 4 });
  });

  it("bad names and stray parameters → 400", async () => {
    expect((await json(await fetch(`${s.url}/v1/queues/bad%20name`))).body.error.code).toBe("BAD_NAME");
    expect((await json(await fetch(`${s.url}/v1/queues/bad%20name/purge`, { method: "POST" }))).body.error.code).toBe("BAD_NAME");
    expect((await json(await fetch(`${s.url}/v1/queues?page=2`))).body.error.code).toBe("BAD_ARGUMENT");
    expect((await json(await fetch(`${s.url}/v1/queues/q%2Fx`))).body.error.code).toBe("BAD_NAME");
    const badEscape = await json(await fetch(`${s.url}/v1/queues/%E0%A4%A/messages`));
    expect(badEscape).toEqual({ status: 400, body: { error: { code: "BAD_ARGUMENT", message: expect.any(String) } } });
  });
});

describe("unknown routes", () => {
  // (GET / redirects to the dashboard, and is 404 with --ui off: ui-server.test.ts)
  it.each([
    ["GET", "/nothing"],
    ["GET", "/v1"],
    ["GET", "/v2/queues"],
    ["PATCH", "/v1/queues/q"],
    ["POST", "/v1/queues"],
    ["GET", "/v1/queues/q/messages/a/b/c"],
    ["DELETE", "/v1/queues"],
  ])("%s %s → 404 JSON NOT_FOUND", async (method, path) => {
    const res = await fetch(`${s.url}${path}`, { method });
    expect(res.status).toBe(404);
    expect(res.headers.get("content-type")).toMatch(/^application\/json/);
    const body = await res.json();
    expect(body).toEqual({ error: { code: "NOT_FOUND", message: expect.stringContaining(path) } });
  });
});

describe("HEAD", () => {
  it("HEAD on a receive is refused (it would reserve a message and drop it): 404, the message stays ready", async () => {
    const q = uniqueQueue();
    await fetch(`${s.url}/v1/queues/${q}/messages`, { method: "POST", body: "x" });
    expect((await fetch(`${s.url}/v1/queues/${q}/messages`, { method: "HEAD" })).status).toBe(404);
    expect((await fetch(`${s.url}/v1/queues/${q}/messages/peek`, { method: "HEAD" })).status).toBe(404);
    expect((await json(await fetch(`${s.url}/v1/queues/${q}`))).body).toMatchObject({ ready: 1, inFlight: 0 });
  });

  it("HEAD /healthz works, for probes that use it", async () => {
    expect((await fetch(`${s.url}/healthz`, { method: "HEAD" })).status).toBe(200);
  });
});

describe("health", () => {
  it("GET /healthz → 200 when Redis answers", async () => {
    expect(await json(await fetch(`${s.url}/healthz`))).toEqual({ status: 200, body: { status: "ok" } });
  });

  it("GET /healthz → 503 when Redis does not answer (and queue routes say UNAVAILABLE)", async () => {
    const engine = new TinyQS({ redis: "redis://127.0.0.1:1", timeoutMs: 300 }); // nothing listens on port 1
    const http = createHttpServer({ engine, log: () => {} });
    const { url } = await http.listen(0);
    try {
      const h = await json(await fetch(`${url}/healthz`));
      expect(h.status).toBe(503);
      expect(h.body.status).toBe("unavailable");
      const r = await json(await fetch(`${url}/v1/queues/q/messages`, { method: "POST", body: "x" }));
      expect(r.status).toBe(503);
      expect(r.body.error.code).toBe("UNAVAILABLE");
      // /metrics still answers, saying Redis is down
      const m = await (await fetch(`${url}/metrics`)).text();
      expect(m).toMatch(/^tinyqs_redis_up 0$/m);
    } finally {
      await http.close();
      await engine.close();
    }
  });
});

describe("metrics", () => {
  it("GET /metrics: Prometheus text, every name tinyqs_, per-queue depth, operation counters, latency histograms", async () => {
    const q = uniqueQueue();
    await fetch(`${s.url}/v1/queues/${q}/messages`, { method: "POST", body: "a" });
    await fetch(`${s.url}/v1/queues/${q}/messages`, { method: "POST", body: "b" });
    await fetch(`${s.url}/v1/queues/${q}/messages?delayMs=60000`, { method: "POST", body: "c" });
    const r = await fetch(`${s.url}/v1/queues/${q}/messages`);
    await r.arrayBuffer();
    await fetch(`${s.url}/v1/queues/${q}/messages/1-1`, { method: "DELETE" }); // a NOT_FOUND
    const res = await fetch(`${s.url}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/plain/);
    const text = await res.text();
    for (const line of text.split("\n")) {
      if (!line) continue;
      const name = line.startsWith("#") ? line.split(" ")[2]! : line.split(/[{ ]/)[0]!;
      expect(name, line).toMatch(/^tinyqs_/);
    }
    expect(text).toContain(`tinyqs_queue_ready{queue="${q}"} 1`);
    expect(text).toContain(`tinyqs_queue_in_flight{queue="${q}"} 1`);
    expect(text).toContain(`tinyqs_queue_delayed{queue="${q}"} 1`);
    expect(text).toMatch(/^tinyqs_operations_total\{path="rest",operation="send",outcome="ok"\} \d+$/m);
    expect(text).toMatch(/^tinyqs_operations_total\{path="rest",operation="receive",outcome="ok"\} \d+$/m);
    expect(text).toMatch(/^tinyqs_operations_total\{path="rest",operation="delete",outcome="NOT_FOUND"\} \d+$/m);
    expect(text).toMatch(/^tinyqs_operation_duration_seconds_bucket\{le="0\.005",path="rest",operation="send"\} \d+$/m);
    expect(text).toMatch(/^tinyqs_operation_duration_seconds_count\{path="rest",operation="receive"\} \d+$/m);
    expect(text).toMatch(/^tinyqs_http_requests_total\{method="POST",route="\/v1\/queues\/:queue\/messages",status="201"\} \d+$/m);
    expect(text).toMatch(/^tinyqs_redis_up 1$/m);
    expect(text).toMatch(/^tinyqs_ws_connections 0$/m);
    expect(text).toMatch(/^tinyqs_process_cpu_seconds_total /m);
  });
});

describe("OpenAPI", () => {
  it("GET /v1/openapi.json is an OpenAPI 3 document listing every route the server has, and no other", async () => {
    const res = await fetch(`${s.url}/v1/openapi.json`);
    expect(res.status).toBe(200);
    const doc = JSON.parse(await res.text());
    expect(doc.openapi).toMatch(/^3\.\d+\.\d+$/);
    expect(doc.info).toMatchObject({ title: expect.any(String), version: expect.any(String) });

    const documented = new Set<string>();
    for (const [path, item] of Object.entries<Record<string, unknown>>(doc.paths)) {
      for (const method of Object.keys(item)) {
        if (["get", "put", "post", "delete", "patch"].includes(method)) documented.add(`${method.toUpperCase()} ${path}`);
      }
    }
    // The routes express serves, read from its router, in OpenAPI's {param} form, plus the WebSocket.
    const served = new Set<string>(["GET /v1/ws"]);
    const walk = (stack: any[]) => {
      for (const layer of stack) {
        if (layer.route) {
          for (const m of Object.keys(layer.route.methods)) {
            if (m !== "_all") served.add(`${m.toUpperCase()} ${String(layer.route.path).replace(/:(\w+)/g, "{$1}")}`);
          }
        } else if (layer.handle?.stack) walk(layer.handle.stack);
      }
    };
    walk((s.http.app as any).router.stack);
    expect([...documented].sort()).toEqual([...served].sort());
    expect(served.size).toBe(33); // the API, the live streams and the page's routes, and the WebSocket
    for (const route of ["POST /v1/queues/{queue}/requests", "POST /v1/queues/{queue}/messages/{receipt}/respond", "GET /v1/replies/{handle}"]) {
      expect(documented.has(route), route).toBe(true);
    }
    expect(doc.components.schemas.Config.required).toContain("replyTtlMs");
    expect(doc.components.schemas.ConfigChanges.properties.replyTtlMs).toMatchObject({ type: "integer", minimum: 1 });
    expect(doc.paths["/v1/queues/{queue}/requests"].post.responses["504"].headers).toHaveProperty("tinyqs-reply-handle");

    // Every $ref points at something that exists.
    const refs = JSON.stringify(doc).match(/"\$ref":"[^"]+"/g) ?? [];
    for (const ref of refs) {
      const pointer = ref.slice(8, -1).replace(/^#\//, "").split("/");
      let at: any = doc;
      for (const part of pointer) at = at?.[part];
      expect(at, ref).toBeDefined();
    }
    // Every path parameter in a template is declared.
    for (const [path, item] of Object.entries<any>(doc.paths)) {
      const names = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
      for (const [method, op] of Object.entries<any>(item)) {
        if (method === "parameters") continue;
        const declared = [...(item.parameters ?? []), ...(op.parameters ?? [])].filter((p: any) => p.in === "path").map((p: any) => p.name);
        expect(declared.sort(), `${method} ${path}`).toEqual([...names].sort());
      }
    }
  });
});
