// Exact bytes in, exact bytes out: at least one test for every reply that docs/protocol.md lists,
// in the doc's order. Where a reply carries an engine message (`-BAD_NAME <message>`), the message
// is matched by pattern, as the doc leaves its words to the engine.
import { randomUUID } from "node:crypto";
import { TinyQS, type TinyQSApi } from "@tinyqs/core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { COMMANDS } from "../src/commands/table.js";
import { createTcpServer } from "../src/index.js";
import { RawClient, bulk, eventually, message, req, startServer, uniqueQueue, unbulk, type Running } from "./helpers.js";

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

const ID = /^\$\d+\r\n(\d+-\d+)\r\n$/;
const sendId = async (q: string, body: string | Buffer, ...opts: string[]) => {
  const r = await c.call(req("SEND", q, body, ...opts));
  expect(r).toMatch(ID);
  return unbulk(r);
};

describe("conventions", () => {
  it("answers multibulk and inline requests, pipelined, in request order", async () => {
    const q = uniqueQueue("w");
    c.write(`PING\r\n${req("ECHO", "a").toString()}SEND ${q} "hello world"\n*1\r\n$4\r\nPING\r\n`);
    expect(await c.reply()).toBe("+PONG\r\n");
    expect(await c.reply()).toBe("$1\r\na\r\n");
    const id = unbulk(await c.reply());
    expect(await c.reply()).toBe("+PONG\r\n");
    expect(await c.call(req("RECEIVE", q))).toBe(message(id, `${id}.1`, "hello world", 1));
  });

  it("inline quoting: escapes in double quotes, \\' in single quotes; empty lines ignored", async () => {
    expect(await c.call(`\r\n\r\nECHO "a\\tb\\x41\\"" \r\n`)).toBe('$5\r\na\tbA"\r\n');
    expect(await c.call(`ECHO 'it\\'s'\r\n`)).toBe("$4\r\nit's\r\n");
  });

  it("names and keywords in any case; options in any order", async () => {
    const q = uniqueQueue("w");
    const id = unbulk(await c.call(req("send", q, "x", "delay", "0")));
    expect(await c.call(req("ReCeIvE", q, "visibility", "5000", "Wait", "10"))).toBe(message(id, `${id}.1`, "x", 1));
  });
});

