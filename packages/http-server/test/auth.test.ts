// --token: every route but /healthz needs "Authorization: Bearer <token>" → 401 otherwise; the
// WebSocket takes the same header or ?token= on the upgrade.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OPENAPI } from "../src/index.js";
import { startServer, uniqueQueue, type Running } from "./helpers.js";
import { WsClient } from "./ws-client.js";

const TOKEN = "s3cret-token";
let s: Running;
beforeAll(async () => {
  s = await startServer({ token: TOKEN });
});
afterAll(() => s.close());

const auth = { Authorization: `Bearer ${TOKEN}` };

/** Every documented route (but the WebSocket, and the dashboard's page, documented as open: ui-server.test.ts), as a concrete request. */
const routes = Object.entries(OPENAPI.paths).flatMap(([path, item]) =>
  Object.keys(item)
    .filter((m) => m !== "parameters" && path !== "/v1/ws" && !(path === "/" || path.startsWith("/ui")))
    .map((m) => [m.toUpperCase(), path.replace("{queue}", "q").replace(/\{\w+\}/g, "1-1.1")] as const),
);

describe("bearer token", () => {
  it("/healthz needs no token", async () => {
    expect((await fetch(`${s.url}/healthz`)).status).toBe(200);
  });

  it.each(routes.filter(([, p]) => p !== "/healthz"))("%s %s without a token → 401 UNAUTHORIZED", async (method, path) => {
    const res = await fetch(`${s.url}${path}`, { method, body: method === "GET" || method === "DELETE" ? undefined : "{}" });
    expect(res.status).toBe(401);
    expect(res.headers.get("www-authenticate")).toMatch(/^Bearer/);
    expect(await res.json()).toEqual({ error: { code: "UNAUTHORIZED", message: expect.any(String) } });
  });

  it.each([
    ["a wrong token of the same length", `Bearer ${"x".repeat(TOKEN.length)}`],
    ["a wrong token, shorter", "Bearer s3cret"],
    ["a wrong token, longer", `Bearer ${TOKEN}x`],
    ["no token after Bearer", "Bearer "],
    ["another scheme", `Basic ${Buffer.from(`u:${TOKEN}`).toString("base64")}`],
    ["the bare token", TOKEN],
  ])("%s → 401", async (_what, header) => {
    const res = await fetch(`${s.url}/v1/queues`, { headers: { Authorization: header } });
    expect(res.status).toBe(401);
  });

  it("the token as a query parameter does not work for REST (only for the WebSocket)", async () => {
    expect((await fetch(`${s.url}/v1/queues?token=${TOKEN}`)).status).toBe(401);
  });

  it("an unknown route without a token is 401, not 404 (nothing is revealed)", async () => {
    expect((await fetch(`${s.url}/nope`)).status).toBe(401);
    expect((await fetch(`${s.url}/nope`, { headers: auth })).status).toBe(404);
  });

  it("with the token, everything works (scheme name in any case)", async () => {
    const q = uniqueQueue();
    expect((await fetch(`${s.url}/v1/queues/${q}/messages`, { method: "POST", body: "x", headers: auth })).status).toBe(201);
    const r = await fetch(`${s.url}/v1/queues/${q}/messages`, { headers: { Authorization: `bearer ${TOKEN}` } });
    expect(await r.text()).toBe("x");
    expect((await fetch(`${s.url}/metrics`, { headers: auth })).status).toBe(200);
  });
});

describe("WebSocket token", () => {
  it("no token → 401 on the upgrade", async () => {
    await expect(WsClient.open(s.wsUrl)).rejects.toMatchObject({ status: 401 });
  });

  it("a wrong token, in the header or the query → 401", async () => {
    await expect(WsClient.open(s.wsUrl, { headers: { Authorization: "Bearer nope" } })).rejects.toMatchObject({ status: 401 });
    await expect(WsClient.open(`${s.wsUrl}?token=nope`)).rejects.toMatchObject({ status: 401 });
  });

  it("the token is checked before the path, as on REST: another path is 401 without it, 404 with it", async () => {
    const other = s.wsUrl.replace("/v1/ws", "/v1/other");
    await expect(WsClient.open(other)).rejects.toMatchObject({ status: 401 });
    await expect(WsClient.open(`${other}?token=${TOKEN}`)).rejects.toMatchObject({ status: 404 });
  });

  it("the token in the Authorization header or as ?token= opens the socket", async () => {
    for (const c of [await WsClient.open(s.wsUrl, { headers: auth }), await WsClient.open(`${s.wsUrl}?token=${TOKEN}`)]) {
      expect((await c.request("send", { queue: uniqueQueue(), body: "" })).ok).toBe(true);
      await c.close();
    }
  });
});
