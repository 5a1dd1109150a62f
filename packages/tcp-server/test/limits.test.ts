// Limits and the connection's life: arguments per command, inline line length, message size
// (skipped, not buffered), idle timeout, deep pipelines, a client closing its side, and shutdown.
import net from "node:net";
import { TinyQS } from "@tinyqs/core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { createTcpServer } from "../src/index.js";
import { RawClient, eventually, req, sleep, startServer, uniqueQueue, unbulk, type Running } from "./helpers.js";

let s: Running;
beforeAll(async () => {
  s = await startServer({ maxArgs: 4, maxInlineBytes: 64, maxMessageBytes: 1024 });
});
afterAll(() => s.server.close());

describe("limits", () => {
  it("arguments per command", async () => {
    const k = await RawClient.connect(s.port);
    expect(await k.call(req("MSEND", "q", "a", "b", "c"))).toBe("-BAD_ARGUMENT too many arguments (5); the limit is 4\r\n");
    expect(await k.call(req("MSEND", uniqueQueue("l"), "a", "b"))).toMatch(/^\*2\r\n/);
    k.destroy();
  });

  it("inline line length: a protocol error; a long multibulk argument is fine", async () => {
    const k = await RawClient.connect(s.port);
    expect(await k.call(req("ECHO", "x".repeat(500)))).toBe(`$500\r\n${"x".repeat(500)}\r\n`);
    k.write(`ECHO ${"x".repeat(100)}\r\n`);
    expect(await k.rest()).toBe("-ERR Protocol error: too big inline request\r\n");
  });

  it("message size: a 20 MB bulk is skipped as it streams in, refused with TOO_BIG, and the connection goes on", async () => {
    const k = await RawClient.connect(s.port);
    const total = 20 * 1024 * 1024;
    k.write(`*3\r\n$4\r\nSEND\r\n$1\r\nq\r\n$${total}\r\n`);
    const chunk = Buffer.alloc(256 * 1024, 0x61);
    for (let sent = 0; sent < total; sent += chunk.length) {
      if (!k.socket.write(chunk)) await new Promise((r) => k.socket.once("drain", r));
    }
    k.write("\r\nPING\r\n");
    expect(await k.reply(20_000)).toBe(`-TOO_BIG an argument is ${total} bytes; the limit is 1024\r\n`);
    expect(await k.reply()).toBe("+PONG\r\n");
    k.destroy();
  });

  it("validates the options", () => {
    expect(() => createTcpServer({ engine: {} as never, maxArgs: 1 })).toThrow(RangeError);
    expect(() => createTcpServer({ engine: {} as never, maxMessageBytes: 0 })).toThrow(RangeError);
    expect(() => createTcpServer({ engine: {} as never, idleTimeoutMs: -1 })).toThrow(RangeError);
  });
});

describe("idle timeout", () => {
  it("closes an idle connection, but not one waiting in RECEIVE", async () => {
    const t = await startServer({ idleTimeoutMs: 300 });
    try {
      const idle = await RawClient.connect(t.port);
      const waiting = await RawClient.connect(t.port);
      expect(await idle.call(req("PING"))).toBe("+PONG\r\n");
      waiting.write(req("RECEIVE", uniqueQueue("idle"), "WAIT", "1200"));
      await idle.closed;
      expect(waiting.isClosed).toBe(false);
      expect(await waiting.reply(5000)).toBe("$-1\r\n");
      await waiting.closed; // idle again afterwards
    } finally {
      await t.server.close();
    }
  });
});

