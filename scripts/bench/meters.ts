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
