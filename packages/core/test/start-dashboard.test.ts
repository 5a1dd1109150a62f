// `pnpm start` and the dashboard (issue 14): it says where the page is, passes --ui on to the HTTP
// server, and keeps one metrics registry for the whole process, so GET /metrics counts the TCP
// server's operations beside REST's and the page's.
import { Redis } from "ioredis";
import path from "node:path";
import { afterAll, expect, it } from "vitest";
import { start, stopAll, tempDir } from "@tinyqs/test-support/start";
import { metric, uniqueQueue } from "@tinyqs/test-support";

afterAll(stopAll);

it("pnpm start --ui read-only: the page is read-only, and /metrics counts TCP, REST and the page", { timeout: 90_000 }, async () => {
  const t = await start(["--no-sqs", "--ui", "read-only", "--data-dir", path.join(tempDir(), "data")]);
  expect(t.out()).toContain(`tinyqs: ui     ${t.httpUrl}/ui/ (the dashboard, read-only)`);
  expect(await (await fetch(`${t.httpUrl}/ui/config.json`)).json()).toEqual({ mode: "read-only", credentials: false });

  const q = uniqueQueue("startui");
  const tcp = new Redis({ port: t.tcpPort, host: "127.0.0.1", lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await tcp.call("SEND", q, "over tcp");
  } finally {
    tcp.disconnect();
  }
  expect((await fetch(`${t.httpUrl}/v1/queues/${q}/messages`, { method: "POST", body: "over rest" })).status).toBe(201);
  const fromPage = await fetch(`${t.httpUrl}/v1/queues/${q}/messages`, { method: "POST", body: "from the page", headers: { "tinyqs-ui": "1" } });
  expect(fromPage.status).toBe(403); // read-only: the page may not send
  const page = await fetch(`${t.httpUrl}/v1/queues/${q}`, { headers: { "tinyqs-ui": "1" } });
  expect(page.status).toBe(200);

  const count = (p: string, operation: string) => metric(t.httpUrl, "tinyqs_operations_total", { path: p, operation, outcome: "ok" });
  expect(await count("tcp", "send")).toBe(1);
  expect(await count("rest", "send")).toBe(1);
  expect(await count("ui", "send")).toBe(0);
  expect(await count("ui", "stats")).toBe(1);
});

it("pnpm start --no-ui: no page, and no ui line", { timeout: 90_000 }, async () => {
  const t = await start(["--no-sqs", "--no-ui", "--data-dir", path.join(tempDir(), "data")]);
  expect(t.out()).not.toContain("tinyqs: ui");
  expect((await fetch(`${t.httpUrl}/ui/`)).status).toBe(404);
});
