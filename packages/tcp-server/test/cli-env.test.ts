// tinyqs-tcp's port variable: TINYQS_TCP_PORT, the name `pnpm start` uses too; TINYQS_PORT, its
// name before, still read (deprecated, with a warning) when TINYQS_TCP_PORT is not set. The bin
// runs from its sources (tsx, with core's sources too), as in cli.test.ts.
import { fileURLToPath } from "node:url";
import { describe, expect, inject, it } from "vitest";
import { USAGE, parseCli } from "../src/options.js";
import { spawnBin } from "@tinyqs/test-support";
import { eventually } from "./helpers.js";

const PKG = fileURLToPath(new URL("..", import.meta.url));

/** The bin with exactly these TINYQS_* variables; resolves with its first line and its stderr, then stops it. */
async function firstLine(env: Record<string, string>): Promise<{ line: string; err: string }> {
  const { child, exited, out, err } = spawnBin(PKG, ["--redis", inject("redisUrl")], { cleanTinyqsEnv: true, env, killAfterMs: 25_000 });
  await eventually(() => out().includes("\n") || child.exitCode !== null, 15_000);
  child.kill("SIGTERM");
  expect(await exited).toBe(0);
  return { line: out().split("\n")[0]!, err: err() };
}

describe("tinyqs-tcp's port variable", () => {
  it("TINYQS_TCP_PORT sets the port; TINYQS_PORT is then not even read", () => {
    expect(parseCli([], { TINYQS_TCP_PORT: "7100", TINYQS_PORT: "not a port" })).toMatchObject({ config: { port: 7100 } });
    expect(USAGE).toMatch(/^ {2}--port PORT [^\n]*\n\s+env TINYQS_TCP_PORT$/m);
  });

  it("TINYQS_PORT, the deprecated name, still works, with a warning; --help lists it as deprecated", () => {
    const warnings: string[] = [];
    expect(parseCli([], { TINYQS_PORT: "7101" }, (w) => warnings.push(w))).toMatchObject({ config: { port: 7101 } });
    expect(warnings).toEqual(["TINYQS_PORT is deprecated: use TINYQS_TCP_PORT"]);
    expect(USAGE).toMatch(/\nDeprecated variables[^\n]*\n {2}--port PORT +TINYQS_TCP_PORT's old name\n +env TINYQS_PORT$/);
  });

  it("the bin listens where either name says (0: a free port, not the default 7379), and warns on stderr for the old one", async () => {
    const [byNew, byOld] = await Promise.all([firstLine({ TINYQS_TCP_PORT: "0", TINYQS_PORT: "not a port" }), firstLine({ TINYQS_PORT: "0" })]);
    for (const { line } of [byNew, byOld]) expect(line).toMatch(/^tinyqs-tcp \S+ listening on 127\.0\.0\.1:(?!7379\b)\d+ /);
    expect(byNew.err).toBe("");
    expect(byOld.err).toBe("tinyqs-tcp: warning: TINYQS_PORT is deprecated: use TINYQS_TCP_PORT\n");
  });
});
