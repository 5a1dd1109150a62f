// What most scenarios stand on: a private Redis, both servers on it (in this process, or as child
// processes to SIGKILL), optionally with @tinyqs/test-support's proxy between everything of tinyqs
// and Redis, and a checker engine that looks at the queue through Redis directly. run() streams the
// traffic over the four channels on it (runScenario) and closes them after.
import { TinyQS } from "@tinyqs/core";
import { proxy, RedisServer, type Proxy, type RedisServerOptions } from "@tinyqs/test-support";
import { type Channel, everyChannel } from "./channels.js";
import { closeAll, type Outcome, runScenario, type ScenarioOptions } from "./scenario.js";
import { ChildServers, inProcessServers, type Servers } from "./servers.js";

export interface StageOptions {
  redis?: RedisServerOptions;
  /** tinyqs-tcp and tinyqs-http as child processes (ChildServers), not in this process. */
  childServers?: boolean;
  /** The proxy between the engine channel and both servers on one side and Redis on the other. */
  proxied?: boolean;
}

export interface Stage<S extends Servers = Servers> {
  redis: RedisServer;
  servers: S;
  checker: TinyQS;
  /** Set with `proxied`. */
  px: Proxy;
  /** The URL tinyqs's side uses: the proxy's with `proxied`, else Redis's. */
  redisUrl: string;
  /** runScenario on every channel of this stage (or the ones given), closing them after. */
  run(o: Omit<ScenarioOptions, "channels" | "checker"> & { channels?: Channel[] }): Promise<Outcome>;
  close(): Promise<void>;
}

export async function stage(o: StageOptions & { childServers: true }): Promise<Stage<ChildServers>>;
export async function stage(o?: StageOptions): Promise<Stage>;
export async function stage(o: StageOptions = {}): Promise<Stage> {
  const redis = await RedisServer.start(o.redis);
  const px = o.proxied ? await proxy(redis.port) : null;
  const redisUrl = px ? `redis://127.0.0.1:${px.port}` : redis.url;
  const servers = o.childServers ? await ChildServers.start(redisUrl) : await inProcessServers(redisUrl);
  const checker = new TinyQS({ redis: redis.url });
  return {
    redis,
    servers,
    checker,
    get px(): Proxy {
      if (!px) throw new Error("this stage has no proxy (stage({ proxied: true }))");
      return px;
    },
    redisUrl,
    async run({ channels = everyChannel(redisUrl, servers), ...rest }) {
      try {
        return await runScenario({ ...rest, channels, checker });
      } finally {
        await closeAll(channels);
      }
    },
    async close() {
      px?.unstall();
      px?.shape({});
      await servers.close();
      await checker.close();
      await px?.close();
      await redis.cleanup();
    },
  };
}
