// Durability (issue 2, "Tests"): Redis with appendonly yes + appendfsync always, killed with SIGKILL
// while sends are going on, restarted on the same dir and port: every send that resolved is there.
import { afterAll, beforeAll, expect, it } from "vitest";
import { TinyQS, type Message } from "../src/index.js";
import { RedisServer, sleep, uniqueQueue } from "@tinyqs/test-support";

let server: RedisServer;
const engines: TinyQS[] = [];

beforeAll(async () => {
  server = await RedisServer.start({ appendonly: true });
});
afterAll(async () => {
  await Promise.all(engines.map((e) => e.close().catch(() => {})));
  await server?.cleanup();
});

it("every resolved send survives a SIGKILL of Redis (appendfsync always)", async () => {
  const q = uniqueQueue("aof");
  const tq = new TinyQS({ redis: server.url, timeoutMs: 1000 });
  engines.push(tq);
  const resolved = new Map<string, string>(); // id -> body

  // a first wave, all resolved before the kill
  const first = await Promise.all(Array.from({ length: 200 }, (_, i) => tq.send(q, `w1-${i}`).then((id) => [id, `w1-${i}`] as const)));
  for (const [id, body] of first) resolved.set(id, body);
  const batch = await tq.sendBatch(q, Array.from({ length: 100 }, (_, i) => `b-${i}`));
  batch.forEach((id, i) => resolved.set(id, `b-${i}`));
  const delayed = await tq.send(q, "delayed", { delayMs: 300 });
  resolved.set(delayed, "delayed");

  // then 20 senders keep going while Redis is killed under them
  let stop = false;
  let failures = 0;
  let n = 0;
  const senders = Array.from({ length: 20 }, async () => {
    while (!stop) {
      const body = `w2-${n++}`;
      try {
        resolved.set(await tq.send(q, body), body);
      } catch {
        failures++;
        return;
      }
    }
  });
  await sleep(150);
  await server.kill();
  stop = true;
  await Promise.all(senders);
  if (process.env.TINYQS_TEST_DEBUG) console.log(`resolved ${resolved.size}, failed ${failures}`);
  expect(failures).toBeGreaterThan(0); // the kill did land in the middle of sends
  expect(resolved.size).toBeGreaterThan(301);

  await server.restart();
  const after = new TinyQS({ redis: server.url });
  engines.push(after);
  const got: Message[] = [];
  await sleep(350); // the delayed one is due
  for (;;) {
    const ms = await after.receiveBatch(q, { max: 1000 });
    if (ms.length === 0) break;
    got.push(...ms);
  }
  const byId = new Map(got.map((m) => [m.id, m.body.toString()]));
  const missing = [...resolved.keys()].filter((id) => byId.get(id) !== resolved.get(id));
  expect(missing).toEqual([]);
  // no message appears twice, and anything extra is a send that was in flight at the kill
  expect(byId.size).toBe(got.length);
  expect(got.length - resolved.size).toBeLessThanOrEqual(20);
});
