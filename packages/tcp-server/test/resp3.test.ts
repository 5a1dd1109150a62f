// RESP3 on the wire, exact bytes: HELLO 3 switches a connection (and HELLO 2 back); in RESP3 a null
// is `_` (a missing message, receipt, name) and a field list is a map `%`; everything else is the
// RESP2 bytes. Replies to commands sent before the HELLO 3 stay RESP2 however late they are written.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { VERSION } from "../src/defaults.js";
import { RawClient, bulk, req, startServer, unbulk, uniqueQueue, type Running } from "./helpers.js";

let s: Running;
let locked: Running;
const PASSWORD = "s3cret";

beforeAll(async () => {
  [s, locked] = await Promise.all([startServer(), startServer({ password: PASSWORD })]);
});
afterAll(async () => {
  await Promise.all([s.server.close(), locked.server.close()]);
});

/** HELLO's map, RESP3 (`%7`) or RESP2 (`*14`), for connection `id`. */
const helloReply = (proto: 2 | 3, id: number) =>
  `${proto === 3 ? "%7" : "*14"}\r\n${bulk("server")}${bulk("tinyqs")}${bulk("version")}${bulk(VERSION)}${bulk("proto")}:${proto}\r\n` +
  `${bulk("id")}:${id}\r\n${bulk("mode")}${bulk("standalone")}${bulk("role")}${bulk("master")}${bulk("modules")}*0\r\n`;

async function resp3Client(port = s.port): Promise<{ c: RawClient; id: number }> {
  const c = await RawClient.connect(port);
  const id = Number((await c.call(req("CLIENT", "ID"))).slice(1, -2));
  expect(await c.call(req("HELLO", "3"))).toBe(helloReply(3, id));
  return { c, id };
}

