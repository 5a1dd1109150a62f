// `pnpm ui:screenshots`: PNG screenshots of the dashboard on seeded data, for the README —
// docs/ui-overview.png (every queue) and docs/ui-queue.png (one queue: chart, actions, messages).
// It runs everything itself: a private redis-server (test-support, stopped by PID), the HTTP server
// from this package's build, a little traffic so that the rates and the chart move, and Debian's
// chromium (test/browser.ts). About a minute, most of it the traffic the chart shows.
import path from "node:path";
import { fileURLToPath } from "node:url";
import { TinyQS } from "@tinyqs/core";
import { RedisServer, sleep } from "@tinyqs/test-support";
import { createHttpServer } from "../dist/index.js";
import { launchBrowser } from "../test/browser.js";

const DOCS = fileURLToPath(new URL("../../../docs/", import.meta.url));
const TRAFFIC_MS = Number(process.env.TINYQS_SCREENSHOT_TRAFFIC_MS ?? 50_000);

const redis = await RedisServer.start();
const engine = new TinyQS({ redis: redis.url, onWarning: () => {} }); // a throwaway Redis: no AOF needed
const http = createHttpServer({ engine, log: () => {} });
const browser = await launchBrowser({ width: 1360, height: 860 });
let stopTraffic = false;
try {
  const { url } = await http.listen(0, "127.0.0.1");
  await seed(engine);
  const { page } = await browser.open(`${url}/ui/`);
  // The overview stays open while traffic flows: the sampler keeps every queue's history meanwhile.
  const traffic = runTraffic(engine, () => stopTraffic);
  await sleep(TRAFFIC_MS);
  await page.waitForSelector("tr[data-queue='orders']");
  await page.setViewportSize({ width: 1360, height: 520 }); // the table, not a screen of empty page
  await page.screenshot({ path: path.join(DOCS, "ui-overview.png") });
  const queuePage = (await browser.open(`${url}/ui/#/queues/orders`)).page;
  await queuePage.waitForSelector(".messages tr[data-id]");
  await sleep(2500); // a few live points after the history
  await queuePage.screenshot({ path: path.join(DOCS, "ui-queue.png"), fullPage: true });
  stopTraffic = true;
  await traffic;
  process.stdout.write(`wrote ${path.join(DOCS, "ui-overview.png")} and ${path.join(DOCS, "ui-queue.png")}\n`);
} finally {
  stopTraffic = true;
  await browser.close();
  await http.close();
  await engine.close();
  await redis.cleanup();
}

async function seed(tq: TinyQS): Promise<void> {
  await tq.configure("orders", { maxReceives: 3, visibilityMs: 30_000 });
  await tq.configure("emails", { visibilityMs: 120_000 });
  const order = (i: number) => JSON.stringify({ order: 10_400 + i, sku: ["A-113", "B-207", "C-042"][i % 3], qty: 1 + (i % 4) });
  await tq.sendBatch("orders", Array.from({ length: 240 }, (_, i) => order(i)));
  for (const from of [0, 625]) await tq.sendBatch("emails", Array.from({ length: 625 }, (_, i) => `To: user${from + i}@example.com\nSubject: Your receipt #${5000 + from + i}`));
  await tq.sendBatch("emails", Array.from({ length: 40 }, (_, i) => `reminder ${i}`), { delayMs: 3_600_000 });
  await tq.sendBatch("thumbnails", Array.from({ length: 12 }, (_, i) => Buffer.from([0x89, 0x50, 0x4e, 0x47, i, 0, 0xff, 0x10])));
  // Real dead letters: delivered once (maxReceives 1), their lease ended, the next receive dead-letters them.
  await tq.configure("payments", { maxReceives: 1, visibilityMs: 1 });
  await tq.sendBatch("payments", Array.from({ length: 7 }, (_, i) => JSON.stringify({ payment: 7_700 + i, card: "declined" })));
  await tq.receiveBatch("payments", { max: 100 });
  await sleep(5);
  await tq.receiveBatch("payments", { max: 100 });
  await tq.configure("payments", { maxReceives: 5, visibilityMs: 30_000 });
  await tq.sendBatch("payments", ["p-1", "p-2", "p-3"]);
  await tq.pause("thumbnails"); // paused for maintenance: sends pile up, nothing is delivered
  await tq.sendBatch("reports", ["daily", "weekly"]);
  await tq.receiveBatch("reports", { max: 2, visibilityMs: 600_000 });
}

/**
 * A producer and a worker on "orders" whose rates swing, a steady "webhooks" and a drip on "emails",
 * in four small steps a second (traffic in one burst a second would make a sample that falls
 * between two bursts read 0).
 */
async function runTraffic(tq: TinyQS, stopped: () => boolean): Promise<void> {
  const started = Date.now();
  let i = 0;
  for (let step = 0; !stopped(); step++) {
    const t = (Date.now() - started) / 1000;
    const sends = Math.round((18 + 10 * Math.sin(t / 6)) / 4);
    await tq.sendBatch("orders", Array.from({ length: sends }, () => JSON.stringify({ order: 20_000 + i++, sku: "A-113", qty: 2 })));
    const got = await tq.receiveBatch("orders", { max: Math.max(1, sends - 1), visibilityMs: 30_000 });
    await tq.deleteBatch("orders", got.slice(0, Math.max(0, got.length - (step % 4 === 0 ? 1 : 0))).map((m) => m.receipt!));
    const emails = await tq.receiveBatch("emails", { max: 1 });
    await tq.deleteBatch("emails", emails.map((m) => m.receipt!));
    await tq.sendBatch("webhooks", Array.from({ length: 2 + (step % 2) }, (_, k) => `{"event":"order.paid","n":${k}}`));
    const hooks = await tq.receiveBatch("webhooks", { max: 2 });
    await tq.deleteBatch("webhooks", hooks.map((m) => m.receipt!));
    await sleep(250);
  }
}
