// MULTI … EXEC of one connection, as Redis does it: after MULTI every command is checked (known
// name, right arity) and queued (+QUEUED); a command refused there marks the transaction failed and
// EXEC then answers EXECABORT, running nothing. EXEC runs the queue in order and answers the array
// of the replies; a command that fails when it runs has its error in that array and the others still
// run. DISCARD, or the connection closing, drops the queue: nothing queued runs without EXEC.
//
// What is guaranteed (docs/protocol.md, "Transactions"): the commands of one EXEC run in order, and
// no other command of this connection runs between them (EXEC runs "alone"). Other clients'
// commands may interleave: each tinyqs command is atomic in Redis, a transaction across commands is
// not. Commands that would wait (RECEIVE/PEEK/TAKE with WAIT, WAIT) run as if their wait were 0, as
// Redis runs BLPOP inside MULTI.
import { LIMITS } from "@tinyqs/core";
import { CommandError, errorReply, type ClientState, type CommandSpec, type Deferred, type ServerState } from "./commands/index.js";
import { MAX_RUNNING_PER_CONNECTION } from "./defaults.js";
import { OK, array, error, simple, type Encoded } from "./resp/encoder.js";
import { ownArgs } from "./slot.js";

/** Commands that run at once inside MULTI rather than being queued: Redis's list (tinyqs has no RESET). */
const NOT_QUEUED = new Set(["MULTI", "EXEC", "DISCARD", "QUIT", "WATCH"]);
/**
 * Refused inside MULTI, in Redis's words for its "no-multi" commands (the transaction then fails):
 * HELLO may change the protocol, and so the encoding of the very EXEC reply it would be part of.
 */
const NOT_ALLOWED = new Set(["HELLO"]);

export const TX_ERRORS = {
  nested: "ERR MULTI calls can not be nested",
  execWithout: "ERR EXEC without MULTI",
  discardWithout: "ERR DISCARD without MULTI",
  aborted: "EXECABORT Transaction discarded because of previous errors.",
  notAllowed: "ERR Command not allowed inside a transaction",
  watch: "ERR WATCH is not supported by tinyqs",
  full: (commands: number, bytes: number) =>
    `ERR MULTI holds at most ${commands} commands and ${bytes} bytes of arguments; the transaction is discarded at EXEC`,
  tooManyMessages: (max: number) =>
    `ERR MULTI receives at most ${max} messages in all, as one RECEIVE ... COUNT ${max}; the transaction is discarded at EXEC`,
} as const;

const QUEUED = simple("QUEUED");

export interface TransactionLimits {
  /** Most commands one MULTI may queue: the connection's MAX_PENDING_PER_CONNECTION. */
  maxCommands: number;
  /** Most bytes of arguments one MULTI may hold: the connection's maxPendingBytes. */
  maxBytes: number;
}

interface Queued {
  spec: CommandSpec;
  args: Buffer[];
}

export class Transaction {
  /** null outside MULTI. */
  private queue: Queued[] | null = null;
  private failed = false;
  private bytes = 0;
  /** Messages the queued commands may answer with: EXEC's reply is no larger than one RECEIVE … COUNT 1000. */
  private messages = 0;

  constructor(private readonly limits: TransactionLimits) {}

  get active(): boolean {
    return this.queue !== null;
  }

  /** Bytes of the arguments queued: held for the client until EXEC or DISCARD, so counted against the budget. */
  get heldBytes(): number {
    return this.bytes;
  }

  /**
   * The connection's hook, for a command that passed the lookup, the auth and the arity checks:
   * inside MULTI, the reply (+QUEUED or the error that fails the transaction); otherwise, or for
   * the commands that run at once, null (run the handler as usual).
   */
  intercept(spec: CommandSpec, args: Buffer[]): Encoded | null {
    if (this.queue === null || NOT_QUEUED.has(spec.name)) return null;
    if (NOT_ALLOWED.has(spec.name)) return this.refuse(TX_ERRORS.notAllowed);
    let size = 0;
    for (const a of args) size += a.length;
    if (this.queue.length >= this.limits.maxCommands || this.bytes + size > this.limits.maxBytes) {
      return this.refuse(TX_ERRORS.full(this.limits.maxCommands, this.limits.maxBytes));
    }
    const messages = messagesOf(spec.name, args);
    if (this.messages + messages > LIMITS.maxBatch) return this.refuse(TX_ERRORS.tooManyMessages(LIMITS.maxBatch));
    this.bytes += size;
    this.messages += messages;
    // Queued until EXEC (maybe long): its arguments own their bytes, as a waiting command's do.
    this.queue.push({ spec, args: ownArgs(withoutWaiting(spec.name, args)) });
    return QUEUED;
  }

  /** A command refused before it could be queued (unknown, wrong arity): as in Redis, EXEC will abort. */
  refused(): void {
    if (this.queue !== null) this.failed = true;
  }

