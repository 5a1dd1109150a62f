// tinyqs-tcp and tinyqs-http (child processes) SIGKILLed mid-traffic and started again on the same
// ports: the clients reconnect by themselves, nothing acknowledged is lost, and a send whose reply
// died with the server counts as failed (maybe stored: "failed but delivered"), never as acked.
// The engine channel, on Redis directly, carries on throughout.
import { afterAll, beforeAll, expect, it } from "vitest";
import { TinyQS } from "@tinyqs/core";
import { RedisServer, sleep } from "@tinyqs/test-support";
import { everyChannel } from "../src/channels.js";
import { closeAll, expectSound, runScenario } from "../src/scenario.js";
import { ChildServers } from "../src/servers.js";

let redis: RedisServer;
let servers: ChildServers;
let checker: TinyQS;

beforeAll(async () => {
  redis = await RedisServer.start({ appendonly: true });
  servers = await ChildServers.start(redis.url);
  checker = new TinyQS({ redis: redis.url });
});
afterAll(async () => {
  await servers?.close();
  await checker?.close();
  await redis?.cleanup();
});

it("server-sigkill: both servers SIGKILLed and restarted on their ports; clients come back by themselves", async () => {
  const channels = everyChannel(redis.url, servers);
  try {
    const out = await runScenario({
      name: "server-sigkill",
      channels,
      checker,
      fault: async () => {
        const before = servers.pids;
        await servers.kill();
        await sleep(500);
        await servers.startBoth();
        expect(servers.pids.some((p) => before.includes(p))).toBe(false);
      },
    });
    expectSound(out);
    expect(out.tally.failed, out.line).toBeGreaterThan(0);
  } finally {
    await closeAll(channels);
  }
});