describe("errors any command may get", () => {
  it("unknown command", async () => {
    expect(await c.call(req("FOO", "a", "b"))).toBe("-ERR unknown command 'FOO', with args beginning with: 'a' 'b' \r\n");
    expect(await c.call(req("NOPE"))).toBe("-ERR unknown command 'NOPE', with args beginning with: \r\n");
  });

  it("wrong number of arguments", async () => {
    expect(await c.call(req("SEND", "q"))).toBe("-ERR wrong number of arguments for 'send' command\r\n");
    expect(await c.call(req("QUEUES", "x"))).toBe("-ERR wrong number of arguments for 'queues' command\r\n");
    expect(await c.call(req("PING", "a", "b"))).toBe("-ERR wrong number of arguments for 'ping' command\r\n");
  });

  it("syntax error: unknown option, option twice, option without value", async () => {
    expect(await c.call(req("RECEIVE", "q", "BOGUS", "1"))).toBe("-ERR syntax error\r\n");
    expect(await c.call(req("RECEIVE", "q", "WAIT", "1", "WAIT", "2"))).toBe("-ERR syntax error\r\n");
    expect(await c.call(req("RECEIVE", "q", "WAIT"))).toBe("-ERR syntax error\r\n");
    expect(await c.call(req("SEND", "q", "body", "DELAY"))).toBe("-ERR syntax error\r\n");
  });

  it("BAD_NAME", async () => {
    expect(await c.call(req("SEND", "bad name", "x"))).toMatch(/^-BAD_NAME [^\r\n]+\r\n$/);
    expect(await c.call(req("STATS", "x".repeat(129)))).toMatch(/^-BAD_NAME [^\r\n]+\r\n$/);
  });

  it("BAD_ARGUMENT: numbers, too many arguments, long receipts", async () => {
    expect(await c.call(req("RECEIVE", "q", "WAIT", "x"))).toBe('-BAD_ARGUMENT WAIT must be an integer from 0 to 3600000, got "x"\r\n');
    expect(await c.call(req("RECEIVE", "q", "WAIT", "-1"))).toBe('-BAD_ARGUMENT WAIT must be an integer from 0 to 3600000, got "-1"\r\n');
    expect(await c.call(req("RECEIVE", "q", "VISIBILITY", "0"))).toBe('-BAD_ARGUMENT VISIBILITY must be an integer from 1 to 43200000, got "0"\r\n');
    expect(await c.call(req("RECEIVE", "q", "COUNT", "1001"))).toBe('-BAD_ARGUMENT COUNT must be an integer from 1 to 1000, got "1001"\r\n');
    expect(await c.call(req("SEND", "q", "b", "DELAY", "604800001"))).toBe('-BAD_ARGUMENT DELAY must be an integer from 0 to 604800000, got "604800001"\r\n');
    expect(await c.call(req("DELETE", "q", ...Array.from({ length: 1023 }, (_, i) => `r${i}`)))).toBe(
      "-BAD_ARGUMENT too many arguments (1025); the limit is 1024\r\n",
    );
    expect(await c.call(req("TOUCH", "q", "r".repeat(257)))).toMatch(/^-BAD_ARGUMENT [^\r\n]+\r\n$/);
    expect(await c.call(req("TOUCH", "q", ""))).toMatch(/^-BAD_ARGUMENT [^\r\n]+\r\n$/);
    expect(await c.call(req("DELETE", "q", ""))).toMatch(/^-BAD_ARGUMENT [^\r\n]+\r\n$/);
    expect(await c.call(req("PING"))).toBe("+PONG\r\n"); // still in step
  });

  it("TOO_BIG: an argument over --max-message-bytes, or arguments over --max-command-bytes together, are skipped, and the next request is served", async () => {
    const small = await startServer({ maxMessageBytes: 16, maxCommandBytes: 40 });
    const k = await RawClient.connect(small.port);
    try {
      k.write(req("SEND", "q", "x".repeat(17)));
      k.write(req("PING"));
      expect(await k.reply()).toBe("-TOO_BIG an argument is 17 bytes; the limit is 16\r\n");
      expect(await k.reply()).toBe("+PONG\r\n");
      // MSEND + q + 3 × 15 bytes = 51 bytes together: each argument fits, all of them do not.
      k.write(req("MSEND", "q", "y".repeat(15), "y".repeat(15), "y".repeat(15)));
      k.write(req("PING"));
      expect(await k.reply()).toBe("-TOO_BIG the command's arguments pass 40 bytes together\r\n");
      expect(await k.reply()).toBe("+PONG\r\n");
    } finally {
      k.destroy();
      await small.server.close();
    }
  });

  it("UNAVAILABLE when Redis cannot be reached", async () => {
    const engine = new TinyQS({ redis: "redis://127.0.0.1:1", timeoutMs: 200 });
    const down = createTcpServer({ engine });
    const { port } = await down.listen(0, "127.0.0.1");
    const k = await RawClient.connect(port);
    try {
      expect(await k.call(req("SEND", "q", "x"))).toMatch(/^-UNAVAILABLE [^\r\n]+\r\n$/);
    } finally {
      k.destroy();
      await down.close();
      await engine.close();
    }
  });

  it("CLOSED when the engine is closed", async () => {
    const engine = new TinyQS({ redis: inject("redisUrl") });
    const srv = createTcpServer({ engine });
    const { port } = await srv.listen(0, "127.0.0.1");
    const k = await RawClient.connect(port);
    await engine.close();
    try {
      expect(await k.call(req("STATS", "q"))).toBe("-CLOSED this tinyqs instance is closed\r\n");
    } finally {
      k.destroy();
      await srv.close();
    }
  });

  it("INTERNAL for anything that is not an engine error", async () => {
    const broken = { stats: () => Promise.reject(new Error("boom\r\nsplit")) } as unknown as TinyQSApi;
    const srv = createTcpServer({ engine: broken });
    const { port } = await srv.listen(0, "127.0.0.1");
    const k = await RawClient.connect(port);
    try {
      expect(await k.call(req("STATS", "q"))).toBe("-INTERNAL boom split\r\n");
    } finally {
      k.destroy();
      await srv.close();
    }
  });

  it("protocol error: everything before it answered, then the error, then the connection closes", async () => {
    for (const bad of ["*1\r\n$x\r\n", "*1\r\n+PING\r\n", "*1\r\n$4\r\nPINGxx", "*x\r\n", 'ECHO "abc\r\n', "*1\r\n$-1\r\n"]) {
      const k = await RawClient.connect(s.port);
      k.write(`PING\r\n${bad}PING\r\n`);
      const out = await k.rest();
      expect(out, JSON.stringify(bad)).toMatch(/^\+PONG\r\n-ERR Protocol error: [^\r\n]+\r\n$/);
    }
    expect(await c.call(req("PING"))).toBe("+PONG\r\n"); // others unaffected
  });

  it("the exact protocol error texts", async () => {
    const cases: Array<[string, string]> = [
      ["*1\r\n$x\r\n", "invalid bulk length"],
      ["*x\r\n", "invalid multibulk length"],
      ["*1\r\n+PING\r\n", "expected '$', got '+'"],
      ["*1\r\n$4\r\nPINGxx", "expected '\\r\\n' after a bulk string"],
      ['ECHO "abc\r\n', "unbalanced quotes in request"],
      ["*1\r\n$-1\r\n", "invalid bulk length"],
      ["*99999999999\r\n", "invalid multibulk length"],
      // Lines longer than --max-inline-bytes (default 65 536): an inline request, a * or $ header.
      [`ECHO ${"x".repeat(65_536)}\r\n`, "too big inline request"],
      [`*${"1".repeat(65_536)}`, "too big multibulk count string"],
      [`*1\r\n$${"1".repeat(65_536)}`, "too big bulk count string"],
    ];
    for (const [bad, text] of cases) {
      const k = await RawClient.connect(s.port);
      k.write(bad);
      expect(await k.rest()).toBe(`-ERR Protocol error: ${text}\r\n`);
    }
  });

  it("max number of clients reached", async () => {
    const one = await startServer({ maxConnections: 1 });
    const first = await RawClient.connect(one.port);
    expect(await first.call("PING\r\n")).toBe("+PONG\r\n");
    const second = await RawClient.connect(one.port);
    expect(await second.rest()).toBe("-ERR max number of clients reached\r\n");
    expect(await first.call("PING\r\n")).toBe("+PONG\r\n");
    first.destroy();
    await one.server.close();
  });
});

