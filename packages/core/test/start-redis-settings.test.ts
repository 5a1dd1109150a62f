// `pnpm start --redis URL` checks that Redis's settings (issue 11 item 5): an evicting
// maxmemory-policy stops it (exit 1, the reason on stderr) unless --allow-eviction.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launch, start, stopAll } from "@tinyqs/test-support/start";
import { RedisServer } from "@tinyqs/test-support";

let evicting: RedisServer;
beforeAll(async () => {
  evicting = await RedisServer.start({ extraArgs: ["--maxmemory-policy", "allkeys-lfu"] });
});
afterAll(async () => {
  stopAll();
  await evicting?.cleanup();
});

describe("pnpm start and Redis's settings", { timeout: 90_000 }, () => {
  it("--redis of an evicting Redis: exits 1 saying why; with --allow-eviction it serves, with a warning", async () => {
    const refused = launch(["--tcp-port", "0", "--http-port", "0", "--redis", evicting.url]);
    expect(await refused.exited).toBe(1);
    expect(refused.err()).toContain(`tinyqs: Redis at 127.0.0.1:${evicting.port} has maxmemory-policy allkeys-lfu: when full it evicts keys, and so loses messages`);
    expect(refused.out()).not.toContain("tinyqs: ready");

    const allowed = await start(["--redis", evicting.url, "--allow-eviction"]);
    expect(allowed.err()).toContain("(allowed by --allow-eviction)");
    allowed.child.kill("SIGINT");
    expect(await allowed.exited).toBe(0);
  });
});