  multi(): Encoded {
    if (this.queue !== null) throw new CommandError(TX_ERRORS.nested); // Redis: the transaction goes on
    this.queue = [];
    return OK;
  }

  discard(): Encoded {
    if (this.queue === null) throw new CommandError(TX_ERRORS.discardWithout);
    this.reset();
    return OK;
  }

  /** WATCH is refused (inside MULTI it fails the transaction, as Redis refuses WATCH there). */
  watch(): never {
    this.refused();
    throw new CommandError(TX_ERRORS.watch);
  }

  exec(client: ClientState, server: ServerState): Encoded | Deferred {
    if (this.queue === null) throw new CommandError(TX_ERRORS.execWithout);
    const queued = this.queue;
    const failed = this.failed;
    this.reset();
    if (failed) throw new CommandError(TX_ERRORS.aborted);
    if (queued.length === 0) return array([]);
    const dropped: Array<() => void> = [];
    return {
      mode: "alone",
      run: () => runQueued(queued, client, server, dropped),
      // The client left before the EXEC reply was written: what RECEIVE/TAKE reserved goes back.
      dropped: () => dropped.forEach((d) => d()),
    };
  }

  private refuse(line: string): Encoded {
    this.failed = true;
    return error(line);
  }

  private reset(): void {
    this.queue = null;
    this.failed = false;
    this.bytes = 0;
    this.messages = 0;
  }
}

/**
 * Run the queued commands in order. As on the connection itself, consecutive "overlap" commands of
 * the same name start together (the engine merges them into one script call), and anything else
 * starts when what came before is done. Returns the EXEC reply.
 */
async function runQueued(queued: Queued[], client: ClientState, server: ServerState, dropped: Array<() => void>): Promise<Encoded> {
  const replies: Encoded[] = new Array<Encoded>(queued.length);
  let group: Array<{ at: number; d: Deferred }> = [];
  let groupName: string | null = null;
  const runGroup = async () => {
    const done = await Promise.all(group.map(({ d }) => runOne(d, dropped)));
    group.forEach(({ at }, i) => (replies[at] = done[i]!));
    group = [];
  };
  for (let at = 0; at < queued.length; at++) {
    const { spec, args } = queued[at]!;
    const joins = group.length > 0 && groupName === spec.name && group.length < MAX_RUNNING_PER_CONNECTION;
    if (group.length > 0 && !joins) await runGroup();
    let out: Encoded | Deferred;
    try {
      out = spec.handler(args, client, server);
    } catch (e) {
      out = errorReply(e);
    }
    if (Buffer.isBuffer(out)) {
      replies[at] = out;
      continue;
    }
    group.push({ at, d: out });
    groupName = out.mode === "overlap" ? spec.name : null;
  }
  if (group.length > 0) await runGroup();
  return array(replies);
}

async function runOne(d: Deferred, dropped: Array<() => void>): Promise<Encoded> {
  try {
    const reply = await d.run();
    if (d.dropped) dropped.push(d.dropped);
    return reply;
  } catch (e) {
    return errorReply(e);
  }
}

/**
 * The arguments of a command that may wait, made not to: RECEIVE/PEEK/TAKE's `WAIT ms` and WAIT's
 * `TIMEOUT ms` become 0 (a WAIT without TIMEOUT gets `TIMEOUT 0`, as its default would wait).
 * Only a value written in digits is replaced, so a malformed one still gets its error at EXEC.
 */
function withoutWaiting(name: string, args: Buffer[]): Buffer[] {
  const keyword = name === "WAIT" ? "TIMEOUT" : name === "RECEIVE" || name === "PEEK" || name === "TAKE" ? "WAIT" : null;
  if (keyword === null) return args;
  const out = args.slice();
  for (let i = 2; i + 1 < out.length; i += 2) {
    if (out[i]!.toString("latin1").toUpperCase() === keyword && /^\d+$/.test(out[i + 1]!.toString("latin1"))) out[i + 1] = ZERO_ARG;
  }
  if (name === "WAIT" && out.length === 2) out.push(Buffer.from("TIMEOUT"), ZERO_ARG);
  return out;
}

const ZERO_ARG = Buffer.from("0");

/** How many messages (or replies, for WAIT) a queued command may answer with: its COUNT, else one. */
function messagesOf(name: string, args: Buffer[]): number {
  if (name === "PEEK" || name === "TAKE" || name === "WAIT") return 1;
  if (name !== "RECEIVE") return 0;
  for (let i = 2; i + 1 < args.length; i += 2) {
    if (args[i]!.toString("latin1").toUpperCase() === "COUNT") {
      const n = Number(args[i + 1]!.toString("latin1"));
      // A COUNT out of range reserves nothing: it gets its error at EXEC.
      return Number.isInteger(n) && n >= 1 && n <= LIMITS.maxBatch ? n : 0;
    }
  }
  return 1;
}
