// redis-server SIGKILLed mid-traffic and started again on the same port and data directory, with
// its append-only file (appendfsync always): every acknowledged send is there after the restart, the
// engine and both servers reconnect by themselves, and no call waits past its deadline meanwhile.
import { afterAll, beforeAll, expect, it } from "vitest";
import { TinyQS } from "@tinyqs/core";
import { RedisServer, sleep } from "@tinyqs/test-support";
import { everyChannel } from "../src/channels.js";
import { closeAll, expectSound, runScenario } from "../src/scenario.js";
import { inProcessServers, type Servers } from "../src/servers.js";

let redis: RedisServer;
let servers: Servers;
let checker: TinyQS;

beforeAll(async () => {
  redis = await RedisServer.start({ appendonly: true });
  servers = await inProcessServers(redis.url);
  checker = new TinyQS({ redis: redis.url });
});
afterAll(async () => {
  await servers?.close();
  await checker?.close();
  await redis?.cleanup();
});

it("redis-sigkill: nothing acknowledged is lost across a SIGKILL and restart of redis-server (AOF, appendfsync always)", async () => {
  const channels = everyChannel(redis.url, servers);
  try {
    const out = await runScenario({
      name: "redis-sigkill",
      channels,
      checker,
      fault: async () => {
        await redis.kill(); // SIGKILL by PID: no shutdown, no last fsync
        await sleep(1500); // down long enough for calls to fail
        await redis.restart();
      },
    });
    expectSound(out);
    // While Redis was away, calls failed with UNAVAILABLE (the servers' answer too), not a client's TIMEOUT.
    expect(out.tally.failed, out.line).toBeGreaterThan(0);
    expect(Object.keys(out.tally.errors), out.line).toEqual(["UNAVAILABLE"]);
  } finally {
    await closeAll(channels);
  }
});
