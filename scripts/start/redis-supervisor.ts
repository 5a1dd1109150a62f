// Keeps the embedded redis-server of `pnpm start` running: when the child exits without being asked
// (a crash, an OOM kill, a stray SIGKILL), it is started again on the same port and data directory —
// the URL engines elsewhere were given stays valid — after 100 ms, doubling per crash in the last
// minute up to 2 s. A start that fails (the port taken meanwhile, the data directory gone or
// unwritable) counts as a crash too. After 5 crashes within a minute it gives up: `failed` resolves
// with a message saying why and where the Redis log is, and `pnpm start` exits non-zero with it.
// While Redis is down the engine answers UNAVAILABLE and /healthz 503, as with any Redis outage.
import { backoff } from "../../packages/core/src/timing.js";

/** How the supervisor treats crashes; one place for its numbers. */
export const SUPERVISION = {
  /** Give up after this many crashes (or failed restarts)… */
  maxCrashes: 5,
  /** …within this long. */
  windowMs: 60_000,
  /** The first restart comes after this; each further crash within the window doubles it… */
  firstDelayMs: 100,
  /** …up to this. */
  maxDelayMs: 2000,
} as const;

/** A running child as the supervisor sees it. */
export interface Supervised {
  pid: number;
  /** Resolves when it has exited, with why (exit code or signal). */
  gone: Promise<string>;
  /** Ask it to stop (the supervisor will not restart it); resolves when it has exited. */
  stop(): Promise<void>;
  /** Last resort, synchronous: SIGTERM. */
  stopNow(): void;
}

export interface SupervisorOptions {
  /** Start the child again; rejects (with the reason) when it did not come up. */
  restart(): Promise<Supervised>;
  /** Where its log is, for the message when giving up. */
  logFile: string;
  /** What it serves, for the log lines ("127.0.0.1:7399"). */
  address: string;
  warn(line: string): void;
  log(line: string): void;
  /** The child now running (after a restart), for the lock file. */
  onRestarted(child: Supervised): void;
}

export class RedisSupervisor {
  private child: Supervised | null;
  private stopping = false;
  private readonly crashes: number[] = [];
  private restarting: Promise<void> | null = null;
  private resolveFailed!: (message: string) => void;
  /** Resolves (once) when the supervisor gave up; never when it was stopped. */
  readonly failed = new Promise<string>((resolve) => (this.resolveFailed = resolve));

  constructor(
    first: Supervised,
    private readonly o: SupervisorOptions,
  ) {
    this.child = first;
    this.watch(first);
  }

  get pid(): number | null {
    return this.child?.pid ?? null;
  }

  private watch(child: Supervised): void {
    void child.gone.then((why) => {
      if (this.stopping || this.child !== child) return;
      this.child = null;
      this.restarting = this.recover(`redis-server (pid ${child.pid}) exited (${why})`);
    });
  }

  /** Crash after crash: note it, wait the backoff, start again; give up past the limit. */
  private async recover(what: string): Promise<void> {
    for (;;) {
      const now = Date.now();
      this.crashes.push(now);
      while (this.crashes.length && this.crashes[0]! <= now - SUPERVISION.windowMs) this.crashes.shift();
      const n = this.crashes.length;
      if (n >= SUPERVISION.maxCrashes) {
        this.stopping = true;
        this.resolveFailed(
          `tinyqs: ${what}; that is ${n} crashes of the embedded redis-server within ${SUPERVISION.windowMs / 1000} s, so tinyqs gives up and exits. ` +
            `Its log is ${this.o.logFile}`,
        );
        return;
      }
      const delay = backoff(n, SUPERVISION.firstDelayMs, SUPERVISION.maxDelayMs);
      this.o.warn(`tinyqs: ${what}; restarting it on ${this.o.address} in ${delay} ms (crash ${n} of ${SUPERVISION.maxCrashes} allowed within ${SUPERVISION.windowMs / 1000} s; log: ${this.o.logFile})`);
      await new Promise((r) => setTimeout(r, delay));
      if (this.stopping) return;
      try {
        const child = await this.o.restart();
        if (this.stopping) return void (await child.stop());
        this.child = child;
        this.watch(child);
        this.o.onRestarted(child);
        this.o.log(`tinyqs: redis  restarted redis-server (pid ${child.pid}) on ${this.o.address}`);
        return;
      } catch (e) {
        // Its last line says why (Redis logs the cause last: "bind: Address already in use", …).
        what = `redis-server did not start again: ${(e as Error).message.trim().split("\n").at(-1)}`;
      }
    }
  }

  /** Stop supervising and stop the child (waiting for a restart under way to finish first). */
  async stop(): Promise<void> {
    this.stopping = true;
    await this.restarting;
    await this.child?.stop();
  }

  stopNow(): void {
    this.stopping = true;
    this.child?.stopNow();
  }
}