describe("pipelining and flow control", () => {
  it("20 000 commands written at once, read afterwards: every reply, in order", async () => {
    const k = await RawClient.connect(s.port);
    const n = 20_000;
    const q = uniqueQueue("pipe");
    const parts: Buffer[] = [];
    for (let i = 0; i < n; i++) parts.push(i % 10 === 9 ? req("SEND", q, `m${i}`) : req("ECHO", `e${i}`));
    k.write(Buffer.concat(parts));
    for (let i = 0; i < n; i++) {
      const r = await k.reply(20_000);
      if (i % 10 === 9) expect(r).toMatch(/^\$\d+\r\n\d+-\d+\r\n$/);
      else expect(r).toBe(`$${`e${i}`.length}\r\ne${i}\r\n`);
    }
    expect(await k.call(req("STATS", q))).toContain("$4\r\nsent\r\n:2000\r\n");
    k.destroy();
  });

  it("on one connection, SEND then RECEIVE (pipelined) receives after the send", async () => {
    const k = await RawClient.connect(s.port);
    const q = uniqueQueue("order");
    k.write(Buffer.concat([req("SEND", q, "a"), req("SEND", q, "b"), req("RECEIVE", q), req("RECEIVE", q), req("STATS", q), req("PURGE", q), req("RECEIVE", q)]));
    const replies: string[] = [];
    for (let i = 0; i < 7; i++) replies.push(await k.reply());
    const [a, b, ra, rb, st, purged, none] = replies;
    expect(ra).toContain(`${unbulk(a!)}.1\r\n$1\r\na\r\n`);
    expect(rb).toContain(`${unbulk(b!)}.1\r\n$1\r\nb\r\n`);
    expect(st).toContain("$8\r\ninFlight\r\n:2\r\n");
    expect(purged).toBe(":2\r\n");
    expect(none).toBe("$-1\r\n");
    k.destroy();
  });

  it("a RECEIVE that waits holds back the replies after it, on its own connection only", async () => {
    const k = await RawClient.connect(s.port);
    const other = await RawClient.connect(s.port);
    const q = uniqueQueue("hold");
    k.write(Buffer.concat([req("RECEIVE", q, "WAIT", "400"), req("PING")]));
    await sleep(150);
    expect(k.pending).toBe("");
    expect(await other.call(req("PING"))).toBe("+PONG\r\n");
    expect(await k.reply()).toBe("$-1\r\n");
    expect(await k.reply()).toBe("+PONG\r\n");
    k.destroy();
    other.destroy();
  });

  it("a client that sends and closes its side still gets every reply, then the connection closes", async () => {
    const q = uniqueQueue("half");
    const out = await new Promise<string>((resolve) => {
      const sock = net.connect({ port: s.port, host: "127.0.0.1" }, () => sock.end(`PING\r\nSEND ${q} x\r\nSTATS ${q}\r\n`));
      let got = "";
      sock.on("data", (d) => (got += d.toString("latin1")));
      sock.on("close", () => resolve(got));
    });
    expect(out).toMatch(/^\+PONG\r\n\$\d+\r\n\d+-1\r\n\*20\r\n/);
  });
});

describe("a client that never closes its side", () => {
  // The server allows half-open connections (a client may send and close its side, then read). So
  // a connection the server ends (QUIT, protocol error) must still be closed by the server, or a
  // client that never closes its side would keep its socket and connection slot forever.
  const halfOpenClient = (port: number, request: string) =>
    new Promise<{ got: string; sock: net.Socket }>((resolve) => {
      const sock = net.connect({ port, host: "127.0.0.1", allowHalfOpen: true }, () => sock.write(request));
      let got = "";
      sock.on("data", (d) => (got += d.toString("latin1")));
      sock.on("error", () => {});
      sock.on("end", () => resolve({ got, sock })); // the server ended; our side stays open
    });

  it.each([
    ["QUIT", "QUIT\r\nPING\r\n", "+OK\r\n"],
    ["a protocol error", "*1\r\n$x\r\nPING\r\n", "-ERR Protocol error: invalid bulk length\r\n"],
  ])("after %s the server closes the connection and frees its slot", async (_what, request, reply) => {
    const own = await startServer(); // its only connection is ours
    try {
      const { got, sock } = await halfOpenClient(own.port, request);
      expect(got).toBe(reply);
      expect(own.server.connections).toBe(1);
      expect(sock.writable).toBe(true); // this client has not closed its side…
      await eventually(() => own.server.connections === 0); // …yet the server let the connection go
      sock.destroy();
    } finally {
      await own.server.close();
    }
  });
});

