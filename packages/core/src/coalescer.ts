// Merges operations issued in the same tick into one flush (one script call), with a bounded number
// of flushes in flight; what arrives meanwhile waits and goes out together with the next flush. Under
// light load every call goes out at once; under heavy load batches grow by themselves. This is what
// lets fifty concurrent receive loops cost Redis one script call instead of fifty.

/**
 * The most a batch of sends (or responds) carries: 8 MiB, each body counted as at least 1 KiB, so
 * that one script call also has at most 8192 bodies (a bounded argument list, in JS and in Lua).
 */
export const BATCH_BYTES = 8 * 1024 * 1024;
/** The weight of some bodies in a batch of sends or responds. */
export const batchWeight = (bodies: Buffer[]) => bodies.reduce((n, b) => n + bodyWeight(b.length), 0);
/** The weight of one body of `bytes` bytes. */
export const bodyWeight = (bytes: number) => Math.max(bytes + 64, 1024);

interface Pending<I, R> {
  item: I;
  resolve: (r: R) => void;
  reject: (e: unknown) => void;
}

export interface CoalescerOptions<I> {
  /** Flushes allowed in flight at once. */
  maxInFlight?: number;
  /** Upper bound of the summed weight of one flush (it always takes at least one item). */
  maxWeight?: number;
  weigh?: (item: I) => number;
}

export class Coalescer<I, R> {
  private pending: Pending<I, R>[] = [];
  private inFlight = 0;
  private scheduled = false;
  private readonly maxInFlight: number;
  private readonly maxWeight: number;
  private readonly weigh: (item: I) => number;

  constructor(private readonly flush: (items: I[]) => Promise<R[]>, options: CoalescerOptions<I> = {}) {
    this.maxInFlight = options.maxInFlight ?? 2;
    this.maxWeight = options.maxWeight ?? 1000;
    this.weigh = options.weigh ?? (() => 1);
  }

  add(item: I): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.pending.push({ item, resolve, reject });
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.scheduled || this.inFlight >= this.maxInFlight) return;
    this.scheduled = true;
    // setImmediate runs once the event loop has handled every I/O event that was ready, so a burst
    // of awaits resuming together (fifty receive loops) lands in one batch, and so do the requests
    // that many sockets of a server delivered in the same turn of the loop (with nextTick, each
    // socket's requests went out in a script call of their own).
    setImmediate(() => this.run());
  }

  private run(): void {
    this.scheduled = false;
    while (this.pending.length > 0 && this.inFlight < this.maxInFlight) {
      const batch = this.take();
      this.inFlight++;
      this.flush(batch.map((p) => p.item))
        .then(
          (results) => batch.forEach((p, i) => p.resolve(results[i] as R)),
          (err) => batch.forEach((p) => p.reject(err)),
        )
        .finally(() => {
          this.inFlight--;
          if (this.pending.length > 0) this.schedule();
        });
    }
  }

  private take(): Pending<I, R>[] {
    let weight = 0;
    let n = 0;
    while (n < this.pending.length) {
      const w = this.weigh(this.pending[n]!.item);
      if (n > 0 && weight + w > this.maxWeight) break;
      weight += w;
      n++;
    }
    return this.pending.splice(0, n);
  }
}
