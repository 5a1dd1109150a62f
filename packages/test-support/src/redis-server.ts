// Private redis-server processes: start, stop, SIGKILL and restart one on a port of its own (never
// 6379), optionally with an append-only file, and a 3-master Redis Cluster. The one launcher of the
// repository's tooling: the vitest globalSetup (one server + one cluster per run), the tests that kill
// or restart "their" Redis (durability, outage, connection counting), `pnpm bench` and
// scripts/check-pack.mjs. It imports neither vitest nor @tinyqs/core, so plain scripts can load it.
import { spawn, execFile, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, readFileSync, existsSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { freePort, releasePort } from "./ports.js";

// Ports live in ports.ts; re-exported so that a script needs only this module.
export { freePort, releasePort };

const execFileP = promisify(execFile);

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

// ---------------------------------------------------------------------------------------------
// Last-resort cleanup: if the process exits without teardown, do not leave servers behind.
const live = new Set<RedisServer>();
let exitHookInstalled = false;
function installExitHook() {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on("exit", () => {
    for (const s of live) {
      try {
        if (s.pid) process.kill(s.pid, "SIGKILL");
      } catch {
        /* already gone */
      }
      if (s.ownsDir) rmSync(s.dir, { recursive: true, force: true });
    }
  });
}

// ---------------------------------------------------------------------------------------------
// A tiny RESP client for readiness checks (no reconnect logic, no error events)

export function rawCommand(port: number, args: string[], timeoutMs = 1000): Promise<string> {
  return new Promise((resolve, reject) => {
    const sock = net.connect({ port, host: "127.0.0.1" });
    let buf = Buffer.alloc(0);
    const timer = setTimeout(() => {
      sock.destroy();
      reject(new Error(`timeout talking to 127.0.0.1:${port}`));
    }, timeoutMs);
    const done = (err: Error | null, value?: string) => {
      clearTimeout(timer);
      sock.destroy();
      if (err) reject(err);
      else resolve(value!);
    };
    sock.on("error", (e) => done(e));
    sock.on("connect", () => {
      let out = `*${args.length}\r\n`;
      for (const a of args) out += `$${Buffer.byteLength(a)}\r\n${a}\r\n`;
      sock.write(out);
    });
    sock.on("data", (chunk) => {
      buf = Buffer.concat([buf, chunk]);
      const nl = buf.indexOf("\r\n");
      if (nl < 0) return;
      const head = buf.subarray(0, nl).toString();
      const type = head[0];
      if (type === "+" || type === ":") return done(null, head.slice(1));
      if (type === "-") return done(new Error(head.slice(1)));
      if (type === "$") {
        const len = Number(head.slice(1));
        if (len < 0) return done(null, "");
        if (buf.length < nl + 2 + len + 2) return; // wait for more
        return done(null, buf.subarray(nl + 2, nl + 2 + len).toString());
      }
      done(null, head);
    });
  });
}

// ---------------------------------------------------------------------------------------------
// One redis-server process

export interface RedisServerOptions {
  /** Default: a free port. */
  port?: number;
  /** Working directory (AOF / nodes.conf); default: a new temp dir, removed by cleanup(). */
  dir?: string;
  /** appendonly yes + appendfsync always. */
  appendonly?: boolean;
  /** Start as a cluster node (cluster-enabled yes). */
  cluster?: boolean;
  extraArgs?: string[];
}

export class RedisServer {
  port: number;
  readonly dir: string;
  readonly ownsDir: boolean;
  private child: ChildProcess | null = null;
  private exited: Promise<void> = Promise.resolve();

  private constructor(
    port: number,
    dir: string,
    ownsDir: boolean,
    private readonly opts: RedisServerOptions,
  ) {
    this.port = port;
    this.dir = dir;
    this.ownsDir = ownsDir;
  }

  /** Start a private redis-server; resolves when it answers PING. */
  static async start(opts: RedisServerOptions = {}): Promise<RedisServer> {
    installExitHook();
    const ownsDir = !opts.dir;
    const dir = opts.dir ?? mkdtempSync(path.join(os.tmpdir(), "tinyqs-redis-"));
    let lastErr: unknown;
    // A port found free can be taken before redis binds it: try a few times.
    for (let attempt = 0; attempt < 5; attempt++) {
      const port = opts.port ?? (await freePort({ busToo: !!opts.cluster }));
      const server = new RedisServer(port, dir, ownsDir, opts);
      try {
        await server.launch();
        live.add(server);
        return server;
      } catch (e) {
        lastErr = e;
        if (opts.port !== undefined) break;
      }
    }
    if (ownsDir) rmSync(dir, { recursive: true, force: true });
    throw lastErr;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  get address(): string {
    return `127.0.0.1:${this.port}`;
  }

  get running(): boolean {
    return this.child !== null;
  }

  private args(): string[] {
    const a = [
      "--port", String(this.port),
      "--bind", "127.0.0.1",
      "--dir", this.dir,
      "--save", "",
      "--logfile", path.join(this.dir, "redis.log"),
      "--daemonize", "no",
      "--protected-mode", "no",
    ];
    if (this.opts.appendonly) a.push("--appendonly", "yes", "--appendfsync", "always");
    else a.push("--appendonly", "no");
    if (this.opts.cluster) {
      a.push(
        "--cluster-enabled", "yes",
        "--cluster-config-file", "nodes.conf",
        "--cluster-node-timeout", "2000",
      );
    }
    if (this.opts.extraArgs) a.push(...this.opts.extraArgs);
    return a;
  }

  private async launch(): Promise<void> {
    if (this.child) throw new Error("already running");
    const child = spawn("redis-server", this.args(), { stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr?.on("data", (d) => (stderr += d));
    // A spawn failure (ENOENT: redis-server not installed) comes as an event, not on stderr.
    child.once("error", (e) => (stderr += String(e)));
    let exitedEarly = false;
    this.exited = new Promise<void>((resolve) => {
      child.once("exit", () => {
        exitedEarly = true;
        if (this.child === child) this.child = null;
        resolve();
      });
      child.once("error", () => {
        exitedEarly = true;
        if (this.child === child) this.child = null;
        resolve();
      });
    });
    this.child = child;
    const deadline = Date.now() + 10_000;
    for (;;) {
      if (exitedEarly) {
        throw new Error(`redis-server on port ${this.port} exited at start: ${stderr}${this.logTail()}`);
      }
      try {
        if ((await rawCommand(this.port, ["PING"], 500)) === "PONG") return;
      } catch {
        /* not up yet, or still loading the AOF */
      }
      if (Date.now() > deadline) {
        child.kill("SIGKILL");
        await this.exited;
        throw new Error(`redis-server on port ${this.port} did not answer PING: ${this.logTail()}`);
      }
      await sleep(15);
    }
  }

  logTail(lines = 20): string {
    const f = path.join(this.dir, "redis.log");
    if (!existsSync(f)) return "";
    return "\n" + readFileSync(f, "utf8").split("\n").slice(-lines).join("\n");
  }

  private async signal(sig: NodeJS.Signals, graceMs: number): Promise<void> {
    const child = this.child;
    if (!child) return;
    child.kill(sig);
    const t = setTimeout(() => child.kill("SIGKILL"), graceMs);
    await this.exited;
    clearTimeout(t);
  }

  /** Graceful stop (SIGTERM; SIGKILL after 5 s). */
  stop(): Promise<void> {
    return this.signal("SIGTERM", 5000);
  }

  /** Hard kill (SIGKILL): no shutdown, no final fsync. */
  kill(): Promise<void> {
    return this.signal("SIGKILL", 5000);
  }

  /** Start again on the same port and dir (after stop or kill). */
  async restart(): Promise<void> {
    if (this.child) await this.stop();
    // The port was ours a moment ago; redis uses SO_REUSEADDR, but retry briefly just in case.
    let lastErr: unknown;
    for (let i = 0; i < 20; i++) {
      try {
        await this.launch();
        return;
      } catch (e) {
        lastErr = e;
        await sleep(100);
      }
    }
    throw lastErr;
  }

  /** Stop and remove the temp dir (if this object created it). */
  async cleanup(): Promise<void> {
    await this.stop();
    live.delete(this);
    releasePort(this.port);
    if (this.ownsDir) rmSync(this.dir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------
// A 3-master Redis Cluster, optionally with replicas (to fail over when a master dies)

export interface RedisClusterOptions {
  /** Replicas per master (redis-cli --cluster-replicas): 1 gives each master one to fail over to. */
  replicas?: number;
  /** Tries of the whole start (a port taken meanwhile makes one fail). */
  attempts?: number;
  /** More redis-server arguments for every node (after the launcher's own: they win). */
  extraArgs?: string[];
}

export class RedisCluster {
  private constructor(readonly servers: RedisServer[]) {}

  /** Every node, masters and replicas, as "127.0.0.1:port". */
  get nodes(): string[] {
    return this.servers.map((s) => s.address);
  }

  /**
   * Start the nodes and create the cluster, with `replicas` replicas per master (the servers after
   * the masters'); a failed attempt (say, a port taken meanwhile) is retried.
   */
  static async start(masters = 3, { replicas = 0, attempts = 3, extraArgs = [] }: RedisClusterOptions = {}): Promise<RedisCluster> {
    for (let i = 1; ; i++) {
      try {
        return await RedisCluster.startOnce(masters, replicas, extraArgs);
      } catch (e) {
        if (i >= attempts) throw e;
      }
    }
  }

  private static async startOnce(masters: number, replicas: number, extraArgs: string[]): Promise<RedisCluster> {
    const servers: RedisServer[] = [];
    try {
      const count = masters * (1 + replicas);
      // Replicas fail over only with an append-only file of their own; appendonly keeps it realistic.
      for (let i = 0; i < count; i++) servers.push(await RedisServer.start({ cluster: true, appendonly: replicas > 0, extraArgs }));
      const cluster = new RedisCluster(servers);
      await execFileP(
        "redis-cli",
        ["--cluster", "create", ...cluster.nodes, "--cluster-replicas", String(replicas), "--cluster-yes"],
        { timeout: 30_000 },
      );
      await cluster.waitOk();
      if (replicas > 0) await cluster.waitReplicasInSync(masters * replicas);
      return cluster;
    } catch (e) {
      await Promise.all(servers.map((s) => s.cleanup().catch(() => {})));
      throw e;
    }
  }

  /** Until every node says cluster_state:ok with all slots assigned. */
  async waitOk(timeoutMs = 20_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      let ok = true;
      for (const s of this.servers) {
        if (!s.running) continue; // a node killed on purpose
        const info = await rawCommand(s.port, ["CLUSTER", "INFO"]).catch(() => "");
        if (!/cluster_state:ok/.test(info) || !/cluster_slots_assigned:16384/.test(info)) ok = false;
      }
      if (ok) return;
      if (Date.now() > deadline) throw new Error("Redis Cluster did not reach cluster_state:ok");
      await sleep(50);
    }
  }

  /** Until `count` replicas report their link to the master up (so a failover has someone to promote). */
  private async waitReplicasInSync(count: number, timeoutMs = 20_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      let synced = 0;
      for (const s of this.servers) {
        const info = await rawCommand(s.port, ["INFO", "replication"]).catch(() => "");
        if (/role:slave/.test(info) && /master_link_status:up/.test(info)) synced++;
      }
      if (synced >= count) return;
      if (Date.now() > deadline) throw new Error(`only ${synced} of ${count} Redis Cluster replicas in sync`);
      await sleep(50);
    }
  }

  /** The live node that is master for `slot` now, as the live nodes' CLUSTER NODES say. */
  async masterOf(slot: number): Promise<RedisServer> {
    for (const s of this.servers) {
      if (!s.running) continue;
      const slots = await rawCommand(s.port, ["CLUSTER", "NODES"]).catch(() => "");
      for (const line of slots.split("\n")) {
        const f = line.split(" ");
        if (!f[2]?.includes("master") || f[2].includes("fail")) continue;
        const port = Number(f[1]!.split(":")[1]!.split("@")[0]);
        for (const range of f.slice(8)) {
          const [lo, hi = lo] = range.split("-").map(Number);
          const node = this.servers.find((x) => x.port === port);
          // A master just killed is still "master" to the others until they mark it failed.
          if (slot >= lo! && slot <= hi! && node?.running) return node;
        }
      }
    }
    throw new Error(`no live master holds slot ${slot}`);
  }

  async cleanup(): Promise<void> {
    await Promise.all(this.servers.map((s) => s.cleanup()));
  }
}
