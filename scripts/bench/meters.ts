// The cost meters, read the way the peers' harness reads them: Node CPU from process.cpuUsage(),
// Redis CPU from INFO cpu (used_cpu_user + used_cpu_sys) before and after, peak RSS sampled often.
import type { Redis } from "ioredis";

/** Total CPU time redis-server has used so far, in ms. */
export async function redisCpuMs(admin: Redis): Promise<number> {
  const info = await admin.info("cpu");
  const get = (k: string) => Number(new RegExp(`^${k}:([\\d.]+)`, "m").exec(info)?.[1] ?? 0);
  return (get("used_cpu_user") + get("used_cpu_sys")) * 1000;
}

/** CPU ms this process used since `start` (a process.cpuUsage() reading). */
export function nodeCpuMsSince(start: NodeJS.CpuUsage): number {
  const d = process.cpuUsage(start);
  return (d.user + d.system) / 1000;
}

/** Peak resident set size, sampled every 25 ms (as the harness does) and on demand. */
export class RssPeak {
  peak = process.memoryUsage.rss();

  sample(): void {
    const rss = process.memoryUsage.rss();
    if (rss > this.peak) this.peak = rss;
  }

  get mb(): number {
    this.sample();
    return Math.round(this.peak / 1048576);
  }
}

/** The CPU figures of one run, in the harness's field names. */
export interface CpuFigures {
  nodeCpuMs: number;
  redisCpuMs: number;
  nodeCpuUsPerMsg: number;
  redisCpuUsPerMsg: number;
  /** (Node CPU + Redis CPU) ÷ wall time. */
  busyCores: number;
}

/** Start metering Node's and Redis's CPU; `stop(n, totalMs)` gives the figures of the section. */
export async function startCpuMeter(admin: Redis): Promise<{ stop(n: number, totalMs: number): Promise<CpuFigures> }> {
  const node0 = process.cpuUsage();
  const redis0 = await redisCpuMs(admin);
  return {
    async stop(n, totalMs) {
      const nodeCpuMs = nodeCpuMsSince(node0);
      const redisMs = (await redisCpuMs(admin)) - redis0;
      return {
        nodeCpuMs: Math.round(nodeCpuMs),
        redisCpuMs: Math.round(redisMs),
        nodeCpuUsPerMsg: Math.round((nodeCpuMs * 1000) / n),
        redisCpuUsPerMsg: Math.round((redisMs * 1000) / n),
        busyCores: Math.round(((nodeCpuMs + redisMs) / totalMs) * 100) / 100,
      };
    },
  };
}
