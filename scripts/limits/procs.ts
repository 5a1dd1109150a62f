// What the limits run needs around the servers: a private redis-server, a server bin in a process
// of its own (so its RSS is its own), its RSS read from /proc, a normal client's latencies, and
// percentiles. Nothing here is a test: it measures, and main.ts prints the figures.
import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

export const ROOT = fileURLToPath(new URL("../../", import.meta.url));
export const MiB = 1024 * 1024;
export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export interface Bin {
  child: ChildProcess;
  port: number;
  stop(): Promise<void>;
}

/**
 * A server bin (its built dist/cli.js) on a free port; resolves once it prints where it listens.
 * `node`: flags for node itself (--cpu-prof, --import probe.mjs…) and variables to add.
 */
export async function startBin(
  pkg: "tcp-server" | "http-server",
  args: string[],
  node: { flags?: string[]; env?: Record<string, string> } = {},
): Promise<Bin> {
  // LIMITS_DIST (say, dist-before: an older build copied beside dist) compares two builds in one sitting.
  const cli = `${ROOT}packages/${pkg}/${process.env.LIMITS_DIST ?? "dist"}/cli.js`;
  const child = spawn(process.execPath, [...(node.flags ?? []), cli, "--port", "0", ...args], {
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, ...node.env },
  });
  let out = "";
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout!.on("data", (d) => {
      out += d;
      const m = /listening on (?:http:\/\/)?[^\s]*:(\d+)/.exec(out);
      if (m) resolve(Number(m[1]));
    });
    child.stderr!.on("data", (d) => process.stderr.write(`[${pkg}] ${d}`));
    child.once("exit", (code) => reject(new Error(`${pkg} exited ${code}: ${out}`)));
  });
  return {
    child,
    port,
    stop: async () => {
      const exited = new Promise((r) => child.once("exit", r));
      child.kill("SIGTERM");
      await Promise.race([exited, sleep(15_000)]);
      if (child.exitCode === null) child.kill("SIGKILL");
    },
  };
}

/** The resident set of a process, in bytes. */
export function rss(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return m ? Number(m[1]) * 1024 : 0;
}

/** Sample a process's RSS every `everyMs` until stop(): the most seen. */
export function rssWatch(pid: number, everyMs = 100): { most: () => number; stop: () => void } {
  let most = rss(pid);
  const t = setInterval(() => {
    try {
      most = Math.max(most, rss(pid));
    } catch {
      /* exited */
    }
  }, everyMs);
  return { most: () => most, stop: () => clearInterval(t) };
}

/**
 * Call `op` back to back (with a pause between) until stop(); the latencies in ms. `timed()`: each
 * with when it started (ms since the loop began), to set the slow ones beside the server's probe.
 */
export function latencyLoop(
  op: () => Promise<unknown>,
  pauseMs = 20,
): { stop: () => Promise<number[]>; errors: () => number; timed: () => Array<{ at: number; ms: number }> } {
  const lat: number[] = [];
  const at: number[] = [];
  const began = Date.now();
  let errors = 0;
  let running = true;
  const done = (async () => {
    while (running) {
      const t0 = performance.now();
      const started = Date.now() - began;
      try {
        await op();
        lat.push(performance.now() - t0);
        at.push(started);
      } catch {
        errors++;
      }
      await sleep(pauseMs);
    }
  })();
  return {
    stop: async () => {
      running = false;
      await done;
      return lat;
    },
    errors: () => errors,
    timed: () => lat.map((ms, i) => ({ at: at[i]!, ms })),
  };
}

export function percentile(xs: number[], p: number): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
}

export const mib = (b: number) => `${(b / MiB).toFixed(0)} MiB`;

/** One RESP command's bytes. */
export function resp(...args: Array<string | Buffer>): Buffer {
  const parts: Buffer[] = [Buffer.from(`*${args.length}\r\n`)];
  for (const a of args) {
    const b = typeof a === "string" ? Buffer.from(a) : a;
    parts.push(Buffer.from(`$${b.length}\r\n`), b, Buffer.from("\r\n"));
  }
  return Buffer.concat(parts);
}
