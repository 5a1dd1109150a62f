// The `tinyqs-tcp` bin: flags and environment, --help, the start-up line, and a clean exit 0 on
// SIGTERM / SIGINT with a client waiting in RECEIVE (it gets nil). The bin runs from its sources
// (tsx, with core's sources too), so no build is needed.
import { fileURLToPath } from "node:url";
import { describe, expect, inject, it } from "vitest";
import { USAGE, parseCli, redactUrl } from "../src/options.js";
import { spawnBin } from "@tinyqs/test-support";
import { RawClient, eventually, redisCli, req, uniqueQueue } from "./helpers.js";

const PKG = fileURLToPath(new URL("..", import.meta.url));

/** The bin with our environment (TINYQS_* included) plus `env`; SIGKILLed after `killAfterMs` if given. */
const bin = (args: string[], env: NodeJS.ProcessEnv = {}, killAfterMs?: number) => spawnBin(PKG, args, { env, killAfterMs });

describe("tinyqs-tcp", () => {
  it("--help prints every flag with its variable and exits 0; a bad flag exits 2", async () => {
    const help = bin(["--help"]);
    expect(await help.exited).toBe(0);
    for (const s of ["--host", "--port", "--redis", "--password", "--max-message-bytes", "--max-connections", "--idle-timeout", "TINYQS_REDIS_URL", "TINYQS_PASSWORD"]) {
      expect(help.out()).toContain(s);
    }
    const bad = bin(["--port", "seven"]);
    expect(await bad.exited).toBe(2);
    expect(bad.err()).toMatch(/^tinyqs-tcp: --port needs a non-negative integer, got "seven"/);
  });

  it("starts with one line, serves, and on SIGTERM answers the waiting RECEIVE with nil and exits 0", async () => {
    const run = bin(["--port", "0", "--max-connections", "50"], { TINYQS_REDIS_URL: inject("redisUrl"), TINYQS_PASSWORD: "pw" }, 25_000);
    const line = await eventually(() => /^tinyqs-tcp \S+ listening on 127\.0\.0\.1:(\d+) \(RESP2; RESP3 after HELLO 3\), Redis redis:\/\/127\.0\.0\.1:\d+, password required\n$/.exec(run.out()), 15_000);
    const port = Number(line![1]);
    expect(await redisCli(port, ["PING"], { env: { ...process.env, REDISCLI_AUTH: "pw" } })).toBe("PONG\n");

    const waiter = await RawClient.connect(port);
    expect(await waiter.call(req("AUTH", "pw"))).toBe("+OK\r\n");
    waiter.write(req("RECEIVE", uniqueQueue("bin"), "WAIT", "60000"));
    await eventually(async () => /blocked_clients:1/.test(await redisCli(port, ["INFO", "clients"], { env: { ...process.env, REDISCLI_AUTH: "pw" } })));
    run.child.kill("SIGTERM");
    expect(await waiter.rest(10_000)).toBe("$-1\r\n");
    expect(await run.exited).toBe(0);
    expect(run.out().split("\n").filter(Boolean)).toHaveLength(1);
  });

  it("exits 0 on SIGINT too", async () => {
    const run = bin(["--port", "0", "--redis", inject("redisUrl")], {}, 25_000);
    await eventually(() => run.out().includes("listening on"), 15_000);
    run.child.kill("SIGINT");
    expect(await run.exited).toBe(0);
  });
});

