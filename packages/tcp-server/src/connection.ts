// One client connection: bytes in → parser → commands in a queue of slots → replies out, always in
// request order, however the commands finish.
//
// Execution order, the one rule: a command starts when everything before it has started and
//   - nothing of this connection is running, or
//   - it is an "overlap" command and what runs now are commands of the same name (SEND, SEND, …).
// So a pipeline of 1000 SENDs costs the engine a few script calls (it merges what arrives in the
// same tick), while `SEND q x` followed by `RECEIVE q` still receives after the send, as with one
// Redis connection. A RECEIVE/PEEK that waits runs alone: it blocks its own connection only.
// Connection commands (PING, AUTH, CLIENT…) answer at once; their replies still queue in order.
// Two hooks hand a command elsewhere: inside MULTI, transaction.ts queues it (EXEC is then one
// "alone" engine call running the queue); a command that is an HTTP request's first word
// (cross-protocol.ts) ends the input there, and the connection closes without running it.
//
// Flow control (read-flow.ts): reading pauses while too many commands wait or too many reply bytes
// are unsent, or while the server's byte budget (server.ts) is full and this connection holds any
// of it: commands read ahead or running, commands queued inside MULTI, the one being read,
// replies not yet taken by the system
// (reply-output.ts, which also remembers the reservations a cut for not reading gives back).
// With a password, a connection that has not authenticated within the AUTH deadline is told so and
// closed (server.ts admits it to the AuthGate; authenticating hands the ticket back).
// When the client goes away (or closes its side, or the server shuts down) the connection's
// AbortSignal fires: a waiting RECEIVE/TAKE ends and the engine puts back anything reserved at that
// instant (a waiting WAIT: the reply collected at that instant); commands not started yet are dropped.
import type { Socket } from "node:net";
import type { AuthGate, AuthTicket, ByteBudget } from "@tinyqs/core";
import { OPEN_ACCESS, type Principal } from "@tinyqs/core/security";
import {
  CommandError,
  authTimedOut,
  checkGrant,
  checkStillCurrent,
  errorReply,
  lookup,
  notAuthenticated,
  unknownCommand,
  wrongArity,
  type ClientState,
  type Deferred,
  type ServerState,
} from "./commands/index.js";
import {
  CLOSE_DEADLINE_MS,
  MAX_PENDING_PER_CONNECTION,
  MAX_RUNNING_BYTES_PER_CONNECTION,
  MAX_RUNNING_PER_CONNECTION,
  MAX_UNSENT_REPLY_BYTES,
} from "./defaults.js";
import type { BulkGate } from "./bulk-gate.js";
import { isHttpRequest, isTlsHandshake } from "./cross-protocol.js";
import { ReadFlow } from "./read-flow.js";
import { ReplyOutput } from "./reply-output.js";
import { commandSlot, ownBytes, replySlot, type Slot } from "./slot.js";
import { error, forProtocol, type Encoded, type Protocol } from "./resp/encoder.js";
import { RespParser, type ParserLimits } from "./resp/parser.js";
import { Transaction } from "./transaction.js";

export interface ConnectionHooks {
  limits: ParserLimits;
  idleTimeoutMs: number;
  /** Pause reading while commands waiting for their turn hold this many bytes (resume at half). */
  maxPendingBytes: number;
  /** The port speaks TLS (the socket is a TLSSocket, decrypted below this class). */
  tls: boolean;
  /** The server's byte budget, shared by all its connections. */
  budget: ByteBudget;
  /** How many bytes of large commands all connections may have in the engine at once. */
  bulkGate: BulkGate;
  /** With a password: where an unauthenticated connection waits (server.ts checked there is room). */
  authGate: AuthGate | null;
  onClose(conn: Connection): void;
}

export class Connection implements ClientState {
  readonly createdAt = Date.now();
  lastCommandAt = this.createdAt;
  lastCommand = "NULL";
  name: string | null = null;
  libName: string | null = null;
  libVer: string | null = null;
  readonly remoteAddress: string;
  /** Bytes held against the budget (kept by the budget). */
  held = 0;
  protocol: Protocol = 2;
  /** MULTI … EXEC (transaction.ts). */
  readonly transaction: Transaction;
  readonly addr: string;
  readonly laddr: string;

