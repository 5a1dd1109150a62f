// --users: AUTH user pass (raw, redis-cli --user/--pass, ioredis username/password), every grant
// allowed and denied (-NOPERM in Redis's words), queue globs, the queue list filtered, MULTI with a
// denied command, reload(): a changed grant applies to an open connection, a removed user is cut
// (its waiting RECEIVE too), failed logins limited and logged without the password.
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writeUsersFile, type TestUser } from "@tinyqs/test-support";
import { RawClient, bulk, eventually, redisCli, req, startServer, unbulk, type Running } from "./helpers.js";

const dir = mkdtempSync(path.join(os.tmpdir(), "tinyqs-users-"));
const file = path.join(dir, "users.json");
const USERS: TestUser[] = [
  { name: "producer", password: "p-pass", grants: [{ queues: "orders.*", allow: ["send"] }] },
  { name: "worker", password: "w-pass", grants: [{ queues: "orders.*", allow: ["receive"] }] },
  { name: "operator", password: "o-pass", grants: [{ queues: "orders.*", allow: ["admin"] }, { queues: "ops-?", allow: ["send", "receive", "admin"] }] },
];
const noperm = (verb: string, queue?: string) =>
  `-NOPERM this user has no permissions to run the '${verb}' command${queue ? ` on queue '${queue}'` : ""}\r\n`;

let s: Running;
beforeAll(async () => {
  await writeUsersFile(file, USERS);
  s = await startServer({ usersFile: file, prefix: `users-${process.pid}`, log: () => {} });
});
afterAll(() => s.server.close());

async function as(name: string, password: string): Promise<RawClient> {
  const k = await RawClient.connect(s.port);
  expect(await k.call(req("AUTH", name, password))).toBe("+OK\r\n");
  return k;
}

