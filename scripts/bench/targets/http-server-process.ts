// Starts @tinyqs/http-server (its built bin, packages/http-server/dist/cli.js) in a process of its
// own, as it runs in production, for the http and ws targets. The benchmark's child process is the
// client; the server's CPU time is read from /proc when it stops and printed on stderr, since the
// run's "Node CPU" figure is the client's alone.
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
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

export const HTTP_SERVER_PACKAGE = join(repoRoot(), "packages", "http-server");

/** Require a dependency of @tinyqs/http-server (pnpm does not hoist it to the root). */
export const requireFromHttpServer = createRequire(join(HTTP_SERVER_PACKAGE, "package.json"));

export interface ServerProcess {
  url: string;
  stop(): Promise<void>;
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

export async function startHttpServer(redisUrl: string, label: string): Promise<ServerProcess> {
  const cli = join(HTTP_SERVER_PACKAGE, "dist", "cli.js");
  if (!existsSync(cli)) throw new Error(`${cli} is missing: run \`pnpm build\` first`);
  // To profile the server: TINYQS_BENCH_SERVER_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof"
  const nodeArgs = (process.env.TINYQS_BENCH_SERVER_NODE_ARGS ?? "").split(" ").filter(Boolean);
  const child: ChildProcess = spawn(process.execPath, [...nodeArgs, cli, "--redis", redisUrl, "--port", "0", "--host", "127.0.0.1"], {
    stdio: ["ignore", "pipe", "inherit"],
    env: { ...process.env, TINYQS_TOKEN: "" },
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const url = await new Promise<string>((resolve, reject) => {
    let out = "";
    const timer = setTimeout(() => reject(new Error(`tinyqs-http did not start within 15 s: ${out}`)), 15_000);
    child.stdout!.on("data", (d: Buffer) => {
      out += d.toString();
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
    child.once("exit", (code) => reject(new Error(`tinyqs-http exited (${code}) before listening: ${out}`)));
  });
  return {
    url,
    async stop() {
      const cpu = cpuMsOf(child.pid!);
      if (cpu !== null) process.stderr.write(`[${label}] server process CPU ${Math.round(cpu)} ms\n`);
      child.kill("SIGTERM");
      const killer = setTimeout(() => child.kill("SIGKILL"), 5000);
      await exited;
      clearTimeout(killer);
    },
  };
}