  private readonly parser: RespParser;
  private readonly output: ReplyOutput;
  /** The user (OPEN_ACCESS without a password or users); null until AUTH: see `user`. */
  private principal: Principal | null;
  private authTicket: AuthTicket | null = null;
  private readonly flow: ReadFlow;
  private readonly controller = new AbortController();
  private slots: Slot[] = [];
  /** First slot whose reply is not written yet. */
  private head = 0;
  /** First slot not started yet. */
  private next = 0;
  /** Slots before this one (from `next` on) were left waiting and hold their own bytes (slot.ts ownBytes()). */
  private ownedFrom = 0;
  private running = 0;
  /** Name of the overlap commands running now; null when what runs is "alone". */
  private runningName: string | null = null;
  private waiting = 0;
  /** An AUTH or HELLO … AUTH runs: nothing after it is prepared until it is done. */
  private barrier = false;
  /** Bytes of the commands read but not prepared yet: what a client pipelining behind a waiting RECEIVE makes the server hold. */
  private pendingBytes = 0;
  /** Bytes of the arguments of commands prepared and not finished (an engine call still holds them). */
  private runningBytes = 0;
  private current: Slot | null = null;
  private flushQueued = false;
  /** The bulk gate has room again: try the large command that waits for it. */
  private readonly gateOpened = () => this.resume();
  /** The size of the last engine reply to each command name: what the next such command may bring back (bulk gate). */
  private readonly lastReplyBytes = new Map<string, number>();
  /** No more input will be read (QUIT, protocol error, client closed its side, shutdown). */
  private inputDone = false;
  private closed = false;
  /** The server is shutting down. */
  private stopping = false;
  /** Some input has come (the first chunk is where a TLS handshake on the plain port shows). */
  private readAny = false;

