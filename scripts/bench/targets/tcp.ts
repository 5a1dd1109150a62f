// tinyqs through @tinyqs/tcp-server (RESP2): the server runs in its own process (its built bin,
// packages/tcp-server/dist/cli.js, as deployed), and the benchmark is its client. The client is a
// minimal pipelining RESP2 client (respConn below: the commands of one tick in one write, replies
// matched in order), as redis-benchmark is for Redis: on 2 cores the client's CPU competes with
// the server's and Redis's, so a heavy client would measure itself. TINYQS_BENCH_TCP_CLIENT=ioredis
// uses ioredis instead, the client a Node user might pick (it spends ~20 µs per message in D and
// ~40–60 in C where this one spends ~8 and ~20; docs/benchmarks.md has both sets of figures).
// Either way the wire is used as a user would:
//   - SENDs on one pipelined connection: the 50 sends in flight go out in one write, and the
//     server starts a run of consecutive SENDs together, so the engine merges them into one script;
//   - DELETEs on another (a DELETE between SENDs would end their run: a connection runs a command
//     of another name only after those before it);
//   - receives as `RECEIVE q COUNT n WAIT ms` on connections of their own (a RECEIVE that waits
//     blocks its connection, as BLPOP does), prefetching up to 200 messages (TINYQS_BENCH_TCP_PREFETCH;
//     200 measured better than 100 in C) that are handed out one per receive() call: one round trip
//     for many loops, where the embedded engine merges the 50 loops' receives into one script call
//     by itself. At most two fetches are in flight (TINYQS_BENCH_TCP_FETCHES).
// --batch: MSEND of 1000 on the sending connection, `RECEIVE q COUNT 100 WAIT ms` per receive loop on
// a connection of its own, and one MDELETE per receive on the deleting connection.
// Request/response (scenario R): PUT / TAKE / RESPOND / WAIT, see tcp-requests.ts.
// TINYQS_BENCH_TCP_INPROCESS=1 runs the server inside the benchmark's process instead.
import net from "node:net";
import tls from "node:tls";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { Redis } from "ioredis";
import { packageDir, startServerProcess } from "./server-process.js";
import { tcpRequests } from "./tcp-requests.js";
import type { QueueHandle, Received, Target } from "./types.js";

const PACKAGE = packageDir("tcp-server");

/** RECEIVE … COUNT fetches in flight at once, each on its own connection. */
const FETCHES = Number(process.env.TINYQS_BENCH_TCP_FETCHES) || 2;
/** The minimal RESP client below (the default), or ioredis. */
const LEAN = (process.env.TINYQS_BENCH_TCP_CLIENT ?? "resp") !== "ioredis";
/** pnpm bench --tls: the server serves TLS (its CA is trusted through NODE_EXTRA_CA_CERTS). */
const TLS = process.env.TINYQS_BENCH_TLS === "1";
/** Messages received ahead of the receive loops (the ws target's subscription prefetch is 100). */
const PREFETCH = Number(process.env.TINYQS_BENCH_TCP_PREFETCH) || 200;

interface Server {
  port: number;
  stop(): Promise<void>;
}

async function startProcess(redisUrl: string): Promise<Server> {
  const server = await startServerProcess({
    name: "tcp-server", label: "tcp", redisUrl, listening: /listening on [^\s]+:(\d+) /, env: { TINYQS_PASSWORD: "" },
  });
  return { port: Number(server.listening[1]), stop: () => server.stop() };
}

async function startInProcess(redisUrl: string): Promise<Server> {
  const mod = (await import(pathToFileURL(join(PACKAGE, "dist", "index.js")).href)) as {
    createTcpServer(o: { redis: string }): { listen(port: number, host: string): Promise<{ port: number }>; close(): Promise<void> };
  };
  const server = mod.createTcpServer({ redis: redisUrl });
  const { port } = await server.listen(0, "127.0.0.1");
  return { port, stop: () => server.close() };
}

