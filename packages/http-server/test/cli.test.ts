// The tinyqs-http command: --help, bad flags, flags and environment, and a graceful SIGTERM. It runs
// the built bin (dist/cli.js) when that is newer than every source file (`pnpm test` builds first),
// else the TypeScript source through tsx with core's source condition, so no build is needed.
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import net from "node:net";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, inject, it } from "vitest";
import { uniqueQueue } from "./helpers.js";

const pkg = fileURLToPath(new URL("..", import.meta.url));
const cliSource = join(pkg, "src", "cli.ts");
const cliBuilt = join(pkg, "dist", "cli.js");

/** The newest modification time of the files under a folder whose names end with `ext`. */
function newest(dir: string, ext: string): number {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newest(p, ext) : e.name.endsWith(ext) ? statSync(p).mtimeMs : 0);
  }
  return t;
}

/** Built after the last change to its sources (tsc -b rewrites only the outputs that changed). */
const fresh = (p: string) => existsSync(join(p, "dist")) && newest(join(p, "dist"), ".js") >= newest(join(p, "src"), ".ts");
const builtIsFresh = existsSync(cliBuilt) && fresh(pkg) && fresh(join(pkg, "../core"));
const command = builtIsFresh ? [cliBuilt] : ["--conditions=@tinyqs/source", "--import", "tsx", cliSource];

interface Run {
  child: ChildProcess;
  out: () => string;
  exit: Promise<number | null>;
}

function run(args: string[], env: Record<string, string> = {}): Run {
  const child = spawn(process.execPath, [...command, ...args], {
    cwd: pkg,
    env: { ...process.env, TINYQS_TOKEN: "", TINYQS_PORT: "", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  child.stdout!.on("data", (d) => (out += d));
  child.stderr!.on("data", (d) => (out += d));
  const exit = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  return { child, out: () => out, exit };
}

async function listening(r: Run): Promise<string> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const m = /listening on (http:\/\/\S+)/.exec(r.out());
    if (m) return m[1]!;
    if (Date.now() > deadline || r.child.exitCode !== null) throw new Error(`no listening line: ${r.out()}`);
    await new Promise((res) => setTimeout(res, 25));
  }
}

describe("tinyqs-http", () => {
  it("the source starts with a node shebang (kept in dist/cli.js, the bin)", () => {
    expect(readFileSync(cliSource, "utf8").split("\n")[0]).toBe("#!/usr/bin/env node");
    const manifest = JSON.parse(readFileSync(`${pkg}/package.json`, "utf8"));
    expect(manifest.bin).toEqual({ "tinyqs-http": "./dist/cli.js" });
  });

  it("--help prints every option and exits 0", async () => {
    const r = run(["--help"]);
    expect(await r.exit).toBe(0);
    for (const flag of ["--host", "--port", "--redis", "--token", "--max-message-bytes", "--max-wait-ms", "TINYQS_TOKEN"]) {
      expect(r.out()).toContain(flag);
    }
  });

  it("an unknown flag or a bad number exits 2 with the usage", async () => {
    const runs = [["--colour"], ["--port", "abc"], ["--max-message-bytes", "0"]].map((args) => ({ args, r: run(args) }));
    for (const { args, r } of runs) {
      expect(await r.exit, args.join(" ")).toBe(2);
      expect(r.out()).toContain("usage: tinyqs-http");
    }
  });

  it("flags and environment: serves on the port given, with the token; SIGTERM stops it cleanly (exit 0)", async () => {
    const r = run(["--port", "0", "--max-message-bytes", "10"], { TINYQS_REDIS_URL: inject("redisUrl"), TINYQS_TOKEN: "tok" });
    try {
      const url = await listening(r);
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/); // loopback by default
      const q = uniqueQueue();
      expect((await fetch(`${url}/v1/queues/${q}/messages`, { method: "POST", body: "x" })).status).toBe(401);
      const headers = { Authorization: "Bearer tok" };
      expect((await fetch(`${url}/v1/queues/${q}/messages`, { method: "POST", body: "x", headers })).status).toBe(201);
      expect((await fetch(`${url}/v1/queues/${q}/messages`, { method: "POST", body: "x".repeat(11), headers })).status).toBe(413);
      const poll = fetch(`${url}/v1/queues/${uniqueQueue()}/messages?waitMs=15000`, { headers });
      await new Promise((res) => setTimeout(res, 200));
      r.child.kill("SIGTERM");
      expect((await poll).status).toBe(204); // the long poll was answered, not cut
      expect(await r.exit).toBe(0);
      expect(r.out()).toContain("SIGTERM, shutting down");
    } finally {
      r.child.kill("SIGKILL");
    }
  });

  it("a port already taken: exit 1 with the reason", async () => {
    const taken = net.createServer();
    await new Promise<void>((resolve) => taken.listen(0, "127.0.0.1", resolve));
    try {
      const r = run(["--port", String((taken.address() as net.AddressInfo).port)], { TINYQS_REDIS_URL: inject("redisUrl") });
      expect(await r.exit).toBe(1);
      expect(r.out()).toMatch(/cannot listen/);
    } finally {
      taken.close();
    }
  });

  it("SIGINT stops it cleanly too", async () => {
    const r = run(["--port", "0"], { TINYQS_REDIS_URL: inject("redisUrl") });
    try {
      await listening(r);
      r.child.kill("SIGINT");
      expect(await r.exit).toBe(0);
      expect(r.out()).toContain("SIGINT, shutting down");
    } finally {
      r.child.kill("SIGKILL");
    }
  });
});