  constructor(
    readonly id: number,
    private readonly socket: Socket,
    private readonly server: ServerState,
    private readonly hooks: ConnectionHooks,
  ) {
    this.principal = server.access.required ? null : OPEN_ACCESS;
    this.remoteAddress = socket.remoteAddress ?? "unknown";
    if (!this.principal) this.authTicket = hooks.authGate?.admit(() => this.authDeadlinePassed()) ?? null;
    this.output = new ReplyOutput(socket, () => this.resume());
    this.flow = new ReadFlow(socket, hooks.budget, this, hooks.maxPendingBytes, () => this.resume());
    this.addr = `${socket.remoteAddress}:${socket.remotePort}`;
    this.laddr = `${socket.localAddress}:${socket.localPort}`;
    this.transaction = new Transaction({ maxCommands: MAX_PENDING_PER_CONNECTION, maxBytes: hooks.maxPendingBytes });
    this.parser = new RespParser(hooks.limits, {
      command: (args) => {
        if (isHttpRequest(args[0])) return this.httpRequest();
        let bytes = 0;
        for (const a of args) bytes += a.length;
        this.push(commandSlot(args, bytes));
      },
      refused: (e) => this.push(replySlot(error(e.respError), false, true)),
      fatal: (message) => {
        this.push(replySlot(error(`ERR ${message}`), true));
        this.endInput();
      },
    });
    socket.setNoDelay(true);
    if (hooks.idleTimeoutMs > 0) socket.setTimeout(hooks.idleTimeoutMs);
    socket.on("data", (chunk: Buffer) => this.onData(chunk));
    socket.on("end", () => this.onEnd());
    socket.on("drain", () => this.resume());
    socket.on("timeout", () => this.onIdle());
    socket.on("error", () => {}); // ECONNRESET and the like: 'close' follows
    socket.on("close", () => this.onClose());
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  get blocked(): boolean {
    return this.waiting > 0;
  }

  get user(): Principal | null {
    return this.principal;
  }

  /** AUTH and HELLO set it (a SIGHUP that removes the user, null): once set, the AUTH deadline no longer applies. */
  set user(who: Principal | null) {
    this.principal = who;
    if (who) {
      this.authTicket?.done();
      this.authTicket = null;
    }
  }

  /** How long this connection's replies have waited with too few of their bytes taken to count as read (0: none wait). */
  stalledMs(now: number): number {
    return this.output.stalledMs(now);
  }

  /**
   * Cut a client that holds more than its share and reads none of its replies: the messages
   * reserved for replies it may not have read go back to ready now, their receive counts undone.
   */
  cutForNotReading(): void {
    this.output.giveBackUnread();
    this.socket.destroy();
  }

  closeAfterReply(): void {
    // Only during prepare(), whose slot is slots[next]: what was read after it is not run.
    if (!this.current) return;
    this.current.last = true;
    for (let i = this.next + 1; i < this.slots.length; i++) this.pendingBytes -= this.slots[i]!.bytes;
    this.slots.length = this.next + 1;
    this.endInput();
  }

  /** Server shutdown: read nothing more, end waits (they answer nil), answer the rest, then close. */
  shutdown(): void {
    this.stopping = true;
    this.endInput();
    this.controller.abort();
    this.maybeEnd();
  }

  /** Cut the connection now (shutdown grace period over). */
  destroy(): void {
    this.socket.destroy();
  }

  /** No AUTH in time: say so, run nothing more, close. */
  private authDeadlinePassed(): void {
    if (this.closed || this.principal) return;
    for (let i = this.next; i < this.slots.length; i++) this.pendingBytes -= this.slots[i]!.bytes;
    this.slots.length = this.next;
    this.endInput();
    // After the replies already due (to PING, HELLO…), then the connection closes.
    this.push(replySlot(error(authTimedOut(this.hooks.authGate!.timeoutMs)), true), true);
    this.flush();
  }

  // ---- input ---------------------------------------------------------------------------------

  private onData(chunk: Buffer): void {
    if (this.inputDone) return;
    if (!this.readAny) {
      this.readAny = true;
      if (!this.hooks.tls && isTlsHandshake(chunk)) {
        this.inputDone = true;
        return this.closeSoon();
      }
    }
    this.flow.read(chunk.length);
    this.parser.feed(chunk);
    this.pump();
    this.flush();
  }

  /** The client closed its side: nothing more comes, so nothing may wait for it any more. */
  private onEnd(): void {
    this.endInput();
    this.controller.abort();
    this.maybeEnd();
  }

  /** Read no more commands; those already read are still answered. */
  private endInput(): void {
    this.inputDone = true;
  }

  /**
   * An HTTP request (cross-protocol.ts): read and run nothing more, and close without a reply once
   * the replies to the commands before it (if any) are out; a connection that is nothing but the
   * request closes at once.
   */
  private httpRequest(): void {
    this.push(replySlot(Buffer.alloc(0), true));
    this.endInput();
  }

  private push(slot: Slot, evenAfterInput = false): void {
    if (this.inputDone && !evenAfterInput) return;
    this.pendingBytes += slot.bytes;
    this.slots.push(slot);
  }

  // ---- running ---------------------------------------------------------------------------------

  /** Prepare and start what the rule allows, in order. */
  private pump(): void {
    while (this.next < this.slots.length && !this.closed && !this.barrier) {
      // A client that does not take its replies gets no more run for it: each reply would stay here.
      if (this.outputFull()) break;
      const slot = this.slots[this.next]!;
      if (slot.reply === null && slot.deferred === null) this.prepare(slot);
      if (slot.reply !== null) {
        if (slot.refused) this.transaction.refused(); // in order: a MULTI before it must abort
        this.next++;
        continue;
      }
      const d = slot.deferred!;
      if (this.running > 0) {
        // runningBytes already counts this slot (prepare() added it): what runs is the rest.
        const joins =
          d.mode === "overlap" &&
          this.runningName === slot.name &&
          this.running < MAX_RUNNING_PER_CONNECTION &&
          this.runningBytes - slot.bytes < MAX_RUNNING_BYTES_PER_CONNECTION;
        if (!joins) break;
      }
      // Large: its arguments, or (for a command that does not wait) the reply it may bring, taken
      // to be as large as the last reply to a command of its name on this connection (a worker
      // receiving 1 MiB bodies, whatever it does in between; its DELETEs are not held for it), at
      // most the whole gate. A command that waits (RECEIVE … WAIT) is never held here, nor holds
      // the gate while it waits.
      const gate = this.hooks.bulkGate;
      const replyGuess = Math.min(this.lastReplyBytes.get(slot.name) ?? 0, gate.limit);
      const gateBytes = d.waits ? 0 : Math.max(slot.bytes, replyGuess);
      if (gate.isLarge(gateBytes)) {
        if (!gate.enter(gateBytes, this.gateOpened)) break;
        slot.gated = gateBytes;
      }
      this.next++;
      this.start(slot, d);
    }
    // What waits for its turn may wait long (behind a RECEIVE that waits, or unread replies).
    for (let i = Math.max(this.next, Math.min(this.ownedFrom, this.slots.length)); i < this.slots.length; i++) ownBytes(this.slots[i]!);
    this.ownedFrom = this.slots.length;
    this.updateReading();
  }

  /** Look the command up and run its handler: a reply now, or a Deferred engine call. */
  private prepare(slot: Slot): void {
    const args = slot.args!;
    slot.args = null;
    this.pendingBytes -= slot.bytes;
    this.current = slot;
    this.server.counters.commandsProcessed++;
    this.lastCommandAt = Date.now();
    let checked = false;
    try {
      const spec = lookup(args[0]!);
      if (!spec) throw new CommandError(unknownCommand(args));
      this.lastCommand = spec.name.toLowerCase();
      checkStillCurrent(this, this.server);
      if (!this.user && !spec.noAuth) throw notAuthenticated();
      if (spec.arity > 0 ? args.length !== spec.arity : args.length < -spec.arity) throw new CommandError(wrongArity(spec.name));
      if (this.user) checkGrant(spec, args, this.user);
      checked = true;
      const queuedBefore = this.transaction.heldBytes;
      const out = this.transaction.intercept(spec, args) ?? spec.handler(args, this, this.server);
      if (Buffer.isBuffer(out)) slot.reply = out;
      else {
        slot.deferred = out;
        slot.name = spec.name;
        // EXEC takes MULTI's queue with it: those arguments are held until it is done.
        slot.bytes += Math.max(0, queuedBefore - this.transaction.heldBytes);
        this.runningBytes += slot.bytes;
      }
    } catch (e) {
      if (!checked) this.transaction.refused(); // inside MULTI, EXEC will answer EXECABORT
      slot.reply = errorReply(e);
    } finally {
      this.current = null;
      if (this.protocol === 3) slot.resp3 = true;
    }
  }

  private start(slot: Slot, d: Deferred): void {
    this.running++;
    this.runningName = d.mode === "overlap" ? slot.name : null;
    if (d.waits) this.waiting++;
    if (d.barrier) this.barrier = true;
    let p: Promise<Encoded>;
    try {
      p = d.run();
    } catch (e) {
      p = Promise.reject(e);
    }
    p.then(
      (reply) => this.finish(slot, d, reply),
      (e: unknown) => this.finish(slot, d, errorReply(e)),
    );
  }

  private finish(slot: Slot, d: Deferred, reply: Encoded): void {
    if (slot.gated) this.hooks.bulkGate.leave(slot.gated);
    this.lastReplyBytes.set(slot.name, reply.length);
    this.running--;
    this.runningBytes -= slot.bytes;
    if (d.waits) this.waiting--;
    if (this.running === 0) this.runningName = null;
    if (d.barrier) {
      this.barrier = false;
      // HELLO … AUTH switched the protocol (or not) only now: its reply is written in the new one.
      slot.resp3 = this.protocol === 3 ? true : undefined;
    }
    if (this.closed) {
      d.dropped?.(); // the client left while this ran: nobody will read the reply
      return;
    }
    slot.reply = reply;
    // Engine replies of one script call resolve together: one flush for all of them.
    if (!this.flushQueued) {
      this.flushQueued = true;
      queueMicrotask(() => {
        this.flushQueued = false;
        this.pump();
        this.flush();
      });
    }
  }

  // ---- output ----------------------------------------------------------------------------------

  /** Write every reply that is next in order. */
  private flush(): void {
    if (this.closed || this.socket.writableEnded) return;
    const out: Buffer[] = [];
    const giveBacks: Array<() => void> = [];
    let last = false;
    while (this.head < this.slots.length) {
      const slot = this.slots[this.head]!;
      if (slot.reply === null) break;
      out.push(slot.resp3 ? forProtocol(slot.reply, 3) : slot.reply);
      if (slot.deferred?.dropped) giveBacks.push(slot.deferred.dropped);
      slot.deferred = null;
      this.slots[this.head] = undefined as never; // let the reply go once written
      this.head++;
      if (slot.last) {
        last = true;
        break;
      }
    }
    if (this.head > 1024 && this.head * 2 > this.slots.length) {
      this.slots = this.slots.slice(this.head);
      this.next -= this.head;
      this.ownedFrom = Math.max(0, this.ownedFrom - this.head);
      this.head = 0;
    }
    if (out.length > 0) this.output.write(out, giveBacks);
    if (last) {
      this.slots.length = this.head;
      this.next = this.head;
      this.pendingBytes = 0;
      this.inputDone = true;
      this.closeSoon();
      return;
    }
    this.maybeEnd();
    this.updateReading();
  }

  /** After the input ended: close once every reply is out. */
  private maybeEnd(): void {
    if (this.inputDone && !this.closed && this.running === 0 && this.head >= this.slots.length && !this.socket.writableEnded) {
      // Normally the client closes its side once it has read everything. A shutting-down server
      // does not wait for an idle client (say, an interactive redis-cli) to notice: a moment after
      // the last reply is out, it closes the connection itself.
      if (this.stopping) this.closeSoon();
      else this.socket.end();
    }
  }

  /**
   * Close from the server's side (QUIT, a protocol error, shutdown): the replies written so far go
   * out, and a moment later the socket is destroyed whether or not the client has closed its side
   * (with allowHalfOpen, end() alone would keep the socket, and its connection slot, until it does).
   * The delay keeps a reset from overtaking the last reply; a client that does not even read its
   * replies is cut after CLOSE_DEADLINE_MS.
   */
  private closeSoon(): void {
    // Reading may be paused for flow control: let the client's unread input drain (it is discarded,
    // inputDone is set), or destroy() would answer it with a reset.
    this.flow.release();
    this.socket.end(() => setTimeout(() => this.socket.destroy(), 200).unref());
    setTimeout(() => this.socket.destroy(), CLOSE_DEADLINE_MS).unref();
  }

  /** The client took replies, or the budget has room again: run and answer what may go now. */
  private resume(): void {
    this.pump();
    this.flush();
  }

  /**
   * Too many reply bytes wait for the client, or some do and it holds its share of a full budget.
   * (Commands read ahead alone do not stop it: running them is what frees their bytes.)
   */
  private outputFull(): boolean {
    return this.socket.writableLength >= MAX_UNSENT_REPLY_BYTES || (this.output.unsent > 0 && this.hooks.budget.mustWait(this));
  }

  /** Count what this connection holds against the budget, and pause or resume reading for it (read-flow.ts). */
  private updateReading(): void {
    if (this.closed) return;
    const held = this.pendingBytes + this.runningBytes + this.transaction.heldBytes + this.parser.bufferedBytes + this.output.unsent;
    this.hooks.budget.set(this, held);
    if (!this.inputDone) this.flow.update({ commands: this.slots.length - this.head, commandBytes: this.pendingBytes });
  }

  private onIdle(): void {
    // Only a connection with nothing to do is idle; one waiting in RECEIVE (or TAKE, WAIT) is not.
    if (this.running === 0 && this.head >= this.slots.length) this.socket.destroy();
  }

  private onClose(): void {
    if (this.closed) return;
    this.closed = true;
    this.inputDone = true;
    this.hooks.bulkGate.forget(this.gateOpened);
    this.controller.abort();
    // Replies that were ready but not written (behind one still running): undo what they took.
    for (let i = this.head; i < this.slots.length; i++) {
      const slot = this.slots[i]!;
      if (slot.reply !== null) slot.deferred?.dropped?.();
    }
    this.slots = [];
    this.head = this.next = 0;
    this.pendingBytes = 0;
    this.output.forgetAll();
    this.hooks.budget.set(this, 0);
    this.flow.stop();
    this.authTicket?.done();
    this.hooks.onClose(this);
  }
}
