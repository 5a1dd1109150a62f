// A TCP proxy in front of a server (a tinyqs server, or Redis), to do to its clients' connections
// what a network does: cut them all at once, refuse new ones for a while (nothing listens on its
// port), hold the server's answers back while the clients' commands still go through, stall both
// ways, and shape the traffic (added latency, a bandwidth limit) as a slow or far link does. It also
// counts connections and keeps what the clients sent, to see how commands travel (and to know that a
// command has left while its answer is held).
import net from "node:net";

export interface Proxy {
  port: number;
  /** Connections accepted so far. */
  readonly connections: number;
  /** Everything the clients sent, all connections together (latin1, so bytes stay bytes). */
  readonly sent: string;
  /** Destroy every open connection (both sides). */
  cut(): void;
  /** Stop listening (open connections stay): connection attempts are refused until accept(). */
  refuse(): void;
  /** Listen again on the same port. */
  accept(): Promise<void>;
  /** From now on, keep the server's answers instead of passing them on… */
  hold(): void;
  /** …and pass on what was kept, in order, and whatever comes next. */
  flush(): void;
  /**
   * A stalled path: from now on pass nothing either way (the clients' commands and the server's
   * answers are kept), connections staying open, as behind a dead router…
   */
  stall(): void;
  /** …and pass on what was kept both ways (on connections still open), then carry on. */
  unstall(): void;
  /**
   * Shape what passes from now on, both ways, on every connection: each chunk is delayed by
   * `latencyMs` (one way), and the chunks of one direction of one connection pass at most
   * `bytesPerSecond` together. Order is kept. `shape({})` ends it (chunks already queued still
   * pass at the pace they were given).
   */
  shape(s: Shaping): void;
  close(): Promise<void>;
}

export interface Shaping {
  latencyMs?: number;
  bytesPerSecond?: number;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * One direction of one connection: writes pass at once while no shaping applies and nothing is
 * queued; otherwise they queue, in order, each after its latency and its share of the bandwidth.
 */
function shapedWriter(socket: net.Socket, shaping: () => Shaping): (d: Buffer) => void {
  let queued = 0;
  let chain = Promise.resolve();
  return (d: Buffer) => {
    const { latencyMs = 0, bytesPerSecond = 0 } = shaping();
    if (queued === 0 && latencyMs === 0 && bytesPerSecond === 0) {
      socket.write(d);
      return;
    }
    queued++;
    const due = Date.now() + latencyMs;
    chain = chain.then(async () => {
      await sleep(due - Date.now());
      if (bytesPerSecond > 0) await sleep((d.length * 1000) / bytesPerSecond);
      queued--;
      if (!socket.destroyed) socket.write(d);
    });
  };
}

export async function proxy(targetPort: number): Promise<Proxy> {
  const sockets = new Set<net.Socket>();
  let connections = 0;
  let sent = "";
  let held: Array<() => void> | null = null;
  let stalled: Array<() => void> | null = null;
  let shaping: Shaping = {};
  const server = net.createServer((client) => {
    connections++;
    const upstream = net.connect(targetPort, "127.0.0.1");
    sockets.add(client).add(upstream);
    const writeUp = shapedWriter(upstream, () => shaping);
    const writeDown = shapedWriter(client, () => shaping);
    const toServer = (d: Buffer) => {
      sent += d.toString("latin1");
      writeUp(d);
    };
    const toClient = (d: Buffer) => {
      if (held) held.push(() => writeDown(d));
      else writeDown(d);
    };
    client.on("data", (d: Buffer) => {
      if (stalled) stalled.push(() => !client.destroyed && toServer(d));
      else toServer(d);
    });
    upstream.on("data", (d: Buffer) => {
      if (stalled) stalled.push(() => !client.destroyed && toClient(d));
      else toClient(d);
    });
    const drop = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on("error", drop).on("close", drop);
    upstream.on("error", drop).on("close", drop);
  });
  const cut = () => {
    for (const s of sockets) s.destroy();
    sockets.clear();
  };
  const listen = (port: number) => new Promise<void>((r) => server.listen(port, "127.0.0.1", r));
  await listen(0);
  const port = (server.address() as net.AddressInfo).port;
  return {
    port,
    get connections() {
      return connections;
    },
    get sent() {
      return sent;
    },
    cut,
    refuse() {
      if (server.listening) server.close();
    },
    accept: () => listen(port),
    hold() {
      held ??= [];
    },
    flush() {
      const kept = held ?? [];
      held = null;
      for (const write of kept) write();
    },
    stall() {
      stalled ??= [];
    },
    unstall() {
      const kept = stalled ?? [];
      stalled = null;
      for (const pass of kept) pass();
    },
    shape(s: Shaping) {
      shaping = { ...s };
    },
    async close() {
      cut();
      // The callback comes once the open connections are gone (with an error if not listening: fine).
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
