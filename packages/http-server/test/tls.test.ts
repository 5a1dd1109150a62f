// --tls-cert/--tls-key over HTTP: curl --cacert (REST), `ws` with `ca` (wss://), a client
// certificate required (curl --cert/--key), plain HTTP on the TLS port and TLS on the plain port
// each closed cleanly with the server serving on, and reload() swapping the certificate for new
// connections while an open WebSocket goes on.
import { execFile } from "node:child_process";
import { copyFileSync } from "node:fs";
import https from "node:https";
import net from "node:net";
import tls from "node:tls";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeTestCerts, type TestCerts } from "@tinyqs/test-support";
import { startServer, type Running } from "./helpers.js";
import { WsClient } from "./ws-client.js";

const run = promisify(execFile);
let certs: TestCerts;
beforeAll(() => {
  certs = makeTestCerts();
});
afterAll(() => certs.cleanup());

/** curl's body and status (-w), or what it said when it failed. */
async function curl(args: string[]): Promise<string> {
  try {
    return (await run("curl", ["-sS", "-w", " %{http_code}", ...args], { timeout: 15_000 })).stdout;
  } catch (e) {
    return (e as { stderr: string }).stderr;
  }
}

/** The https:// URL by name (the certificate is for localhost and 127.0.0.1). */
const byName = (s: Running) => s.url.replace("127.0.0.1", "localhost");

describe("HTTPS", () => {
  let s: Running;
  beforeAll(async () => {
    s = await startServer({ tls: { cert: certs.server.cert, key: certs.server.key } });
  });
  afterAll(() => s.close());

  it("listen() answers an https:// URL; curl --cacert sends and receives; without the CA curl refuses the certificate", async () => {
    expect(s.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(await curl(["--cacert", certs.ca, "-X", "POST", "--data", "over tls", `${byName(s)}/v1/queues/tls/messages`])).toMatch(/^\{"id":"[^"]+"\} 201$/);
    expect(await curl(["--cacert", certs.ca, `${s.url}/v1/queues/tls/messages`])).toBe("over tls 200");
    expect(await curl([`${s.url}/healthz`])).toMatch(/SSL certificate problem: unable to get local issuer certificate/);
  });

  it("wss:// with ws and the CA: send and subscribe", async () => {
    const ws = await WsClient.open(s.wsUrl, { ca: certs.read(certs.ca) });
    expect(s.wsUrl).toMatch(/^wss:/);
    expect((await ws.request("send", { queue: "tls-ws", body: "aGk=" })).id).toEqual(expect.any(String));
    await ws.request("subscribe", { queue: "tls-ws", prefetch: 1 });
    expect((await ws.waitMessages(1, "tls-ws"))[0]!.body).toBe("aGk=");
    ws.socket.close();
  });

  it("plain HTTP on the TLS port gets a clean close; the server serves on", async () => {
    const sock = net.connect({ port: Number(new URL(s.url).port), host: "127.0.0.1" });
    const closed = new Promise<string>((resolve) => {
      let data = "";
      sock.on("data", (d) => (data += d.toString("latin1")));
      sock.on("error", () => {});
      sock.on("close", () => resolve(data));
    });
    sock.write("GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n");
    expect(await closed).not.toContain("200 OK");
    expect(await curl(["--cacert", certs.ca, `${s.url}/healthz`])).toMatch(/"status":"ok"\} 200$/);
  });

  it("reload() gives new connections the new certificate; an open WebSocket goes on", async () => {
    const cert = `${certs.dir}/http-live.pem`;
    const key = `${certs.dir}/http-live.key`;
    copyFileSync(certs.server.cert, cert);
    copyFileSync(certs.server.key, key);
    const live = await startServer({ tls: { cert, key } });
    const port = Number(new URL(live.url).port);
    const serial = () =>
      new Promise<string>((resolve, reject) => {
        const t = tls.connect({ port, host: "127.0.0.1", servername: "localhost", ca: certs.read(certs.ca) }, () => {
          resolve(t.getPeerCertificate().serialNumber);
          t.destroy();
        });
        t.on("error", reject);
      });
    const before = await serial();
    const ws = await WsClient.open(live.wsUrl, { ca: certs.read(certs.ca) });
    copyFileSync(certs.renewed.cert, cert);
    copyFileSync(certs.renewed.key, key);
    expect(live.http.reload()).toEqual(["the TLS certificate"]);
    expect(await serial()).not.toBe(before);
    expect((await ws.request("send", { queue: "tls-reload", body: "aGk=" })).id).toEqual(expect.any(String));
    ws.socket.close();
    await live.close();
  });
});

describe("plain HTTP port", () => {
  it("a TLS client gets an error at once, not a hang; the server serves on", async () => {
    const s = await startServer();
    try {
      expect(await curl(["--cacert", certs.ca, `${s.url.replace("http:", "https:")}/healthz`])).toMatch(/SSL|wrong version number|packet length/i);
      expect((await fetch(`${s.url}/healthz`)).status).toBe(200);
    } finally {
      await s.close();
    }
  });
});

describe("client certificates (require)", () => {
  it("curl without a certificate fails the handshake; with one of --tls-ca it is served", async () => {
    const s = await startServer({ tls: { cert: certs.server.cert, key: certs.server.key, ca: certs.ca, clientAuth: "require" } });
    try {
      expect(await curl(["--cacert", certs.ca, `${s.url}/healthz`])).not.toMatch(/200$/);
      expect(await curl(["--cacert", certs.ca, "--cert", certs.client.cert, "--key", certs.client.key, `${s.url}/healthz`])).toMatch(/200$/);
      expect(await curl(["--cacert", certs.ca, "--cert", certs.untrustedClient.cert, "--key", certs.untrustedClient.key, `${s.url}/healthz`])).not.toMatch(/200$/);
    } finally {
      await s.close();
    }
  });
});

describe("HTTPS with a token and the AUTH deadline", () => {
  let s: Running;
  beforeAll(async () => {
    s = await startServer({ tls: { cert: certs.server.cert, key: certs.server.key }, token: "t0k", authTimeoutMs: 400 });
  });
  afterAll(() => s.close());

  it("a keep-alive connection that authenticated, and a wss:// socket opened with the token, outlive the deadline", async () => {
    const agent = new https.Agent({ keepAlive: true, maxSockets: 1, ca: certs.read(certs.ca) });
    const get = () =>
      new Promise<{ status: number; socket: unknown }>((resolve, reject) => {
        const req = https.get(
          `${s.url}/v1/queues`, { agent, headers: { authorization: "Bearer t0k" } },
          (res) => {
            res.resume();
            res.on("end", () => resolve({ status: res.statusCode!, socket: req.socket }));
          },
        );
        req.on("error", reject);
      });
    const first = await get();
    const ws = await WsClient.open(`${s.wsUrl}?token=t0k`, { ca: certs.read(certs.ca) });
    await new Promise((r) => setTimeout(r, 1000)); // well past the 400 ms deadline
    const second = await get();
    expect([first.status, second.status]).toEqual([200, 200]);
    expect(second.socket).toBe(first.socket); // the same TLS connection, not cut and reopened
    expect((await ws.request("send", { queue: "tls-auth", body: "aGk=" })).ok).toBe(true);
    ws.socket.close();
    agent.destroy();
  });
});
