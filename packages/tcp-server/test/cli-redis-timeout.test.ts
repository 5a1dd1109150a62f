// tinyqs-tcp's --redis-timeout-ms / TINYQS_REDIS_TIMEOUT_MS: the engine's Redis timeout (issue 18),
// 1-600000 as the engine checks it, the flag beating the variable. The bin runs from its sources, as
// in cli.test.ts; "Redis down" is a port where nothing listens.
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { USAGE, parseCli } from "../src/options.js";
import { freePort, spawnBin } from "@tinyqs/test-support";
import { RawClient, eventually, req, uniqueQueue } from "./helpers.js";

const PKG = fileURLToPath(new URL("..", import.meta.url));

describe("tinyqs-tcp --redis-timeout-ms", () => {
  it("the flag or TINYQS_REDIS_TIMEOUT_MS sets the engine's timeoutMs; the flag wins; out of 1-600000 is refused", () => {
    // Not given: not set, so the engine applies its own default.
    const plain = parseCli([], {});
    expect(plain.kind === "run" && plain.config.server.redisTimeoutMs).toBeUndefined();
    expect(parseCli([], { TINYQS_REDIS_TIMEOUT_MS: "2500" })).toMatchObject({ config: { server: { redisTimeoutMs: 2500 } } });
    expect(parseCli(["--redis-timeout-ms", "1000"], { TINYQS_REDIS_TIMEOUT_MS: "2500" })).toMatchObject({ config: { server: { redisTimeoutMs: 1000 } } });
    expect(parseCli(["--redis-timeout-ms=600000"], {})).toMatchObject({ config: { server: { redisTimeoutMs: 600_000 } } });
    expect(() => parseCli(["--redis-timeout-ms", "0"], {})).toThrow('--redis-timeout-ms must be an integer from 1 to 600000, got "0"');
    expect(() => parseCli(["--redis-timeout-ms", "600001"], {})).toThrow("from 1 to 600000");
    expect(() => parseCli([], { TINYQS_REDIS_TIMEOUT_MS: "5s" })).toThrow('TINYQS_REDIS_TIMEOUT_MS needs a non-negative integer, got "5s"');
    expect(USAGE).toMatch(/^ {2}--redis-timeout-ms MS [^\n]*\n[^\n]*default 5000[^\n]*\n\s+env TINYQS_REDIS_TIMEOUT_MS$/m);
  });

  it("the bin's engine uses it: with Redis down, SEND answers -UNAVAILABLE after the flag's 1000 ms, not the variable's", async () => {
    const dead = await freePort();
    const run = spawnBin(PKG, ["--port", "0", "--redis", `redis://127.0.0.1:${dead}`, "--redis-timeout-ms", "1000"], {
      cleanTinyqsEnv: true, env: { TINYQS_REDIS_TIMEOUT_MS: "60000" }, killAfterMs: 25_000,
    });
    try {
      const line = await eventually(() => /listening on 127\.0\.0\.1:(\d+)/.exec(run.out()), 15_000);
      const client = await RawClient.connect(Number(line![1]));
      const t0 = Date.now();
      const reply = await client.call(req("SEND", uniqueQueue("redis-down"), "x"));
      const ms = Date.now() - t0;
      expect(reply).toMatch(/^-UNAVAILABLE [^\r\n]*Redis[^\r\n]* 1000 ms/);
      expect(ms).toBeGreaterThanOrEqual(900);
      expect(ms).toBeLessThan(5000);
      client.destroy();
    } finally {
      run.child.kill("SIGTERM");
      expect(await run.exited).toBe(0);
    }
  });
});
