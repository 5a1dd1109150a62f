// tinyqs-tcp and tinyqs-http for a scenario: in this process (createTcpServer / createHttpServer,
// each with an engine of its own at the suite's Redis timeout), or as child processes (the bins from
// their sources, through @tinyqs/test-support's spawnBin) where the scenario kills them.
import { fileURLToPath } from "node:url";
import type { RedisInput } from "@tinyqs/core";
import { createHttpServer } from "@tinyqs/http-server";
import { createTcpServer } from "@tinyqs/tcp-server";
import { eventually, freePort, spawnBin, type SpawnedBin } from "@tinyqs/test-support";
import { TIMEOUTS } from "./timeouts.js";

export interface Servers {
  tcpUrl: string;
  httpUrl: string;
  tcpPort: number;
  httpPort: number;
  close(): Promise<void>;
}

// Every simulated client of a scenario dials from 127.0.0.1, where thousands of them (the idle
// connections of slow-clients) stand for thousands of machines: the per-address limit (default
// 1,000, docs/limits.md) is off here; its own tests are beside the servers.
const PER_ADDRESS_OFF = 0;

export async function inProcessServers(redis: RedisInput): Promise<Servers> {
  const tcp = createTcpServer({ redis, redisTimeoutMs: TIMEOUTS.redisMs, maxConnectionsPerAddress: PER_ADDRESS_OFF });
  const http = createHttpServer({ redis, redisTimeoutMs: TIMEOUTS.redisMs, log: () => {}, maxConnectionsPerAddress: PER_ADDRESS_OFF });
  const [t, h] = await Promise.all([tcp.listen(0, "127.0.0.1"), http.listen(0, "127.0.0.1")]);
  return {
    tcpUrl: `tinyqs://127.0.0.1:${t.port}`,
    httpUrl: h.url,
    tcpPort: t.port,
    httpPort: Number(new URL(h.url).port),
    close: async () => void (await Promise.all([tcp.close(), http.close()])),
  };
}

const PKG = (name: string) => fileURLToPath(new URL(`../../${name}/`, import.meta.url));

/** Both bins as children on fixed ports, restartable on the same ports after a SIGKILL. */
export class ChildServers implements Servers {
  private tcp: SpawnedBin | null = null;
  private http: SpawnedBin | null = null;

  private constructor(
    private readonly redisUrl: string,
    readonly tcpPort: number,
    readonly httpPort: number,
  ) {}

  get tcpUrl() {
    return `tinyqs://127.0.0.1:${this.tcpPort}`;
  }
  get httpUrl() {
    return `http://127.0.0.1:${this.httpPort}`;
  }
  get pids(): number[] {
    return [this.tcp?.child.pid, this.http?.child.pid].filter((p): p is number => p !== undefined);
  }

  static async start(redisUrl: string): Promise<ChildServers> {
    const s = new ChildServers(redisUrl, await freePort(), await freePort());
    await s.startBoth();
    return s;
  }

  /** Start both (again, on the same ports); resolves once each says it listens. */
  async startBoth(): Promise<void> {
    const flags = (port: number) => [
      "--port", String(port), "--redis", this.redisUrl, "--redis-timeout-ms", String(TIMEOUTS.redisMs),
      "--max-connections-per-address", String(PER_ADDRESS_OFF),
    ];
    const opts = { cleanTinyqsEnv: true, killAfterMs: 120_000 };
    this.tcp = spawnBin(PKG("tcp-server"), flags(this.tcpPort), opts);
    this.http = spawnBin(PKG("http-server"), flags(this.httpPort), opts);
    for (const bin of [this.tcp, this.http]) {
      await eventually(() => {
        if (bin.child.exitCode !== null) throw new Error(`a server exited at start: ${bin.all()}`);
        return / listening on /.test(bin.out());
      }, 30_000, 20);
    }
  }

  /** SIGKILL both (by PID) and wait until they are gone. */
  async kill(): Promise<void> {
    await Promise.all([this.tcp, this.http].map(async (bin) => {
      if (!bin || bin.child.exitCode !== null || bin.child.signalCode !== null) return;
      bin.child.kill("SIGKILL");
      await bin.exited;
    }));
  }

  close(): Promise<void> {
    return this.kill();
  }
}