/** What the target needs of a client connection: send a command, get its reply (bulks as Buffers). */
export interface Conn {
  call(name: string, ...args: string[]): Promise<unknown>;
  close(): void;
}

/** ioredis (TINYQS_BENCH_TCP_CLIENT=ioredis): what a Node user of the TCP server might pick. */
function ioredisConn(port: number, autoPipelining: boolean): Conn {
  const r = new Redis({ port, host: "127.0.0.1", enableAutoPipelining: autoPipelining, maxRetriesPerRequest: 0, ...(TLS ? { tls: {} } : {}) });
  // Bodies come back as Buffers from callBuffer; but ioredis 6.0.0 sends callBuffer wrongly when
  // auto-pipelining (the first argument goes out as the command name), so those use call().
  const call = autoPipelining ? r.call.bind(r) : r.callBuffer.bind(r);
  return { call: (name, ...args) => call(name!, ...args), close: () => r.disconnect() };
}

/**
 * The default client: a minimal pipelining RESP2 client (commands of one tick in one write, replies
 * matched in order), to show what the server costs without a heavy client's own cost.
 */
async function respConn(port: number): Promise<Conn> {
  const socket = TLS ? tls.connect({ port, host: "127.0.0.1" }) : net.connect({ port, host: "127.0.0.1", noDelay: true });
  socket.setNoDelay(true);
  await new Promise<void>((resolve, reject) => socket.once(TLS ? "secureConnect" : "connect", resolve).once("error", reject));
  const waiting: Array<{ resolve(v: unknown): void; reject(e: Error): void }> = [];
  let out = "";
  let rest: Buffer | null = null;
  const CRLF = 13;
  // One reply at pos: [value, end], or null if incomplete.
  const parse = (b: Buffer, pos: number): [unknown, number] | null => {
    const eol = b.indexOf(CRLF, pos);
    if (eol < 0 || eol + 1 >= b.length) return null;
    const head = b.toString("latin1", pos + 1, eol);
    const next = eol + 2;
    switch (b[pos]) {
      case 43: return [head, next]; // +
      case 45: return [new Error(head), next]; // -
      case 58: return [Number(head), next]; // :
      case 36: { // $
        const n = Number(head);
        if (n < 0) return [null, next];
        return b.length >= next + n + 2 ? [b.subarray(next, next + n), next + n + 2] : null;
      }
      default: { // *
        const n = Number(head);
        const items: unknown[] = [];
        let at = next;
        for (let i = 0; i < n; i++) {
          const r = parse(b, at);
          if (!r) return null;
          items.push(r[0]);
          at = r[1];
        }
        return [n < 0 ? null : items, at];
      }
    }
  };
  socket.on("data", (d: Buffer) => {
    const b = rest ? Buffer.concat([rest, d]) : d;
    let at = 0;
    for (;;) {
      const r = at < b.length ? parse(b, at) : null;
      if (!r) break;
      at = r[1];
      const w = waiting.shift()!;
      if (r[0] instanceof Error) w.reject(r[0]);
      else w.resolve(r[0]);
    }
    rest = at < b.length ? b.subarray(at) : null;
  });
  socket.on("error", (e) => waiting.splice(0).forEach((w) => w.reject(e)));
  return {
    call(...args: string[]) {
      if (out === "") process.nextTick(() => (socket.write(out), (out = "")));
      out += `*${args.length}\r\n`;
      for (const a of args) out += `$${Buffer.byteLength(a)}\r\n${a}\r\n`;
      return new Promise((resolve, reject) => waiting.push({ resolve, reject }));
    },
    close: () => socket.destroy(),
  };
}

const target: Target = {
  name: "tcp",
  async open({ redisUrl, queue, visibilityMs }): Promise<QueueHandle> {
    const server = process.env.TINYQS_BENCH_TCP_INPROCESS === "1" ? await startInProcess(redisUrl) : await startProcess(redisUrl);
    try {
      return await openOn(server, queue, visibilityMs);
    } catch (e) {
      await server.stop();
      throw e;
    }
  },
};

