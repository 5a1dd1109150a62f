// Publishability: `pnpm pack` of @tinyqs/core gives a tarball that `npm install`s into an empty project
// and works there (import { TinyQS }, send/receive/delete against a private redis-server, close, exit).
// The logic lives in scripts/check-pack.mjs so it can also be run alone: `node scripts/check-pack.mjs`.
import { spawn } from "node:child_process";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");
const script = resolve(root, "scripts/check-pack.mjs");

function runCheck(): Promise<{ code: number | null; output: string }> {
  return new Promise((resolvePromise, reject) => {
    // Builds core only if dist/ is missing or older than src/ (`pnpm test` has just built it).
    const child = spawn(process.execPath, [script], {
      cwd: root,
      env: { ...process.env, NO_COLOR: "1" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (c: Buffer) => (output += c.toString()));
    child.stderr.on("data", (c: Buffer) => (output += c.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolvePromise({ code, output }));
  });
}

describe("npm package", () => {
  it(
    "pnpm pack gives a tarball that installs into an empty project and works there",
    async () => {
      const { code, output } = await runCheck();
      const verdict = output.trim().split("\n").at(-1) ?? "";
      // On failure, the assertion message carries the script's whole log.
      expect(verdict, output).toBe("check-pack: OK");
      expect(code, output).toBe(0);
      expect(output).toMatch(/tarball content OK/);
      expect(output).toMatch(/@tinyqs\/core resolves to .*\/node_modules\/@tinyqs\/core\/dist\/index\.js/);
      expect(output).toMatch(/consumer smoke test: OK/);
    },
    240_000,
  );
});
