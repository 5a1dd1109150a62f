// The network between tinyqs (the engine and both servers) and Redis, broken by the proxy: stalled
// for 3 s (nothing passes, connections stay open), then every connection reset at once with new
// ones refused for 1 s. Calls fail within their deadline (UNAVAILABLE), nothing acknowledged is
// lost, and everything recovers by itself.
import { afterAll, beforeAll, expect, it } from "vitest";
import { sleep } from "@tinyqs/test-support";
import { redisBehindProxy, type RedisBehindProxy } from "../src/redis-proxy.js";
import { closeAll, expectSound, runScenario } from "../src/scenario.js";

let net: RedisBehindProxy;
beforeAll(async () => {
  net = await redisBehindProxy();
});
afterAll(() => net?.close());

it("proxy-stall: the Redis path stalled 3 s", async () => {
  const channels = net.channels();
  try {
    const out = await runScenario({
      name: "proxy-stall",
      channels,
      checker: net.checker,
      fault: async () => {
        net.px.stall();
        await sleep(3000);
        net.px.unstall();
      },
    });
    expectSound(out);
    expect(out.tally.failed, out.line).toBeGreaterThan(0);
    expect(Object.keys(out.tally.errors), out.line).toEqual(["UNAVAILABLE"]);
  } finally {
    await closeAll(channels);
  }
});

it("proxy-reset: every Redis connection reset, new ones refused for 1 s", async () => {
  const channels = net.channels();
  try {
    const out = await runScenario({
      name: "proxy-reset",
      channels,
      checker: net.checker,
      fault: async () => {
        net.px.refuse();
        net.px.cut();
        await sleep(1000);
        await net.px.accept();
      },
    });
    expectSound(out);
    expect(Object.keys(out.tally.errors).filter((c) => c !== "UNAVAILABLE"), out.line).toEqual([]);
  } finally {
    await closeAll(channels);
  }
});
