// Starts a tinyqs server's built bin (packages/<name>/dist/cli.js) in a process of its own, as it
// runs in production, for the tcp, http and ws targets. The benchmark's child process is the client;
// the server's CPU time is read from /proc when it stops and printed on stderr, since the run's
// "Node CPU" figure is the client's alone.
import { spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** The repository root: the first folder up from here with pnpm-workspace.yaml. This file also runs
 * compiled under node_modules/.cache/tinyqs-bench, which is inside the repository too. */
function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, "pnpm-workspace.yaml"))) {
    const up = dirname(dir);
    if (up === dir) throw new Error("cannot find the repository root (pnpm-workspace.yaml)");
    dir = up;
  }
  return dir;
}

/** packages/<name> of this repository. */
export function packageDir(name: string): string {
  return join(repoRoot(), "packages", name);
}

/** CPU ms a process has used (utime + stime from /proc/<pid>/stat); null where /proc is missing. */
function cpuMsOf(pid: number): number | null {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // clock ticks (USER_HZ = 100)
  } catch {
    return null;
  }
}

export interface ServerProcess {
  /** The start-up line's match of `listening`. */
  listening: RegExpExecArray;
  stop(): Promise<void>;
}

/**
 * Run `packages/<name>/dist/cli.js --redis URL --port 0 --host 127.0.0.1` and wait for its start-up
 * line to match `listening`. `env` is added to the environment (e.g. to clear a password).
 */
export async function startServerProcess(opts: {
  name: string;
  label: string;
  redisUrl: string;
  listening: RegExp;
  env?: Record<string, string>;
}): Promise<ServerProcess> {
  const cli = join(packageDir(opts.name), "dist", "cli.js");
  if (!existsSync(cli)) throw new Error(`${cli} is missing: run \`pnpm build\` first`);
  // To profile the server: TINYQS_BENCH_SERVER_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof"
  const nodeArgs = (process.env.TINYQS_BENCH_SERVER_NODE_ARGS ?? "").split(" ").filter(Boolean);
  const child = spawn(process.execPath, [...nodeArgs, cli, "--redis", opts.redisUrl, "--port", "0", "--host", "127.0.0.1"], {
    stdio: ["ignore", "pipe", "inherit"],
    env: { ...process.env, ...opts.env },
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  // However the benchmark's process ends (it exits 5 s after a run at the latest), the server goes too.
  const reap = () => child.kill("SIGKILL");
  process.once("exit", reap);
  const listening = await new Promise<RegExpExecArray>((resolve, reject) => {
    let out = "";
    const timer = setTimeout(() => reject(new Error(`${opts.name} did not start within 15 s: ${out}`)), 15_000);
    child.stdout!.on("data", (d: Buffer) => {
      out += d.toString();
      const m = opts.listening.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m);
      }
    });
    child.once("exit", (code) => reject(new Error(`${opts.name} exited (${code}) before listening: ${out}`)));
  });
  return {
    listening,
    async stop() {
      const cpu = cpuMsOf(child.pid!);
      if (cpu !== null) process.stderr.write(`[${opts.label}] server process CPU ${Math.round(cpu)} ms\n`);
      child.kill("SIGTERM");
      const killer = setTimeout(reap, 5000);
      await exited;
      clearTimeout(killer);
      process.off("exit", reap);
    },
  };
}
