// A connection's way out: replies written to the socket, how many of their bytes the operating
// system has taken (a write's callback runs once it has), whether the client is taking any, and the
// ledger of messages reserved for replies it may not have read.
//
// Why the ledger: a server that cuts a client for not reading its replies (connection.ts,
// server.ts) gives back at once, their receive counts undone, the messages of every RECEIVE/TAKE
// reply the client cannot have read. A reply still in this process was surely not read. One the
// system took may sit unread in the socket buffers of both ends, but those hold at most
// KERNEL_WINDOW_BYTES: once the system has taken that many bytes more after a reply, the client
// must have read it (bytes are read in order), and its entry is retired as delivered. So a cut
// gives back only what may be unread, and at worst (a kernel window over-estimated) a message the
// client did read is delivered again, as at-least-once allows. Entries hold receipts, not bodies.
import { readFileSync } from "node:fs";
import type { Socket } from "node:net";
import { SLOW_READER_PROGRESS_BYTES } from "@tinyqs/core";
import { MAX_UNREAD_RESERVATIONS } from "./defaults.js";

/**
 * The most bytes the socket buffers of both ends can hold: the largest send buffer plus the largest
 * receive buffer Linux may grow a TCP socket to (tcp_wmem's and tcp_rmem's last fields), 16 MiB
 * where that cannot be read.
 */
export const KERNEL_WINDOW_BYTES: number = (() => {
  try {
    const last = (f: string) => Number(readFileSync(f, "utf8").trim().split(/\s+/).pop());
    const n = last("/proc/sys/net/ipv4/tcp_wmem") + last("/proc/sys/net/ipv4/tcp_rmem");
    return Number.isSafeInteger(n) && n > 0 ? n : 16 * 1024 * 1024;
  } catch {
    return 16 * 1024 * 1024;
  }
})();

/** A reply this large is written as it is, not copied together with the others of its flush. */
const WRITE_AS_IS_BYTES = 64 * 1024;

interface Unread {
  /** Where the reply ends in the stream of bytes written. */
  end: number;
  giveBack: () => void;
}

export class ReplyOutput {
  /** Bytes passed to socket.write(). */
  private written = 0;
  /** Bytes the operating system has taken. */
  private taken = 0;
  /** When the output was last empty, or the system had taken SLOW_READER_PROGRESS_BYTES more. */
  private progressAt = Date.now();
  /** `taken` then. */
  private takenAtProgress = 0;
  private unread: Unread[] = [];
  private unreadHead = 0;

  constructor(
    private readonly socket: Socket,
    /** The system took bytes: what the connection holds went down. */
    private readonly onProgress: () => void,
  ) {}

  /** Reply bytes written and not yet taken by the system. */
  get unsent(): number {
    return this.written - this.taken;
  }

  /** How long replies have waited with too few of their bytes taken to count as read (0: nothing waits). */
  stalledMs(now: number): number {
    return this.unsent > 0 ? now - this.progressAt : 0;
  }

  /**
   * Write the replies of one flush, in order; `giveBacks` are the reservations of the RECEIVE/TAKE
   * replies among them. They go out in one writev: small replies copied together into one buffer,
   * a large one (a message body) as it is, since a copy of it would be as much again held while it
   * waits in the socket, and garbage after.
   */
  write(replies: readonly Buffer[], giveBacks: ReadonlyArray<() => void>): void {
    if (this.unsent === 0) this.progressed();
    let total = 0;
    for (const r of replies) total += r.length;
    this.written += total;
    for (const giveBack of giveBacks) this.remember(giveBack);
    const corked = replies.length > 1;
    if (corked) this.socket.cork();
    let small: Buffer[] = [];
    let smallBytes = 0;
    const writeSmall = () => {
      if (small.length === 0) return;
      this.send(small.length === 1 ? small[0]! : Buffer.concat(small, smallBytes));
      small = [];
      smallBytes = 0;
    };
    for (const r of replies) {
      if (r.length >= WRITE_AS_IS_BYTES) {
        writeSmall();
        this.send(r);
      } else {
        small.push(r);
        smallBytes += r.length;
      }
    }
    writeSmall();
    if (corked) this.socket.uncork();
  }

  private send(bytes: Buffer): void {
    const len = bytes.length;
    this.socket.write(bytes, () => this.took(len));
  }

  /** The client is cut for not reading: every reservation it may not have read goes back now. */
  giveBackUnread(): void {
    const list = this.unread.slice(this.unreadHead);
    this.forgetAll();
    for (const u of list) u.giveBack();
  }

  /** The connection closed otherwise: what was written counts as delivered, as it always has. */
  forgetAll(): void {
    this.unread = [];
    this.unreadHead = 0;
  }

  private remember(giveBack: () => void): void {
    this.unread.push({ end: this.written, giveBack });
    // Bounded: the oldest counts as delivered (it comes back at its lease's end if it was not).
    if (this.unread.length - this.unreadHead > MAX_UNREAD_RESERVATIONS) this.unreadHead++;
    this.compact();
  }

  private took(len: number): void {
    this.taken += len;
    if (this.unsent === 0 || this.taken - this.takenAtProgress >= SLOW_READER_PROGRESS_BYTES) this.progressed();
    while (this.unreadHead < this.unread.length && this.unread[this.unreadHead]!.end + KERNEL_WINDOW_BYTES <= this.taken) this.unreadHead++;
    this.compact();
    this.onProgress();
  }

  private progressed(): void {
    this.progressAt = Date.now();
    this.takenAtProgress = this.taken;
  }

  private compact(): void {
    if (this.unreadHead > 256 && this.unreadHead * 2 > this.unread.length) {
      this.unread = this.unread.slice(this.unreadHead);
      this.unreadHead = 0;
    }
  }
}
