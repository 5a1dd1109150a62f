// The bounds a server keeps on what its clients make it hold (issue 16), shared by tinyqs-tcp and
// tinyqs-http: the ranges of their options, the process-wide byte budget, the per-address
// connection count and the gate for connections that have not authenticated yet. The defaults are
// in defaults.ts (BOUNDS_DEFAULTS); each server decides what it counts and what a client is told.
import { checkInt } from "./arguments.js";
import { BOUNDS_DEFAULTS } from "./defaults.js";

/**
 * A client "reads" its replies if it takes at least this many bytes of them per
 * slowReaderTimeoutMs (25 KiB/s at the default 10 s), or all of them: a trickle does not count.
 * A socket whose client reads nothing still takes bytes now and then, while the system grows its
 * buffers; counting those as reading would let a stuck client last for minutes.
 */
export const SLOW_READER_PROGRESS_BYTES = 256 * 1024;

/** What the bounds' options may be set to. */
export const BOUND_RANGES = {
  /** At least 1 MiB: less could not hold one default-sized body. */
  maxBufferedBytes: { min: 1024 * 1024, max: Number.MAX_SAFE_INTEGER },
  slowReaderTimeoutMs: { min: 1, max: 3_600_000 },
  authTimeoutMs: { min: 1, max: 3_600_000 },
  maxPendingAuth: { min: 1, max: 10_000_000 },
  /** 0: no limit. */
  maxConnectionsPerAddress: { min: 0, max: 10_000_000 },
} as const;

export type BoundOptions = { -readonly [K in keyof typeof BOUND_RANGES]?: number };
export type Bounds = { -readonly [K in keyof typeof BOUND_RANGES]: number };

/** The bounds' options checked (BAD_ARGUMENT names the first bad one), defaults filled in. */
export function checkBounds(options: BoundOptions): Bounds {
  const out = {} as Bounds;
  for (const name of Object.keys(BOUND_RANGES) as (keyof Bounds)[]) {
    const { min, max } = BOUND_RANGES[name];
    out[name] = checkInt(name, options[name], min, max, BOUNDS_DEFAULTS[name]);
  }
  return out;
}

/** Something that holds bytes against a ByteBudget (a connection); the budget keeps `held`. */
export interface BudgetHolder {
  held: number;
}

/**
 * The bytes a server holds for all its clients, against one limit. Each holder reports what it
 * holds now (set()); at the limit, a holder that holds anything must stop taking bytes in
 * (mustWait()), while one that holds nothing (a small client between commands) is still read. A
 * holder that waits asks to be woken (whenRelieved()) when bytes go. So the total passes the limit
 * only by what was already on its way (a reply being built, one socket chunk per reader). A holder
 * that also reads nothing is cut (cutIfStuck()) once it holds its share (the limit over the number
 * of holders) or the budget is half used.
 */
export class ByteBudget {
  private total = 0;
  private holders = 0;
  private readonly waiting = new Set<() => void>();
  private wakeQueued = false;

  constructor(readonly limit: number) {}

  /** Bytes held now, by every holder together. */
  get used(): number {
    return this.total;
  }

  get atLimit(): boolean {
    return this.total >= this.limit;
  }

  /** One holder's fair part of the limit. */
  get share(): number {
    return this.limit / Math.max(1, this.holders);
  }

  /** `holder` holds `bytes` now. */
  set(holder: BudgetHolder, bytes: number): void {
    const before = holder.held;
    if (bytes === before) return;
    holder.held = bytes;
    this.total += bytes - before;
    if (before === 0) this.holders++;
    else if (bytes === 0) this.holders--;
    if (bytes < before && this.waiting.size > 0) this.wakeSoon();
  }

  /**
   * Take nothing more in for now: at the limit, every holder that holds anything. One that holds
   * nothing may still read (a command of a small client, which it hands on at once), so a normal
   * client is served whatever the others hold; the big holders wait until bytes go.
   */
  mustWait(holder: BudgetHolder): boolean {
    return this.total >= this.limit && holder.held > 0;
  }

  /**
   * Whether a holder that reads nothing (a server decides what that means) is to be cut: it holds
   * its share or more, or the budget is half used or more. A client that stops reading alone, with
   * room to spare, is only held to its per-connection bounds; under pressure every stuck one goes.
   */
  cutIfStuck(holder: BudgetHolder): boolean {
    return holder.held > 0 && (holder.held >= this.share || this.total >= this.limit / 2);
  }

  /** Call `wake` (once) after bytes go somewhere; it checks mustWait() again and may ask again. */
  whenRelieved(wake: () => void): void {
    this.waiting.add(wake);
  }

  forget(wake: () => void): void {
    this.waiting.delete(wake);
  }

  /** Many holders give bytes back in one tick: wake the waiters once, after them. */
  private wakeSoon(): void {
    if (this.wakeQueued) return;
    this.wakeQueued = true;
    setImmediate(() => {
      this.wakeQueued = false;
      const woken = [...this.waiting];
      this.waiting.clear();
      for (const wake of woken) wake();
    });
  }
}

/** Open connections per remote address, at most `max` each (0: no limit). */
export class AddressLimit {
  private readonly open = new Map<string, number>();

  constructor(readonly max: number) {}

  /** Count one more connection from `address`, or false (and count nothing) if it has its `max`. */
  admit(address: string): boolean {
    if (this.max === 0) return true;
    const n = this.open.get(address) ?? 0;
    if (n >= this.max) return false;
    this.open.set(address, n + 1);
    return true;
  }

  /** A connection admit() counted has closed. */
  release(address: string): void {
    if (this.max === 0) return;
    const n = (this.open.get(address) ?? 1) - 1;
    if (n <= 0) this.open.delete(address);
    else this.open.set(address, n);
  }
}

/** One connection's wait for authentication: done() when it authenticated or closed. */
export interface AuthTicket {
  done(): void;
}

/**
 * Connections that have not authenticated yet: at most `maxPending` at once, each for at most
 * `timeoutMs`, after which its `expire` runs (the server closes it).
 */
export class AuthGate {
  private pending = 0;

  constructor(
    readonly timeoutMs: number,
    readonly maxPending: number,
  ) {}

  /** How many wait now. */
  get waiting(): number {
    return this.pending;
  }

  /** A ticket for a new connection, or null when `maxPending` already wait. */
  admit(expire: () => void): AuthTicket | null {
    if (this.pending >= this.maxPending) return null;
    this.pending++;
    let open = true;
    const timer = setTimeout(() => {
      ticket.done();
      expire();
    }, this.timeoutMs);
    timer.unref();
    const ticket: AuthTicket = {
      done: () => {
        if (!open) return;
        open = false;
        clearTimeout(timer);
        this.pending--;
      },
    };
    return ticket;
  }
}
