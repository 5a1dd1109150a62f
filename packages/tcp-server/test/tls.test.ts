// --tls-cert/--tls-key: redis-cli --tls --cacert and ioredis `tls: { ca }` on the TLS port; client
// certificates (require, optional) with redis-cli --cert/--key; a plain client on the TLS port and a
// TLS client on the plain port each get a clean close, and the server serves on; reload() swaps the
// certificate for new connections while an open one goes on.
import { copyFileSync } from "node:fs";
import net from "node:net";
import tls from "node:tls";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeTestCerts, type TestCerts } from "@tinyqs/test-support";
import { RawClient, req, startServer, type Running } from "./helpers.js";

const run = promisify(execFile);
let certs: TestCerts;
beforeAll(() => {
  certs = makeTestCerts();
});
afterAll(() => certs.cleanup());

/** redis-cli over TLS; resolves with stdout, or rejects with what it said. */
async function tlsCli(port: number, args: string[], extra: string[] = []): Promise<string> {
  const { stdout } = await run("redis-cli", ["-p", String(port), "--tls", "--cacert", certs.ca, ...extra, ...args], { timeout: 15_000 });
  return stdout;
}

/** Resolves once the socket closes; with what arrived on it before that. */
function closedWith(socket: net.Socket): Promise<{ data: string; error: string | null }> {
  return new Promise((resolve) => {
    let data = "";
    let error: string | null = null;
    socket.on("data", (d) => (data += d.toString("latin1")));
    socket.on("error", (e) => (error = e.message));
    socket.on("close", () => resolve({ data, error }));
  });
}

describe("a TLS port", () => {
  let s: Running;
  beforeAll(async () => {
    s = await startServer({ tls: { cert: certs.server.cert, key: certs.server.key } });
  });
  afterAll(() => s.server.close());

  it("serves redis-cli --tls --cacert and ioredis tls: { ca }, checking the server's name", async () => {
    expect(await tlsCli(s.port, ["PING"])).toBe("PONG\n");
    expect(await tlsCli(s.port, ["SEND", "tlsq", "over tls"])).toMatch(/^\d+-\d+\n$/);
    const io = new Redis({ port: s.port, host: "localhost", tls: { ca: certs.read(certs.ca) } });
    const errors: Error[] = [];
    io.on("error", (e: Error) => errors.push(e));
    expect(await io.call("RECEIVE", "tlsq")).toEqual([expect.any(String), expect.any(String), "over tls", 1, expect.any(Number)]);
    expect(errors).toEqual([]);
    io.disconnect();
  });

  it("redis-cli without the CA fails to connect (the certificate is not trusted); the server serves on", async () => {
    const r = await run("redis-cli", ["-p", String(s.port), "--tls", "PING"], { timeout: 15_000 }).then(
      (o) => o.stdout + o.stderr,
      (e: { stdout: string; stderr: string }) => e.stdout + e.stderr,
    );
    expect(r).toMatch(/certificate verify failed|self.signed|unable to get local issuer/i);
    expect(await tlsCli(s.port, ["PING"])).toBe("PONG\n");
  });

  it("a plain-text client gets a clean close, not a hang; the server serves on", async () => {
    const sock = net.connect({ port: s.port, host: "127.0.0.1" });
    const closed = closedWith(sock);
    sock.write(req("PING"));
    const { data } = await closed;
    expect(data).not.toContain("PONG");
    expect(await tlsCli(s.port, ["PING"])).toBe("PONG\n");
  });

  it("reload() gives new connections the new certificate; an open connection goes on", async () => {
    const dir = certs.dir;
    const cert = `${dir}/live.pem`;
    const key = `${dir}/live.key`;
    copyFileSync(certs.server.cert, cert);
    copyFileSync(certs.server.key, key);
    const live = await startServer({ tls: { cert, key } });
    const serial = () =>
      new Promise<string>((resolve, reject) => {
        const t = tls.connect({ port: live.port, host: "127.0.0.1", servername: "localhost", ca: certs.read(certs.ca) }, () => {
          resolve(t.getPeerCertificate().serialNumber);
          t.destroy();
        });
        t.on("error", reject);
      });
    const before = await serial();
    const open = new Redis({ port: live.port, host: "localhost", tls: { ca: certs.read(certs.ca) } });
    open.on("error", () => {});
    expect(await open.call("PING")).toBe("PONG");
    copyFileSync(certs.renewed.cert, cert);
    copyFileSync(certs.renewed.key, key);
    expect(live.server.reload()).toEqual(["the TLS certificate"]);
    const after = await serial();
    expect(after).not.toBe(before);
    expect(await open.call("PING")).toBe("PONG"); // the same connection, not dropped
    open.disconnect();
    await live.server.close();
  });
});

