// How many bytes of large commands (a 1 MiB SEND, an MSEND of many bodies) all connections together
// may have in the engine at once. Everyone's commands share the engine's one Redis connection, in
// order: without this, sixteen clients pipelining 1 MiB SENDs put tens of MiB in front of a small
// client's SEND, on the wire to Redis and back, and kept both cores busy moving them, so the small
// client waited 100–200 ms (`pnpm limits tcp-stuck`, docs/limits.md). With it, the large commands
// take turns, first come first served: one that has to wait is let in before any that comes after
// it, so a command larger than what is left (even larger than the gate: it goes in alone once the
// gate is empty) is never overtaken for ever by a stream of smaller ones. A small command never
// waits here: it only finds a few MiB ahead of it.
export class BulkGate {
  private inFlight = 0;
  /** Connections waiting to start a large command, in arrival order, with its size. */
  private readonly waiting: Array<{ wake: () => void; bytes: number }> = [];
  /** The connection being offered its turn (leave()): it may go in ahead of the line, which it heads. */
  private offered: (() => void) | null = null;

  constructor(
    /** Bytes of large commands in the engine at once. */
    readonly limit: number,
    /** A command of this many argument bytes or more is large. */
    readonly largeFrom: number,
  ) {}

  isLarge(bytes: number): boolean {
    return bytes >= this.largeFrom;
  }

  /** Take `bytes` of the gate now, or queue `wake` (once) for its turn and say no. */
  enter(bytes: number, wake: () => void): boolean {
    const offered = this.offered === wake;
    if (!offered && (this.waiting.length > 0 || !this.fits(bytes))) {
      const mine = this.waiting.find((w) => w.wake === wake);
      if (mine) mine.bytes = bytes;
      else this.waiting.push({ wake, bytes });
      return false;
    }
    if (offered) this.offered = null; // one turn: its next large command queues like any other
    this.inFlight += bytes;
    return true;
  }

  /**
   * `bytes` are done: offer the turn to the connections at the head of the line, in order, while
   * theirs fit. One that does not take it at once (its reply output is full, say) leaves the line;
   * it queues again, at the end, when it tries again.
   */
  leave(bytes: number): void {
    this.inFlight -= bytes;
    while (this.waiting.length > 0 && this.fits(this.waiting[0]!.bytes)) {
      const { wake } = this.waiting.shift()!;
      this.offered = wake;
      try {
        wake();
      } finally {
        this.offered = null;
      }
    }
  }

  /** A connection that went away waits no more. */
  forget(wake: () => void): void {
    const at = this.waiting.findIndex((w) => w.wake === wake);
    if (at >= 0) this.waiting.splice(at, 1);
  }

  /** The first always goes in: a command larger than the gate runs alone. */
  private fits(bytes: number): boolean {
    return this.inFlight === 0 || this.inFlight + bytes <= this.limit;
  }
}
