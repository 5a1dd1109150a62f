// One command of a connection, from the moment it is read until its reply is written: the queue of
// these slots is what keeps replies in request order (connection.ts).
import type { Deferred } from "./commands/index.js";
import type { Encoded } from "./resp/encoder.js";

export interface Slot {
  /** The command, until it has been prepared. */
  args: Buffer[] | null;
  /** Name (upper case) for the overlap rule. */
  name: string;
  /** The engine call, from prepare() until its reply is written. */
  deferred: Deferred | null;
  reply: Encoded | null;
  /** Close the connection once this reply is written (QUIT, protocol error). */
  last: boolean;
  /** Bytes of the arguments: counted while the command waits for its turn and while it runs. */
  bytes: number;
  /** Prepared while the connection spoke RESP3: the reply is written in RESP3 (HELLO 3's own reply too). */
  resp3?: true;
  /** Bytes it took of the bulk gate (a large command), given back when it is done. */
  gated?: number;
  /** Refused by the parser (too large, too many arguments): inside MULTI, EXEC must then abort. */
  refused?: true;
}

/** A command read, to run in its turn. */
export const commandSlot = (args: Buffer[], bytes: number): Slot => ({ args, name: "", deferred: null, reply: null, last: false, bytes });

/** A reply the connection gives itself, in order with the others: an error, or the close (`last`). */
export const replySlot = (reply: Encoded, last: boolean, refused?: true): Slot => ({ args: null, name: "", deferred: null, reply, last, bytes: 0, refused });

/** An argument viewing a buffer this much larger than twice itself is copied out (ownBytes()). */
const VIEW_SLACK_BYTES = 16 * 1024;

/**
 * A command left waiting for its turn holds its own bytes only: an argument that is a small view
 * of a much larger buffer (the socket chunk it came in, whose large bulk was copied out, or has run
 * and gone) would keep that whole buffer alive while only the argument's length counts against the
 * budget (a heap snapshot of sixteen stuck clients found MiBs held so, docs/limits.md). Such
 * arguments are copied (bytes stays right).
 */
export function ownBytes(slot: Slot): void {
  if (slot.args) ownArgs(slot.args);
}

/** ownBytes() for any arguments kept a while (a command queued inside MULTI too); in place. */
export function ownArgs(args: Buffer[]): Buffer[] {
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a.buffer.byteLength > 2 * a.length + VIEW_SLACK_BYTES) args[i] = Buffer.from(a);
  }
  return args;
}
