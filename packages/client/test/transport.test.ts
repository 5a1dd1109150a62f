// Transport behaviour of the clients: URLs, options and auth; pipelining; an unreachable, dropped
// or restarted server (reconnection with backoff, commands waiting for it, a long poll cut).
import { describe, expect, inject, it } from "vitest";
import { createTcpServer } from "@tinyqs/tcp-server";
import { createHttpServer } from "@tinyqs/http-server";
import { eventually, expectCode, sleep, uniqueQueue, freePort, proxy } from "@tinyqs/test-support";
import { connect, TinyQSError } from "../src/index.js";
import { reconnectDelay } from "../src/backoff.js";

const redis = inject("redisUrl");

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

  // 127.0.0.2: loopback, but not where a local `pnpm start` (127.0.0.1) listens, so every attempt
  // is refused at once and the error names the address the client tried.
  it("default ports: 7379 for tinyqs://, 7380 for http:// and https://; a port in the URL is kept, even 80 or 443", async () => {
    const cases: Array<[string, string]> = [
      ["tinyqs://127.0.0.2", "127.0.0.2:7379"],
      ["tinyqs://:pw@127.0.0.2:17379", "127.0.0.2:17379"],
      ["http://127.0.0.2", "http://127.0.0.2:7380"],
      ["https://127.0.0.2/", "https://127.0.0.2:7380"],
      ["http://127.0.0.2:80", "http://127.0.0.2:80"],
      ["https://127.0.0.2:443/tinyqs/", "https://127.0.0.2:443/tinyqs"],
      ["http://127.0.0.2:17380", "http://127.0.0.2:17380"],
    ];
    for (const [url, where] of cases) {
      const tq = connect(url, { timeoutMs: 300 });
      try {
        const e = await expectCode(() => tq.ping(), "UNAVAILABLE", url);
        expect(e.message, url).toContain(`the tinyqs server at ${where} cannot be reached`);
      } finally {
        await tq.close();
      }
    }
  });

  it("bad options are refused at once with BAD_ARGUMENT", () => {
    const bad: Array<Record<string, unknown>> = [
      { timeoutMs: 0 },
      { timeoutMs: 1.5 },
      { timeoutMs: "5000" },
      { maxReconnectDelayMs: 0 },
      { pollPoolSize: -1 },
      { token: 42 },
      { password: 42 },
      { fetch: "fetch" },
    ];
    for (const options of bad) {
      expect(() => connect("tinyqs://127.0.0.1", options), JSON.stringify(options)).toThrow(expect.objectContaining({ code: "BAD_ARGUMENT" }));
      expect(() => connect("http://127.0.0.1", options), JSON.stringify(options)).toThrow(expect.objectContaining({ code: "BAD_ARGUMENT" }));
    }
  });
});

