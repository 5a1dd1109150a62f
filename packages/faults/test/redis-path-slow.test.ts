// The network between tinyqs (the engine and both servers) and Redis made slow by the proxy: 200 ms
// added each way for 3 s, then a 4 KiB/s bandwidth limit (per connection and direction) for 3 s.
// Nothing acknowledged is lost, no call outlives its bound, and traffic returns to normal by itself.
import { afterAll, beforeAll, expect, it } from "vitest";
import { sleep } from "@tinyqs/test-support";
import { expectSound } from "../src/scenario.js";
import { stage, type Stage } from "../src/stage.js";

let on: Stage;
beforeAll(async () => {
  on = await stage({ proxied: true });
});
afterAll(() => on?.close());

for (const { name, shaping } of [
  { name: "proxy-latency", shaping: { latencyMs: 200 } },
  { name: "proxy-bandwidth", shaping: { bytesPerSecond: 4 * 1024 } },
]) {
  it(`${name}: the Redis path shaped ${JSON.stringify(shaping)} for 3 s`, async () => {
    const out = await on.run({
      name,
      bodyBytes: 256,
      fault: async () => {
        on.px.shape(shaping);
        await sleep(3000);
        on.px.shape({});
      },
    });
    expectSound(out);
    // The shaping took effect: some send waited out at least one slowed round trip.
    expect(out.tally.maxSendMs, out.line).toBeGreaterThanOrEqual(400);
  });
}
