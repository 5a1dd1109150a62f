// The network between tinyqs (the engine and both servers) and Redis, broken by the proxy: stalled
// for 3 s (nothing passes, connections stay open), then every connection reset at once with new
// ones refused for 1 s. Calls fail within their deadline, all with UNAVAILABLE; nothing
// acknowledged is lost, and everything recovers by itself.
import { afterAll, beforeAll, expect, it } from "vitest";
import { sleep, type Proxy } from "@tinyqs/test-support";
import { expectSound } from "../src/scenario.js";
import { stage, type Stage } from "../src/stage.js";

let on: Stage;
beforeAll(async () => {
  on = await stage({ proxied: true });
});
afterAll(() => on?.close());

const FAULTS: Array<{ name: string; what: string; mustFail: boolean; fault: (px: Proxy) => Promise<void> }> = [
  {
    name: "proxy-stall",
    mustFail: true,
    what: "the Redis path stalled 3 s",
    fault: async (px) => {
      px.stall();
      await sleep(3000);
      px.unstall();
    },
  },
  {
    name: "proxy-reset",
    mustFail: false, // a call waiting for the reconnection may just make it when the port reopens
    what: "every Redis connection reset, new ones refused for 1 s",
    fault: async (px) => {
      px.refuse();
      px.cut();
      await sleep(1000);
      await px.accept();
    },
  },
];

for (const { name, what, mustFail, fault } of FAULTS) {
  it(`${name}: ${what}`, async () => {
    const out = await on.run({ name, fault: () => fault(on.px) });
    expectSound(out);
    if (mustFail) expect(out.tally.failed, out.line).toBeGreaterThan(0);
    expect(Object.keys(out.tally.errors).filter((code) => code !== "UNAVAILABLE"), out.line).toEqual([]);
  });
}
