// createHttpServer(options) → { app, server, listen, close }: the programmatic entry point. Where it
// listens by default (loopback only), which options listen() takes its defaults from, and options
// refused before anything is made.
import type { AddressInfo } from "node:net";
import { describe, expect, inject, it } from "vitest";
import { createHttpServer, DEFAULTS } from "../src/index.js";
import { uniqueQueue } from "./helpers.js";

describe("createHttpServer", () => {
  it("returns { app, server, engine, listen, close, reload }; listen() without a host listens on 127.0.0.1 only", async () => {
    const http = createHttpServer({ redis: inject("redisUrl"), port: 0, log: () => {} });
    try {
      expect(Object.keys(http).sort()).toEqual(["app", "close", "engine", "listen", "reload", "server"]);
      expect(typeof http.app.use).toBe("function"); // the express application
      const addr = await http.listen(); // the port from the options (0: any), the host by default
      expect(DEFAULTS.host).toBe("127.0.0.1");
      expect(addr).toEqual({ host: "127.0.0.1", port: expect.any(Number), url: `http://127.0.0.1:${addr.port}` });
      expect((http.server.address() as AddressInfo).address).toBe("127.0.0.1");
      expect((await fetch(`${addr.url}/v1/queues/${uniqueQueue()}/messages`, { method: "POST", body: "x" })).status).toBe(201);
    } finally {
      await http.close();
    }
  });

  it("options.host is listen()'s default host; listen(port, host) arguments win over the options", async () => {
    const a = createHttpServer({ redis: inject("redisUrl"), host: "127.0.0.2", port: 0, log: () => {} });
    const b = createHttpServer({ redis: inject("redisUrl"), host: "127.0.0.3", port: 1, log: () => {} });
    try {
      expect((await a.listen()).url).toMatch(/^http:\/\/127\.0\.0\.2:\d+$/);
      const addr = await b.listen(0, "127.0.0.2");
      expect(addr.host).toBe("127.0.0.2");
      expect((await fetch(`${addr.url}/healthz`)).status).toBe(200);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  it.each([
    ["maxMessageBytes 0", { maxMessageBytes: 0 }],
    ["maxMessageBytes 1.5", { maxMessageBytes: 1.5 }],
    ["maxWaitMs -1", { maxWaitMs: -1 }],
    ["shutdownGraceMs 0", { shutdownGraceMs: 0 }],
    ["an empty token", { token: "" }],
  ])("%s → RangeError at once", (_what, options) => {
    expect(() => createHttpServer({ redis: inject("redisUrl"), ...options })).toThrow(RangeError);
  });

  it("listen() on a port already taken rejects; close() still works", async () => {
    const a = createHttpServer({ redis: inject("redisUrl"), log: () => {} });
    const b = createHttpServer({ redis: inject("redisUrl"), log: () => {} });
    try {
      const { port } = await a.listen(0);
      await expect(b.listen(port)).rejects.toMatchObject({ code: "EADDRINUSE" });
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });
});