describe("a server with --users", () => {
  it("the batch ops and BROWSE need their grants; CLIENT LIST shows a scoped user its own connection only", async () => {
    const w = await as("worker", "w-pass");
    const o = await as("operator", "o-pass");
    expect(await w.call(req("MDELETE", "orders.eu", "1-1"))).toBe("*1\r\n:0\r\n");
    expect(await w.call(req("MTOUCH", "orders.eu", "1-1.1"))).toBe("*1\r\n:0\r\n");
    expect(await w.call(req("MDELETE", "other", "1-1"))).toBe(noperm("mdelete", "other"));
    expect(await w.call(req("BROWSE", "orders.eu", "READY"))).toBe(noperm("browse", "orders.eu"));
    expect(await o.call(req("BROWSE", "orders.eu", "READY"))).toMatch(/^\*\d+\r\n/);
    const lines = unbulk(await w.call(req("CLIENT", "LIST"))).trim().split("\n");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/ user=worker /);
    w.destroy();
    o.destroy();
  });

  it("AUTH user pass: OK for a user, WRONGPASS for a wrong password, an unknown user or AUTH pass (no default user); NOAUTH before", async () => {
    const k = await RawClient.connect(s.port);
    expect(await k.call(req("SEND", "orders.eu", "x"))).toBe("-NOAUTH Authentication required.\r\n");
    expect(await k.call(req("AUTH", "producer", "nope"))).toBe("-WRONGPASS invalid password\r\n");
    expect(await k.call(req("AUTH", "nobody", "p-pass"))).toBe("-WRONGPASS invalid password\r\n");
    expect(await k.call(req("AUTH", "p-pass"))).toBe("-WRONGPASS invalid password\r\n");
    // Pipelined: the SEND behind the AUTH runs as the user the AUTH made.
    k.write(Buffer.concat([req("AUTH", "producer", "p-pass"), req("SEND", "orders.eu", "x")]));
    expect(await k.reply()).toBe("+OK\r\n");
    expect(await k.reply()).toMatch(/^\$\d+\r\n\d+-\d+\r\n$/);
    expect(await k.call(req("CLIENT", "INFO"))).toMatch(/ user=producer /);
    k.destroy();
  });

  it("send: SEND, MSEND, PUT and WAIT on orders.*; nothing else, and no other queue", async () => {
    const k = await as("producer", "p-pass");
    expect(await k.call(req("SEND", "orders.eu", "a"))).toMatch(/^\$/);
    expect(await k.call(req("MSEND", "orders.us", "a", "b"))).toMatch(/^\*2\r\n/);
    const handle = unbulk(await k.call(req("PUT", "orders.rpc", "q")));
    expect(await k.call(req("WAIT", handle, "TIMEOUT", "1"))).toBe(bulk(null));
    expect(await k.call(req("SEND", "billing", "a"))).toBe(noperm("send", "billing"));
    expect(await k.call(req("SEND", "orders", "a"))).toBe(noperm("send", "orders")); // the glob needs the dot
    expect(await k.call(req("WAIT", "billing:1-1", "TIMEOUT", "1"))).toBe(noperm("wait", "billing"));
    for (const [verb, ...rest] of [["RECEIVE"], ["PEEK"], ["TAKE"], ["DELETE", "1-1"], ["TOUCH", "1-1.1"], ["RELEASE", "1-1.1"], ["RESPOND", "1-1.1", "r"]]) {
      expect(await k.call(req(verb!, "orders.eu", ...rest))).toBe(noperm(verb!.toLowerCase(), "orders.eu"));
    }
    for (const [verb, ...rest] of [["STATS"], ["QCONFIG", "visibilityMs", "1000"], ["PURGE"]]) {
      expect(await k.call(req(verb!, "orders.eu", ...rest))).toBe(noperm(verb!.toLowerCase(), "orders.eu"));
    }
    // Reading the settings is open to every grant on the queue (a worker needs visibilityMs).
    expect(await k.call(req("QCONFIG", "orders.eu"))).toMatch(/^\*14\r\n/); // 6 settings and paused, field and value each
    expect(await k.call(req("QCONFIG", "billing"))).toBe(noperm("qconfig", "billing"));
    expect(await k.call(req("QUEUES"))).toBe(noperm("queues"));
    k.destroy();
  });

  it("receive: RECEIVE, PEEK, TAKE, TOUCH, RELEASE, DELETE, RESPOND on orders.*; not SEND, not admin", async () => {
    const p = await as("producer", "p-pass");
    await p.call(req("MSEND", "orders.work", "one", "two"));
    const w = await as("worker", "w-pass");
    expect(await w.call(req("PEEK", "orders.work"))).toMatch(/^\*5\r\n/);
    const m = await w.call(req("RECEIVE", "orders.work", "VISIBILITY", "60000"));
    const receipt = m.split("\r\n")[4]!;
    expect(await w.call(req("TOUCH", "orders.work", receipt))).toBe(":1\r\n");
    expect(await w.call(req("RELEASE", "orders.work", receipt))).toBe(":1\r\n");
    const again = (await w.call(req("RECEIVE", "orders.work"))).split("\r\n")[4]!;
    expect(await w.call(req("DELETE", "orders.work", again))).toBe(":1\r\n");
    const handle = unbulk(await p.call(req("PUT", "orders.rpc2", "q")));
    const t = (await w.call(req("TAKE", "orders.rpc2"))).split("\r\n")[4]!;
    expect(await w.call(req("RESPOND", "orders.rpc2", t, "answer"))).toBe(":1\r\n");
    expect(await p.call(req("WAIT", handle, "TIMEOUT", "5000"))).toBe(bulk("answer"));
    expect(await w.call(req("SEND", "orders.work", "x"))).toBe(noperm("send", "orders.work"));
    expect(await w.call(req("RECEIVE", "billing"))).toBe(noperm("receive", "billing"));
    expect(await w.call(req("PURGE", "orders.work"))).toBe(noperm("purge", "orders.work"));
    p.destroy();
    w.destroy();
  });

  it("admin: STATS, QCONFIG, PURGE on its globs; QUEUES lists only those queues", async () => {
    const o = await as("operator", "o-pass");
    expect(await o.call(req("SEND", "ops-1", "x"))).toMatch(/^\$/); // ops-? allows everything
    expect(await o.call(req("SEND", "ops-12", "x"))).toBe(noperm("send", "ops-12")); // ? is one character
    // The billing queue exists (sent by nobody here but through the engine), yet is not listed.
    await s.server.engine.send("billing", "secret");
    const list = await o.call(req("QUEUES"));
    expect(list).toContain("orders.eu");
    expect(list).toContain("ops-1");
    expect(list).not.toContain("billing");
    expect(await o.call(req("STATS", "orders.eu"))).toMatch(/^\*20\r\n/); // 8 counts, paused and oldestReadyAgeMs, field and value each
    expect(await o.call(req("QCONFIG", "orders.eu", "visibilityMs", "45000"))).toContain("45000");
    expect(await o.call(req("PURGE", "orders.us"))).toMatch(/^:\d+\r\n$/);
    expect(await o.call(req("STATS", "billing"))).toBe(noperm("stats", "billing"));
    expect(await o.call(req("SEND", "orders.eu", "x"))).toBe(noperm("send", "orders.eu"));
    o.destroy();
  });

  it("inside MULTI a denied command is refused when queued, and EXEC aborts", async () => {
    const k = await as("producer", "p-pass");
    expect(await k.call(req("MULTI"))).toBe("+OK\r\n");
    expect(await k.call(req("SEND", "orders.eu", "a"))).toBe("+QUEUED\r\n");
    expect(await k.call(req("PURGE", "orders.eu"))).toBe(noperm("purge", "orders.eu"));
    expect(await k.call(req("EXEC"))).toMatch(/^-EXECABORT/);
    k.destroy();
  });

  it("redis-cli --user/--pass and ioredis username/password (HELLO 3 AUTH) log in as the user", async () => {
    const cli = ["--no-auth-warning", "--user", "producer", "--pass", "p-pass"];
    expect(await redisCli(s.port, [...cli, "SEND", "orders.cli", "x"])).toMatch(/^\d+-\d+\n$/);
    expect(await redisCli(s.port, [...cli, "RECEIVE", "orders.cli"])).toMatch(/^NOPERM this user has no permissions to run the 'receive' command on queue 'orders.cli'\n/);
    const errors: Error[] = [];
    const io = new Redis({ port: s.port, username: "worker", password: "w-pass" });
    io.on("error", (e: Error) => errors.push(e));
    expect(await io.call("RECEIVE", "orders.cli")).toEqual([expect.any(String), expect.any(String), "x", 1, expect.any(Number)]);
    await expect(io.call("SEND", "orders.cli", "y")).rejects.toThrow(/^NOPERM this user has no permissions to run the 'send' command on queue 'orders.cli'$/);
    expect(errors).toEqual([]);
    io.disconnect();
    const refused: Error[] = [];
    const bad = new Redis({ port: s.port, username: "worker", password: "wrong", retryStrategy: () => null });
    bad.on("error", (e: Error) => refused.push(e));
    await eventually(() => expect(refused.map((e) => e.message)).toContain("WRONGPASS invalid password"));
    bad.disconnect();
  });

  it("reload(): a grant added applies to an open connection at its next command; a removed user is cut, its waiting RECEIVE too", async () => {
    const p = await as("producer", "p-pass");
    const w = await as("worker", "w-pass");
    expect(await p.call(req("RECEIVE", "orders.reload"))).toBe(noperm("receive", "orders.reload"));
    w.write(req("RECEIVE", "orders.reload", "WAIT", "20000"));
    await eventually(async () => expect(await p.call(req("INFO", "clients"))).toMatch(/blocked_clients:[1-9]/));
    // The same hashes (a new hash of the same password is a changed password), the grants edited.
    const written = JSON.parse(readFileSync(file, "utf8")) as { users: Array<{ name: string; grants: unknown[] }> };
    written.users = written.users.filter((u) => u.name !== "worker");
    written.users.find((u) => u.name === "producer")!.grants = [{ queues: "orders.*", allow: ["send", "receive"] }];
    writeFileSync(file, JSON.stringify(written));
    try {
      expect(s.server.reload()).toEqual(["the users file"]);
      expect(await p.call(req("RECEIVE", "orders.reload"))).toBe(bulk(null)); // same connection, no new AUTH
      await w.closed; // cut, in the middle of its wait
      const again = await RawClient.connect(s.port);
      expect(await again.call(req("AUTH", "worker", "w-pass"))).toBe("-WRONGPASS invalid password\r\n");
      again.destroy();
      // A bad file is refused whole: the users in force stay.
      writeFileSync(file, '{ "users": [ { "name": "x" } ] }');
      expect(() => s.server.reload()).toThrow(/users\[0\]\.password must be a password hash/);
      expect(await p.call(req("SEND", "orders.reload", "still"))).toMatch(/^\$/);
    } finally {
      await writeUsersFile(file, USERS);
      s.server.reload();
    }
    p.destroy();
  });

  it("failed logins: logged with the address and user, never the password; past the limit refused unchecked", async () => {
    // A server of its own: its limit (3 a minute) counts only this test's failures.
    const logged: string[] = [];
    const limited = await startServer({ usersFile: file, log: (l) => logged.push(l), loginLimit: { maxFailures: 3, windowMs: 60_000, delayMs: 10 } });
    const k = await RawClient.connect(limited.port);
    for (let i = 0; i < 3; i++) expect(await k.call(req("AUTH", "worker", `guess-${i}`))).toBe("-WRONGPASS invalid password\r\n");
    // The right password now: refused, because the address is over its limit.
    expect(await k.call(req("AUTH", "worker", "w-pass"))).toBe("-WRONGPASS invalid password\r\n");
    expect(await k.call(req("SEND", "orders.eu", "x"))).toBe("-NOAUTH Authentication required.\r\n");
    const lines = logged.join("\n");
    expect(lines).toContain('failed login as "worker" from 127.0.0.1');
    expect(lines).toContain("3 failed logins from 127.0.0.1 within 60000 ms");
    expect(lines).not.toMatch(/guess-|w-pass|p-pass|o-pass/);
    k.destroy();
    await limited.server.close();
  });
});