describe("connection commands", () => {
  it("PING", async () => {
    expect(await c.call(req("PING"))).toBe("+PONG\r\n");
    expect(await c.call(req("PING", "hi there"))).toBe("$8\r\nhi there\r\n");
  });

  it("ECHO keeps bytes exact", async () => {
    expect(await c.call(req("ECHO", Buffer.from([0, 13, 10, 255])))).toBe("$4\r\n\x00\r\n\xff\r\n");
  });

  it("AUTH without a password configured", async () => {
    expect(await c.call(req("AUTH", "secret"))).toBe(
      "-ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?\r\n",
    );
    expect(await c.call(req("AUTH", "a", "b", "c"))).toBe("-ERR syntax error\r\n");
    expect(await c.call(req("HELLO", "2", "AUTH", "default", "secret"))).toBe(
      "-ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?\r\n",
    );
  });

  it("HELLO 2 and HELLO without arguments: the field list", async () => {
    const k = await RawClient.connect(s.port);
    const id = (await k.call(req("CLIENT", "ID"))).slice(1, -2);
    const hello =
      `*14\r\n$6\r\nserver\r\n$6\r\ntinyqs\r\n$7\r\nversion\r\n$5\r\n0.1.0\r\n$5\r\nproto\r\n:2\r\n` +
      `$2\r\nid\r\n:${id}\r\n$4\r\nmode\r\n$10\r\nstandalone\r\n$4\r\nrole\r\n$6\r\nmaster\r\n$7\r\nmodules\r\n*0\r\n`;
    expect(await k.call(req("HELLO", "2"))).toBe(hello);
    expect(await k.call(req("HELLO"))).toBe(hello);
    expect(await k.call(req("HELLO", "2", "SETNAME", "worker-1"))).toBe(hello);
    expect(await k.call(req("CLIENT", "GETNAME"))).toBe("$8\r\nworker-1\r\n");
    k.destroy();
  });

  it("HELLO errors: NOPROTO, not an integer, syntax", async () => {
    // HELLO 3 switches to RESP3 (resp3.test.ts); other versions are refused.
    expect(await c.call(req("HELLO", "4"))).toBe("-NOPROTO unsupported protocol version\r\n");
    expect(await c.call(req("HELLO", "1"))).toBe("-NOPROTO unsupported protocol version\r\n");
    expect(await c.call(req("HELLO", "two"))).toBe("-ERR Protocol version is not an integer or out of range\r\n");
    expect(await c.call(req("HELLO", "2", "FOO"))).toBe("-ERR syntax error\r\n");
  });

  it("QUIT: OK, then closed; what was sent after it is not run", async () => {
    const q = uniqueQueue("w");
    const k = await RawClient.connect(s.port);
    k.write(`${req("PING").toString()}${req("QUIT").toString()}${req("SEND", q, "never").toString()}`);
    expect(await k.rest()).toBe("+PONG\r\n+OK\r\n");
    expect(await c.call(req("STATS", q))).toContain("$4\r\nsent\r\n:0\r\n");
  });

  it("SELECT", async () => {
    expect(await c.call(req("SELECT", "0"))).toBe("+OK\r\n");
    expect(await c.call(req("SELECT", "1"))).toBe("-ERR DB index is out of range\r\n");
  });

  it("CLIENT ID, SETNAME, GETNAME, SETINFO, INFO, LIST, HELP and its errors", async () => {
    const k = await RawClient.connect(s.port);
    expect(await k.call(req("CLIENT", "ID"))).toMatch(/^:\d+\r\n$/);
    expect(await k.call(req("CLIENT", "GETNAME"))).toBe("$-1\r\n");
    expect(await k.call(req("CLIENT", "SETNAME", "app"))).toBe("+OK\r\n");
    expect(await k.call(req("CLIENT", "GETNAME"))).toBe("$3\r\napp\r\n");
    expect(await k.call(req("CLIENT", "SETINFO", "LIB-NAME", "mylib"))).toBe("+OK\r\n");
    expect(await k.call(req("CLIENT", "SETINFO", "lib-ver", "1.2"))).toBe("+OK\r\n");
    expect(await k.call(req("CLIENT", "INFO"))).toMatch(
      /^\$\d+\r\nid=\d+ addr=127\.0\.0\.1:\d+ laddr=127\.0\.0\.1:\d+ fd=-1 name=app age=\d+ idle=\d+ flags=N db=0 sub=0 psub=0 ssub=0 multi=-1 qbuf=0 qbuf-free=0 argv-mem=0 multi-mem=0 rbs=0 rbp=0 obl=0 oll=0 omem=0 tot-mem=0 events=r cmd=client user=default redir=-1 resp=2 lib-name=mylib lib-ver=1\.2\n\r\n$/,
    );
    const list = await k.call(req("CLIENT", "LIST"));
    expect(list).toMatch(/^\$\d+\r\n(id=\d+ [^\n]*\n)+\r\n$/);
    expect(list).toContain("name=app ");
    expect(await k.call(req("CLIENT", "HELP"))).toMatch(/^\*15\r\n\+CLIENT <subcommand> \[<arg> \.\.\.\]\. Subcommands are:\r\n(\+[^\r\n]*\r\n){14}$/);
    expect(await k.call(req("CLIENT", "SETNAME", "has space"))).toBe("-ERR Client names cannot contain spaces, newlines or special characters.\r\n");
    expect(await k.call(req("CLIENT", "SETINFO", "LIB-FOO", "x"))).toBe("-ERR Unrecognized option 'LIB-FOO'\r\n");
    expect(await k.call(req("CLIENT", "SETINFO", "lib-name", "has space"))).toBe("-ERR LIB-NAME cannot contain spaces, newlines or special characters.\r\n");
    expect(await k.call(req("CLIENT", "SETINFO", "LIB-VER", "1\n2"))).toBe("-ERR LIB-VER cannot contain spaces, newlines or special characters.\r\n");
    expect(await k.call(req("CLIENT", "KILL"))).toBe("-ERR unknown subcommand 'KILL'. Try CLIENT HELP.\r\n");
    expect(await k.call(req("CLIENT", "ID", "x"))).toBe("-ERR wrong number of arguments for 'client|id' command\r\n");
    expect(await k.call(req("CLIENT", "SETNAME", ""))).toBe("+OK\r\n");
    expect(await k.call(req("CLIENT", "GETNAME"))).toBe("$-1\r\n");
    k.destroy();
  });
});

