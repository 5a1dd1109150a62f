// tinyqs-http's --redis-timeout-ms / TINYQS_REDIS_TIMEOUT_MS: the engine's Redis timeout (issue 18),
// 1-600000 as the engine checks it, the flag beating the variable. The bin runs from its sources, as
// in cli.test.ts; "Redis down" is a port where nothing listens.
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { spawnBin } from "@tinyqs/test-support";
import { freePort, uniqueQueue } from "./helpers.js";

const PKG = fileURLToPath(new URL("..", import.meta.url));

/** The bin on a free port with a Redis where nothing listens; exactly these TINYQS_* variables. */
async function binWithRedisDown(args: string[], env: Record<string, string>) {
  const dead = await freePort();
  return spawnBin(PKG, ["--port", "0", "--redis", `redis://127.0.0.1:${dead}`, ...args], { cleanTinyqsEnv: true, env, killAfterMs: 25_000 });
}

/** Its URL once it says it listens. */
async function urlOf(r: Awaited<ReturnType<typeof binWithRedisDown>>): Promise<string> {
  const deadline = Date.now() + 15_000;
  let m: RegExpExecArray | null;
  while (!(m = /listening on (http:\/\/\S+)/.exec(r.out()))) {
    if (Date.now() > deadline || r.child.exitCode !== null) throw new Error(`no listening line: ${r.out()}${r.err()}`);
    await new Promise((res) => setTimeout(res, 25));
  }
  return m[1]!;
}

/** A send through the bin with Redis down: the 503's code and message, and how long it took. */
async function sendWhileRedisDown(args: string[], env: Record<string, string>): Promise<{ status: number; body: any; ms: number }> {
  const r = await binWithRedisDown(args, env);
  try {
    const url = await urlOf(r);
    const t0 = Date.now();
    const res = await fetch(`${url}/v1/queues/${uniqueQueue("redis-down")}/messages`, { method: "POST", body: "x" });
    return { status: res.status, body: await res.json(), ms: Date.now() - t0 };
  } finally {
    r.child.kill("SIGTERM");
    expect(await r.exited).toBe(0);
  }
}

describe("tinyqs-http --redis-timeout-ms", () => {
  it("--help lists it with its variable and the engine's default", async () => {
    const r = spawnBin(PKG, ["--help"], { cleanTinyqsEnv: true });
    expect(await r.exited).toBe(0);
    expect(r.out()).toMatch(/^ {2}--redis-timeout-ms MS [^\n]*\n[^\n]*default 5000[^\n]*\n\s+env TINYQS_REDIS_TIMEOUT_MS$/m);
  });

  it("out of 1-600000, or not a number, is refused with exit 2, from the flag or the variable", async () => {
    const [zero, big, word] = [
      spawnBin(PKG, ["--redis-timeout-ms", "0"], { cleanTinyqsEnv: true }),
      spawnBin(PKG, ["--redis-timeout-ms=600001"], { cleanTinyqsEnv: true }),
      spawnBin(PKG, [], { cleanTinyqsEnv: true, env: { TINYQS_REDIS_TIMEOUT_MS: "5s" } }),
    ];
    expect(await Promise.all([zero.exited, big.exited, word.exited])).toEqual([2, 2, 2]);
    expect(zero.err()).toMatch(/^tinyqs-http: --redis-timeout-ms must be an integer from 1 to 600000, got "0"/);
    expect(big.err()).toMatch(/^tinyqs-http: --redis-timeout-ms must be an integer from 1 to 600000, got "600001"/);
    expect(word.err()).toMatch(/^tinyqs-http: TINYQS_REDIS_TIMEOUT_MS needs a non-negative integer, got "5s"/);
  });

  it("the engine uses it: with Redis down, a send gets 503 UNAVAILABLE after the variable's 1000 ms, or the flag's over the variable's", async () => {
    const [byEnv, byFlag] = await Promise.all([
      sendWhileRedisDown([], { TINYQS_REDIS_TIMEOUT_MS: "1000" }),
      sendWhileRedisDown(["--redis-timeout-ms", "1000"], { TINYQS_REDIS_TIMEOUT_MS: "60000" }),
    ]);
    for (const r of [byEnv, byFlag]) {
      expect(r.status).toBe(503);
      expect(r.body.error.code).toBe("UNAVAILABLE");
      expect(r.body.error.message).toMatch(/Redis.* 1000 ms/);
      expect(r.ms).toBeGreaterThanOrEqual(900);
      expect(r.ms).toBeLessThan(5000);
    }
  });
});
