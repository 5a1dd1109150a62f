// `pnpm start` guarded: --redis rediss://… (its CA through NODE_EXTRA_CA_CERTS) to a redis-server
// with --tls-port, --tls-cert/--tls-key on both ports, --users; the client over tinyqss:// and
// https:// as a user; SIGHUP re-reads the users file (a removed user is refused, the process goes
// on) instead of stopping.
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually, expectCode, makeTestCerts, removeUser, startTlsRedis, uniqueQueue, writeUsersFile, type RedisServer, type TestCerts } from "@tinyqs/test-support";
import { cleanEnv, signalGroup, start, stopAll, tempDir } from "@tinyqs/test-support/start";
import { connect, type TinyQSApi } from "../src/index.js";

let certs: TestCerts;
let redis: RedisServer;
let redisUrl: string;
beforeAll(async () => {
  certs = makeTestCerts();
  ({ redis, url: redisUrl } = await startTlsRedis(certs));
});
afterAll(async () => {
  stopAll();
  await redis.cleanup();
  certs.cleanup();
});

describe("pnpm start with TLS and users", () => {
  it("rediss:// to Redis, TLS on both ports, users; SIGHUP re-reads the users file", async () => {
    const usersFile = await writeUsersFile(path.join(tempDir(), "users.json"), [
      { name: "app", password: "a-pass", grants: [{ queues: "start.*", allow: ["send", "receive"] }] },
      { name: "temp", password: "t-pass", grants: [{ queues: "start.*", allow: ["send"] }] },
    ]);
    const t = await start(
      ["--redis", redisUrl, "--tls-cert", certs.server.cert, "--tls-key", certs.server.key, "--users", usersFile],
      cleanEnv({ NODE_EXTRA_CA_CERTS: certs.ca }),
    );
    expect(t.out()).toMatch(/tinyqs: tcp +127\.0\.0\.1:\d+ \(Redis protocol over TLS\), AUTH required/);
    // The SQS port would take any request, ignoring the users and TLS: it stays off, and says why.
    expect(t.sqsUrl).toBeNull();
    expect(t.err()).toContain("tinyqs: the SQS port is off: the SQS port takes any request without --sqs-credentials, and ignores --users and --tls-cert");
    expect(t.httpUrl).toMatch(/^https:/);
    const ca = certs.read(certs.ca);
    const as = (user: string, password: string): TinyQSApi[] => [
      connect(`tinyqss://localhost:${t.tcpPort}`, { ca, username: user, password }),
      connect(t.httpUrl.replace("127.0.0.1", "localhost"), { ca, username: user, password }),
    ];
    const app = as("app", "a-pass");
    const temp = as("temp", "t-pass");
    try {
      const q = uniqueQueue("start.tls");
      for (const c of [...app, ...temp]) await c.send(q, "x");
      for (const c of app) expect((await c.receive(q))?.body.toString()).toBe("x");
      removeUser(usersFile, "temp");
      signalGroup(t, "SIGHUP");
      await eventually(() => expect(t.out()).toContain("tinyqs: SIGHUP, reloaded the TLS certificate and the users file"), 10_000);
      await expectCode(() => temp[1]!.send(q, "y"), "UNAUTHORIZED");
      await expectCode(() => temp[0]!.send(q, "y"), "UNAUTHORIZED"); // its connection was cut, and its AUTH on reconnecting refused
      for (const c of app) expect(await c.send(q, "still")).toEqual(expect.any(String));
    } finally {
      await Promise.all([...app, ...temp].map((c) => c.close()));
    }
    signalGroup(t, "SIGTERM");
    expect(await t.exited).toBe(0);
  });
});
