// Redis at its maxmemory with noeviction, filled up by the traffic itself (no consumer yet): sends
// get FULL on every channel (HTTP 507, RESP -FULL, the WebSocket's error reply) and FULL is true to
// its word — nothing it refused was stored; nothing acknowledged is lost; once the consumers start,
// receive + delete drain the queue and sends are acknowledged again, without help.
import { afterAll, beforeAll, expect, it } from "vitest";
import { expectSound } from "../src/scenario.js";
import { stage, type Stage } from "../src/stage.js";

const CHANNELS = ["engine", "tcp", "http", "ws"];

let on: Stage;
beforeAll(async () => {
  on = await stage({ redis: { extraArgs: ["--maxmemory", "4mb", "--maxmemory-policy", "noeviction"] } });
});
afterAll(() => on?.close());

it("redis-full: sends get FULL, nothing refused is stored, receive + delete drain it, sends resume", async () => {
  const out = await on.run({
    name: "redis-full",
    consumeFromStart: false,
    sendPauseMs: 0,
    bodyBytes: 4096,
    fault: async ({ ledger, until, startConsumers }) => {
      await until(() => CHANNELS.every((n) => ledger.codesOf(n).includes("FULL")), "every channel's sends refused FULL", 30_000);
      startConsumers();
    },
  });
  expectSound(out);
  for (const n of CHANNELS) expect(out.ledger.codesOf(n), `${n}: ${out.line}`).toEqual(["FULL"]);
  expect(out.tally.failedDelivered, out.line).toBe(0); // FULL: "nothing was stored", and so it was
  expect(out.ledger.errorMessages("FULL")[0]).toBe("Redis is full (maxmemory reached): nothing was stored");
});