async function openOn(server: Server, queue: string, visibilityMs: number): Promise<QueueHandle> {
  const connect = (autoPipelining: boolean) => (LEAN ? respConn(server.port) : Promise.resolve(ioredisConn(server.port, autoPipelining)));
  const sender = await connect(true);
  const deleter = await connect(true);
  const fetchers = await Promise.all(Array.from({ length: FETCHES }, () => connect(false)));
  await sender.call("QCONFIG", queue, "visibilityMs", String(visibilityMs));
  // Scenario R: PUTs share the sending connection and RESPONDs the deleting one (see tcp-requests.ts).
  const requests = tcpRequests(queue, sender, deleter, () => connect(false));

  // Prefetch, as a consumer library does (and as the ws target's subscription does): keep up to
  // PREFETCH messages received ahead in a local buffer, so a receive loop that comes back from its
  // DELETE usually finds a message at once instead of waiting for a round trip.
  const buffer: Received[] = [];
  /** --batch: idle connections for the receive loops' RECEIVE … COUNT, one per loop at most. */
  const pool: Conn[] = [];
  const takers: Array<(m: Received | null) => void> = [];
  const idle: Conn[] = [...fetchers];
  let requested = 0; // messages asked for by the fetches in flight
  let failure: Error | null = null;
  const serve = () => {
    while (takers.length > 0 && buffer.length > 0) takers.shift()!(buffer.shift()!);
  };
  const pump = (waitMs: number) => {
    serve();
    while (idle.length > 0 && takers.length > 0 && buffer.length + requested < PREFETCH) {
      const conn = idle.pop()!;
      const n = PREFETCH - buffer.length - requested;
      requested += n;
      conn.call("RECEIVE", queue, "COUNT", String(n), "WAIT", String(waitMs)).then(
        (reply) => {
          requested -= n;
          idle.push(conn);
          const got = reply as Buffer[][];
          for (const m of got) buffer.push({ ref: m[1]!.toString(), body: m[2]! });
          serve();
          // Nothing came within waitMs: the loops waiting now get null, as a receive would.
          if (got.length === 0) for (const t of takers.splice(0)) t(null);
          else pump(waitMs);
        },
        (e: Error) => {
          failure = e;
          for (const t of takers.splice(0)) t(null);
        },
      );
    }
  };

  return {
    send: (body) => sender.call("SEND", queue, body),
    receive(waitMs) {
      if (failure) return Promise.reject(failure);
      const ready = buffer.shift();
      if (ready) return Promise.resolve(ready);
      return new Promise<Received | null>((resolve) => {
        takers.push(resolve);
        // Let the other loops resuming in this tick join the same fetch.
        process.nextTick(() => pump(waitMs));
      });
    },
    delete: async (ref) => (await deleter.call("DELETE", queue, ref)) === 1,
    batch: {
      // MSEND has no DELAY: a delayed batch is pipelined SENDs (one write all the same).
      sendBatch: (bodies, delayMs) =>
        delayMs ? Promise.all(bodies.map((b) => sender.call("SEND", queue, b, "DELAY", String(delayMs)))) : sender.call("MSEND", queue, ...bodies),
      // A RECEIVE that waits blocks its connection: each loop's receive takes a connection of the pool.
      async receiveBatch(max, waitMs) {
        const conn = pool.pop() ?? (await connect(false));
        try {
          const got = (await conn.call("RECEIVE", queue, "COUNT", String(max), "WAIT", String(waitMs))) as Buffer[][];
          return got.map((m) => ({ ref: m[1]!.toString(), body: m[2]! }));
        } finally {
          pool.push(conn);
        }
      },
      deleteBatch: async (refs) => ((await deleter.call("MDELETE", queue, ...refs)) as number[]).map((n) => n === 1),
    },
    requests: requests.requests,
    async close() {
      for (const c of [sender, deleter, ...fetchers, ...pool]) c.close();
      requests.close();
      await server.stop();
    },
  };
}

export default target;
