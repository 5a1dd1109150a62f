// Whether a connection reads its socket (flow control). Reading pauses while too many commands
// wait for their turn (MAX_PENDING_PER_CONNECTION, or maxPendingBytes of them: a pipeline behind a
// RECEIVE that waits), while too many reply bytes wait in the socket (MAX_UNSENT_REPLY_BYTES: a
// client that does not read), or while the server's byte budget is full and this connection holds
// anything (the budget wakes it when bytes go). It resumes once all of them allow, the first two at
// half their bound, so that it does not flap at the edge. A paused socket leaves the client's
// further commands in its own socket: its writes block (TCP backpressure).
//
// And a connection reads at most READ_BYTES_PER_TURN per turn of the event loop, then pauses until
// the next: libuv reads up to 32 chunks of 64 KiB from a socket in one go, so sixteen clients
// pushing large SENDs made one turn parse and copy 30 MiB or more (turns of 130–420 ms, measured
// by `pnpm limits tcp-stuck`, docs/limits.md) while a small client's command waited for the turn.
import type { Socket } from "node:net";
import type { BudgetHolder, ByteBudget } from "@tinyqs/core";
import { MAX_PENDING_PER_CONNECTION, MAX_UNSENT_REPLY_BYTES, READ_BYTES_PER_TURN } from "./defaults.js";

/** What a connection has read and not answered yet. */
export interface Backlog {
  /** Commands read whose reply is not written. */
  commands: number;
  /** Bytes of the commands waiting for their turn. */
  commandBytes: number;
}

/**
 * The number of the event loop's turn, shared by every connection: it moves on at the next
 * setImmediate after a read asked for it, so what a connection read in earlier turns does not
 * count against this one (a client sending 1 KiB a turn is never paused).
 */
let turn = 0;
let turnEnds = false;
function currentTurn(): number {
  if (!turnEnds) {
    turnEnds = true;
    setImmediate(() => {
      turn++;
      turnEnds = false;
    });
  }
  return turn;
}

export class ReadFlow {
  /** Held by a bound (update()). */
  private held = false;
  /** Had its bytes for this turn of the event loop. */
  private yielding = false;
  private readThisTurn = 0;
  /** The turn readThisTurn counts. */
  private readTurn = -1;
  private socketPaused = false;

  constructor(
    private readonly socket: Socket,
    private readonly budget: ByteBudget,
    private readonly holder: BudgetHolder,
    private readonly maxPendingBytes: number,
    /** The budget has room again: the connection runs and reads what it may. */
    private readonly relieved: () => void,
  ) {}

  /** `bytes` were read: past READ_BYTES_PER_TURN in this turn, read no more until the next one. */
  read(bytes: number): void {
    const now = currentTurn();
    if (now !== this.readTurn) {
      this.readTurn = now;
      this.readThisTurn = 0;
    }
    this.readThisTurn += bytes;
    if (this.yielding || this.readThisTurn < READ_BYTES_PER_TURN) return;
    this.yielding = true;
    this.apply();
    setImmediate(() => {
      this.yielding = false;
      this.readThisTurn = 0;
      this.apply();
    });
  }

  /** Pause or resume reading for the connection's backlog now. */
  update(backlog: Backlog): void {
    const tooMany = backlog.commands >= MAX_PENDING_PER_CONNECTION || backlog.commandBytes >= this.maxPendingBytes;
    const tooMuchOut = this.socket.writableLength >= MAX_UNSENT_REPLY_BYTES;
    const budgetFull = this.budget.mustWait(this.holder);
    if (budgetFull) this.budget.whenRelieved(this.relieved);
    if (!this.held && (tooMany || tooMuchOut || budgetFull)) {
      this.held = true;
    } else if (
      this.held &&
      backlog.commands < MAX_PENDING_PER_CONNECTION / 2 &&
      backlog.commandBytes < this.maxPendingBytes / 2 &&
      !tooMuchOut &&
      !budgetFull
    ) {
      this.held = false;
    }
    this.apply();
  }

  /** Read again whatever the bounds say: a closing connection lets the client's unread input drain. */
  release(): void {
    this.held = false;
    this.yielding = false;
    this.apply();
  }

  /** The connection closed: the budget must not wake it any more. */
  stop(): void {
    this.budget.forget(this.relieved);
  }

  private apply(): void {
    const pause = this.held || this.yielding;
    if (pause === this.socketPaused) return;
    this.socketPaused = pause;
    if (pause) this.socket.pause();
    else this.socket.resume();
  }
}
