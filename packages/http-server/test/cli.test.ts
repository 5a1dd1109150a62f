// The tinyqs-http command: --help, bad flags, flags and environment, and a graceful SIGTERM. It runs
// the built bin (dist/cli.js) when that is newer than every source file (`pnpm test` builds first),
// else the TypeScript source through tsx with core's source condition, so no build is needed.
import type { ChildProcess } from "node:child_process";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { request } from "node:http";
import net from "node:net";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, inject, it } from "vitest";
import { TinyQS } from "@tinyqs/core";
import { spawnBin } from "@tinyqs/test-support";
import { freePort, uniqueQueue } from "./helpers.js";

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

/** `out` is stdout and stderr together, as they came. */
function run(args: string[], env: Record<string, string> = {}): Run {
  const r = spawnBin(pkg, args, { command, env: { TINYQS_TOKEN: "", TINYQS_PORT: "", TINYQS_CORS_ORIGIN: "", TINYQS_ALLOWED_HOSTS: "", ...env } });
  return { child: r.child, out: r.all, exit: r.exited };
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

/**
 * What a server started with token `token`, key prefix `prefix`, --max-message-bytes 10 and
 * --max-wait-ms 100 does: each option shows in an answer (and the Redis it uses is the test's).
 */
async function checkOptions(url: string, { token, prefix }: { token: string; prefix: string }): Promise<void> {
  const headers = { Authorization: `Bearer ${token}` };
  const q = uniqueQueue();
  expect((await fetch(`${url}/v1/queues/${q}/messages`, { method: "POST", body: "x" })).status).toBe(401);
  expect((await fetch(`${url}/v1/queues/${q}/messages`, { method: "POST", body: "ten bytes!", headers })).status).toBe(201);
  const over = await fetch(`${url}/v1/queues/${q}/messages`, { method: "POST", body: "eleven byte", headers });
  expect(over.status).toBe(413);
  const tooLong = await fetch(`${url}/v1/queues/${q}/messages?waitMs=101`, { headers });
  expect(tooLong.status).toBe(400);
  expect(((await tooLong.json()) as { error: { message: string } }).error.message).toContain("0 to 100");
  expect((await fetch(`${url}/v1/queues/${uniqueQueue()}/messages?waitMs=100`, { headers })).status).toBe(204);
  // The message is under the prefix given, in the Redis given.
  const mine = new TinyQS({ redis: inject("redisUrl"), prefix });
  const other = new TinyQS({ redis: inject("redisUrl") });
  try {
    expect(await mine.stats(q)).toMatchObject({ ready: 1, sent: 1 });
    expect(await other.stats(q)).toMatchObject({ sent: 0 });
  } finally {
    await Promise.all([mine.close(), other.close()]);
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
    for (const flag of ["--host", "--port", "--redis", "--token", "--cors-origin", "TINYQS_CORS_ORIGIN", "--allowed-host", "TINYQS_ALLOWED_HOSTS", "--max-message-bytes", "--max-wait-ms", "TINYQS_TOKEN",
      "--headers-timeout-ms", "--request-timeout-ms", "--min-body-rate", "--body-rate-grace-ms", "--keep-alive-timeout-ms",
      "--max-buffered-bytes", "--slow-reader-timeout-ms", "--auth-timeout-ms", "--max-pending-auth", "--max-connections-per-address"]) {
      expect(r.out()).toContain(flag);
    }
  });

  it("an unknown flag or a bad number exits 2 with the usage", async () => {
    const runs = [["--colour"], ["--port", "abc"], ["--port", "65536"], ["--max-message-bytes", "0"], ["--max-wait-ms", "-1"], ["--max-buffered-bytes", "10"], ["--headers-timeout-ms", "0"],
      // node requires the headers' timeout within the whole request's
      ["--headers-timeout-ms", "5000", "--request-timeout-ms", "1000"]].map((args) => ({ args, r: run(args) }));
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

  it("every option has its environment variable: TINYQS_HOST, _PORT, _REDIS_URL, _PREFIX, _TOKEN, _MAX_MESSAGE_BYTES, _MAX_WAIT_MS", async () => {
    const port = await freePort();
    const prefix = `cli-env-${uniqueQueue()}`;
    const r = run([], {
      TINYQS_HOST: "127.0.0.2", // loopback too, but not the default: the server listens where it is told
      TINYQS_PORT: String(port),
      TINYQS_REDIS_URL: inject("redisUrl"),
      TINYQS_PREFIX: prefix,
      TINYQS_TOKEN: "env-tok",
      TINYQS_MAX_MESSAGE_BYTES: "10",
      TINYQS_MAX_WAIT_MS: "100",
    });
    try {
      const url = await listening(r);
      expect(url).toBe(`http://127.0.0.2:${port}`);
      await checkOptions(url, { token: "env-tok", prefix });
      r.child.kill("SIGTERM");
      expect(await r.exit).toBe(0);
    } finally {
      r.child.kill("SIGKILL");
    }
  });

  it("a flag wins over its environment variable (the variables here are all wrong, or not even valid)", async () => {
    const prefix = `cli-flag-${uniqueQueue()}`;
    const r = run(
      ["--host", "127.0.0.2", "--port", "0", "--redis", inject("redisUrl"), "--prefix", prefix, "--token", "flag-tok",
        "--max-message-bytes", "10", "--max-wait-ms", "100"],
      {
        TINYQS_HOST: "127.0.0.3",
        TINYQS_PORT: "not a port",
        TINYQS_REDIS_URL: "redis://127.0.0.1:1", // nothing listens there
        TINYQS_PREFIX: "elsewhere",
        TINYQS_TOKEN: "env-tok",
        TINYQS_MAX_MESSAGE_BYTES: "5",
        TINYQS_MAX_WAIT_MS: "50",
      },
    );
    try {
      const url = await listening(r);
      expect(url).toMatch(/^http:\/\/127\.0\.0\.2:\d+$/);
      const denied = await fetch(`${url}/v1/queues`, { headers: { Authorization: "Bearer env-tok" } });
      expect(denied.status).toBe(401);
      await checkOptions(url, { token: "flag-tok", prefix });
      r.child.kill("SIGTERM");
      expect(await r.exit).toBe(0);
    } finally {
      r.child.kill("SIGKILL");
    }
  });

  it("--cors-origin and TINYQS_CORS_ORIGIN: the origins listed are served with CORS headers, others refused; the flag wins", async () => {
    const q = uniqueQueue();
    const purge = (url: string, origin: string) => fetch(`${url}/v1/queues/${q}/purge`, { method: "POST", headers: { Origin: origin } });
    const fromEnv = run(["--port", "0"], { TINYQS_REDIS_URL: inject("redisUrl"), TINYQS_CORS_ORIGIN: "https://a.example,https://b.example:8443" });
    const fromFlag = run(["--port", "0", "--cors-origin", "https://c.example"], { TINYQS_REDIS_URL: inject("redisUrl"), TINYQS_CORS_ORIGIN: "https://a.example" });
    try {
      const [envUrl, flagUrl] = await Promise.all([listening(fromEnv), listening(fromFlag)]);
      for (const origin of ["https://a.example", "https://b.example:8443"]) {
        const res = await purge(envUrl, origin);
        expect(res.status, origin).toBe(200);
        expect(res.headers.get("access-control-allow-origin")).toBe(origin);
      }
      expect((await purge(envUrl, "https://c.example")).status).toBe(403);
      expect((await purge(flagUrl, "https://c.example")).status).toBe(200);
      expect((await purge(flagUrl, "https://a.example")).status).toBe(403);
      fromEnv.child.kill("SIGTERM");
      fromFlag.child.kill("SIGTERM");
      expect(await fromEnv.exit).toBe(0);
      expect(await fromFlag.exit).toBe(0);
    } finally {
      fromEnv.child.kill("SIGKILL");
      fromFlag.child.kill("SIGKILL");
    }
  });

  it("--allowed-host and TINYQS_ALLOWED_HOSTS: a rebound page's purge (Host = Origin = evil.example) is 403, served once the name is listed; the flag wins", async () => {
    const q = uniqueQueue();
    // As curl -X POST -H 'Host: evil.example:PORT' -H 'Origin: http://evil.example:PORT' …/purge (fetch cannot set Host).
    const purge = (url: string, name: string) => {
      const { port } = new URL(url);
      return new Promise<number>((resolve, reject) => {
        const headers = { Host: `${name}:${port}`, Origin: `http://${name}:${port}` };
        const req = request(`${url}/v1/queues/${q}/purge`, { method: "POST", headers }, (res) => {
          res.resume();
          res.on("end", () => resolve(res.statusCode ?? 0));
        });
        req.once("error", reject).end();
      });
    };
    const env = { TINYQS_REDIS_URL: inject("redisUrl") };
    const none = run(["--port", "0"], env);
    const fromEnv = run(["--port", "0"], { ...env, TINYQS_ALLOWED_HOSTS: "a.example, evil.example" });
    const fromFlag = run(["--port", "0", "--allowed-host", "c.example"], { ...env, TINYQS_ALLOWED_HOSTS: "evil.example" });
    try {
      const [noneUrl, envUrl, flagUrl] = await Promise.all([listening(none), listening(fromEnv), listening(fromFlag)]);
      expect(await purge(noneUrl, "evil.example")).toBe(403);
      expect(await purge(envUrl, "evil.example")).toBe(200);
      expect(await purge(envUrl, "a.example")).toBe(200);
      expect(await purge(envUrl, "c.example")).toBe(403);
      expect(await purge(flagUrl, "c.example")).toBe(200);
      expect(await purge(flagUrl, "evil.example")).toBe(403);
      // curl http://127.0.0.1:PORT with no Origin, as ever.
      expect((await fetch(`${noneUrl}/v1/queues/${q}/purge`, { method: "POST" })).status).toBe(200);
      for (const r of [none, fromEnv, fromFlag]) r.child.kill("SIGTERM");
      for (const r of [none, fromEnv, fromFlag]) expect(await r.exit).toBe(0);
    } finally {
      for (const r of [none, fromEnv, fromFlag]) r.child.kill("SIGKILL");
    }
  });

  it("an --allowed-host that is not a host name exits 2 with the reason and the usage", async () => {
    const runs = [["--allowed-host", "https://queue.example"], ["--allowed-host", "queue.example:7380"]].map((args) => ({ args, r: run(args) }));
    const env = run([], { TINYQS_ALLOWED_HOSTS: "a/b" });
    for (const { args, r } of [...runs, { args: ["TINYQS_ALLOWED_HOSTS"], r: env }]) {
      expect(await r.exit, args.join(" ")).toBe(2);
      expect(r.out()).toMatch(/not a host name/);
      expect(r.out()).toContain("usage: tinyqs-http");
    }
  });

  it("a --cors-origin that is not an origin exits 2 with the reason and the usage", async () => {
    const runs = [["--cors-origin", "app.example"], ["--cors-origin", "https://app.example/path"]].map((args) => ({ args, r: run(args) }));
    const env = run([], { TINYQS_CORS_ORIGIN: "ftp://x.example" });
    for (const { args, r } of [...runs, { args: ["TINYQS_CORS_ORIGIN"], r: env }]) {
      expect(await r.exit, args.join(" ")).toBe(2);
      expect(r.out()).toMatch(/not an origin/);
      expect(r.out()).toContain("usage: tinyqs-http");
    }
  });

  it("--ui read-only, TINYQS_UI, --no-ui: the page as asked; a mode that is none exits 2", async () => {
    const redis = inject("redisUrl");
    const cases: Array<[string[], Record<string, string>, number | "read-only" | "on"]> = [
      [["--ui", "read-only"], {}, "read-only"],
      [[], { TINYQS_UI: "read-only" }, "read-only"],
      [["--no-ui"], {}, 404],
      [[], { TINYQS_NO_UI: "1" }, 404],
      [[], {}, "on"],
    ];
    for (const [args, env, expected] of cases) {
      const r = run(["--port", "0", ...args], { TINYQS_REDIS_URL: redis, ...env });
      try {
        const url = await listening(r);
        const res = await fetch(`${url}/ui/config.json`);
        const got = res.status === 200 ? ((await res.json()) as { mode: string }).mode : res.status;
        expect([args, env, got]).toEqual([args, env, expected]);
      } finally {
        r.child.kill("SIGTERM");
        await r.exit;
      }
    }
    const bad = run(["--ui", "hidden"]);
    expect(await bad.exit).toBe(2);
    expect(bad.out()).toContain('--ui must be one of on, read-only, off, got "hidden"');
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
