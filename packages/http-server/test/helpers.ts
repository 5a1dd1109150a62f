// Shared by the http-server tests: a server on a free port over the private Redis of the global
// setup (never 6379), with a key prefix of its own so that listing queues sees only this test's.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, inject } from "vitest";
import { TinyQS } from "@tinyqs/core";
import { createHttpServer, type HttpServerOptions, type TinyQSHttpServer } from "../src/index.js";

export { eventually, sleep, uniqueQueue, metric, freePort } from "@tinyqs/test-support";

export interface Running {
  url: string;
  wsUrl: string;
  http: TinyQSHttpServer;
  /** The same Redis and prefix, straight through the engine: to look behind the server's back. */
  engine: TinyQS;
  prefix: string;
  close(): Promise<void>;
}

export async function startServer(options: HttpServerOptions = {}): Promise<Running> {
  const prefix = `http-${randomUUID().slice(0, 8)}`;
  const redis = inject("redisUrl");
  const http = createHttpServer({ redis, prefix, log: () => {}, ...options });
  const { url } = await http.listen(0, "127.0.0.1");
  const engine = new TinyQS({ redis, prefix });
  return {
    url,
    wsUrl: url.replace(/^http/, "ws") + "/v1/ws",
    http,
    engine,
    prefix,
    async close() {
      await http.close();
      await engine.close();
    },
  };
}

/**
 * A server for the tests of one describe block: started before them, closed after them. The object
 * returned stands for it (each property read goes to the server started), so a block reads `s.url`.
 */
export function serverForBlock(options: HttpServerOptions = {}): Running {
  let running: Running | undefined;
  beforeAll(async () => {
    running = await startServer(options);
  });
  afterAll(() => running?.close());
  return new Proxy({} as Running, { get: (_target, key) => running![key as keyof Running] });
}

/** The JSON body of a response, with its status. */
export async function json(res: Response): Promise<{ status: number; body: any }> {
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

/** Every byte value, twice, in a scrambled order: a body no text encoding survives. */
export const ALL_BYTES = Buffer.from([...Array(512).keys()].map((i) => (i * 167 + 13) % 256));

/** The Content-Type the JSON routes (batch, PUT settings) require: anything else is 415. */
export const JSON_TYPE = { "Content-Type": "application/json" } as const;
