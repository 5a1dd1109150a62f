// tinyqs-http's port variable: TINYQS_HTTP_PORT, the name `pnpm start` uses too; TINYQS_PORT, its
// name before, still read (deprecated, with a warning) when TINYQS_HTTP_PORT is not set. The bin
// runs from its sources (tsx, with core's sources too).
import { fileURLToPath } from "node:url";
import { describe, expect, inject, it } from "vitest";
import { spawnBin } from "@tinyqs/test-support";
import { freePort } from "./helpers.js";

const PKG = fileURLToPath(new URL("..", import.meta.url));

/** The bin with exactly these TINYQS_* variables (and the test's Redis); its stdout and stderr. */
function bin(args: string[], env: Record<string, string>) {
  return spawnBin(PKG, args, { cleanTinyqsEnv: true, env: { TINYQS_REDIS_URL: inject("redisUrl"), ...env }, killAfterMs: 25_000 });
}

/** Started with `env`: the URL it says it listens on, and its stderr; stopped with SIGTERM (exit 0). */
async function listensOn(env: Record<string, string>): Promise<{ url: string; err: string }> {
  const r = bin([], env);
  const deadline = Date.now() + 15_000;
  let m: RegExpExecArray | null;
  while (!(m = /listening on (http:\/\/\S+)/.exec(r.out()))) {
    if (Date.now() > deadline || r.child.exitCode !== null) throw new Error(`no listening line: ${r.out()}${r.err()}`);
    await new Promise((res) => setTimeout(res, 25));
  }
  r.child.kill("SIGTERM");
  expect(await r.exited).toBe(0);
  return { url: m[1]!, err: r.err() };
}

describe("tinyqs-http's port variable", () => {
  it("TINYQS_HTTP_PORT sets the port (TINYQS_PORT is then not even read); TINYQS_PORT alone still works, with a warning", async () => {
    const [p1, p2] = [await freePort(), await freePort()];
    const [byNew, byOld] = await Promise.all([
      listensOn({ TINYQS_HTTP_PORT: String(p1), TINYQS_PORT: "not a port" }),
      listensOn({ TINYQS_PORT: String(p2) }),
    ]);
    expect(byNew).toEqual({ url: `http://127.0.0.1:${p1}`, err: "" });
    expect(byOld).toEqual({ url: `http://127.0.0.1:${p2}`, err: "tinyqs-http: warning: TINYQS_PORT is deprecated: use TINYQS_HTTP_PORT\n" });
  });

  it("--help names TINYQS_HTTP_PORT for --port, and TINYQS_PORT among the deprecated names", async () => {
    const r = bin(["--help"], {});
    expect(await r.exited).toBe(0);
    expect(r.out()).toMatch(/^ {2}--port PORT [^\n]*\n\s+env TINYQS_HTTP_PORT$/m);
    expect(r.out()).toMatch(/\nDeprecated variables[^\n]*\n {2}--port PORT +TINYQS_HTTP_PORT's old name\n +env TINYQS_PORT\n/);
  });
});
