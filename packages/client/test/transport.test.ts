/// <reference path="../../core/test/setup/global-redis.ts" />
// Transport behaviour of the clients: URLs and auth, an unreachable or restarted server, a long
// poll cut by a dropped connection.
import net from "node:net";
import { describe, expect, inject, it } from "vitest";
import { createTcpServer } from "../../tcp-server/src/index.js";
import { createHttpServer } from "../../http-server/src/index.js";
import { eventually, expectCode, sleep, uniqueQueue } from "../../core/test/helpers/util.js";
import { connect, TinyQSError } from "../src/index.js";

const redis = inject("redisUrl");

/** A port nothing listens on (now). */
async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
  const { port } = s.address() as net.AddressInfo;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

/** A TCP proxy in front of `port` whose connections can all be cut at once. */
async function proxy(port: number) {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(port, "127.0.0.1");
    sockets.add(client).add(upstream);
    client.pipe(upstream).pipe(client);
    const drop = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on("error", drop).on("close", drop);
    upstream.on("error", drop).on("close", drop);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return {
    port: (server.address() as net.AddressInfo).port,
    cut() {
      for (const s of sockets) s.destroy();
      sockets.clear();
    },
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

describe("connect(url)", () => {
  it("refuses other schemes and non-URLs with BAD_ARGUMENT", () => {
    for (const url of ["redis://127.0.0.1:6379", "ftp://x", "not a url"]) {
      expect(() => connect(url)).toThrow(TinyQSError);
      try {
        connect(url);
      } catch (e) {
        expect((e as TinyQSError).code).toBe("BAD_ARGUMENT");
      }
    }
  });
});

describe("TCP client", () => {
  it("authenticates with the password in the URL; a wrong one gets UNAUTHORIZED", async () => {
    const server = createTcpServer({ redis, password: "s3cr:et" });
    const { port } = await server.listen(0, "127.0.0.1");
    const good = connect(`tinyqs://:${encodeURIComponent("s3cr:et")}@127.0.0.1:${port}`);
    const viaOption = connect(`tinyqs://127.0.0.1:${port}`, { password: "s3cr:et" });
    const bad = connect(`tinyqs://:wrong@127.0.0.1:${port}`, { timeoutMs: 1000 });
    try {
      await good.ping();
      await viaOption.ping();
      const q = uniqueQueue("auth");
      await good.send(q, "x");
      expect((await viaOption.receive(q))!.body.toString()).toBe("x");
      await expectCode(() => bad.ping(), "UNAUTHORIZED", "ping with a wrong password");
    } finally {
      await Promise.all([good.close(), viaOption.close(), bad.close()]);
      await server.close();
    }
  });

  it("no server: commands fail with UNAVAILABLE within timeoutMs; it reconnects when the server comes", async () => {
    const port = await freePort();
    const tq = connect(`tinyqs://127.0.0.1:${port}`, { timeoutMs: 300, maxReconnectDelayMs: 100 });
    try {
      const started = Date.now();
      await expectCode(() => tq.ping(), "UNAVAILABLE", "ping without a server");
      await expectCode(() => tq.receive(uniqueQueue("u"), { waitMs: 5000 }), "UNAVAILABLE", "long poll without a server");
      expect(Date.now() - started).toBeLessThan(2000);
      const server = createTcpServer({ redis });
      await server.listen(port, "127.0.0.1");
      try {
        await eventually(() => tq.ping().then(() => true, () => false), 5000);
        const q = uniqueQueue("u");
        await tq.send(q, "back");
        expect((await tq.receive(q, { waitMs: 1000 }))!.body.toString()).toBe("back");
      } finally {
        await tq.close();
        await server.close();
      }
    } finally {
      await tq.close();
    }
  });

  it("a long poll cut by a dropped connection fails with UNAVAILABLE, is not re-sent, and strands nothing", async () => {
    const server = createTcpServer({ redis });
    const { port } = await server.listen(0, "127.0.0.1");
    const px = await proxy(port);
    const tq = connect(`tinyqs://127.0.0.1:${px.port}`, { timeoutMs: 2000, maxReconnectDelayMs: 100 });
    const direct = connect(`tinyqs://127.0.0.1:${port}`);
    const q = uniqueQueue("cut");
    try {
      await tq.ping();
      const waiting = tq.receive(q, { waitMs: 10_000 });
      await sleep(150);
      px.cut();
      const err = await waiting.then(
        (v) => v,
        (e) => e,
      );
      expect(err).toBeInstanceOf(TinyQSError);
      expect((err as TinyQSError).code).toBe("UNAVAILABLE");
      // A message sent now is not taken by a silently re-sent receive.
      await direct.send(q, "safe");
      await sleep(300);
      expect(await direct.stats(q)).toMatchObject({ ready: 1, inFlight: 0, received: 0 });
      // The client reconnects by itself.
      await eventually(() => tq.ping().then(() => true, () => false), 5000);
      expect((await tq.receive(q))!.body.toString()).toBe("safe");
    } finally {
      await Promise.all([tq.close(), direct.close()]);
      await px.close();
      await server.close();
    }
  });

  it("a reply wait cut by a dropped connection is sent again for the rest of its timeout, and gets the reply", async () => {
    const server = createTcpServer({ redis });
    const { port } = await server.listen(0, "127.0.0.1");
    const px = await proxy(port);
    const tq = connect(`tinyqs://127.0.0.1:${px.port}`, { timeoutMs: 2000, maxReconnectDelayMs: 100 });
    const direct = connect(`tinyqs://127.0.0.1:${port}`);
    const q = uniqueQueue("cutwait");
    try {
      const handle = await tq.put(q, "question");
      const waiting = tq.wait(handle, { timeoutMs: 15_000 });
      await sleep(150);
      px.cut();
      await sleep(300); // the WAIT is cut; the client is reconnecting and waits again
      const m = (await direct.take(q))!;
      expect(await direct.respond(q, m.receipt!, "answer after the cut")).toBe(true);
      expect((await waiting)?.toString()).toBe("answer after the cut");
      expect(await direct.wait(handle, { timeoutMs: 0 })).toBeNull(); // collected once
    } finally {
      await Promise.all([tq.close(), direct.close()]);
      await px.close();
      await server.close();
    }
  });

  it("a reply wait cut with no server to come back to fails with UNAVAILABLE", async () => {
    const server = createTcpServer({ redis });
    const { port } = await server.listen(0, "127.0.0.1");
    const px = await proxy(port);
    const tq = connect(`tinyqs://127.0.0.1:${px.port}`, { timeoutMs: 500, maxReconnectDelayMs: 100 });
    try {
      const handle = await tq.put(uniqueQueue("cutwait"), "question");
      const waiting = tq.wait(handle, { timeoutMs: 15_000 }).then(
        (v) => v,
        (e) => e,
      );
      await sleep(150);
      const closing = px.close(); // no new connections through the proxy…
      px.cut(); // …and the open ones cut
      await closing;
      const err = await waiting;
      expect(err).toBeInstanceOf(TinyQSError);
      expect((err as TinyQSError).code).toBe("UNAVAILABLE");
    } finally {
      await tq.close();
      await server.close();
    }
  });
});

describe("HTTP client", () => {
  it("sends the token; without it, UNAUTHORIZED (ping needs none)", async () => {
    const http = createHttpServer({ redis, token: "t0k", log: () => {} });
    const { url } = await http.listen(0, "127.0.0.1");
    const good = connect(url, { token: "t0k" });
    const none = connect(url);
    try {
      const q = uniqueQueue("tok");
      await good.send(q, "x");
      expect((await good.receive(q))!.body.toString()).toBe("x");
      await none.ping();
      await expectCode(() => none.send(q, "x"), "UNAUTHORIZED", "send without the token");
    } finally {
      await Promise.all([good.close(), none.close()]);
      await http.close();
    }
  });

  it("no server: UNAVAILABLE", async () => {
    const port = await freePort();
    const tq = connect(`http://127.0.0.1:${port}`);
    try {
      await expectCode(() => tq.ping(), "UNAVAILABLE", "ping without a server");
      await expectCode(() => tq.send(uniqueQueue("u"), "x"), "UNAVAILABLE", "send without a server");
    } finally {
      await tq.close();
    }
  });
});
