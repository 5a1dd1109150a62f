// A Redis behind @tinyqs/test-support's proxy, and everything of a scenario on the proxy's side
// (the engine channel and both servers), so the proxy can do to every Redis connection what a bad
// network does. The checker looks at the queue through Redis directly.
import { TinyQS } from "@tinyqs/core";
import { proxy, RedisServer, type Proxy } from "@tinyqs/test-support";
import { type Channel, everyChannel } from "./channels.js";
import { inProcessServers, type Servers } from "./servers.js";

export interface RedisBehindProxy {
  redis: RedisServer;
  px: Proxy;
  servers: Servers;
  checker: TinyQS;
  channels(): Channel[];
  close(): Promise<void>;
}

export async function redisBehindProxy(): Promise<RedisBehindProxy> {
  const redis = await RedisServer.start();
  const px = await proxy(redis.port);
  const viaProxy = `redis://127.0.0.1:${px.port}`;
  const servers = await inProcessServers(viaProxy);
  const checker = new TinyQS({ redis: redis.url });
  return {
    redis,
    px,
    servers,
    checker,
    channels: () => everyChannel(viaProxy, servers),
    async close() {
      px.unstall();
      px.shape({});
      await servers.close();
      await checker.close();
      await px.close();
      await redis.cleanup();
    },
  };
}