describe("bytes held for a pipeline", () => {
  it("behind a waiting RECEIVE, the server stops reading at maxPendingBytes; every SEND runs once the RECEIVE ends", async () => {
    const bound = 1024 * 1024;
    const big = await startServer({ maxPendingBytes: bound });
    try {
      const q = uniqueQueue("held");
      const blocked = await RawClient.connect(big.port);
      const body = Buffer.alloc(1000 * 1000, 0x61);
      const sends = 60; // 60 MB pipelined behind the RECEIVE, against a bound of 1 MiB
      blocked.write(req("RECEIVE", q, "WAIT", "30000"));
      for (let i = 0; i < sends; i++) blocked.write(req("SEND", q, body));
      // The server reads about its bound, the kernel's socket buffers take some MB more (a few on
      // Linux's defaults); the rest stays with the client until the server reads on.
      let written = -1;
      await eventually(
        () => {
          const now = blocked.socket.bytesWritten - blocked.socket.writableLength;
          const settled = now === written;
          written = now;
          return settled;
        },
        10_000,
        300,
      );
      expect(blocked.socket.writableLength).toBeGreaterThan(30 * 1000 * 1000);
      // Another client ends the wait: the RECEIVE gets that message, then every SEND behind it runs.
      const other = await RawClient.connect(big.port);
      expect(await other.call(req("SEND", q, "first"))).toMatch(/^\$\d+\r\n\d+-\d+\r\n$/);
      expect(await blocked.reply()).toContain("first");
      for (let i = 0; i < sends; i++) expect(await blocked.reply(20_000)).toMatch(/^\$\d+\r\n\d+-\d+\r\n$/);
      expect(await other.call(req("STATS", q))).toMatch(/ready\r\n:60\r\n/);
      expect(await other.call(req("PURGE", q))).toBe(":61\r\n"); // the 60 and "first", still reserved
      blocked.destroy();
      other.destroy();
    } finally {
      await big.server.close();
    }
  }, 60_000);
});

describe("shutdown", () => {
  it("close(): waiting receives answer nil, commands queued behind them are answered, the engine closes", async () => {
    const t = await startServer();
    const q = uniqueQueue("down");
    const waiter = await RawClient.connect(t.port);
    const busy = await RawClient.connect(t.port);
    const probe = await RawClient.connect(t.port);
    waiter.write(req("RECEIVE", q, "WAIT", "30000"));
    busy.write(Buffer.concat([req("PEEK", uniqueQueue("other"), "WAIT", "30000"), req("PING"), req("ECHO", "queued")]));
    await eventually(async () => /blocked_clients:2/.test(await probe.call(req("INFO", "clients"))));
    const closing = t.server.close();
    expect(await waiter.rest()).toBe("$-1\r\n");
    expect(await busy.rest()).toBe("$-1\r\n+PONG\r\n$6\r\nqueued\r\n");
    expect(await probe.rest()).toBe("");
    await closing;
    expect(t.server.address()).toBeNull();
    await expect(t.server.engine.stats(q)).rejects.toThrow(/closed/);
    await expect(RawClient.connect(t.port)).rejects.toThrow();
  });

  it("close() does not wait for an idle client that never closes its side (an interactive redis-cli)", async () => {
    const t = await startServer({ shutdownTimeoutMs: 120_000 });
    const lingering = net.connect({ port: t.port, host: "127.0.0.1", allowHalfOpen: true });
    let got = "";
    lingering.on("data", (d) => (got += d.toString("latin1")));
    const ended = new Promise<void>((resolve) => lingering.on("end", () => resolve()));
    lingering.on("error", () => {});
    await new Promise((r) => lingering.once("connect", r));
    lingering.write("PING\r\n");
    await eventually(() => got === "+PONG\r\n");
    await t.server.close(); // would take 120 s if it waited for the client
    await ended; // the server closed its side; this client never closes its own
    lingering.destroy();
  });

  it("close() leaves an engine that was passed in open", async () => {
    const engine = new TinyQS({ redis: inject("redisUrl") });
    const t = createTcpServer({ engine });
    await t.listen(0, "127.0.0.1");
    await t.close();
    const q = uniqueQueue("mine");
    expect(await engine.send(q, "still open")).toMatch(/-1$/);
    await engine.purge(q);
    await engine.close();
  });
});
