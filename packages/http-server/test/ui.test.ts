// The dashboard in a real browser (Debian's chromium through playwright-core, test/browser.ts), on a
// server over the private Redis of the global setup. Every check goes through the page as a person
// would use it, and what it changed is checked through the engine behind the server's back. No page
// may log a console error or throw, except, where a test expects it, the browser's own line for the
// refused request (401, 403) it provoked.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { launchBrowser, type Browser } from "./browser.js";
import { createWorker } from "@tinyqs/core";
import { mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { deadLettered, writeUsersFile } from "@tinyqs/test-support";
import { eventually, serverForBlock, sleep, startServer, uniqueQueue, type Running } from "./helpers.js";

let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(() => browser?.close());

/** The page's problems, less the browser's report of a refused request with one of `statuses`. */
const unexpected = (problems: string[], statuses: number[] = []) =>
  problems.filter((p) => !statuses.some((s) => p.includes(`Failed to load resource: the server responded with a status of ${s}`)));

const cell = (page: Page, queue: string, col: string) => page.locator(`tr[data-queue="${queue}"] td[data-col="${col}"]`);

describe("the dashboard, open server", () => {
  const s = serverForBlock();

  it("/ redirects to /ui/, which loads with its libraries from the server itself", async () => {
    const { page, problems } = await browser.open(s.url + "/");
    expect(new URL(page.url()).pathname).toBe("/ui/");
    await page.waitForSelector("table.queues");
    expect(unexpected(problems)).toEqual([]);
  });

  it("the overview lists the queues, and its counts follow sends by another client within 2 s", async () => {
    const q = uniqueQueue("ov");
    await s.engine.sendBatch(q, ["a", "b"]);
    const { page, problems } = await browser.open(`${s.url}/ui/`);
    await page.waitForSelector(`tr[data-queue="${q}"]`);
    expect(await cell(page, q, "ready").textContent()).toBe("2");
    await s.engine.sendBatch(q, ["c", "d", "e"]);
    await s.engine.receive(q);
    await page.waitForFunction(
      (queue) => {
        const { document } = globalThis as unknown as { document: { querySelector(s: string): { textContent: string | null } | null } };
        const text = (col: string) => document.querySelector(`tr[data-queue="${queue}"] td[data-col="${col}"]`)?.textContent;
        return text("ready") === "4" && text("inFlight") === "1";
      },
      q,
      { timeout: 2000 },
    );
    // The filter box keeps only the names it matches.
    const other = uniqueQueue("zz");
    await s.engine.send(other, "x");
    await page.waitForSelector(`tr[data-queue="${other}"]`);
    await page.fill("input.filter", q);
    await page.waitForSelector(`tr[data-queue="${other}"]`, { state: "detached" });
    expect(await page.locator(`tr[data-queue="${q}"]`).count()).toBe(1);
    expect(unexpected(problems)).toEqual([]);
  });

  it("sorts by a column, both ways", async () => {
    const [few, many] = [uniqueQueue("sort"), uniqueQueue("sort")];
    await s.engine.send(few, "1");
    await s.engine.sendBatch(many, ["1", "2", "3"]);
    const { page, problems } = await browser.open(`${s.url}/ui/`);
    await page.fill("input.filter", "sort-");
    await page.waitForSelector(`tr[data-queue="${many}"]`);
    const order = () => page.$$eval("tr[data-queue]", (rows) => rows.map((r) => r.getAttribute("data-queue")));
    await page.click("th >> text=Ready");
    expect((await order()).indexOf(many)).toBeLessThan((await order()).indexOf(few)); // most first
    await page.click("th >> text=Ready");
    expect((await order()).indexOf(few)).toBeLessThan((await order()).indexOf(many));
    expect(unexpected(problems)).toEqual([]);
  });

  it("browse shows each state's bodies: text as text, <script> as text, binary as hex, with sizes", async () => {
    const q = uniqueQueue("br");
    await s.engine.send(q, "plain body");
    await s.engine.send(q, "<script>window.__owned = 1</script><img src=x onerror=window.__owned=2>");
    await s.engine.send(q, Buffer.from([0x00, 0xff, 0x10, 0x80]));
    await s.engine.send(q, "later", { delayMs: 600_000 });
    const { page, problems } = await browser.open(`${s.url}/ui/#/queues/${q}`);
    await page.waitForSelector(".messages tr[data-id]");
    const bodies = await page.$$eval(".messages tr[data-id] td.body", (tds) => tds.map((td) => td.textContent));
    expect(bodies).toEqual([
      "textplain body",
      "text<script>window.__owned = 1</script><img src=x onerror=window.__owned=2>",
      "hex00 ff 10 80",
    ]);
    expect(await page.evaluate(() => (globalThis as { __owned?: number }).__owned)).toBeUndefined();
    expect(await page.locator(".messages script, .messages img").count()).toBe(0);
    await page.click("button[role=tab] >> text=Delayed");
    await page.waitForSelector(".messages td.body >> text=later");
    expect(await page.locator(".messages tr[data-id]").count()).toBe(1);
    expect(unexpected(problems)).toEqual([]);
  });

  it("a <script> queue name is shown as text, refused by the server, and runs nothing", async () => {
    const name = "<script>window.__owned=1</script>";
    const { page, problems } = await browser.open(`${s.url}/ui/#/queues/${encodeURIComponent(name)}`);
    await page.waitForSelector(".notfound");
    expect(await page.locator(".notfound h1").textContent()).toBe(`No queue named ${name}`);
    expect(await page.locator(".notfound p").first().textContent()).toMatch(/bad queue name/);
    expect(await page.evaluate(() => (globalThis as { __owned?: number }).__owned)).toBeUndefined();
    // The refusal is the server's 400 BAD_NAME, which the browser reports as a failed load.
    expect(unexpected(problems, [400])).toEqual([]);
  });

  it("an unknown queue is a 'no such queue' page", async () => {
    const { page, problems } = await browser.open(`${s.url}/ui/#/queues/${uniqueQueue("never")}`);
    await page.waitForSelector(".notfound");
    expect(await page.locator(".notfound p").first().textContent()).toMatch(/Nothing was ever sent to it/);
    expect(unexpected(problems)).toEqual([]);
  });

  it("sends a test message, deletes a message, and purges after a confirmation", async () => {
    const q = uniqueQueue("act");
    const kept = await s.engine.send(q, "first");
    const { page, problems } = await browser.open(`${s.url}/ui/#/queues/${q}`);
    await page.waitForSelector(`.messages tr[data-id="${kept}"]`);
    await page.fill("input[name=body]", "sent from the page");
    await page.click("button >> text=Send test message");
    await page.waitForSelector(".messages td.body >> text=sent from the page");
    expect((await s.engine.browse(q, { state: "ready" })).map((m) => m.body.toString())).toEqual(["first", "sent from the page"]);

    await page.click(`.messages tr[data-id="${kept}"] button >> text=Delete`);
    await page.waitForSelector(`.messages tr[data-id="${kept}"]`, { state: "detached" });
    expect((await s.engine.browse(q, { state: "ready" })).map((m) => m.body.toString())).toEqual(["sent from the page"]);

    await page.click("button[name=purge]");
    expect((await s.engine.stats(q)).ready).toBe(1); // nothing yet: it asks first
    await page.click("button[name=confirm-purge]");
    await page.waitForSelector(".actions >> text=Purged 1 message.");
    expect((await s.engine.stats(q)).ready).toBe(0);
    expect(unexpected(problems)).toEqual([]);
  });

  it("redrives the dead letters back to the queue they died in (checked through the engine)", async () => {
    const q = uniqueQueue("rd");
    const ids = await deadLettered(s.engine, q, 3);

    const { page, problems } = await browser.open(`${s.url}/ui/#/queues/${q}.dead`);
    await page.waitForSelector(".messages tr[data-id]");
    await page.click("button[name=redrive]");
    await page.waitForSelector(".actions >> text=Moved 3 dead letters back.");
    expect((await s.engine.stats(`${q}.dead`)).ready).toBe(0);
    const back = await s.engine.receiveBatch(q, { max: 10 });
    expect(back.map((m) => m.body.toString()).sort()).toEqual(["m0", "m1", "m2"]);
    expect(back.map((m) => m.id).sort()).toEqual([...ids].sort()); // ids kept
    expect(back.every((m) => m.receiveCount === 1)).toBe(true); // counting again from the start
    // A queue that is not a dead-letter queue: the server's clear refusal, shown.
    await page.goto(`${s.url}/ui/#/queues/${q}`);
    await s.engine.send(q, "alive");
    await page.waitForSelector(".messages tr[data-id]");
    await page.click("button[name=redrive]");
    await page.waitForSelector(".actions .error >> text=is not a dead-letter queue");
    expect(unexpected(problems, [400])).toEqual([]);
  });

  it("pause stops a running worker from receiving; resume lets it go on", async () => {
    const q = uniqueQueue("pz");
    await s.engine.send(q, "first");
    const handled: string[] = [];
    const worker = createWorker(s.engine, q, async (m) => void handled.push(m.body.toString()), { waitMs: 500 });
    try {
      await eventually(() => handled.length === 1);
      const { page, problems } = await browser.open(`${s.url}/ui/#/queues/${q}`);
      await page.waitForSelector(".badge.running");
      await page.click("button[name=pause]");
      await page.waitForSelector(".actions >> text=Paused: receives deliver nothing until resumed.");
      await page.waitForSelector(".badge.paused"); // the live numbers say so too
      expect((await s.engine.stats(q)).paused).toBe(true);
      await s.engine.sendBatch(q, ["second", "third"]);
      await sleep(1500); // the worker's long polls come and go: none may deliver
      expect(handled).toEqual(["first"]);
      expect((await s.engine.stats(q)).ready).toBe(2);

      await page.click("button[name=pause] >> text=Resume receives");
      await page.waitForSelector(".actions >> text=Resumed.");
      await eventually(() => handled.length === 3);
      expect(handled.slice(1).sort()).toEqual(["second", "third"]);
      expect(unexpected(problems)).toEqual([]);
    } finally {
      await worker.close();
    }
  });

  it("edits a queue's settings", async () => {
    const q = uniqueQueue("set");
    await s.engine.send(q, "x");
    const { page, problems } = await browser.open(`${s.url}/ui/#/queues/${q}`);
    await page.waitForSelector("input[name=visibilityMs]");
    await page.fill("input[name=visibilityMs]", "45000");
    await page.fill("input[name=deadLetterQueue]", `${q}.graveyard`);
    await page.click("button >> text=Save settings");
    await page.waitForSelector(".settings >> text=Saved: visibilityMs, deadLetterQueue.");
    expect(await s.engine.getConfig(q)).toMatchObject({ visibilityMs: 45_000, deadLetterQueue: `${q}.graveyard` });
    expect(unexpected(problems)).toEqual([]);
  });
});

describe("the dashboard, --ui read-only", () => {
  const s = serverForBlock({ ui: "read-only" });

  it("shows the numbers and no action, and the server refuses the page's changing requests (403)", async () => {
    const q = uniqueQueue("ro");
    const id = await s.engine.send(q, "look, don't touch");
    const { page, problems } = await browser.open(`${s.url}/ui/#/queues/${q}`);
    await page.waitForSelector(`.messages tr[data-id="${id}"]`);
    await page.waitForSelector(".badge.ro");
    expect(await page.locator(".actions").count()).toBe(0);
    expect(await page.locator(".messages button >> text=Delete").count()).toBe(0);
    expect(await page.locator("button >> text=Save settings").count()).toBe(0);
    expect(await page.locator("input[name=visibilityMs]").isDisabled()).toBe(true);
    // What the buttons would have sent, sent by the page's own code: refused, nothing changed.
    // (a string: vitest would rewrite a dynamic import in a function's source)
    const statuses = await page.evaluate(`(async (queue) => {
      const { call } = await import("/ui/api.js");
      const tries = [
        ["POST", "/v1/queues/" + queue + "/messages"],
        ["POST", "/v1/queues/" + queue + "/purge"],
        ["DELETE", "/v1/queues/" + queue + "/messages/x"],
        ["PUT", "/v1/queues/" + queue],
        ["GET", "/v1/queues/" + queue + "/messages"], // a receive changes something too
      ];
      const out = [];
      for (const [method, path] of tries) await call(method, path, method === "GET" ? {} : { json: {} }).then(() => out.push("ok"), (e) => out.push(e.status + " " + e.code));
      return out;
    })(${JSON.stringify(q)})`);
    expect(statuses).toEqual(Array(5).fill("403 FORBIDDEN"));
    expect(await s.engine.stats(q)).toMatchObject({ ready: 1, inFlight: 0, sent: 1 });
    expect(unexpected(problems, [403])).toEqual([]);
  });

  it("the API without the page's marker is served as usual (read-only is the page's mode, not access control)", async () => {
    const q = uniqueQueue("ro");
    expect((await fetch(`${s.url}/v1/queues/${q}/messages`, { method: "POST", body: "x" })).status).toBe(201);
  });
});

describe("the dashboard, --token", () => {
  const TOKEN = "s3cret-token";
  const s = serverForBlock({ token: TOKEN });

  it("asks for the token; a wrong one shows an error and no data; the right one shows the queues", async () => {
    const q = uniqueQueue("tok");
    await s.engine.send(q, "secret body");
    const { page, problems } = await browser.open(`${s.url}/ui/`);
    await page.waitForSelector("form.token");
    expect(await page.locator("table").count()).toBe(0);
    await page.fill("input[name=token]", "wrong");
    await page.click("button >> text=Open the dashboard");
    await page.waitForSelector("form.token .error");
    expect(await page.locator("form.token .error").textContent()).toMatch(/The token was refused: the credentials are not valid/);
    expect(await page.locator(`tr[data-queue="${q}"]`).count()).toBe(0);
    expect(await page.content()).not.toContain(q);

    await page.fill("input[name=token]", TOKEN);
    await page.click("button >> text=Open the dashboard");
    await page.waitForSelector(`tr[data-queue="${q}"]`);
    // Kept for the tab: a reload asks no more.
    await page.reload();
    await page.waitForSelector(`tr[data-queue="${q}"]`);
    expect(await page.locator("form.token").count()).toBe(0);
    expect(unexpected(problems, [401])).toEqual([]);
  });

  it("a new tab asks again (the token is kept per tab)", async () => {
    const { page } = await browser.open(`${s.url}/ui/`);
    await page.waitForSelector("form.token");
  });
});

describe("the dashboard, --users", () => {
  let s: Running;
  beforeAll(async () => {
    const file = path.join(mkdtempSync(path.join(os.tmpdir(), "tinyqs-ui-users-")), "users.json");
    await writeUsersFile(file, [{ name: "shopkeeper", password: "shop-pass", grants: [{ queues: "shop.*", allow: ["admin", "send", "receive"] }] }]);
    s = await startServer({ usersFile: file });
  });
  afterAll(() => s.close());

  it("the page uses the user's password: it shows only the queues the user administers, and the grants refuse the rest", async () => {
    await deadLettered(s.engine, "shop.orders", 2);
    await s.engine.send("payroll", "salaries");
    const { page, problems } = await browser.open(`${s.url}/ui/`);
    await page.fill("input[name=token]", "shop-pass");
    await page.click("button >> text=Open the dashboard");
    await page.waitForSelector(`tr[data-queue="shop.orders.dead"]`);
    const names = await page.$$eval("tr[data-queue]", (rows) => rows.map((r) => r.getAttribute("data-queue")));
    expect(names).toEqual(["shop.orders", "shop.orders.dead"]);
    // Its redrive to a queue outside its grants: the server's 403, shown; nothing moved.
    await page.click(`tr[data-queue="shop.orders.dead"] a`);
    await page.waitForSelector(".messages tr[data-id]");
    await page.fill("input[name=redriveTo]", "payroll");
    await page.click("button[name=redrive]");
    await page.waitForSelector('.actions .error >> text=user "shopkeeper" may not send on queue "payroll"');
    expect((await s.engine.stats("shop.orders.dead")).ready).toBe(2);
    expect((await s.engine.stats("payroll")).ready).toBe(1);
    // And a queue outside them is no page of its own.
    await page.goto(`${s.url}/ui/#/queues/payroll`);
    await page.waitForSelector(".notfound");
    expect(await page.content()).not.toContain("salaries");
    expect(unexpected(problems, [403])).toEqual([]);
  });
});
