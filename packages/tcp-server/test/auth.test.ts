// --password: NOAUTH before AUTH (except AUTH, HELLO, QUIT), AUTH and HELLO … AUTH, WRONGPASS, and
// the clients: raw bytes, redis-cli -a, and ioredis with a password and default options.
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RawClient, redisCli, req, startServer, type Running } from "./helpers.js";

const PASSWORD = "s3cret pass";
let s: Running;
beforeAll(async () => {
  s = await startServer({ password: PASSWORD });
});
afterAll(() => s.server.close());

const NOAUTH = "-NOAUTH Authentication required.\r\n";
const WRONGPASS = "-WRONGPASS invalid password\r\n";

describe("a server with a password", () => {
  it("answers NOAUTH to everything but AUTH, HELLO and QUIT until authenticated", async () => {
    const k = await RawClient.connect(s.port);
    for (const r of [req("PING"), req("SEND", "q", "x"), req("QUEUES"), req("CLIENT", "ID"), req("INFO"), req("COMMAND"), req("SELECT", "0"), req("NOSUCH")]) {
      const reply = await k.call(r);
      if (r.includes("NOSUCH")) expect(reply).toMatch(/^-ERR unknown command/);
      else expect(reply).toBe(NOAUTH);
    }
    expect(await k.call(req("HELLO"))).toBe(NOAUTH);
    expect(await k.call(req("HELLO", "3"))).toBe(NOAUTH); // RESP3 is spoken, but only once authenticated
    expect(await k.call(req("HELLO", "4"))).toBe("-NOPROTO unsupported protocol version\r\n");
    expect(await k.call(req("QUIT"))).toBe("+OK\r\n");
    await k.closed;
  });

  it("AUTH: WRONGPASS for a wrong password or user, OK for the right one; a failed AUTH keeps the earlier success", async () => {
    const k = await RawClient.connect(s.port);
    expect(await k.call(req("AUTH", "wrong"))).toBe(WRONGPASS);
    expect(await k.call(req("AUTH", "x".repeat(10_000)))).toBe(WRONGPASS);
    expect(await k.call(req("AUTH", ""))).toBe(WRONGPASS);
    expect(await k.call(req("AUTH", "admin", PASSWORD))).toBe(WRONGPASS);
    expect(await k.call(req("PING"))).toBe(NOAUTH);
    expect(await k.call(req("AUTH", PASSWORD))).toBe("+OK\r\n");
    expect(await k.call(req("PING"))).toBe("+PONG\r\n");
    expect(await k.call(req("AUTH", "wrong"))).toBe(WRONGPASS);
    expect(await k.call(req("PING"))).toBe("+PONG\r\n");
    k.destroy();
    const u = await RawClient.connect(s.port);
    expect(await u.call(req("AUTH", "default", PASSWORD))).toBe("+OK\r\n");
    expect(await u.call(req("PING"))).toBe("+PONG\r\n");
    u.destroy();
  });

  it("takes effect in request order within a pipeline", async () => {
    const k = await RawClient.connect(s.port);
    k.write(Buffer.concat([req("PING"), req("AUTH", PASSWORD), req("PING")]));
    expect([await k.reply(), await k.reply(), await k.reply()]).toEqual([NOAUTH, "+OK\r\n", "+PONG\r\n"]);
    k.destroy();
  });

  it("HELLO 2 AUTH: WRONGPASS, or the field list and an authenticated connection", async () => {
    const k = await RawClient.connect(s.port);
    expect(await k.call(req("HELLO", "2", "AUTH", "default", "nope"))).toBe(WRONGPASS);
    expect(await k.call(req("HELLO", "2", "AUTH", "default", PASSWORD, "SETNAME", "w1"))).toMatch(/^\*14\r\n\$6\r\nserver\r\n\$6\r\ntinyqs\r\n/);
    expect(await k.call(req("CLIENT", "GETNAME"))).toBe("$2\r\nw1\r\n");
    k.destroy();
  });

  it("redis-cli -a works; without it the error is shown; a wrong one fails AUTH", async () => {
    const env = { ...process.env, REDISCLI_AUTH: PASSWORD };
    expect(await redisCli(s.port, ["PING"], { env })).toBe("PONG\n");
    expect(await redisCli(s.port, ["--no-auth-warning", "-a", PASSWORD, "SEND", "authq", "x"])).toMatch(/^\d+-\d+\n$/);
    expect(await redisCli(s.port, ["--no-raw", "PING"])).toBe("(error) NOAUTH Authentication required.\n");
    expect(await redisCli(s.port, ["--no-auth-warning", "--no-raw", "-a", "bad", "PING"])).toBe("(error) NOAUTH Authentication required.\n");
  });

  it("ioredis with a password and default options connects (HELLO 3 AUTH, in RESP3)", async () => {
    const errors: Error[] = [];
    const good = new Redis({ port: s.port, password: PASSWORD });
    good.on("error", (e: Error) => errors.push(e));
    expect(await good.call("PING")).toBe("PONG");
    expect(errors).toEqual([]);
    good.disconnect();

    const bad = new Redis({ port: s.port, password: "nope", maxRetriesPerRequest: 0, retryStrategy: () => null, lazyConnect: true });
    bad.on("error", (e: Error) => errors.push(e));
    await expect(bad.connect()).rejects.toThrow();
    bad.disconnect();
    expect(errors.map((e) => e.message)).toContainEqual(expect.stringMatching(/^WRONGPASS invalid password/));
  });
});
