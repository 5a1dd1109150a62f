// Failed logins, counted per remote address: past a few in a second, that address's logins are
// refused unchecked for the rest of the second, each refusal answered after a short delay. So a
// guesser gets at most `maxFailures` checks a second per address, and waits for each refusal; a
// well-behaved client never meets the limit. The table of addresses is bounded (stale entries are
// swept once it grows), so a flood of addresses cannot grow it without end.
export interface LoginLimitOptions {
  /** Failures allowed per address per window (default 10). */
  maxFailures?: number;
  /** The window, ms (default 1000). */
  windowMs?: number;
  /** How long a refused login waits for its answer, ms (default 1000). */
  delayMs?: number;
}

const SWEEP_AT = 10_000;

export class LoginLimiter {
  private readonly windows = new Map<string, { start: number; failures: number }>();
  readonly maxFailures: number;
  readonly windowMs: number;
  readonly delayMs: number;

  constructor(o: LoginLimitOptions = {}) {
    this.maxFailures = o.maxFailures ?? 10;
    this.windowMs = o.windowMs ?? 1000;
    this.delayMs = o.delayMs ?? 1000;
  }

  private window(address: string, now: number) {
    let w = this.windows.get(address);
    if (!w || now - w.start >= this.windowMs) {
      if (this.windows.size >= SWEEP_AT) this.sweep(now);
      w = { start: now, failures: 0 };
      this.windows.set(address, w);
    }
    return w;
  }

  /** Whether a login from `address` may be checked now. */
  allowed(address: string, now = Date.now()): boolean {
    return this.window(address, now).failures < this.maxFailures;
  }

  /** A failed login from `address`; true when it is the one that reached the limit (log it once). */
  failed(address: string, now = Date.now()): boolean {
    const w = this.window(address, now);
    w.failures++;
    return w.failures === this.maxFailures;
  }

  private sweep(now: number): void {
    for (const [address, w] of this.windows) if (now - w.start >= this.windowMs) this.windows.delete(address);
  }
}