describe("parseCli", () => {
  it("defaults, environment, flags (which win), --flag=value", () => {
    const r = parseCli([], {});
    expect(r).toEqual({ kind: "run", config: { host: "127.0.0.1", port: 7379, server: {}, redisLabel: "redis://127.0.0.1:6379" } });
    const env = { TINYQS_PORT: "7000", TINYQS_REDIS_URL: "redis://:hush@db:6380/2", TINYQS_MAX_ARGS: "64", TINYQS_PASSWORD: "p" };
    const c = parseCli(["--port=7001", "--host", "0.0.0.0", "--idle-timeout", "5000", "--max-message-bytes", "2048"], env);
    expect(c).toEqual({
      kind: "run",
      config: {
        host: "0.0.0.0",
        port: 7001,
        redisLabel: "redis://:***@db:6380/2",
        server: { redis: "redis://:hush@db:6380/2", maxArgs: 64, password: "p", idleTimeoutMs: 5000, maxMessageBytes: 2048 },
      },
    });
    expect(parseCli(["--cluster", "10.0.0.1:7000, 10.0.0.2:7000"], {})).toMatchObject({
      config: { server: { redis: { cluster: ["10.0.0.1:7000", "10.0.0.2:7000"] } }, redisLabel: "cluster 10.0.0.1:7000,10.0.0.2:7000" },
    });
    expect(parseCli(["-h"], {})).toEqual({ kind: "help" });
    expect(parseCli(["--version"], {})).toEqual({ kind: "version" });
  });

  it("the bounds (issue 16): flags and variables, in range or refused", () => {
    const c = parseCli(["--max-buffered-bytes", "8388608", "--slow-reader-timeout-ms", "500", "--auth-timeout-ms", "2000", "--max-pending-auth", "50"], {
      TINYQS_MAX_CONNECTIONS_PER_ADDRESS: "0",
    });
    expect(c).toMatchObject({
      config: { server: { maxBufferedBytes: 8388608, slowReaderTimeoutMs: 500, authTimeoutMs: 2000, maxPendingAuth: 50, maxConnectionsPerAddress: 0 } },
    });
    expect(() => parseCli(["--max-buffered-bytes", "1000"], {})).toThrow("--max-buffered-bytes must be an integer from 1048576 up, got \"1000\"");
    expect(() => parseCli(["--auth-timeout-ms", "0"], {})).toThrow(/--auth-timeout-ms must be an integer from 1 to 3600000/);
    for (const flag of ["--max-buffered-bytes", "--slow-reader-timeout-ms", "--auth-timeout-ms", "--max-pending-auth", "--max-connections-per-address"]) {
      expect(USAGE).toContain(flag);
    }
  });

  it("every flag has its environment variable, which does the same, and --help names both", () => {
    const pairs: Array<[flag: string, env: string, value: string]> = [
      ["--host", "TINYQS_HOST", "0.0.0.0"],
      ["--port", "TINYQS_PORT", "7000"],
      ["--redis", "TINYQS_REDIS_URL", "redis://db:6380"],
      ["--cluster", "TINYQS_CLUSTER_NODES", "10.0.0.1:7000"],
      ["--prefix", "TINYQS_PREFIX", "mine"],
      ["--password", "TINYQS_PASSWORD", "pw"],
      ["--max-message-bytes", "TINYQS_MAX_MESSAGE_BYTES", "2048"],
      ["--max-args", "TINYQS_MAX_ARGS", "64"],
      ["--max-command-bytes", "TINYQS_MAX_COMMAND_BYTES", "4096"],
      ["--max-inline-bytes", "TINYQS_MAX_INLINE_BYTES", "1024"],
      ["--max-connections", "TINYQS_MAX_CONNECTIONS", "100"],
      ["--idle-timeout", "TINYQS_IDLE_TIMEOUT_MS", "5000"],
    ];
    const defaults = parseCli([], {});
    for (const [flag, env, value] of pairs) {
      const byFlag = parseCli([flag, value], {});
      expect(byFlag, flag).not.toEqual(defaults);
      expect(parseCli([], { [env]: value }), env).toEqual(byFlag);
      expect(USAGE, flag).toMatch(new RegExp(`^  ${flag} [^\\n]*\\n\\s+env ${env}$`, "m"));
    }
  });

  it("refuses what it cannot use", () => {
    expect(() => parseCli(["--nope"], {})).toThrow("unknown option --nope");
    expect(() => parseCli(["--port"], {})).toThrow("--port needs a value");
    expect(() => parseCli(["--port", "70000"], {})).toThrow("--port must be 0-65535");
    expect(() => parseCli([], { TINYQS_MAX_CONNECTIONS: "-1" })).toThrow('TINYQS_MAX_CONNECTIONS needs a non-negative integer, got "-1"');
  });

  it("redacts a password in the Redis URL it prints", () => {
    expect(redactUrl("redis://user:secret@host:1/0")).toBe("redis://user:***@host:1/0");
    expect(redactUrl("redis://host:1")).toBe("redis://host:1");
  });
});
