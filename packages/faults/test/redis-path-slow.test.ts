// The network between tinyqs (the engine and both servers) and Redis made slow by the proxy: 200 ms
// added each way for 3 s, then a 4 KiB/s bandwidth limit (per connection and direction) for 3 s. Nothing acknowledged is lost,
// no call outlives its bound, and traffic returns to normal by itself.
import { afterAll, beforeAll, expect, it } from "vitest";
import { sleep } from "@tinyqs/test-support";
import { redisBehindProxy, type RedisBehindProxy } from "../src/redis-proxy.js";
import { closeAll, expectSound, runScenario } from "../src/scenario.js";

let net: RedisBehindProxy;
beforeAll(async () => {
  net = await redisBehindProxy();
});
afterAll(() => net?.close());

for (const { name, shaping } of [
  { name: "proxy-latency", shaping: { latencyMs: 200 } },
  { name: "proxy-bandwidth", shaping: { bytesPerSecond: 4 * 1024 } },
]) {
  it(`${name}: the Redis path shaped ${JSON.stringify(shaping)} for 3 s`, async () => {
    const channels = net.channels();
    try {
      const out = await runScenario({
        name,
        channels,
        checker: net.checker,
        bodyBytes: 256,
        fault: async () => {
          net.px.shape(shaping);
          await sleep(3000);
          net.px.shape({});
        },
      });
      expectSound(out);
      // The shaping took effect: some send waited out at least one slowed round trip.
      expect(out.tally.maxSendMs, out.line).toBeGreaterThanOrEqual(400);
    } finally {
      await closeAll(channels);
    }
  });
}
