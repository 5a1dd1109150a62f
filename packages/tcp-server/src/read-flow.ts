// Whether a connection reads its socket (flow control). Reading pauses while too many commands
// wait for their turn (MAX_PENDING_PER_CONNECTION, or maxPendingBytes of them: a pipeline behind a
// RECEIVE that waits), while too many reply bytes wait in the socket (MAX_UNSENT_REPLY_BYTES: a
// client that does not read), or while the server's byte budget is full and this connection holds
// anything (the budget wakes it when bytes go). It resumes once all of them allow, the first two at
// half their bound, so that it does not flap at the edge. A paused socket leaves the client's
// further commands in its own socket: its writes block (TCP backpressure).
import type { Socket } from "node:net";
import type { BudgetHolder, ByteBudget } from "@tinyqs/core";
import { MAX_PENDING_PER_CONNECTION, MAX_UNSENT_REPLY_BYTES } from "./defaults.js";

/** What a connection has read and not answered yet. */
export interface Backlog {
  /** Commands read whose reply is not written. */
  commands: number;
  /** Bytes of the commands waiting for their turn. */
  commandBytes: number;
}

export class ReadFlow {
  private paused = false;

  constructor(
    private readonly socket: Socket,
    private readonly budget: ByteBudget,
    private readonly holder: BudgetHolder,
    private readonly maxPendingBytes: number,
    /** The budget has room again: the connection runs and reads what it may. */
    private readonly relieved: () => void,
  ) {}

  /** Pause or resume reading for the connection's backlog now. */
  update(backlog: Backlog): void {
    const tooMany = backlog.commands >= MAX_PENDING_PER_CONNECTION || backlog.commandBytes >= this.maxPendingBytes;
    const tooMuchOut = this.socket.writableLength >= MAX_UNSENT_REPLY_BYTES;
    const budgetFull = this.budget.mustWait(this.holder);
    if (budgetFull) this.budget.whenRelieved(this.relieved);
    if (!this.paused && (tooMany || tooMuchOut || budgetFull)) {
      this.paused = true;
      this.socket.pause();
    } else if (
      this.paused &&
      backlog.commands < MAX_PENDING_PER_CONNECTION / 2 &&
      backlog.commandBytes < this.maxPendingBytes / 2 &&
      !tooMuchOut &&
      !budgetFull
    ) {
      this.paused = false;
      this.socket.resume();
    }
  }

  /** Read again whatever the bounds say: a closing connection lets the client's unread input drain. */
  release(): void {
    if (!this.paused) return;
    this.paused = false;
    this.socket.resume();
  }

  /** The connection closed: the budget must not wake it any more. */
  stop(): void {
    this.budget.forget(this.relieved);
  }
}
