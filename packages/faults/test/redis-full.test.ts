// Redis at its maxmemory with noeviction, filled up by the traffic itself (no consumer yet): sends
// get FULL on every channel (HTTP 507, RESP -FULL, the WebSocket's error reply) and FULL is true to
// its word — nothing it refused was stored; nothing acknowledged is lost; once the consumers start,
// receive + delete drain the queue and sends are acknowledged again, without help. And while it is
// full (issue 18), a worker on the engine, on the TCP client and on the HTTP client each keeps its
// lease through a 10 s handler with a 1.5 s visibility: its touches (and then its delete) still run,
// so each job is delivered once.
import { connect } from "@tinyqs/client";
import { TinyQS, type TinyQSApi } from "@tinyqs/core";
import { runOneSlowHandler, uniqueQueue } from "@tinyqs/test-support";
import { afterAll, beforeAll, expect, it } from "vitest";
import { expectSound } from "../src/scenario.js";
import { stage, type Stage } from "../src/stage.js";

const CHANNELS = ["engine", "tcp", "http", "ws"];

let on: Stage;
beforeAll(async () => {
  on = await stage({ redis: { extraArgs: ["--maxmemory", "4mb", "--maxmemory-policy", "noeviction"] } });
});
afterAll(() => on?.close());

let workers: Array<{ api: TinyQSApi; queue: string }> = [];
let leases: Array<{ deliveries: number[]; errors: unknown[] }> = [];

it("redis-full: sends get FULL, nothing refused is stored, receive + delete drain it, sends resume; leases are kept", async () => {
  workers = [
    { api: new TinyQS({ redis: on.redisUrl }), queue: uniqueQueue("lease-engine") },
    { api: connect(on.servers.tcpUrl), queue: uniqueQueue("lease-tcp") },
    { api: connect(on.servers.httpUrl), queue: uniqueQueue("lease-http") },
  ];
  for (const { queue } of workers) await on.checker.send(queue, "a slow job");
  const out = await on.run({
    name: "redis-full",
    consumeFromStart: false,
    sendPauseMs: 0,
    bodyBytes: 4096,
    fault: async ({ ledger, until, startConsumers }) => {
      await until(() => CHANNELS.every((n) => ledger.codesOf(n).includes("FULL")), "every channel's sends refused FULL", 30_000);
      // Redis is full now: one slow job per worker, each on a queue of its own, sent before it filled.
      leases = await Promise.all(workers.map(({ api, queue }) => runOneSlowHandler(api, on.checker, queue, 10_000, 1_500)));
      startConsumers();
    },
  });
  expectSound(out);
  for (const n of CHANNELS) expect(out.ledger.codesOf(n), `${n}: ${out.line}`).toEqual(["FULL"]);
  expect(out.tally.failedDelivered, out.line).toBe(0); // FULL: "nothing was stored", and so it was
  expect(out.ledger.errorMessages("FULL")[0]).toBe("Redis is full (maxmemory reached): nothing was stored");
  // One delivery each: the lease outlived the 1.5 s visibility through touches on a full Redis.
  expect(leases.map((l) => l.deliveries)).toEqual([[1], [1], [1]]);
  expect(leases.flatMap((l) => l.errors)).toEqual([]);
  await Promise.all(workers.map((w) => w.api.close()));
});