describe("server commands", () => {
  it("INFO: all sections, or those asked for", async () => {
    const all = await c.call(req("INFO"));
    expect(all).toMatch(/^\$\d+\r\n# Server\r\ntinyqs_version:0\.1\.0\r\nredis_version:7\.0\.0\r\nredis_mode:standalone\r\n/);
    for (const f of ["connected_clients", "blocked_clients", "maxclients:10000", "loading:0", "total_connections_received", "total_commands_processed", "rejected_connections"]) {
      expect(all).toContain(f);
    }
    expect(await c.call(req("INFO", "persistence"))).toBe("$26\r\n# Persistence\r\nloading:0\r\n\r\n");
    expect(await c.call(req("INFO", "nosuch"))).toBe("$0\r\n\r\n");
  });

  it("COMMAND, COUNT, LIST, INFO, DOCS, HELP and an unknown subcommand", async () => {
    // The table is the list (docs.test.ts holds it to docs/protocol.md, command by command).
    const count = COMMANDS.length;
    expect(count).toBeGreaterThanOrEqual(32);
    expect(await c.call(req("COMMAND", "COUNT"))).toBe(`:${count}\r\n`);
    expect((await c.call(req("COMMAND"))).startsWith(`*${count}\r\n*10\r\n$4\r\nping\r\n:-1\r\n`)).toBe(true);
    const list = await c.call(req("COMMAND", "LIST"));
    expect(list.startsWith(`*${count}\r\n$4\r\nping\r\n$4\r\necho\r\n`)).toBe(true);
    expect(await c.call(req("COMMAND", "INFO", "send", "nosuch"))).toBe(
      "*2\r\n*10\r\n$4\r\nsend\r\n:-3\r\n*1\r\n+write\r\n:1\r\n:1\r\n:1\r\n*1\r\n+@queue\r\n*0\r\n*0\r\n*0\r\n$-1\r\n",
    );
    expect(await c.call(req("COMMAND", "DOCS", "purge"))).toBe(
      "*2\r\n$5\r\npurge\r\n*8\r\n$7\r\nsummary\r\n$81\r\nRemoves every message of the queue (ready, in flight, delayed); answers how many.\r\n" +
        "$5\r\nsince\r\n$5\r\n0.1.0\r\n$5\r\ngroup\r\n$5\r\nqueue\r\n$9\r\narguments\r\n*1\r\n*4\r\n$4\r\nname\r\n$5\r\nqueue\r\n$4\r\ntype\r\n$3\r\nkey\r\n",
    );
    expect(await c.call(req("COMMAND", "HELP"))).toMatch(/^\*6\r\n(\+[^\r\n]+\r\n){6}$/);
    expect(await c.call(req("COMMAND", "FOO"))).toBe("-ERR unknown subcommand 'FOO'. Try COMMAND HELP.\r\n");
  });
});

describe("queue commands", () => {
  it("SEND: the id; DELAY; TOO_BIG over the queue's maxMessageBytes", async () => {
    const q = uniqueQueue("w");
    const id = await sendId(q, "a");
    expect(id).toMatch(/^\d{13}-1$/);
    await sendId(q, "later", "DELAY", "60000");
    await c.call(req("QCONFIG", q, "maxMessageBytes", "4"));
    expect(await c.call(req("SEND", q, "12345"))).toMatch(/^-TOO_BIG [^\r\n]+\r\n$/);
    expect(await c.call(req("STATS", q))).toMatch(stats({ ready: 1, delayed: 1, sent: 2 }));
  });

  it("MSEND: the ids in order; BAD_ARGUMENT over 1000; TOO_BIG stores none", async () => {
    const q = uniqueQueue("w");
    const r = await c.call(req("MSEND", q, "a", "b", "c"));
    const m = /^\*3\r\n\$\d+\r\n(\d+-1)\r\n\$\d+\r\n(\d+-2)\r\n\$\d+\r\n(\d+-3)\r\n$/.exec(r);
    expect(m, r).not.toBeNull();
    expect(await c.call(req("MSEND", q, ...Array.from({ length: 1001 }, () => "x")))).toBe("-BAD_ARGUMENT MSEND takes at most 1000 bodies, got 1001\r\n");
    await c.call(req("QCONFIG", q, "MAXMESSAGEBYTES", "2"));
    expect(await c.call(req("MSEND", q, "ok", "too long"))).toMatch(/^-TOO_BIG [^\r\n]+\r\n$/);
    expect(await c.call(req("STATS", q))).toMatch(stats({ ready: 3, sent: 3 }));
  });

  it("RECEIVE: a message, nil; COUNT: messages, *0", async () => {
    const q = uniqueQueue("w");
    expect(await c.call(req("RECEIVE", q))).toBe("$-1\r\n");
    expect(await c.call(req("RECEIVE", q, "COUNT", "5"))).toBe("*0\r\n");
    const a = await sendId(q, "a");
    const b = await sendId(q, Buffer.from([0, 1, 2]));
    const d = await sendId(q, "d");
    expect(await c.call(req("RECEIVE", q))).toBe(message(a, `${a}.1`, "a", 1));
    expect(await c.call(req("RECEIVE", q, "COUNT", "5"))).toBe(`*2\r\n${message(b, `${b}.1`, "\x00\x01\x02", 1)}${message(d, `${d}.1`, "d", 1)}`);
    expect(await c.call(req("RECEIVE", q, "WAIT", "50"))).toBe("$-1\r\n");
    expect(await c.call(req("RECEIVE", q, "COUNT", "2", "WAIT", "50"))).toBe("*0\r\n");
  });

  it("RECEIVE WAIT returns as soon as a message is sent (from another connection)", async () => {
    const q = uniqueQueue("w");
    const other = await RawClient.connect(s.port);
    c.write(req("RECEIVE", q, "WAIT", "10000"));
    await new Promise((r) => setTimeout(r, 100));
    const id = unbulk(await other.call(req("SEND", q, "wake")));
    expect(await c.reply(5000)).toBe(message(id, `${id}.1`, "wake", 1));
    other.destroy();
  });

  it("RECEIVE: a reservation that ends comes back with receive count + 1", async () => {
    const q = uniqueQueue("w");
    const id = await sendId(q, "x");
    expect(await c.call(req("RECEIVE", q, "VISIBILITY", "50"))).toBe(message(id, `${id}.1`, "x", 1));
    await new Promise((r) => setTimeout(r, 120));
    expect(await c.call(req("RECEIVE", q))).toBe(message(id, `${id}.2`, "x", 2));
  });

  it("PEEK: a message with a nil receipt, or nil", async () => {
    const q = uniqueQueue("w");
    expect(await c.call(req("PEEK", q))).toBe("$-1\r\n");
    expect(await c.call(req("PEEK", q, "WAIT", "30"))).toBe("$-1\r\n");
    const id = await sendId(q, "look");
    expect(await c.call(req("PEEK", q))).toBe(message(id, null, "look", 0));
    expect(await c.call(req("PEEK", q))).toBe(`*5\r\n${bulk(id)}$-1\r\n$4\r\nlook\r\n:0\r\n:${id.split("-")[0]}\r\n`);
  });

  it("PEEK WAIT returns the message (receipt nil) as soon as one is sent, reserving nothing", async () => {
    const q = uniqueQueue("w");
    const other = await RawClient.connect(s.port);
    c.write(req("PEEK", q, "WAIT", "10000"));
    await eventually(async () => (await other.call(req("INFO", "clients"))).includes("blocked_clients:1\r\n"));
    const id = unbulk(await other.call(req("SEND", q, "seen")));
    expect(await c.reply(5000)).toBe(message(id, null, "seen", 0));
    expect(await other.call(req("RECEIVE", q))).toBe(message(id, `${id}.1`, "seen", 1));
    other.destroy();
  });

  it("a waiting RECEIVE (nil), RECEIVE COUNT (*0), PEEK and TAKE (nil) end when the client closes its side", async () => {
    const q = uniqueQueue("w");
    const cases: Array<[Buffer, string]> = [
      [req("RECEIVE", q, "WAIT", "30000"), "$-1\r\n"],
      [req("RECEIVE", q, "COUNT", "5", "WAIT", "30000"), "*0\r\n"],
      [req("PEEK", q, "WAIT", "30000"), "$-1\r\n"],
      [req("TAKE", q, "WAIT", "30000"), "$-1\r\n"],
    ];
    const waiters = await Promise.all(cases.map(() => RawClient.connect(s.port)));
    cases.forEach(([request], i) => waiters[i]!.write(request));
    await eventually(async () => (await c.call(req("INFO", "clients"))).includes("blocked_clients:4\r\n"));
    for (const k of waiters) k.socket.end();
    expect(await Promise.all(waiters.map((k) => k.rest()))).toEqual(cases.map(([, reply]) => reply));
    expect(await c.call(req("STATS", q))).toMatch(stats({}));
  });

  it("DELETE: by receipt while current, by id in any state; counts; 0 when stale or unknown", async () => {
    const q = uniqueQueue("w");
    const a = await sendId(q, "a");
    const b = await sendId(q, "b");
    const d = await sendId(q, "d", "DELAY", "60000");
    await c.call(req("RECEIVE", q, "VISIBILITY", "60000"));
    expect(await c.call(req("DELETE", q, `${a}.2`))).toBe(":0\r\n"); // not that delivery
    expect(await c.call(req("DELETE", q, "1-1"))).toBe(":0\r\n");
    expect(await c.call(req("DELETE", q, `${a}.1`))).toBe(":1\r\n");
    expect(await c.call(req("DELETE", q, `${a}.1`))).toBe(":0\r\n");
    expect(await c.call(req("DELETE", q, b, d, "nope"))).toBe(":2\r\n");
    expect(await c.call(req("STATS", q))).toMatch(stats({ sent: 3, received: 1, deleted: 3 }));
  });

  it("DELETE with one bad argument among good ones deletes none of them", async () => {
    const q = uniqueQueue("w");
    const a = await sendId(q, "a");
    expect(await c.call(req("DELETE", q, a, ""))).toBe("-BAD_ARGUMENT delete takes an id or a receipt: a non-empty string of at most 256 characters\r\n");
    expect(await c.call(req("STATS", q))).toMatch(stats({ ready: 1, sent: 1 }));
    expect(await c.call(req("DELETE", q, a))).toBe(":1\r\n");
  });

  it("TOUCH: 1 while current, 0 when stale", async () => {
    const q = uniqueQueue("w");
    const id = await sendId(q, "x");
    await c.call(req("RECEIVE", q, "VISIBILITY", "60000"));
    expect(await c.call(req("TOUCH", q, `${id}.1`))).toBe(":1\r\n");
    expect(await c.call(req("TOUCH", q, `${id}.1`, "VISIBILITY", "120000"))).toBe(":1\r\n");
    expect(await c.call(req("TOUCH", q, `${id}.2`))).toBe(":0\r\n");
    expect(await c.call(req("TOUCH", q, "nope"))).toBe(":0\r\n");
  });

  it("BROWSE: field lists per state, oldest first; OFFSET, LIMIT, BODYBYTES; a bad state refused", async () => {
    const q = uniqueQueue("w");
    const a = await sendId(q, "alpha");
    const b = await sendId(q, "beta");
    const d = await sendId(q, "delta", "DELAY", "60000");
    await c.call(req("RECEIVE", q, "VISIBILITY", "60000"));
    const sentAt = (id: string) => id.split("-")[0];
    expect(await c.call(req("BROWSE", q, "ready"))).toBe(
      `*1\r\n*12\r\n${bulk("id")}${bulk(b)}${bulk("state")}${bulk("ready")}${bulk("receiveCount")}:0\r\n${bulk("sentAt")}:${sentAt(b)}\r\n${bulk("size")}:4\r\n${bulk("body")}${bulk("beta")}`,
    );
    const inFlight = await c.call(req("BROWSE", q, "INFLIGHT", "BODYBYTES", "2"));
    expect(inFlight).toMatch(new RegExp(`^\\*1\r\n\\*14\r\n.*\\$2\r\nal\r\n\\$11\r\nleaseEndsAt\r\n:\\d+\r\n$`, "s"));
    expect(inFlight).toContain(`${bulk("id")}${bulk(a)}`);
    expect(await c.call(req("BROWSE", q, "Delayed"))).toContain(`${bulk("id")}${bulk(d)}`);
    expect(await c.call(req("BROWSE", q, "READY", "OFFSET", "1"))).toBe("*0\r\n");
    expect(await c.call(req("BROWSE", q, "READY", "LIMIT", "101"))).toBe("-BAD_ARGUMENT LIMIT must be an integer from 1 to 100, got \"101\"\r\n");
    expect(await c.call(req("BROWSE", q, "gone"))).toBe('-BAD_ARGUMENT BROWSE takes a state: READY, INFLIGHT or DELAYED, got "gone"\r\n');
    expect(await c.call(req("STATS", q))).toMatch(stats({ ready: 1, inFlight: 1, delayed: 1, sent: 3, received: 1 }));
  });

  it("MDELETE: 1 or 0 per item, in order; bad items fail alone; over 1000 deletes nothing", async () => {
    const q = uniqueQueue("w");
    const a = await sendId(q, "a");
    const b = await sendId(q, "b");
    const d = await sendId(q, "d", "DELAY", "60000");
    await c.call(req("RECEIVE", q, "VISIBILITY", "60000"));
    const many = Array.from({ length: 1000 }, (_, i) => `1-${i}`);
    expect(await c.call(req("MDELETE", q, `${a}.1`, ...many))).toBe("-BAD_ARGUMENT MDELETE takes at most 1000 items, got 1001\r\n");
    expect(await c.call(req("STATS", q))).toMatch(stats({ ready: 1, inFlight: 1, delayed: 1, sent: 3, received: 1 }));
    expect(await c.call(req("MDELETE", q, `${a}.2`, `${a}.1`, `${a}.1`, "", "1-1", b, d))).toBe("*7\r\n:0\r\n:1\r\n:0\r\n:0\r\n:0\r\n:1\r\n:1\r\n");
    expect(await c.call(req("STATS", q))).toMatch(stats({ sent: 3, received: 1, deleted: 3 }));
  });

  it("MTOUCH: 1 or 0 per receipt, in order, with a trailing VISIBILITY", async () => {
    const q = uniqueQueue("w");
    const x = await sendId(q, "x");
    const y = await sendId(q, "y");
    await c.call(req("RECEIVE", q, "COUNT", "2", "VISIBILITY", "60000"));
    expect(await c.call(req("MTOUCH", q, `${x}.1`, `${x}.2`, "r".repeat(257), `${y}.1`, "VISIBILITY", "120000"))).toBe("*4\r\n:1\r\n:0\r\n:0\r\n:1\r\n");
    expect(await c.call(req("MTOUCH", q, `${y}.1`))).toBe("*1\r\n:1\r\n");
    expect(await c.call(req("MTOUCH", q, `${y}.1`, "VISIBILITY", "0"))).toMatch(/^-BAD_ARGUMENT VISIBILITY must be an integer from 1 to /);
    expect(await c.call(req("MTOUCH", q, `${y}.1`, "VISIBILITY"))).toBe("*2\r\n:1\r\n:0\r\n"); // no pair: two items
  });

  it("RELEASE: 1 while current (ready again, or delayed), 0 when stale", async () => {
    const q = uniqueQueue("w");
    const id = await sendId(q, "x");
    await c.call(req("RECEIVE", q));
    expect(await c.call(req("RELEASE", q, `${id}.1`))).toBe(":1\r\n");
    expect(await c.call(req("RELEASE", q, `${id}.1`))).toBe(":0\r\n");
    expect(await c.call(req("RECEIVE", q))).toBe(message(id, `${id}.2`, "x", 2));
    expect(await c.call(req("RELEASE", q, `${id}.2`, "DELAY", "60000"))).toBe(":1\r\n");
    expect(await c.call(req("STATS", q))).toMatch(stats({ delayed: 1, sent: 1, received: 2 }));
  });

  it("STATS: the field list, all zeros for a queue that does not exist", async () => {
    expect(await c.call(req("STATS", uniqueQueue("w")))).toBe(
      "*20\r\n$5\r\nready\r\n:0\r\n$8\r\ninFlight\r\n:0\r\n$7\r\ndelayed\r\n:0\r\n$4\r\nsent\r\n:0\r\n" +
        "$8\r\nreceived\r\n:0\r\n$7\r\ndeleted\r\n:0\r\n$12\r\ndeadLettered\r\n:0\r\n$12\r\ndeduplicated\r\n:0\r\n" +
        "$6\r\npaused\r\n:0\r\n$16\r\noldestReadyAgeMs\r\n$-1\r\n",
    );
  });

  it("QUEUES: *0, then the names sorted", async () => {
    const own = await startServer({ prefix: `tq-${randomUUID().slice(0, 8)}` });
    const k = await RawClient.connect(own.port);
    try {
      expect(await k.call(req("QUEUES"))).toBe("*0\r\n");
      await k.call(req("SEND", "b-queue", "x"));
      await k.call(req("QCONFIG", "a-queue"));
      await k.call(req("QCONFIG", "a-queue", "visibilityMs", "1000"));
      expect(await k.call(req("QUEUES"))).toBe("*2\r\n$7\r\na-queue\r\n$7\r\nb-queue\r\n");
    } finally {
      k.destroy();
      await own.server.close();
    }
  });

  it("QCONFIG: the settings after the change; its errors change nothing", async () => {
    const q = uniqueQueue("w");
    const conf = (vis: number, max: number, dlq: string, bytes: number, ttl: number) =>
      `*14\r\n$12\r\nvisibilityMs\r\n:${vis}\r\n$11\r\nmaxReceives\r\n:${max}\r\n$15\r\ndeadLetterQueue\r\n${bulk(dlq)}$15\r\nmaxMessageBytes\r\n:${bytes}\r\n` +
      `$10\r\nreplyTtlMs\r\n:${ttl}\r\n$13\r\ndedupWindowMs\r\n:300000\r\n$6\r\npaused\r\n:0\r\n`;
    expect(await c.call(req("QCONFIG", q))).toBe(conf(30000, 0, `${q}.dead`, 1048576, 300000));
    expect(await c.call(req("QCONFIG", q, "visibilityms", "5000", "MaxReceives", "3"))).toBe(conf(5000, 3, `${q}.dead`, 1048576, 300000));
    expect(await c.call(req("QCONFIG", q, "deadLetterQueue", "graveyard", "maxMessageBytes", "100"))).toBe(conf(5000, 3, "graveyard", 100, 300000));
    expect(await c.call(req("QCONFIG", q, "REPLYTTLMS", "60000"))).toBe(conf(5000, 3, "graveyard", 100, 60000));
    expect(await c.call(req("QCONFIG", q, "colour", "red"))).toMatch(
      /^-BAD_ARGUMENT unknown setting "colour"; settings are visibilityMs, maxReceives, deadLetterQueue, maxMessageBytes, replyTtlMs, dedupWindowMs\r\n$/,
    );
    expect(await c.call(req("QCONFIG", q, "visibilityMs", "0"))).toBe('-BAD_ARGUMENT visibilityMs must be an integer from 1 to 43200000, got "0"\r\n');
    expect(await c.call(req("QCONFIG", q, "replyTtlMs", "0"))).toBe('-BAD_ARGUMENT replyTtlMs must be an integer from 1 to 604800000, got "0"\r\n');
    expect(await c.call(req("QCONFIG", q, "replyTtlMs", "604800001"))).toBe(
      '-BAD_ARGUMENT replyTtlMs must be an integer from 1 to 604800000, got "604800001"\r\n',
    );
    expect(await c.call(req("QCONFIG", q, "deadLetterQueue", q))).toMatch(/^-BAD_ARGUMENT [^\r\n]+\r\n$/);
    expect(await c.call(req("QCONFIG", q, "deadLetterQueue", "no good"))).toMatch(/^-BAD_NAME [^\r\n]+\r\n$/);
    expect(await c.call(req("QCONFIG", q, "maxReceives"))).toBe("-ERR syntax error\r\n");
    expect(await c.call(req("QCONFIG", q, "maxReceives", "1", "MAXRECEIVES", "2"))).toBe("-ERR syntax error\r\n");
    // 124 bytes + ".dead" = 129: the default dead-letter queue name would be too long.
    const long = `${q}-${"l".repeat(123 - q.length)}`;
    expect(long).toHaveLength(124);
    expect(await c.call(req("QCONFIG", long, "maxReceives", "1"))).toMatch(/^-BAD_NAME [^\r\n]+\r\n$/);
    expect(await c.call(req("QCONFIG", long, "maxReceives", "1", "deadLetterQueue", `${q}.dl`))).toMatch(/^\*14\r\n/);
    expect(await c.call(req("QCONFIG", q))).toBe(conf(5000, 3, "graveyard", 100, 60000));
  });

  it("PURGE: how many were removed", async () => {
    const q = uniqueQueue("w");
    expect(await c.call(req("PURGE", q))).toBe(":0\r\n");
    await c.call(req("MSEND", q, "a", "b"));
    await c.call(req("SEND", q, "c", "DELAY", "60000"));
    await c.call(req("RECEIVE", q));
    expect(await c.call(req("PURGE", q))).toBe(":3\r\n");
    expect(await c.call(req("STATS", q))).toMatch(stats({ sent: 3, received: 1 }));
  });

  it("dead-lettering as drawn in the lifecycle", async () => {
    const q = uniqueQueue("w");
    await c.call(req("QCONFIG", q, "maxReceives", "1"));
    const id = await sendId(q, "poison");
    const first = await c.call(req("RECEIVE", q));
    expect(first).toBe(message(id, `${id}.1`, "poison", 1));
    expect(await c.call(req("RELEASE", q, `${id}.1`))).toBe(":1\r\n");
    expect(await c.call(req("RECEIVE", q))).toBe("$-1\r\n");
    const dead = await c.call(req("RECEIVE", `${q}.dead`));
    expect(dead).toMatch(/^\*5\r\n\$\d+\r\n\d+-1\r\n\$\d+\r\n\d+-1\.1\r\n\$6\r\npoison\r\n:1\r\n:\d+\r\n$/);
    expect(await c.call(req("STATS", q))).toMatch(stats({ sent: 1, received: 1, deadLettered: 1 }));
  });
});

describe("request/response commands", () => {
  it("PUT: the handle <queue>:<id>; TOO_BIG over the queue's maxMessageBytes", async () => {
    const q = uniqueQueue("w");
    const r = await c.call(req("PUT", q, "question"));
    expect(r).toMatch(new RegExp(`^\\$${q.length + 16}\\r\\n${q}:\\d{13}-1\\r\\n$`));
    await c.call(req("QCONFIG", q, "maxMessageBytes", "4"));
    expect(await c.call(req("PUT", q, "12345"))).toMatch(/^-TOO_BIG [^\r\n]+\r\n$/);
    expect(await c.call(req("STATS", q))).toMatch(stats({ ready: 1, sent: 1 }));
  });

  it("TAKE: a message, nil", async () => {
    const q = uniqueQueue("w");
    expect(await c.call(req("TAKE", q))).toBe("$-1\r\n");
    expect(await c.call(req("TAKE", q, "WAIT", "50", "VISIBILITY", "1000"))).toBe("$-1\r\n");
    const [, id] = /:(\d+-\d+)\r\n$/.exec(await c.call(req("PUT", q, "question")))!;
    expect(await c.call(req("TAKE", q))).toBe(message(id!, `${id}.1`, "question", 1));
  });

  it("RESPOND: 1, 0 when stale or again, TOO_BIG; WAIT: the reply, then nil; BAD_ARGUMENT for a bad handle", async () => {
    const q = uniqueQueue("w");
    const handle = unbulk(await c.call(req("PUT", q, "question")));
    const id = handle.slice(q.length + 1);
    await c.call(req("TAKE", q));
    await c.call(req("QCONFIG", q, "maxMessageBytes", "6"));
    expect(await c.call(req("RESPOND", q, `${id}.1`, "1234567"))).toMatch(/^-TOO_BIG [^\r\n]+\r\n$/);
    expect(await c.call(req("RESPOND", q, `${id}.2`, "answer"))).toBe(":0\r\n");
    expect(await c.call(req("RESPOND", q, `${id}.1`, "answer"))).toBe(":1\r\n");
    expect(await c.call(req("RESPOND", q, `${id}.1`, "answer"))).toBe(":0\r\n");
    expect(await c.call(req("STATS", q))).toMatch(stats({ sent: 1, received: 1, deleted: 1 }));
    expect(await c.call(req("WAIT", handle, "TIMEOUT", "0"))).toBe("$6\r\nanswer\r\n");
    expect(await c.call(req("WAIT", handle, "TIMEOUT", "0"))).toBe("$-1\r\n");
    expect(await c.call(req("WAIT", handle, "TIMEOUT", "50"))).toBe("$-1\r\n");
    expect(await c.call(req("WAIT", "jobs-1-1"))).toMatch(/^-BAD_ARGUMENT bad reply handle "jobs-1-1"[^\r\n]*\r\n$/);
    expect(await c.call(req("WAIT", handle, "TIMEOUT", "3600001"))).toBe('-BAD_ARGUMENT TIMEOUT must be an integer from 0 to 3600000, got "3600001"\r\n');
  });

  it("WAIT returns as soon as the reply is stored (from another connection)", async () => {
    const q = uniqueQueue("w");
    const handle = unbulk(await c.call(req("PUT", q, "question")));
    const other = await RawClient.connect(s.port);
    c.write(req("WAIT", handle, "TIMEOUT", "10000"));
    await new Promise((r) => setTimeout(r, 100));
    const [, receipt] = /^\*5\r\n\$\d+\r\n[^\r]+\r\n\$\d+\r\n([^\r]+)\r\n/.exec(await other.call(req("TAKE", q)))!;
    expect(await other.call(req("RESPOND", q, receipt!, "wake"))).toBe(":1\r\n");
    expect(await c.reply(5000)).toBe("$4\r\nwake\r\n");
    other.destroy();
  });
});

/**
 * STATS' exact reply for these counts, not paused; its last field, oldestReadyAgeMs, is a time: any
 * integer when a message is ready, nil when none is.
 */
function stats(s: Partial<Record<"ready" | "inFlight" | "delayed" | "sent" | "received" | "deleted" | "deadLettered" | "deduplicated", number>>): RegExp {
  const names = ["ready", "inFlight", "delayed", "sent", "received", "deleted", "deadLettered", "deduplicated"] as const;
  const fixed = `*20\r\n${names.map((n) => `${bulk(n)}:${s[n] ?? 0}\r\n`).join("")}${bulk("paused")}:0\r\n${bulk("oldestReadyAgeMs")}`;
  return new RegExp(`^${fixed.replace(/[$*]/g, "\\$&")}${(s.ready ?? 0) > 0 ? ":\\d+\r\n" : "\\$-1\r\n"}$`);
}
