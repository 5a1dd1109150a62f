// Redis at its maxmemory with noeviction, filled up by the traffic itself (no consumer yet): sends
// get FULL on every channel (HTTP 507, RESP -FULL, the WebSocket's error reply) and FULL is true to
// its word — nothing it refused was stored; nothing acknowledged is lost; once the consumers start,
// receive + delete drain the queue and sends are acknowledged again, without help.
import { afterAll, beforeAll, expect, it } from "vitest";
import { TinyQS } from "@tinyqs/core";
import { RedisServer } from "@tinyqs/test-support";
import { everyChannel } from "../src/channels.js";
import { closeAll, expectSound, runScenario } from "../src/scenario.js";
import { inProcessServers, type Servers } from "../src/servers.js";

let redis: RedisServer;
let servers: Servers;
let checker: TinyQS;

beforeAll(async () => {
  redis = await RedisServer.start({ extraArgs: ["--maxmemory", "4mb", "--maxmemory-policy", "noeviction"] });
  servers = await inProcessServers(redis.url);
  checker = new TinyQS({ redis: redis.url });
});
afterAll(async () => {
  await servers?.close();
  await checker?.close();
  await redis?.cleanup();
});

it("redis-full: sends get FULL, nothing refused is stored, receive + delete drain it, sends resume", async () => {
  const channels = everyChannel(redis.url, servers);
  const names = channels.map((c) => c.name);
  try {
    const out = await runScenario({
      name: "redis-full",
      channels,
      checker,
      consumeFromStart: false,
      sendPauseMs: 0,
      bodyBytes: 4096,
      fault: async ({ ledger, until, startConsumers }) => {
        await until(() => names.every((n) => ledger.codesOf(n).includes("FULL")), "every channel's sends refused FULL", 30_000);
        startConsumers();
      },
    });
    expectSound(out);
    for (const n of names) expect(out.ledger.codesOf(n), `${n}: ${out.line}`).toEqual(["FULL"]);
    expect(out.tally.failedDelivered, out.line).toBe(0); // FULL: "nothing was stored", and so it was
    expect(out.ledger.errorMessages("FULL")[0]).toBe("Redis is full (maxmemory reached): nothing was stored");
  } finally {
    await closeAll(channels);
  }
});
