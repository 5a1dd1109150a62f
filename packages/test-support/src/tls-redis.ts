// A private redis-server that also listens with TLS (--tls-port, Debian's redis-server is built
// with it), for the tests of the engine's Redis-over-TLS path (rediss://, ioredis `tls`). Its plain
// port stays open for the launcher's readiness check; clients of the test use the TLS one.
import { freePort } from "./ports.js";
import { RedisServer } from "./redis-server.js";
import type { TestCerts } from "./certs.js";

export async function startTlsRedis(certs: TestCerts): Promise<{ redis: RedisServer; tlsPort: number; url: string }> {
  const tlsPort = await freePort();
  const redis = await RedisServer.start({
    extraArgs: [
      "--tls-port", String(tlsPort),
      "--tls-cert-file", certs.server.cert,
      "--tls-key-file", certs.server.key,
      "--tls-ca-cert-file", certs.ca,
      "--tls-auth-clients", "no",
    ],
  });
  return { redis, tlsPort, url: `rediss://localhost:${tlsPort}` };
}