describe("a plain port", () => {
  let s: Running;
  beforeAll(async () => {
    s = await startServer();
  });
  afterAll(() => s.server.close());

  it("a TLS client gets a clean close (an error on its side, no hang); the server serves on", async () => {
    const t = tls.connect({ port: s.port, host: "127.0.0.1", servername: "localhost", ca: certs.read(certs.ca) });
    const { error } = await closedWith(t);
    expect(error).toMatch(/disconnected before secure TLS connection|ECONNRESET/);
    const k = await RawClient.connect(s.port);
    expect(await k.call(req("PING"))).toBe("+PONG\r\n");
    k.destroy();
  });
});

describe("client certificates", () => {
  const client = (c: { cert: string; key: string }) => ["--cert", c.cert, "--key", c.key];

  it("require: redis-cli without a certificate, or with one of another CA, cannot connect; with one of --tls-ca it can", async () => {
    const s = await startServer({ tls: { cert: certs.server.cert, key: certs.server.key, ca: certs.ca, clientAuth: "require" } });
    try {
      expect(await tlsCli(s.port, ["PING"], client(certs.client))).toBe("PONG\n");
      for (const extra of [[], client(certs.untrustedClient)]) {
        const out = await tlsCli(s.port, ["PING"], extra).catch((e: { stdout: string; stderr: string }) => e.stdout + e.stderr);
        expect(out).not.toContain("PONG");
      }
    } finally {
      await s.server.close();
    }
  });

  it("optional: no certificate is fine, one of --tls-ca is fine, one of another CA is refused", async () => {
    const logged: string[] = [];
    const s = await startServer({ tls: { cert: certs.server.cert, key: certs.server.key, ca: certs.ca, clientAuth: "optional" }, log: (l) => logged.push(l) });
    try {
      expect(await tlsCli(s.port, ["PING"])).toBe("PONG\n");
      expect(await tlsCli(s.port, ["PING"], client(certs.client))).toBe("PONG\n");
      const out = await tlsCli(s.port, ["PING"], client(certs.untrustedClient)).catch((e: { stdout: string; stderr: string }) => e.stdout + e.stderr);
      expect(out).not.toContain("PONG");
      expect(logged.join("\n")).toMatch(/client certificate refused/);
    } finally {
      await s.server.close();
    }
  });
});

describe("TLS port: sockets that never finish a handshake", () => {
  let s: Running;
  beforeAll(async () => {
    s = await startServer({ tls: { cert: certs.server.cert, key: certs.server.key }, authTimeoutMs: 300, maxPendingAuth: 2 });
  });
  afterAll(() => s.server.close());

  it("are capped while they wait (maxPendingAuth) and closed at the AUTH deadline; a real client still connects", async () => {
    const port = s.port;
    const closedAt: number[] = [];
    const t0 = Date.now();
    const silent = Array.from({ length: 6 }, () => {
      const sock = net.connect({ port, host: "127.0.0.1" });
      sock.on("error", () => {});
      return new Promise<void>((resolve) => sock.once("close", () => (closedAt.push(Date.now() - t0), resolve())));
    });
    await Promise.all(silent);
    expect(closedAt).toHaveLength(6);
    expect(Math.max(...closedAt)).toBeLessThan(5000); // not node's 120 s
    const r = new Redis({ port, host: "127.0.0.1", tls: { ca: certs.read(certs.ca), servername: "localhost" }, maxRetriesPerRequest: 1 });
    try {
      expect(await r.call("PING")).toBe("PONG");
    } finally {
      r.disconnect();
    }
  });
});
