// The client over TLS and as a user: tinyqss:// and https:// (REST, and the wss:// worker of
// process()) with `ca`, `username`/`password` (also in the URL) and a client certificate; a denied
// operation is FORBIDDEN on both transports; an expired or untrusted certificate, a certificate for
// another name, a missing client certificate, and TLS against a plain port each fail with an
// error that says so, at once.
import { mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { createTcpServer, type TcpServer } from "@tinyqs/tcp-server";
import { createHttpServer, type TinyQSHttpServer } from "@tinyqs/http-server";
import { eventually, expectCode, makeTestCerts, uniqueQueue, writeUsersFile, type TestCerts } from "@tinyqs/test-support";
import { connect, type TinyQSApi } from "../src/index.js";

const redis = inject("redisUrl");
let certs: TestCerts;
let usersFile: string;
const started: Array<TcpServer | TinyQSHttpServer> = [];

beforeAll(async () => {
  certs = makeTestCerts();
  usersFile = await writeUsersFile(path.join(mkdtempSync(path.join(os.tmpdir(), "tinyqs-client-users-")), "users.json"), [
    { name: "app", password: "a-pass", grants: [{ queues: "tls.*", allow: ["send", "receive"] }] },
  ]);
});
afterAll(async () => {
  await Promise.all(started.map((s) => s.close()));
  certs.cleanup();
});

type Files = { cert: string; key: string };
const tlsOf = (f: Files, extra: { ca?: string; clientAuth?: "require" } = {}) => ({ cert: f.cert, key: f.key, ...extra });

async function tcp(files: Files | null, extra: { ca?: string; clientAuth?: "require" } = {}): Promise<number> {
  const s = createTcpServer({ redis, usersFile, log: () => {}, ...(files ? { tls: tlsOf(files, extra) } : {}) });
  started.push(s);
  return (await s.listen(0, "127.0.0.1")).port;
}

async function http(files: Files | null, extra: { ca?: string; clientAuth?: "require" } = {}): Promise<number> {
  const s = createHttpServer({ redis, usersFile, log: () => {}, ...(files ? { tls: tlsOf(files, extra) } : {}) });
  started.push(s);
  return (await s.listen(0, "127.0.0.1")).port;
}

async function using<T>(tq: TinyQSApi, fn: (tq: TinyQSApi) => Promise<T>): Promise<T> {
  try {
    return await fn(tq);
  } finally {
    await tq.close();
  }
}

/** Send, receive, delete as the user; a queue outside its grant is FORBIDDEN. */
async function roundTrip(tq: TinyQSApi): Promise<void> {
  const q = uniqueQueue("tls.c");
  await tq.send(q, "over tls");
  const m = await tq.receive(q, { waitMs: 2000 });
  expect(m?.body.toString()).toBe("over tls");
  expect(await tq.delete(q, m!.receipt!)).toBe(true);
  const e = await expectCode(() => tq.send("billing", "x"), "FORBIDDEN");
  expect(e.message).toMatch(/billing/);
}

describe("tinyqss://", () => {
  it("with ca, and the user in the options or in the URL", async () => {
    const port = await tcp(certs.server);
    await using(connect(`tinyqss://localhost:${port}`, { ca: certs.read(certs.ca), username: "app", password: "a-pass" }), roundTrip);
    await using(connect(`tinyqss://app:a-pass@localhost:${port}`, { ca: certs.read(certs.ca) }), roundTrip);
  });

  it("a wrong password is UNAUTHORIZED", async () => {
    const port = await tcp(certs.server);
    await using(connect(`tinyqss://localhost:${port}`, { ca: certs.read(certs.ca), username: "app", password: "nope" }), (tq) => expectCode(() => tq.ping(), "UNAUTHORIZED"));
  });

  it("with a client certificate for a server that requires one; without it, the error says a certificate is required", async () => {
    const port = await tcp(certs.server, { ca: certs.ca, clientAuth: "require" });
    const base = { ca: certs.read(certs.ca), username: "app", password: "a-pass" };
    await using(connect(`tinyqss://localhost:${port}`, { ...base, cert: certs.read(certs.client.cert), key: certs.read(certs.client.key) }), roundTrip);
    await using(connect(`tinyqss://localhost:${port}`, { ...base, timeoutMs: 20_000 }), async (tq) => {
      const e = await expectCode(() => tq.ping(), "UNAVAILABLE");
      expect(e.message).toMatch(/requires a client certificate/);
    });
  });

  it("an expired certificate, an untrusted one: each said, each said in words, not as a bare timeout", async () => {
    const cases: Array<[Files, RegExp]> = [
      [certs.expired, /TLS with the tinyqs server at localhost:\d+ failed: the server's TLS certificate has expired \(CERT_HAS_EXPIRED\)/],
      [certs.untrusted, /is not signed by a CA this client trusts/],
    ];
    for (const [files, said] of cases) {
      const port = await tcp(files);
      // timeoutMs 20 s: a refusal that waited for it would fail the test's own 30 s only by luck.
      const opts = { ca: certs.read(certs.ca), username: "app", password: "a-pass", timeoutMs: 20_000 };
      await using(connect(`tinyqss://localhost:${port}`, opts), async (tq) => {
        const e = await expectCode(() => tq.ping(), "UNAVAILABLE");
        expect(e.message).toMatch(said);
      });
    }
  });
});

describe("https://", () => {
  it("REST with ca and Basic credentials; FORBIDDEN outside the grant", async () => {
    const port = await http(certs.server);
    await using(connect(`https://localhost:${port}`, { ca: certs.read(certs.ca), username: "app", password: "a-pass" }), roundTrip);
  });

  it("process(): the worker's wss:// socket carries the CA and the credentials", async () => {
    const port = await http(certs.server);
    const tq = connect(`https://localhost:${port}`, { ca: certs.read(certs.ca), username: "app", password: "a-pass" });
    const q = uniqueQueue("tls.w");
    const seen: string[] = [];
    const worker = tq.process(q, async (m) => void seen.push(m.body.toString()));
    await tq.send(q, "pushed over wss");
    await eventually(() => expect(seen).toEqual(["pushed over wss"]), 10_000);
    await worker.close();
    await tq.close();
  });

  it("an expired or untrusted certificate, and https:// against a plain port: each said", async () => {
    const cases: Array<[number, RegExp]> = [
      [await http(certs.expired), /certificate has expired \(CERT_HAS_EXPIRED\)/],
      [await http(certs.untrusted), /not signed by a CA this client trusts/],
      [await http(null), /does not speak TLS on this port|cannot be reached/],
    ];
    for (const [port, said] of cases) {
      await using(connect(`https://localhost:${port}`, { ca: certs.read(certs.ca), username: "app", password: "a-pass" }), async (tq) => {
        const e = await expectCode(() => tq.ping(), "UNAVAILABLE");
        expect(e.message).toMatch(said);
      });
    }
  });
});
