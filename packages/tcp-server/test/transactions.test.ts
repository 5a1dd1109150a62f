// MULTI / EXEC / DISCARD / WATCH / UNWATCH: exact bytes in, exact bytes out, for every reply that
// docs/protocol.md's "Transactions" section lists, and what runs (or does not) in the engine.
import { TinyQS, type TinyQSApi } from "@tinyqs/core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { createTcpServer } from "../src/index.js";
import { RawClient, bulk, eventually, message, req, sleep, startServer, uniqueQueue, unbulk, type Running } from "./helpers.js";

let s: Running;
let c: RawClient;
beforeAll(async () => {
  s = await startServer();
  c = await RawClient.connect(s.port);
});
afterAll(async () => {
  c.destroy();
  await s.server.close();
});

const EXECABORT = "-EXECABORT Transaction discarded because of previous errors.\r\n";
const ready = async (q: string) => (await s.server.engine.stats(q)).ready;

describe("MULTI … EXEC", () => {
  it("queues each command (+QUEUED), runs nothing before EXEC, then answers the array of replies in order", async () => {
    const q = uniqueQueue("tx");
    expect(await c.call(req("MULTI"))).toBe("+OK\r\n");
    expect(await c.call(req("SEND", q, "a"))).toBe("+QUEUED\r\n");
    expect(await c.call(req("PING"))).toBe("+QUEUED\r\n");
    expect(await c.call(req("SEND", q, "b"))).toBe("+QUEUED\r\n");
    expect(await c.call(req("RECEIVE", q))).toBe("+QUEUED\r\n");
    expect(await c.call(req("STATS", q))).toBe("+QUEUED\r\n");
    expect(await ready(q)).toBe(0); // queued, not run
    const r = await c.call(req("EXEC"));
    const m = /^\*5\r\n\$\d+\r\n(\d+-\d+)\r\n\+PONG\r\n\$\d+\r\n(\d+-\d+)\r\n(\*5\r\n.*?)(\*\d+\r\n.*)$/s.exec(r);
    expect(m, r).not.toBeNull();
    const [, idA, idB, received, stats] = m!;
    expect(Number(idB!.split("-")[1])).toBeGreaterThan(Number(idA!.split("-")[1]));
    expect(received).toBe(message(idA!, `${idA}.1`, "a", 1));
    expect(stats).toContain(`${bulk("ready")}:1\r\n`);
    expect(stats).toContain(`${bulk("inFlight")}:1\r\n`);
    // The transaction is over: commands run at once again.
    expect(await c.call(req("PING"))).toBe("+PONG\r\n");
  });

  it("EXEC of an empty transaction: *0", async () => {
    expect(await c.call(req("MULTI"))).toBe("+OK\r\n");
    expect(await c.call(req("EXEC"))).toBe("*0\r\n");
  });

  it("a command that fails when it runs has its error in the array; the others still run", async () => {
    const q = uniqueQueue("tx");
    c.write(Buffer.concat([req("MULTI"), req("SEND", q, "x", "DELAY", "soon"), req("SEND", "bad name!", "x"), req("SEND", q, "y"), req("EXEC")]));
    expect(await c.reply()).toBe("+OK\r\n");
    for (let i = 0; i < 3; i++) expect(await c.reply()).toBe("+QUEUED\r\n");
    const r = await c.reply();
    expect(r).toMatch(/^\*3\r\n-BAD_ARGUMENT DELAY must be an integer[^\r\n]*\r\n-BAD_NAME [^\r\n]+\r\n\$\d+\r\n\d+-\d+\r\n$/);
    expect(await ready(q)).toBe(1);
  });

  it("an unknown command or a wrong arity is refused at once and EXEC answers EXECABORT, running nothing", async () => {
    const q = uniqueQueue("tx");
    expect(await c.call(req("MULTI"))).toBe("+OK\r\n");
    expect(await c.call(req("SEND", q, "a"))).toBe("+QUEUED\r\n");
    expect(await c.call(req("NOSUCH", "x"))).toBe("-ERR unknown command 'NOSUCH', with args beginning with: 'x' \r\n");
    expect(await c.call(req("SEND", q, "b"))).toBe("+QUEUED\r\n");
    expect(await c.call(req("EXEC"))).toBe(EXECABORT);
    expect(await ready(q)).toBe(0);

    expect(await c.call(req("MULTI"))).toBe("+OK\r\n");
    expect(await c.call(req("SEND", q))).toBe("-ERR wrong number of arguments for 'send' command\r\n");
    expect(await c.call(req("EXEC"))).toBe(EXECABORT);
    expect(await c.call(req("EXEC"))).toBe("-ERR EXEC without MULTI\r\n"); // EXECABORT ended it
    expect(await ready(q)).toBe(0);
  });

  it("DISCARD drops the queue: +OK, nothing runs", async () => {
    const q = uniqueQueue("tx");
    expect(await c.call(req("MULTI"))).toBe("+OK\r\n");
    expect(await c.call(req("SEND", q, "a"))).toBe("+QUEUED\r\n");
    expect(await c.call(req("DISCARD"))).toBe("+OK\r\n");
    expect(await c.call(req("EXEC"))).toBe("-ERR EXEC without MULTI\r\n");
    expect(await ready(q)).toBe(0);
  });

  it("EXEC or DISCARD without MULTI, MULTI inside MULTI (the transaction goes on, as in Redis)", async () => {
    const q = uniqueQueue("tx");
    expect(await c.call(req("EXEC"))).toBe("-ERR EXEC without MULTI\r\n");
    expect(await c.call(req("DISCARD"))).toBe("-ERR DISCARD without MULTI\r\n");
    expect(await c.call("exec\r\n")).toBe("-ERR EXEC without MULTI\r\n"); // inline, any case
    expect(await c.call(req("MULTI"))).toBe("+OK\r\n");
    expect(await c.call(req("SEND", q, "a"))).toBe("+QUEUED\r\n");
    expect(await c.call(req("MULTI"))).toBe("-ERR MULTI calls can not be nested\r\n");
    expect(await c.call(req("EXEC"))).toMatch(/^\*1\r\n\$\d+\r\n\d+-\d+\r\n$/);
    expect(await ready(q)).toBe(1);
  });

  it("wrong arity of MULTI, EXEC, DISCARD themselves", async () => {
    expect(await c.call(req("MULTI", "x"))).toBe("-ERR wrong number of arguments for 'multi' command\r\n");
    expect(await c.call(req("EXEC", "x"))).toBe("-ERR wrong number of arguments for 'exec' command\r\n");
    expect(await c.call(req("DISCARD", "x"))).toBe("-ERR wrong number of arguments for 'discard' command\r\n");
  });

  it("RECEIVE/PEEK/TAKE with WAIT and WAIT itself do not block inside MULTI: they run as if the wait were 0", async () => {
    const q = uniqueQueue("tx");
    const started = Date.now();
    c.write(
      Buffer.concat([
        req("MULTI"),
        req("RECEIVE", q, "WAIT", "5000"),
        req("PEEK", q, "WAIT", "5000"),
        req("TAKE", q, "wait", "5000"),
        req("WAIT", `${q}:1-1`),
        req("WAIT", `${q}:1-1`, "TIMEOUT", "5000"),
        req("RECEIVE", q, "COUNT", "2", "WAIT", "5000"),
        req("EXEC"),
      ]),
    );
    expect(await c.reply()).toBe("+OK\r\n");
    for (let i = 0; i < 6; i++) expect(await c.reply()).toBe("+QUEUED\r\n");
    expect(await c.reply()).toBe("*6\r\n$-1\r\n$-1\r\n$-1\r\n$-1\r\n$-1\r\n*0\r\n");
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it("a malformed WAIT value still gets its error at EXEC", async () => {
    const q = uniqueQueue("tx");
    c.write(Buffer.concat([req("MULTI"), req("RECEIVE", q, "WAIT", "soon"), req("EXEC")]));
    expect(await c.reply()).toBe("+OK\r\n");
    expect(await c.reply()).toBe("+QUEUED\r\n");
    expect(await c.reply()).toMatch(/^\*1\r\n-BAD_ARGUMENT WAIT must be an integer from 0 to 3600000, got "soon"\r\n$/);
  });

  it("a pipeline of 1000 SENDs in one MULTI: one EXEC reply of 1000 ids, in order", async () => {
    const q = uniqueQueue("tx");
    const parts = [req("MULTI")];
    for (let i = 0; i < 1000; i++) parts.push(req("SEND", q, `m${i}`));
    parts.push(req("EXEC"));
    c.write(Buffer.concat(parts));
    expect(await c.reply()).toBe("+OK\r\n");
    for (let i = 0; i < 1000; i++) expect(await c.reply()).toBe("+QUEUED\r\n");
    const r = await c.reply(15_000);
    expect(r.startsWith("*1000\r\n")).toBe(true);
    const ids = [...r.matchAll(/\$\d+\r\n(\d+-\d+)\r\n/g)].map((m) => Number(m[1]!.split("-")[1]));
    expect(ids).toHaveLength(1000);
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    const got = await s.server.engine.receiveBatch(q, { max: 1000 });
    expect(got.map((m) => m.body.toString())).toEqual(Array.from({ length: 1000 }, (_, i) => `m${i}`));
  });

  it("HELLO inside MULTI is refused and fails the transaction; AUTH, CLIENT, UNWATCH are queued", async () => {
    expect(await c.call(req("MULTI"))).toBe("+OK\r\n");
    expect(await c.call(req("HELLO"))).toBe("-ERR Command not allowed inside a transaction\r\n");
    expect(await c.call(req("EXEC"))).toBe(EXECABORT);

    expect(await c.call(req("MULTI"))).toBe("+OK\r\n");
    expect(await c.call(req("CLIENT", "SETNAME", "tx-client"))).toBe("+QUEUED\r\n");
    expect(await c.call(req("AUTH", "pw"))).toBe("+QUEUED\r\n");
    expect(await c.call(req("UNWATCH"))).toBe("+QUEUED\r\n");
    expect(await c.call(req("CLIENT", "GETNAME"))).toBe("+QUEUED\r\n");
    // AUTH runs at EXEC, with its reply in the array (no password is set: Redis's words for that).
    expect(await c.call(req("EXEC"))).toMatch(/^\*4\r\n\+OK\r\n-ERR [^\r\n]*AUTH[^\r\n]*\r\n\+OK\r\n\$9\r\ntx-client\r\n$/);
  });
});

describe("WATCH and UNWATCH", () => {
  it("WATCH is refused, outside MULTI and inside (where it fails the transaction); UNWATCH is +OK", async () => {
    const q = uniqueQueue("tx");
    expect(await c.call(req("WATCH", q))).toBe("-ERR WATCH is not supported by tinyqs\r\n");
    expect(await c.call(req("UNWATCH"))).toBe("+OK\r\n");
    expect(await c.call(req("MULTI"))).toBe("+OK\r\n");
    expect(await c.call(req("SEND", q, "a"))).toBe("+QUEUED\r\n");
    expect(await c.call(req("WATCH", q))).toBe("-ERR WATCH is not supported by tinyqs\r\n");
    expect(await c.call(req("EXEC"))).toBe(EXECABORT);
    expect(await ready(q)).toBe(0);
  });
});

describe("a transaction and the connection", () => {
  it("QUIT inside MULTI: +OK, closed, nothing queued runs", async () => {
    const q = uniqueQueue("tx");
    const k = await RawClient.connect(s.port);
    k.write(Buffer.concat([req("MULTI"), req("SEND", q, "a"), req("QUIT"), req("EXEC")]));
    expect(await k.rest()).toBe("+OK\r\n+QUEUED\r\n+OK\r\n");
    await sleep(100);
    expect(await ready(q)).toBe(0);
  });

  it("a connection that closes mid-MULTI runs nothing", async () => {
    const q = uniqueQueue("tx");
    const k = await RawClient.connect(s.port);
    expect(await k.call(req("MULTI"))).toBe("+OK\r\n");
    expect(await k.call(req("SEND", q, "a"))).toBe("+QUEUED\r\n");
    k.destroy();
    await k.closed;
    await sleep(100);
    expect(await ready(q)).toBe(0);
    // The server is still up for the others.
    expect(await c.call(req("PING"))).toBe("+PONG\r\n");
  });

  it("other connections' commands run meanwhile (only the transaction's own connection waits)", async () => {
    const q = uniqueQueue("tx");
    const k = await RawClient.connect(s.port);
    try {
      expect(await k.call(req("MULTI"))).toBe("+OK\r\n");
      expect(await k.call(req("SEND", q, "queued"))).toBe("+QUEUED\r\n");
      const id = unbulk(await c.call(req("SEND", q, "direct")));
      expect(await c.call(req("RECEIVE", q))).toBe(message(id, `${id}.1`, "direct", 1));
      expect(await k.call(req("EXEC"))).toMatch(/^\*1\r\n\$\d+\r\n\d+-\d+\r\n$/);
    } finally {
      k.destroy();
    }
  });

  it("a client that leaves during EXEC strands nothing: what its RECEIVEs reserved goes back", async () => {
    const engine = new TinyQS({ redis: inject("redisUrl") });
    // STATS answers late, so the client is gone when the EXEC reply is ready.
    const slow = new Proxy(engine, {
      get: (t, k) => {
        if (k === "stats") return (q: string) => sleep(300).then(() => t.stats(q));
        const v: unknown = Reflect.get(t, k, t);
        return typeof v === "function" ? v.bind(t) : v;
      },
    }) as TinyQSApi;
    const srv = createTcpServer({ engine: slow });
    const { port } = await srv.listen(0, "127.0.0.1");
    const q = uniqueQueue("tx");
    try {
      await engine.send(q, "kept");
      const k = await RawClient.connect(port);
      k.write(Buffer.concat([req("MULTI"), req("RECEIVE", q), req("STATS", q), req("EXEC")]));
      expect(await k.reply()).toBe("+OK\r\n");
      expect(await k.reply()).toBe("+QUEUED\r\n");
      expect(await k.reply()).toBe("+QUEUED\r\n");
      await eventually(async () => expect((await engine.stats(q)).inFlight).toBe(1)); // the RECEIVE ran
      k.socket.resetAndDestroy(); // gone for good (a FIN alone is a half-close: the reply would still be written)
      await eventually(async () => expect((await engine.stats(q)).ready).toBe(1));
      const [m] = await engine.receiveBatch(q, { max: 1 });
      expect(m!.body.toString()).toBe("kept");
      expect(m!.receiveCount).toBe(1); // the lost delivery was taken back
    } finally {
      await srv.close();
      await engine.close();
    }
  });

  it("MULTI before AUTH: NOAUTH (and nothing is queued)", async () => {
    const locked = await startServer({ password: "pw" });
    const k = await RawClient.connect(locked.port);
    try {
      expect(await k.call(req("MULTI"))).toMatch(/^-NOAUTH /);
      expect(await k.call(req("EXEC"))).toMatch(/^-NOAUTH /);
      expect(await k.call(req("AUTH", "pw"))).toBe("+OK\r\n");
      expect(await k.call(req("EXEC"))).toBe("-ERR EXEC without MULTI\r\n");
    } finally {
      k.destroy();
      await locked.server.close();
    }
  });
});

describe("the queue of one MULTI is bounded", () => {
  it("past maxPendingBytes of arguments, a command is refused and EXEC aborts; the connection goes on", async () => {
    const small = await startServer({ maxPendingBytes: 4096 });
    const k = await RawClient.connect(small.port);
    const q = uniqueQueue("tx");
    try {
      expect(await k.call(req("MULTI"))).toBe("+OK\r\n");
      expect(await k.call(req("SEND", q, "x".repeat(3000)))).toBe("+QUEUED\r\n");
      expect(await k.call(req("SEND", q, "y".repeat(3000)))).toMatch(
        /^-ERR MULTI holds at most 4096 commands and 4096 bytes of arguments; the transaction is discarded at EXEC\r\n$/,
      );
      expect(await k.call(req("EXEC"))).toBe(EXECABORT);
      expect(await small.server.engine.stats(q).then((st) => st.ready)).toBe(0);
      expect(await k.call(req("PING"))).toBe("+PONG\r\n");
    } finally {
      k.destroy();
      await small.server.close();
    }
  });

  it("a command the parser refuses inside MULTI (over --max-message-bytes, too many arguments) fails the transaction too", async () => {
    const small = await startServer({ maxMessageBytes: 16, maxArgs: 4 });
    const k = await RawClient.connect(small.port);
    const q = uniqueQueue("txbig");
    try {
      // All in one write, as a client library's pipeline sends it.
      k.write(Buffer.concat([req("MULTI"), req("SEND", q, "small"), req("SEND", q, "x".repeat(17)), req("MSEND", q, "a", "b", "c"), req("SEND", q, "last"), req("EXEC")]));
      let r = "";
      for (let i = 0; i < 6; i++) r += await k.reply();
      expect(r).toMatch(/^\+OK\r\n\+QUEUED\r\n-TOO_BIG [^\r\n]+\r\n-BAD_ARGUMENT too many arguments [^\r\n]+\r\n\+QUEUED\r\n-EXECABORT Transaction discarded because of previous errors\.\r\n$/);
      expect((await small.server.engine.stats(q)).sent).toBe(0);
    } finally {
      k.destroy();
      await small.server.close();
    }
  });

  it("at most 1000 messages received in one MULTI (EXEC's reply no larger than one RECEIVE … COUNT 1000)", async () => {
    const k = await RawClient.connect(s.port);
    const q = uniqueQueue("txmany");
    try {
      expect(await k.call(req("MULTI"))).toBe("+OK\r\n");
      expect(await k.call(req("RECEIVE", q, "COUNT", "600"))).toBe("+QUEUED\r\n");
      expect(await k.call(req("RECEIVE", q, "COUNT", "399"))).toBe("+QUEUED\r\n");
      expect(await k.call(req("TAKE", q))).toBe("+QUEUED\r\n"); // 1000 in all
      expect(await k.call(req("RECEIVE", q))).toBe(
        "-ERR MULTI receives at most 1000 messages in all, as one RECEIVE ... COUNT 1000; the transaction is discarded at EXEC\r\n",
      );
      expect(await k.call(req("EXEC"))).toBe(EXECABORT);
    } finally {
      k.destroy();
    }
  });

  it("past MAX_PENDING_PER_CONNECTION commands, likewise", async () => {
    const k = await RawClient.connect(s.port);
    try {
      const parts = [req("MULTI")];
      for (let i = 0; i < 4097; i++) parts.push(req("PING"));
      k.write(Buffer.concat(parts));
      expect(await k.reply()).toBe("+OK\r\n");
      for (let i = 0; i < 4096; i++) expect(await k.reply()).toBe("+QUEUED\r\n");
      expect(await k.reply()).toMatch(/^-ERR MULTI holds at most 4096 commands/);
      expect(await k.call(req("EXEC"))).toBe(EXECABORT);
    } finally {
      k.destroy();
    }
  });
});