describe("RESP3 after HELLO 3", () => {
  it("HELLO 3 answers a map; HELLO alone reports the protocol spoken; HELLO 2 switches back", async () => {
    const { c, id } = await resp3Client();
    try {
      expect(await c.call(req("HELLO"))).toBe(helloReply(3, id));
      expect(await c.call(req("CLIENT", "GETNAME"))).toBe("_\r\n");
      expect(await c.call(req("CLIENT", "INFO"))).toMatch(/ redir=-1 resp=3 lib-name=/);
      expect(await c.call(req("HELLO", "2"))).toBe(helloReply(2, id));
      expect(await c.call(req("CLIENT", "GETNAME"))).toBe("$-1\r\n");
      expect(await c.call(req("CLIENT", "INFO"))).toMatch(/ redir=-1 resp=2 lib-name=/);
      expect(await c.call(req("HELLO", "3", "SETNAME", "w3"))).toBe(helloReply(3, id));
      expect(await c.call(req("CLIENT", "GETNAME"))).toBe(bulk("w3"));
    } finally {
      c.destroy();
    }
  });

  it("other versions: NOPROTO, and the connection stays RESP2", async () => {
    const c = await RawClient.connect(s.port);
    try {
      expect(await c.call(req("HELLO", "4"))).toBe("-NOPROTO unsupported protocol version\r\n");
      expect(await c.call(req("HELLO", "1"))).toBe("-NOPROTO unsupported protocol version\r\n");
      expect(await c.call(req("HELLO", "3", "BOGUS"))).toBe("-ERR syntax error\r\n");
      expect(await c.call(req("CLIENT", "GETNAME"))).toBe("$-1\r\n");
    } finally {
      c.destroy();
    }
  });

  it("queue replies: `_` for no message and no receipt, maps for STATS and QCONFIG, the rest as RESP2", async () => {
    const { c } = await resp3Client();
    const q = uniqueQueue("r3");
    try {
      expect(await c.call(req("RECEIVE", q))).toBe("_\r\n");
      expect(await c.call(req("PEEK", q))).toBe("_\r\n");
      expect(await c.call(req("RECEIVE", q, "COUNT", "5"))).toBe("*0\r\n");
      const id = unbulk(await c.call(req("SEND", q, "b\r\nody")));
      const sentAt = Number(id.split("-")[0]);
      expect(await c.call(req("PEEK", q))).toBe(`*5\r\n${bulk(id)}_\r\n${bulk("b\r\nody")}:0\r\n:${sentAt}\r\n`);
      const got = await c.call(req("RECEIVE", q));
      expect(got).toBe(`*5\r\n${bulk(id)}${bulk(`${id}.1`)}${bulk("b\r\nody")}:1\r\n:${sentAt}\r\n`);
      expect(await c.call(req("TOUCH", q, `${id}.1`, "VISIBILITY", "5000"))).toBe(":1\r\n");
      expect(await c.call(req("DELETE", q, `${id}.1`))).toBe(":1\r\n");
      expect(await c.call(req("DELETE", q, `${id}.1`))).toBe(":0\r\n");
      expect(await c.call(req("STATS", q))).toBe(
        `%10\r\n${bulk("ready")}:0\r\n${bulk("inFlight")}:0\r\n${bulk("delayed")}:0\r\n${bulk("sent")}:1\r\n` +
          `${bulk("received")}:1\r\n${bulk("deleted")}:1\r\n${bulk("deadLettered")}:0\r\n${bulk("deduplicated")}:0\r\n` +
          `${bulk("paused")}:0\r\n${bulk("oldestReadyAgeMs")}_\r\n`,
      );
      expect(await c.call(req("QCONFIG", q, "maxReceives", "3"))).toBe(
        `%7\r\n${bulk("visibilityMs")}:30000\r\n${bulk("maxReceives")}:3\r\n${bulk("deadLetterQueue")}${bulk(`${q}.dead`)}` +
          `${bulk("maxMessageBytes")}:1048576\r\n${bulk("replyTtlMs")}:300000\r\n${bulk("dedupWindowMs")}:300000\r\n${bulk("paused")}:0\r\n`,
      );
      expect(await c.call(req("NOSUCH"))).toBe("-ERR unknown command 'NOSUCH', with args beginning with: \r\n");
      expect(await c.call(req("PING"))).toBe("+PONG\r\n");
    } finally {
      c.destroy();
    }
  });

  it("COMMAND INFO of an unknown name is `_`; COMMAND DOCS is a map of maps", async () => {
    const { c, id } = await resp3Client();
    try {
      expect(await c.call(req("COMMAND", "INFO", "nosuch"))).toBe("*1\r\n_\r\n");
      expect(await c.call(req("COMMAND", "DOCS", "ping"))).toMatch(/^%1\r\n\$4\r\nping\r\n%\d\r\n\$7\r\nsummary\r\n/);
      // An empty map, then an empty array (HELLO's modules): each its own type.
      expect(await c.call(req("COMMAND", "DOCS", "nosuch"))).toBe("%0\r\n");
      expect(await c.call(req("HELLO", "3"))).toBe(helloReply(3, id));
      expect(await c.call(req("RECEIVE", uniqueQueue("r3empty"), "COUNT", "5"))).toBe("*0\r\n");
      expect(await c.call(req("HELLO", "2"))).toMatch(/^\*14\r\n/);
      expect(await c.call(req("COMMAND", "DOCS", "nosuch"))).toBe("*0\r\n");
    } finally {
      c.destroy();
    }
  });

  it("a reply to a command sent before HELLO 3 stays RESP2, even when written after it", async () => {
    const c = await RawClient.connect(s.port);
    const q = uniqueQueue("r3late");
    try {
      // The RECEIVE waits while the HELLO behind it is already handled: its nil is still RESP2's.
      c.write(Buffer.concat([req("RECEIVE", q, "WAIT", "300"), req("HELLO", "3"), req("RECEIVE", q)]));
      expect(await c.reply()).toBe("$-1\r\n");
      expect(await c.reply()).toMatch(/^%7\r\n/);
      expect(await c.reply()).toBe("_\r\n");
    } finally {
      c.destroy();
    }
  });

  it("HELLO 3 AUTH authenticates and switches at once; a failed one changes nothing", async () => {
    const c = await RawClient.connect(locked.port);
    try {
      expect(await c.call(req("HELLO", "3"))).toBe("-NOAUTH Authentication required.\r\n");
      expect(await c.call(req("HELLO", "3", "AUTH", "default", "nope"))).toBe("-WRONGPASS invalid password\r\n");
      expect(await c.call(req("PING"))).toMatch(/^-NOAUTH /);
      const reply = await c.call(req("HELLO", "3", "AUTH", "default", PASSWORD, "SETNAME", "w1"));
      expect(reply).toMatch(/^%7\r\n\$6\r\nserver\r\n\$6\r\ntinyqs\r\n.*\$5\r\nproto\r\n:3\r\n/s);
      expect(await c.call(req("CLIENT", "GETNAME"))).toBe(bulk("w1"));
      expect(await c.call(req("RECEIVE", uniqueQueue("r3auth")))).toBe("_\r\n");
    } finally {
      c.destroy();
    }
  });

  it("EXEC's array carries RESP3 inside: `_` for nothing received, a map for STATS; HELLO is refused inside MULTI", async () => {
    const { c } = await resp3Client();
    const q = uniqueQueue("r3tx");
    try {
      expect(await c.call(req("MULTI"))).toBe("+OK\r\n");
      expect(await c.call(req("RECEIVE", q))).toBe("+QUEUED\r\n");
      expect(await c.call(req("STATS", q))).toBe("+QUEUED\r\n");
      const stats = ["ready", "inFlight", "delayed", "sent", "received", "deleted", "deadLettered", "deduplicated"].map((k) => `${bulk(k)}:0\r\n`).join("");
      expect(await c.call(req("EXEC"))).toBe(`*2\r\n_\r\n%10\r\n${stats}${bulk("paused")}:0\r\n${bulk("oldestReadyAgeMs")}_\r\n`);
      expect(await c.call(req("MULTI"))).toBe("+OK\r\n");
      expect(await c.call(req("HELLO", "2"))).toMatch(/^-ERR /);
      expect(await c.call(req("EXEC"))).toBe("-EXECABORT Transaction discarded because of previous errors.\r\n");
      expect(await c.call(req("CLIENT", "GETNAME"))).toBe("_\r\n"); // still RESP3
    } finally {
      c.destroy();
    }
  });
});
