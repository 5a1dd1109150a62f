// The dashboard's server side without a browser: the page's routes and headers, --ui off, the live
// stream (one shared sample for every viewer, grants, rates, history, stopping when nobody watches),
// and the metrics of the page's requests under path "ui".
import { mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writeUsersFile } from "@tinyqs/test-support";
import { eventually, metric, serverForBlock, sleep, startServer, uniqueQueue, type Running } from "./helpers.js";
import { openLive } from "./live-stream.js";

describe("the page's routes", () => {
  const s = serverForBlock({ token: "t0k" });

  it("/ and /ui redirect to /ui/; the page, its files and its config load without the token (they hold no data)", async () => {
    for (const from of ["/", "/ui"]) {
      const r = await fetch(s.url + from, { redirect: "manual" });
      expect([r.status, r.headers.get("location")]).toEqual([302, "/ui/"]);
    }
    const page = await fetch(`${s.url}/ui/`);
    expect(page.status).toBe(200);
    expect(page.headers.get("content-type")).toMatch(/^text\/html/);
    expect(page.headers.get("content-security-policy")).toMatch(/script-src 'self' 'sha256-[A-Za-z0-9+/=]+'/);
    expect(await (await fetch(`${s.url}/ui/config.json`)).json()).toEqual({ mode: "on", credentials: true });
    for (const f of ["app.js", "style.css", "vendor/preact.mjs", "vendor/preact-hooks.mjs", "vendor/htm.mjs", "vendor/uplot.mjs", "vendor/uplot.css"]) {
      const r = await fetch(`${s.url}/ui/${f}`);
      expect([f, r.status]).toEqual([f, 200]);
    }
    expect((await fetch(`${s.url}/ui/nothing.js`)).status).toBe(404);
    expect((await fetch(`${s.url}/ui/vendor/..%2Fpackage.json`)).status).toBe(404);
    // The data does need it.
    expect((await fetch(`${s.url}/v1/live`)).status).toBe(401);
  });
});

describe("--ui off", () => {
  const s = serverForBlock({ ui: "off" });

  it("serves no page (404), and the API as before", async () => {
    for (const p of ["/", "/ui/", "/ui/app.js"]) expect([p, (await fetch(s.url + p, { redirect: "manual" })).status]).toEqual([p, 404]);
    expect((await fetch(`${s.url}/v1/queues`)).status).toBe(200);
  });
});

describe("the live stream", () => {
  const s = serverForBlock();

  it("gives every viewer the same samples (one sampler), with rates from the counters", async () => {
    const q = uniqueQueue("live");
    await s.engine.send(q, "x");
    const viewers = await Promise.all([openLive(`${s.url}/v1/live`), openLive(`${s.url}/v1/live`), openLive(`${s.url}/v1/live/${q}`)]);
    try {
      expect(viewers.map((v) => v.status)).toEqual([200, 200, 200]);
      const [history] = await viewers[2]!.next();
      expect(history!.name).toBe("history");
      const [a, b, c] = await Promise.all(viewers.map((v) => v.next(3)));
      // Every sample the viewers got is one of the same few samples, taken once for all of them.
      const times = (events: typeof a) => events!.map((e) => e.data.at);
      const all = new Set([...times(a), ...times(b), ...times(c)]);
      expect(all.size).toBeLessThanOrEqual(4);
      expect(times(a)).toEqual(times(b));
      const mine = a!.at(-1)!.data.queues.find((x: { name: string }) => x.name === q);
      expect(mine).toMatchObject({ name: q, ready: 1, sent: 1, paused: false });
      expect(c!.at(-1)!.data.queue).toMatchObject({ name: q, ready: 1 });
      expect(mine.rates).toEqual({ sent: 0, received: 0, deleted: 0 });
      // A send between two samples shows as a rate above 0.
      await s.engine.sendBatch(q, ["1", "2", "3", "4"]);
      const moved = await eventually(async () => {
        const [e] = await viewers[2]!.next();
        return e!.data.queue.rates.sent > 0 ? e : null;
      });
      expect((moved as { data: { queue: { sent: number } } }).data.queue.sent).toBe(5);
    } finally {
      for (const v of viewers) v.close();
    }
  });

  it("stops sampling when nobody watches", async () => {
    const v = await openLive(`${s.url}/v1/live`);
    await v.next(2);
    v.close();
    await eventually(async () => (await metric(s.url, "tinyqs_ui_viewers")) === 0);
    const before = await metric(s.url, "tinyqs_ui_samples_total");
    await sleep(2500);
    expect(await metric(s.url, "tinyqs_ui_samples_total")).toBe(before);
  });

  it("a queue's stream refuses a bad name (400)", async () => {
    const r = await fetch(`${s.url}/v1/live/${encodeURIComponent("<script>")}`);
    expect(r.status).toBe(400);
    expect(((await r.json()) as { error: { code: string } }).error.code).toBe("BAD_NAME");
  });

  it("counts the page's requests under path ui, and REST's under rest", async () => {
    const q = uniqueQueue("m");
    await fetch(`${s.url}/v1/queues/${q}/messages`, { method: "POST", body: "a", headers: { "tinyqs-ui": "1" } });
    await fetch(`${s.url}/v1/queues/${q}/messages`, { method: "POST", body: "b" });
    await fetch(`${s.url}/v1/queues/${q}/messages`, { method: "POST", body: "c" });
    expect(await metric(s.url, "tinyqs_operations_total", { path: "ui", operation: "send" })).toBe(1);
    expect(await metric(s.url, "tinyqs_operations_total", { path: "rest", operation: "send" })).toBeGreaterThanOrEqual(2);
  });
});

describe("the live stream with --users", () => {
  let s: Running;
  const auth = (user: string, pass: string) => ({ Authorization: `Basic ${Buffer.from(`${user}:${pass}`).toString("base64")}` });
  beforeAll(async () => {
    const file = path.join(mkdtempSync(path.join(os.tmpdir(), "tinyqs-ui-users-")), "users.json");
    await writeUsersFile(file, [
      { name: "ops", password: "o", grants: [{ queues: "shop.*", allow: ["admin"] }] },
      { name: "worker", password: "w", grants: [{ queues: "*", allow: ["receive"] }] },
    ]);
    s = await startServer({ usersFile: file });
  });
  afterAll(() => s.close());

  it("shows a user only the queues it administers; one without admin anywhere is refused (403)", async () => {
    await s.engine.send("shop.orders", "x");
    await s.engine.send("payroll", "secret");
    const v = await openLive(`${s.url}/v1/live`, auth("ops", "o"));
    try {
      expect(v.status).toBe(200);
      const [e] = (await eventually(async () => {
        const got = await v.next();
        return got[0]!.data.queues.length ? got : null;
      }))!;
      expect(e!.data.queues.map((q: { name: string }) => q.name)).toEqual(["shop.orders"]);
    } finally {
      v.close();
    }
    expect((await fetch(`${s.url}/v1/live/payroll`, { headers: auth("ops", "o") })).status).toBe(403);
    expect((await fetch(`${s.url}/v1/live`, { headers: auth("worker", "w") })).status).toBe(403);
    expect((await fetch(`${s.url}/v1/live/shop.orders`, { headers: auth("worker", "w") })).status).toBe(403);
  });
});

describe("shutdown", () => {
  it("ends the open live streams, so close() does not wait for them", async () => {
    const s = await startServer();
    const v = await openLive(`${s.url}/v1/live`);
    await v.next();
    const closed = s.close();
    await expect(v.next(1000)).rejects.toThrow(/the stream ended/);
    await closed;
  });
});
