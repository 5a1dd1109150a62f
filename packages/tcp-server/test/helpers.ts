// Helpers for the tcp-server tests: a server on a free port over the private Redis of the global
// setup (never 6379), a raw socket client that reads whole RESP replies as exact bytes, and
// redis-cli as a subprocess.
import { execFile } from "node:child_process";
import net from "node:net";
import { promisify } from "node:util";
import { Redis } from "ioredis";
import { inject } from "vitest";
import { createTcpServer, type TcpServer, type TcpServerOptions } from "../src/index.js";

export { eventually, sleep, uniqueQueue } from "@tinyqs/test-support";

const execFileP = promisify(execFile);

export interface Running {
  server: TcpServer;
  port: number;
}

/** A tcp-server with its own engine on the private Redis, listening on a free loopback port. */
export async function startServer(options: TcpServerOptions = {}): Promise<Running> {
  const server = createTcpServer({ redis: inject("redisUrl"), ...options });
  const { port } = await server.listen(0, "127.0.0.1");
  return { server, port };
}

/**
 * Length of the complete RESP value at buf[pos…], or -1 if it is not complete yet. Throws on bytes
 * that are not a RESP2 reply, or one of the RESP3 types tinyqs sends (`_` null, `%` map).
 */
export function replyLength(buf: Buffer, pos = 0): number {
  const eol = buf.indexOf("\r\n", pos);
  if (eol < 0) return -1;
  const type = String.fromCharCode(buf[pos]!);
  const head = buf.toString("latin1", pos + 1, eol);
  const after = eol + 2;
  switch (type) {
    case "+":
    case "-":
    case ":":
    case "_":
      return after - pos;
    case "$": {
      const n = Number(head);
      if (n < 0) return after - pos;
      return buf.length >= after + n + 2 ? after + n + 2 - pos : -1;
    }
    case "*":
    case "%": {
      const n = Number(head) * (type === "%" ? 2 : 1);
      let at = after;
      for (let i = 0; i < n; i++) {
        const len = replyLength(buf, at);
        if (len < 0) return -1;
        at += len;
      }
      return at - pos;
    }
    default:
      throw new Error(`not a RESP reply: ${JSON.stringify(buf.toString("latin1", pos, pos + 40))}`);
  }
}

/** A plain TCP client: write exact bytes, read exact replies. */
export class RawClient {
  private buf = Buffer.alloc(0);
  private wake: (() => void) | null = null;
  private ended = false;
  readonly closed: Promise<void>;

  private constructor(readonly socket: net.Socket) {
    socket.on("data", (d: Buffer) => {
      this.buf = Buffer.concat([this.buf, d]);
      this.wake?.();
    });
    socket.on("error", () => {});
    this.closed = new Promise((resolve) =>
      socket.on("close", () => {
        this.ended = true;
        this.wake?.();
        resolve();
      }),
    );
  }

  static connect(port: number): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const s = net.connect({ port, host: "127.0.0.1" }, () => resolve(new RawClient(s)));
      s.once("error", reject);
    });
  }

  write(data: string | Buffer): void {
    this.socket.write(typeof data === "string" ? Buffer.from(data, "latin1") : data);
  }

  private async until(ready: () => boolean, timeoutMs: number, what: string): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!ready()) {
      if (this.ended) throw new Error(`connection closed while waiting for ${what}; got ${JSON.stringify(this.buf.toString("latin1").slice(0, 200))}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no ${what} within ${timeoutMs} ms; got ${JSON.stringify(this.buf.toString("latin1").slice(0, 200))}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.wake = () => {
          clearTimeout(t);
          resolve();
        };
      });
      this.wake = null;
    }
  }

  /** The next complete reply, as bytes (latin1 string). */
  async reply(timeoutMs = 5000): Promise<string> {
    await this.until(() => this.buf.length > 0 && replyLength(this.buf) >= 0, timeoutMs, "reply");
    const n = replyLength(this.buf);
    const out = this.buf.toString("latin1", 0, n);
    this.buf = this.buf.subarray(n);
    return out;
  }

  /** The next complete reply as raw bytes. */
  async replyBuffer(timeoutMs = 5000): Promise<Buffer> {
    return Buffer.from(await this.reply(timeoutMs), "latin1");
  }

  /** Send a request, return the reply's bytes. */
  async call(request: string | Buffer, timeoutMs?: number): Promise<string> {
    this.write(request);
    return this.reply(timeoutMs);
  }

  /** Everything the server sends until it closes the connection. */
  async rest(timeoutMs = 5000): Promise<string> {
    await this.until(() => this.ended, timeoutMs, "close");
    const out = this.buf.toString("latin1");
    this.buf = Buffer.alloc(0);
    return out;
  }

  /** Bytes received and not read yet. */
  get pending(): string {
    return this.buf.toString("latin1");
  }

  get isClosed(): boolean {
    return this.ended;
  }

  destroy(): void {
    this.socket.destroy();
  }
}

/** A request in multibulk form. */
export function req(...args: Array<string | Buffer>): Buffer {
  const parts: Buffer[] = [Buffer.from(`*${args.length}\r\n`)];
  for (const a of args) {
    const b = typeof a === "string" ? Buffer.from(a) : a;
    parts.push(Buffer.from(`$${b.length}\r\n`), b, Buffer.from("\r\n"));
  }
  return Buffer.concat(parts);
}

/** Expected reply bytes of a bulk string / message / flat list, to compare with RawClient.reply(). */
export const bulk = (s: string | null) => (s === null ? "$-1\r\n" : `$${Buffer.byteLength(s, "latin1")}\r\n${s}\r\n`);
export const message = (id: string, receipt: string | null, body: string, count: number, sentAt = Number(id.split("-")[0])) =>
  `*5\r\n${bulk(id)}${bulk(receipt)}${bulk(body)}:${count}\r\n:${sentAt}\r\n`;

/** The id inside a bulk-string reply. */
export const unbulk = (reply: string) => reply.slice(reply.indexOf("\r\n") + 2, -2);

/** Runs redis-cli against the server; resolves with stdout (redis-cli exits 0 even on error replies). */
export async function redisCli(port: number, args: string[], options: { input?: string | Buffer; env?: NodeJS.ProcessEnv } = {}): Promise<string> {
  if (options.input !== undefined) {
    return new Promise((resolve, reject) => {
      const child = execFile("redis-cli", ["-p", String(port), ...args], { timeout: 15_000, env: options.env }, (err, stdout, stderr) =>
        err ? reject(new Error(`redis-cli failed: ${err.message}\n${stderr}`)) : resolve(stdout),
      );
      child.stdin!.end(options.input);
    });
  }
  const { stdout } = await execFileP("redis-cli", ["-p", String(port), ...args], { timeout: 15_000, env: options.env });
  return stdout;
}

/**
 * ioredis with its DEFAULT options (HELLO 3, ready check, client info) on `port`, once ready; its
 * 'error' events are collected in `errors` (a test expects none).
 */
export async function ioredisClient(port: number): Promise<{ redis: Redis; errors: Error[] }> {
  const redis = new Redis({ port });
  const errors: Error[] = [];
  redis.on("error", (e: Error) => errors.push(e));
  await new Promise<void>((resolve, reject) => {
    redis.once("ready", resolve);
    redis.once("end", () => reject(new Error("ioredis gave up connecting")));
  });
  return { redis, errors };
}