describe("reconnectDelay", () => {
  it("doubles from 50 ms up to the cap; the jitter keeps each delay in the upper half of its step", () => {
    const low = () => 0;
    const high = () => 0.999_999;
    expect([1, 2, 3, 4, 5, 6, 7].map((n) => reconnectDelay(n, 2000, low))).toEqual([25, 50, 100, 200, 400, 800, 1000]);
    expect([1, 2, 3, 4, 5, 6, 7].map((n) => reconnectDelay(n, 2000, high))).toEqual([50, 100, 200, 400, 800, 1600, 2000]);
    expect(reconnectDelay(1_000_000, 2000, high)).toBe(2000);
    expect(reconnectDelay(3, 100, high)).toBe(100);
    const samples = Array.from({ length: 500 }, () => reconnectDelay(4, 2000));
    expect(Math.min(...samples)).toBeGreaterThanOrEqual(200);
    expect(Math.max(...samples)).toBeLessThanOrEqual(400);
    expect(new Set(samples).size).toBeGreaterThan(10); // jittered: clients cut together come back apart
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

  it("pipelining: commands go out on one connection without waiting for the replies of those before", async () => {
    const server = createTcpServer({ redis });
    const { port } = await server.listen(0, "127.0.0.1");
    const px = await proxy(port);
    const tq = connect(`tinyqs://127.0.0.1:${px.port}`);
    const q = uniqueQueue("pipe");
    try {
      await tq.ping();
      px.hold(); // the server answers, but no answer reaches the client
      const sends = Array.from({ length: 20 }, (_, i) => tq.send(q, `m${i}`));
      // All twenty reach the server before the first reply has come back to the client.
      await eventually(() => px.sent.split("\r\nSEND\r\n").length - 1 === 20);
      expect(px.connections).toBe(1);
      px.flush();
      const ids = await Promise.all(sends);
      expect(new Set(ids).size).toBe(20);
      expect((await tq.receiveBatch(q, { max: 20 })).map((m) => m.body.toString())).toEqual(Array.from({ length: 20 }, (_, i) => `m${i}`));
    } finally {
      await tq.close();
      await px.close();
      await server.close();
    }
  });

  it("a command issued while disconnected waits for the reconnection (within timeoutMs), then runs", async () => {
    const server = createTcpServer({ redis });
    const { port } = await server.listen(0, "127.0.0.1");
    const px = await proxy(port);
    const tq = connect(`tinyqs://127.0.0.1:${px.port}`, { timeoutMs: 10_000, maxReconnectDelayMs: 100 });
    const direct = connect(`tinyqs://127.0.0.1:${port}`);
    const q = uniqueQueue("down");
    try {
      await tq.ping();
      px.refuse();
      px.cut(); // the server is gone; the client tries to reconnect, refused each time
      // A command already on its way when the connection dropped fails (it may have run) …
      await expectCode(() => tq.ping(), "UNAVAILABLE", "a ping cut by the drop");
      // … one issued once the client knows it is disconnected waits for the connection.
      let settled = false;
      const sending = tq.send(q, "sent while down");
      sending.then(
        () => (settled = true),
        () => (settled = true),
      );
      await sleep(500);
      expect(settled).toBe(false); // neither failed at once nor lost: it waits for the connection
      expect(await direct.stats(q)).toMatchObject({ sent: 0 });
      await px.accept();
      expect(await sending).toMatch(/^\d+-\d+$/);
      expect(await direct.stats(q)).toMatchObject({ sent: 1, ready: 1 });
    } finally {
      await Promise.all([tq.close(), direct.close()]);
      await px.close();
      await server.close();
    }
  });

  it("many commands waiting for the reconnection share one wait on the connection (no listener-leak warning), then all run", async () => {
    const server = createTcpServer({ redis });
    const { port } = await server.listen(0, "127.0.0.1");
    const px = await proxy(port);
    const tq = connect(`tinyqs://127.0.0.1:${px.port}`, { timeoutMs: 10_000, maxReconnectDelayMs: 100 });
    const direct = connect(`tinyqs://127.0.0.1:${port}`);
    const q = uniqueQueue("burst");
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(`${w.name}: ${w.message}`);
    process.on("warning", onWarning);
    try {
      await tq.ping();
      px.refuse();
      px.cut();
      await expectCode(() => tq.ping(), "UNAVAILABLE", "a ping cut by the drop");
      const sends = Array.from({ length: 50 }, (_, i) => tq.send(q, `down ${i}`));
      await sleep(300); // all 50 are waiting for the connection now
      await px.accept();
      expect(await Promise.all(sends)).toHaveLength(50);
      expect(await direct.stats(q)).toMatchObject({ sent: 50, ready: 50 });
      await sleep(50); // process warnings are emitted on a later tick
      expect(warnings.filter((w) => w.startsWith("MaxListenersExceededWarning"))).toEqual([]);
    } finally {
      process.off("warning", onWarning);
      await Promise.all([tq.close(), direct.close()]);
      await px.close();
      await server.close();
    }
  });

  it("a command still disconnected after timeoutMs fails with UNAVAILABLE, and is not sent later", async () => {
    const server = createTcpServer({ redis });
    const { port } = await server.listen(0, "127.0.0.1");
    const px = await proxy(port);
    const tq = connect(`tinyqs://127.0.0.1:${px.port}`, { timeoutMs: 400, maxReconnectDelayMs: 100 });
    const direct = connect(`tinyqs://127.0.0.1:${port}`);
    const q = uniqueQueue("down");
    try {
      await tq.ping();
      px.refuse();
      px.cut();
      await expectCode(() => tq.ping(), "UNAVAILABLE", "a ping cut by the drop");
      const e = await expectCode(() => tq.send(q, "never"), "UNAVAILABLE", "send while the server stays away");
      expect(e.message).toContain(`the tinyqs server at 127.0.0.1:${px.port} cannot be reached within 400 ms`);
      await px.accept();
      await eventually(() => tq.ping().then(() => true, () => false), 5000);
      await tq.send(q, "after");
      // No offline queue: the failed send did not go out on the new connection.
      expect(await direct.stats(q)).toMatchObject({ sent: 1 });
      expect((await direct.receive(q))!.body.toString()).toBe("after");
    } finally {
      await Promise.all([tq.close(), direct.close()]);
      await px.close();
      await server.close();
    }
  });

  it("a client that never reached its server fails at once on a refused connection, not after timeoutMs", async () => {
    const port = await freePort(); // nothing listens there: every connection is refused
    const tq = connect(`tinyqs://127.0.0.1:${port}`, { timeoutMs: 20_000 });
    try {
      const started = Date.now();
      const e = await expectCode(() => tq.ping(), "UNAVAILABLE", "ping, connection refused");
      expect(e.message).toContain(`the tinyqs server at 127.0.0.1:${port} cannot be reached`);
      expect(e.message).toContain("nothing listens there");
      await expectCode(() => tq.send(uniqueQueue("u"), "x"), "UNAVAILABLE", "send, connection refused");
      expect(Date.now() - started).toBeLessThan(10_000); // half the timeout: it did not wait it out
    } finally {
      await tq.close();
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
