// Clients that misbehave, for the slow-clients scenario: each is opened against a server and gives
// back close(). Raw sockets and `ws`, so nothing in between is polite on their behalf.
import net from "node:net";
import WebSocket from "ws";

export interface Opened {
  /** How many are open (or, for the stuck sender, bytes written). */
  readonly count: number;
  close(): void;
}

/** `n` TCP connections that connect and then say nothing, opened `batch` at a time. */
export async function idleTcp(port: number, n: number, batch = 200): Promise<Opened> {
  const sockets: net.Socket[] = [];
  for (let i = 0; i < n; i += batch) {
    await Promise.all(
      Array.from({ length: Math.min(batch, n - i) }, () =>
        new Promise<void>((resolve, reject) => {
          const s = net.connect(port, "127.0.0.1", () => resolve());
          s.on("error", reject);
          sockets.push(s);
        }),
      ),
    );
  }
  return { count: sockets.length, close: () => sockets.forEach((s) => s.destroy()) };
}

/** `n` WebSockets to `url` that open and then send nothing (the server's pings are answered by `ws`). */
export async function idleWebSockets(url: string, n: number, batch = 100): Promise<Opened> {
  const sockets: WebSocket[] = [];
  for (let i = 0; i < n; i += batch) {
    await Promise.all(
      Array.from({ length: Math.min(batch, n - i) }, () =>
        new Promise<void>((resolve, reject) => {
          const ws = new WebSocket(url);
          ws.once("open", () => resolve());
          ws.once("error", reject);
          sockets.push(ws);
        }),
      ),
    );
  }
  return { count: sockets.length, close: () => sockets.forEach((ws) => ws.terminate()) };
}

/**
 * A TCP client that pipelines large SENDs and never reads a reply: it writes `body`-sized SENDs
 * while the socket takes them, up to `maxBytes`, and then just sits there with its replies unread.
 */
export function stuckSender(port: number, queue: string, bodyBytes: number, maxBytes: number): Opened {
  const s = net.connect(port, "127.0.0.1");
  s.on("error", () => {});
  s.pause(); // never read
  const body = "x".repeat(bodyBytes);
  const command = `*3\r\n$4\r\nSEND\r\n$${Buffer.byteLength(queue)}\r\n${queue}\r\n$${bodyBytes}\r\n${body}\r\n`;
  let written = 0;
  const pump = () => {
    while (written < maxBytes && !s.destroyed) {
      written += command.length;
      if (!s.write(command)) return void s.once("drain", pump); // the server stopped taking them: wait
    }
  };
  s.once("connect", pump);
  return {
    get count() {
      return written;
    },
    close: () => s.destroy(),
  };
}

/** `n` HTTP sends whose body arrives at one byte a second (Content-Length 1000: never complete here). */
export function slowBodies(port: number, queue: string, n: number): Opened {
  const sockets: net.Socket[] = [];
  const timers: NodeJS.Timeout[] = [];
  for (let i = 0; i < n; i++) {
    const s = net.connect(port, "127.0.0.1", () => {
      s.write(`POST /v1/queues/${queue}/messages HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Type: application/octet-stream\r\nContent-Length: 1000\r\n\r\n`);
      timers.push(setInterval(() => !s.destroyed && s.write("x"), 1000));
    });
    s.on("error", () => {});
    s.resume();
    sockets.push(s);
  }
  return {
    count: n,
    close() {
      timers.forEach(clearInterval);
      sockets.forEach((s) => s.destroy());
    },
  };
}

/** The p-th percentile (0–100) of `values`, nearest rank. */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}
