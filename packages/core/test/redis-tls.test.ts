// The engine on a Redis over TLS (a redis-server started with --tls-port): ioredis options with
// `tls: { ca }` pass through; a rediss:// URL turns TLS on (and, without the CA, the certificate is
// not trusted: UNAVAILABLE). The URL with the CA known to Node (NODE_EXTRA_CA_CERTS, read at process
// start) is tested through `pnpm start --redis rediss://…` (client/test/start-tls.test.ts).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeTestCerts, startTlsRedis, uniqueQueue, type RedisServer, type TestCerts } from "@tinyqs/test-support";
import { TinyQS } from "../src/index.js";

let certs: TestCerts;
let redis: RedisServer;
let tlsPort: number;
beforeAll(async () => {
  certs = makeTestCerts();
  ({ redis, tlsPort } = await startTlsRedis(certs));
});
afterAll(async () => {
  await redis.cleanup();
  certs.cleanup();
});

async function roundTrip(tq: TinyQS): Promise<void> {
  try {
    const q = uniqueQueue("tls");
    await tq.send(q, "over tls");
    expect((await tq.receive(q))?.body.toString()).toBe("over tls");
  } finally {
    await tq.close();
  }
}

describe("Redis over TLS", () => {
  it("ioredis options with tls: { ca } pass through", async () => {
    await roundTrip(new TinyQS({ redis: { host: "localhost", port: tlsPort, tls: { ca: certs.read(certs.ca) } } }));
  });

  it("a rediss:// URL without the CA: the certificate is not trusted, the engine answers UNAVAILABLE", async () => {
    const tq = new TinyQS({ redis: `rediss://localhost:${tlsPort}`, timeoutMs: 1000 });
    try {
      const e = await tq.send(uniqueQueue("tls"), "x").catch((err: unknown) => err);
      expect(e).toMatchObject({ code: "UNAVAILABLE" });
    } finally {
      await tq.close();
    }
  });
});
