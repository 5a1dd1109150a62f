// The bin with TLS and users: --tls-cert/--tls-key and TINYQS_USERS_FILE, the start-up line,
// redis-cli --tls --user/--pass, SIGHUP re-reading the users file (a removed user's connection is
// cut, the others go on), `hash-password`, and the flag checks (a key without a certificate).
import { execFile } from "node:child_process";
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { SOURCE_BIN, binSecurityFixture, removeUser, spawnBin, type TestCerts } from "@tinyqs/test-support";
import { parsePasswordHash, verifyPassword } from "@tinyqs/core/security";
import { parseCli } from "../src/options.js";
import { eventually } from "./helpers.js";

const PKG = fileURLToPath(new URL("..", import.meta.url));
const run = promisify(execFile);
let certs: TestCerts;
let usersFile: string;
beforeAll(async () => {
  ({ certs, usersFile } = await binSecurityFixture());
});
afterAll(() => certs.cleanup());

describe("tinyqs-tcp with TLS and users", () => {
  it("serves TLS to users; SIGHUP re-reads the users file and cuts a removed user's connection", async () => {
    const bin = spawnBin(PKG, ["--port", "0", "--tls-cert", certs.server.cert, "--tls-key", certs.server.key], {
      env: { TINYQS_REDIS_URL: inject("redisUrl"), TINYQS_USERS_FILE: usersFile }, cleanTinyqsEnv: true, killAfterMs: 25_000,
    });
    const line = await eventually(() => /listening on 127\.0\.0\.1:(\d+) \(TLS; RESP2; RESP3 after HELLO 3\), Redis \S+, users from (\S+)\n$/.exec(bin.out()), 15_000);
    const port = Number(line![1]);
    const cli = (user: string, pass: string, ...args: string[]) =>
      run("redis-cli", ["-p", String(port), "--tls", "--cacert", certs.ca, "--no-auth-warning", "--user", user, "--pass", pass, ...args], { timeout: 15_000 }).then((r) => r.stdout);
    expect(await cli("producer", "p-pass", "SEND", "bin.q", "hello")).toMatch(/^\d+-\d+\n$/);
    expect(await cli("producer", "p-pass", "RECEIVE", "bin.q")).toMatch(/^NOPERM/);

    const worker = new Redis({ port, host: "localhost", tls: { ca: certs.read(certs.ca) }, username: "worker", password: "w-pass", retryStrategy: () => null });
    worker.on("error", () => {});
    expect(await worker.call("PEEK", "bin.q")).toEqual([expect.any(String), null, "hello", 0, expect.any(Number)]);
    const closed = new Promise<void>((resolve) => worker.once("close", () => resolve()));

    removeUser(usersFile, "worker");
    bin.child.kill("SIGHUP");
    await eventually(() => expect(bin.out()).toContain("tinyqs-tcp: SIGHUP, reloaded the TLS certificate and the users file"), 10_000);
    await closed;
    expect(await cli("worker", "w-pass", "PEEK", "bin.q")).toMatch(/^NOAUTH/); // redis-cli goes on after a refused AUTH
    expect(await cli("producer", "p-pass", "SEND", "bin.q", "still")).toMatch(/^\d+-\d+\n$/);

    writeFileSync(usersFile, "not json");
    bin.child.kill("SIGHUP");
    await eventually(() => expect(bin.err()).toMatch(/SIGHUP, reload failed, keeping what was in force: users file \S+ is not JSON/), 10_000);
    expect(await cli("producer", "p-pass", "SEND", "bin.q", "again")).toMatch(/^\d+-\d+\n$/);
    worker.disconnect();
    bin.child.kill("SIGTERM");
    expect(await bin.exited).toBe(0);
    expect(bin.all()).not.toMatch(/p-pass|w-pass/);
  });

  it("hash-password reads the password on stdin and prints a hash that verifies", async () => {
    const hash = await new Promise<string>((resolve, reject) => {
      const child = execFile(process.execPath, [...SOURCE_BIN, "hash-password"], { cwd: PKG, timeout: 20_000 }, (e, stdout) => (e ? reject(e) : resolve(stdout.trim())));
      child.stdin!.end("correct horse\n");
    });
    expect(hash).toMatch(/^\$scrypt\$ln=15,r=8,p=1\$/);
    const parsed = parsePasswordHash(hash);
    if (typeof parsed === "string") throw new Error(parsed);
    expect(await verifyPassword(Buffer.from("correct horse"), parsed)).toBe(true);
    expect(await verifyPassword(Buffer.from("wrong"), parsed)).toBe(false);
  });

  it("parseCli: TLS files and the users file from flags or variables; a key without a certificate is refused", () => {
    const r = parseCli(["--tls-cert", "c.pem", "--tls-key", "k.pem", "--tls-ca", "ca.pem", "--tls-client-auth", "optional"], { TINYQS_USERS_FILE: "u.json" });
    expect(r).toMatchObject({ kind: "run", config: { server: { tls: { cert: "c.pem", key: "k.pem", ca: "ca.pem", clientAuth: "optional" }, usersFile: "u.json" } } });
    expect(parseCli([], { TINYQS_TLS_CERT: "c.pem", TINYQS_TLS_KEY: "k.pem" })).toMatchObject({ config: { server: { tls: { cert: "c.pem", key: "k.pem" } } } });
    expect(() => parseCli(["--tls-key", "k.pem"], {})).toThrow("--tls-cert and --tls-key go together");
    expect(() => parseCli(["--tls-cert", "c", "--tls-key", "k", "--tls-client-auth", "require"], {})).toThrow("--tls-client-auth needs --tls-ca");
    expect(() => parseCli(["--tls-client-auth", "maybe"], {})).toThrow('--tls-client-auth must be require or optional, got "maybe"');
  });
});
