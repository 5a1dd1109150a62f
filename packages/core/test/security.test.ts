// @tinyqs/core/security without a server: queue globs, the users file's checks (each problem named),
// scrypt hashes, Access (who logs in, a Principal kept across a reload while its hash is unchanged,
// grants updated in place, a removed user no longer current) and the failed-login limiter.
import { mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { Access, LoginLimiter, can, globMatcher, hashPassword, parsePasswordHash, parseUsers, verifyPassword, visibleQueues } from "../src/security/index.js";

describe("grants", () => {
  it("globs: * any run of characters (dots too), ? one; the rest literal", () => {
    const orders = globMatcher("orders.*");
    expect(["orders.eu", "orders.eu.x", "orders."].map(orders)).toEqual([true, true, true]);
    expect(["orders", "ordersXeu", "x.orders.eu"].map(orders)).toEqual([false, false, false]);
    const one = globMatcher("q-?");
    expect(["q-1", "q-12", "q-"].map(one)).toEqual([true, false, false]);
    expect(globMatcher("*")("anything")).toBe(true);
  });
});

describe("the users file", () => {
  const hash = "$scrypt$ln=10,r=8,p=1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
  const file = (users: unknown) => JSON.stringify({ users });
  it("names the first problem", () => {
    const cases: Array<[string, RegExp]> = [
      ["nope", /users file f: is not JSON/],
      ["[]", /must be \{ "users": \[ … \] \}/],
      [file([{ name: "a b", password: hash, grants: [] }]), /users\[0\]\.name must be 1-64 printable/],
      [file([{ name: "a", password: "plain", grants: [] }]), /users\[0\]\.password is not a password hash/],
      [file([{ name: "a", password: hash, grants: [{ queues: "q", allow: ["read"] }] }]), /users\[0\]\.grants\[0\]\.allow must be a non-empty list of "send", "receive", "admin"/],
      [file([{ name: "a", password: hash, grants: [{ queues: "a/b", allow: ["send"] }] }]), /grants\[0\]\.queues must be a glob/],
      [file([{ name: "a", password: hash, grants: [], role: "x" }]), /users\[0\] has unknown field "role"/],
      [file([{ name: "a", password: hash, grants: [] }, { name: "a", password: hash, grants: [] }]), /users\[1\]\.name "a" appears twice/],
    ];
    for (const [text, said] of cases) expect(() => parseUsers(text, "f"), text).toThrow(said);
    expect(parseUsers(file([{ name: "a", password: hash, grants: [{ queues: "q.*", allow: ["send"] }] }]), "f").get("a")!.grants[0]!.queues).toBe("q.*");
  });

  it("hashes: a PHC scrypt string; the right password verifies, another does not", async () => {
    const h = await hashPassword("s3cret", 10);
    expect(h).toMatch(/^\$scrypt\$ln=10,r=8,p=1\$/);
    const parsed = parsePasswordHash(h);
    if (typeof parsed === "string") throw new Error(parsed);
    expect(await verifyPassword(Buffer.from("s3cret"), parsed)).toBe(true);
    expect(await verifyPassword(Buffer.from("s3cret "), parsed)).toBe(false);
    expect(parsePasswordHash("$scrypt$ln=40,r=8,p=1$AAAA$AAAAAAAAAAAAAAAAAAAAAA")).toMatch(/out of range/);
  });
});

describe("Access", () => {
  it("logs users in; on reload keeps a user's Principal while its hash is unchanged (grants updated), drops a removed one", async () => {
    const f = path.join(mkdtempSync(path.join(os.tmpdir(), "tinyqs-access-")), "users.json");
    const a = { name: "a", password: await hashPassword("pa", 10), grants: [{ queues: "q.*", allow: ["send"] }] };
    const b = { name: "b", password: await hashPassword("pb", 10), grants: [{ queues: "*", allow: ["admin"] }] };
    writeFileSync(f, JSON.stringify({ users: [a, b] }));
    const access = new Access({ usersFile: f, secret: "root" });
    const la = await access.login("a", Buffer.from("pa"), "t");
    const lb = await access.bearer(Buffer.from("pb"), "t");
    const root = await access.login(null, Buffer.from("root"), "t");
    if (!la.ok || !lb.ok || !root.ok) throw new Error("a login failed");
    expect([la.principal.name, lb.principal.name, root.principal.name]).toEqual(["a", "b", "default"]);
    expect(await access.login("a", Buffer.from("pb"), "t")).toEqual({ ok: false, limited: false });
    expect(can(la.principal, "send", "q.1")).toBe(true);
    expect(can(la.principal, "receive", "q.1")).toBe(false);
    expect(visibleQueues(la.principal, ["q.1"])).toBeNull();
    expect(visibleQueues(lb.principal, ["q.1", "z"])).toEqual(["q.1", "z"]);

    writeFileSync(f, JSON.stringify({ users: [{ ...a, grants: [{ queues: "q.*", allow: ["send", "receive"] }] }] }));
    access.reload();
    expect(access.isCurrent(la.principal)).toBe(true);
    expect(can(la.principal, "receive", "q.1")).toBe(true); // the same object, its grants updated
    expect(access.isCurrent(lb.principal)).toBe(false);
    expect(access.isCurrent(root.principal)).toBe(true);
    expect((await access.bearer(Buffer.from("pb"), "t")).ok).toBe(false);
    writeFileSync(f, JSON.stringify({ users: [{ name: "default", password: a.password, grants: [] }] }));
    expect(() => access.reload()).toThrow(/a user named "default" and a --password\/--token/);
    expect(access.isCurrent(la.principal)).toBe(true); // a refused file changes nothing
  });
});

describe("LoginLimiter", () => {
  it("counts failures per address within the window; a new window starts afresh", () => {
    const l = new LoginLimiter({ maxFailures: 2, windowMs: 1000 });
    expect(l.allowed("x", 0)).toBe(true);
    expect(l.failed("x", 10)).toBe(false);
    expect(l.failed("x", 20)).toBe(true); // the one that reaches the limit: logged once
    expect(l.allowed("x", 30)).toBe(false);
    expect(l.allowed("y", 30)).toBe(true);
    expect(l.allowed("x", 1000)).toBe(true);
  });
});
