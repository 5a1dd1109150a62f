// How many bytes of large commands (a 1 MiB SEND, an MSEND of many bodies) all connections together
// may have in the engine at once. Everyone's commands share the engine's one Redis connection, in
// order: without this, sixteen clients pipelining 1 MiB SENDs put tens of MiB in front of a small
// client's SEND, on the wire to Redis and back, and kept both cores busy moving them, so the small
// client waited 100–200 ms (`pnpm limits tcp-stuck`, docs/limits.md). With it, the large commands
// take turns (the first always goes in, so one larger than the gate still runs), and a small
// command never waits here: it only finds a few MiB ahead of it.
export class BulkGate {
  private inFlight = 0;
  /** Connections waiting to start a large command, in arrival order; each tries again when woken. */
  private readonly waiting = new Set<() => void>();

  constructor(
    /** Bytes of large commands in the engine at once. */
    readonly limit: number,
    /** A command of this many argument bytes or more is large. */
    readonly largeFrom: number,
  ) {}

  isLarge(bytes: number): boolean {
    return bytes >= this.largeFrom;
  }

  /** Take `bytes` of the gate now, or remember `wake` (once) for when some go and say no. */
  enter(bytes: number, wake: () => void): boolean {
    if (this.inFlight > 0 && this.inFlight + bytes > this.limit) {
      this.waiting.add(wake);
      return false;
    }
    this.waiting.delete(wake);
    this.inFlight += bytes;
    return true;
  }

  leave(bytes: number): void {
    this.inFlight -= bytes;
    if (this.waiting.size === 0) return;
    const woken = [...this.waiting];
    this.waiting.clear();
    for (const wake of woken) wake();
  }

  /** A connection that went away waits no more. */
  forget(wake: () => void): void {
    this.waiting.delete(wake);
  }
}
