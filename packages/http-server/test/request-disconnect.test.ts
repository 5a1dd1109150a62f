// A caller of POST /v1/queues/:queue/requests that leaves while the server is still storing its
// request: the disconnect events fire before the route starts waiting for the reply. The wait must
// still end at once, so that the reply, when it comes, is left for GET /v1/replies/:handle instead
// of being collected for nobody. To make the disconnect land in that phase for sure, Redis holds
// the put (CLIENT PAUSE … WRITE) until the server has seen the client go; on a redis-server of this
// test's own, so the pause holds up no other test.
import net from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Redis } from "ioredis";
import { RedisServer } from "@tinyqs/test-support";
import { createHttpServer, type TinyQSHttpServer } from "../src/index.js";
import { eventually, sleep, uniqueQueue } from "./helpers.js";

let redis: RedisServer;
let admin: Redis;
let http: TinyQSHttpServer;
let url: string;
let port: number;
/** The server's ends of the open connections. */
const accepted = new Set<net.Socket>();

beforeAll(async () => {
  redis = await RedisServer.start();
  admin = new Redis(redis.url, { maxRetriesPerRequest: 1 });
  http = createHttpServer({ redis: redis.url, log: () => {} });
  ({ url, port } = await http.listen(0, "127.0.0.1"));
  http.server.on("connection", (s: net.Socket) => {
    accepted.add(s);
    s.once("close", () => accepted.delete(s));
  });
});
afterAll(async () => {
  await admin.client("UNPAUSE").catch(() => {});
  await http.close();
  admin.disconnect();
  await redis.cleanup();
});

/** Clients Redis is holding back (the paused put): INFO's blocked_clients. */
async function blockedClients(): Promise<number> {
  const info = await admin.info("clients");
  return Number(/blocked_clients:(\d+)/.exec(info)?.[1] ?? 0);
}

/**
 * A whole POST …/requests written on a raw socket, whose answer is never read; with the server's
 * end of that connection, to see when the server has noticed the client leave.
 */
async function sendRequest(q: string, body: string): Promise<{ socket: net.Socket; serverSide: net.Socket }> {
  const socket = net.connect(port, "127.0.0.1");
  await new Promise<void>((resolve, reject) => socket.once("connect", resolve).once("error", reject));
  socket.on("error", () => {}); // the server may reset the connection once we have left
  const serverSide = (await eventually(() =>
    [...accepted].find((s) => s.remotePort === socket.localPort && s.remoteAddress === socket.localAddress),
  ))!;
  socket.write(
    `POST /v1/queues/${q}/requests?timeoutMs=15000 HTTP/1.1\r\nHost: 127.0.0.1\r\n` +
      `Content-Type: application/octet-stream\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
  return { socket, serverSide };
}

describe("a caller that leaves while its request is being stored", () => {
  it.each([
    ["closes the connection", (socket: net.Socket) => socket.destroy()],
    ["closes only its sending side (FIN)", (socket: net.Socket) => socket.end()],
  ])("a caller that %s: the reply responded later is collectable with GET /v1/replies/:handle", async (_how, leave) => {
    const q = uniqueQueue("gone");
    expect(await admin.client("PAUSE", 10_000, "WRITE")).toBe("OK");
    let socket: net.Socket | undefined;
    try {
      const sent = await sendRequest(q, "are you there?");
      socket = sent.socket;
      await eventually(async () => (await blockedClients()) > 0); // the put waits in Redis
      leave(socket);
      await eventually(() => sent.serverSide.destroyed); // the server has seen it go
    } finally {
      await admin.client("UNPAUSE");
      socket?.destroy();
    }

    // The put went through after all: a responder gets the request and answers it.
    const taken = await fetch(`${url}/v1/queues/${q}/messages?waitMs=10000`);
    expect(taken.status).toBe(200);
    expect(await taken.text()).toBe("are you there?");
    const handle = `${q}:${taken.headers.get("tinyqs-id")}`;
    const answered = await fetch(`${url}/v1/queues/${q}/messages/${taken.headers.get("tinyqs-receipt")}/respond`, { method: "POST", body: "yes" });
    expect(answered.status).toBe(204);

    await sleep(300); // time enough for a wait still running for the gone caller to take the reply
    const later = await fetch(`${url}/v1/replies/${encodeURIComponent(handle)}?timeoutMs=0`);
    expect(later.status).toBe(200);
    expect(await later.text()).toBe("yes");
  });
});
