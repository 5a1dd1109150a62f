// A streaming RESP2 request parser: feed it socket chunks as they come, it calls back once per
// complete command, in order. It reads both request forms Redis accepts:
//   multibulk  *<n>\r\n $<len>\r\n<bytes>\r\n …   (what every client library sends)
//   inline     PING\r\n, SEND q "hello world"\n    (typed into nc or telnet; quotes as in redis-cli)
//
// Limits are enforced before anything is buffered:
// - a bulk longer than maxBulkBytes is skipped byte by byte as it arrives (never stored) and the
//   command is refused with TOO_BIG; the connection stays usable;
// - a multibulk with more than maxArgs arguments is read and dropped, refused with BAD_ARGUMENT;
// - a multibulk whose arguments together pass maxCommandBytes is refused with TOO_BIG: what it had
//   is let go at once and the rest is skipped as it arrives;
// - an inline line (or a `*`/`$` header line) longer than maxInlineBytes is a protocol error.
// Malformed input is a protocol error: the parser reports it once and ignores everything after it,
// since there is no way to find the next command boundary again. The caller answers and closes.
import { TinyQSError } from "@tinyqs/core";

export interface ParserLimits {
  /** Largest bulk string (argument) accepted, in bytes. */
  maxBulkBytes: number;
  /** Most arguments in one command, the command name included. */
  maxArgs: number;
  /** Most bytes of all the arguments of one command together. */
  maxCommandBytes: number;
  /** Longest inline command line, and longest `*`/`$` header line, in bytes. */
  maxInlineBytes: number;
}

export interface ParserSink {
  /** A complete command: its arguments, the name first, as raw bytes. */
  command(args: Buffer[]): void;
  /** A complete command that was read but refused by a limit: answer with this error. */
  refused(error: TinyQSError): void;
  /** Malformed input (`Protocol error: …`); nothing more will be reported. */
  fatal(message: string): void;
}

const CR = 13;
const LF = 10;
const STAR = 42; // '*'
const DOLLAR = 36; // '$'

/** Below this, a partial bulk is re-concatenated with the next chunk; above, it is copied into a buffer of its own. */
const COLLECT_THRESHOLD = 64 * 1024;
/** Largest `*`/`$` number taken seriously (Redis caps bulks at 512 MB). */
const MAX_HEADER_NUMBER = 2 ** 31 - 1;

export class RespParser {
  private buf: Buffer | null = null;
  private pos = 0;
  private dead = false;

  // The multibulk being read: arguments so far (null while dropping a refused command).
  private args: Buffer[] | null = null;
  private argsLeft = 0;
  /** Bytes of the multibulk's arguments so far, bounded by maxCommandBytes. */
  private argsBytes = 0;
  private refusal: TinyQSError | null = null;
  /** Length of the bulk whose header was read and whose bytes are awaited; -1 = expect a header. */
  private bulkLen = -1;
  /** Bytes of an oversized bulk (plus its CRLF) still to be skipped. */
  private discard = 0;
  /**
   * A large bulk being read: allocated at its size once its first bytes are in, and each chunk
   * copied into it as it comes. So it is copied once, each chunk can go as soon as it is copied,
   * and the bulk holds its own bytes only (not the chunk or earlier buffer it started in, which a
   * bulk cut out of a concatenation kept alive after it was done).
   */
  private big: Buffer | null = null;
  /** Bytes of `big` filled so far. */
  private bigFilled = 0;
  /** Bytes of the arguments of the multibulk being read that are complete (held until it is). */
  private argsHeld = 0;

  constructor(
    private readonly limits: ParserLimits,
    private readonly sink: ParserSink,
  ) {}

  /**
   * Bytes held for the request being read (what the budget counts): its complete arguments, and
   * what has arrived of the rest. A large bulk counts the bytes received so far, not the size its
   * header announces: the pages of its buffer are only touched as they are filled, and a header
   * alone must not fill the server's budget (a few bytes from many connections would then stall
   * everyone else).
   */
  get bufferedBytes(): number {
    return this.argsHeld + (this.big ? this.bigFilled : this.buf ? this.buf.length - this.pos : 0);
  }

  /** Whether a protocol error was reported (the connection should close). */
  get failed(): boolean {
    return this.dead;
  }

  feed(chunk: Buffer): void {
    if (this.dead || chunk.length === 0) return;
    if (this.big) {
      const n = Math.min(chunk.length, this.big.length - this.bigFilled);
      chunk.copy(this.big, this.bigFilled, 0, n);
      this.bigFilled += n;
      if (this.bigFilled < this.big.length) return;
      this.bigDone();
      if (this.dead || n === chunk.length) return;
      this.buf = chunk.subarray(n);
      this.pos = 0;
    } else if (this.buf && this.pos < this.buf.length) {
      this.buf = Buffer.concat([this.buf.subarray(this.pos), chunk]);
      this.pos = 0;
    } else {
      this.buf = chunk;
      this.pos = 0;
    }
    this.run();
    if (this.buf && this.pos >= this.buf.length) {
      this.buf = null;
      this.pos = 0;
    }
  }

  private run(): void {
    const buf = this.buf!;
    while (!this.dead) {
      if (this.discard > 0) {
        const n = Math.min(this.discard, buf.length - this.pos);
        this.pos += n;
        this.discard -= n;
        if (this.discard > 0) return;
        this.argumentDone(null);
        continue;
      }
      if (this.bulkLen >= 0) {
        const need = this.bulkLen + 2;
        const have = buf.length - this.pos;
        if (have < need) {
          if (this.bulkLen >= COLLECT_THRESHOLD) {
            this.big = Buffer.allocUnsafe(need);
            this.bigFilled = buf.copy(this.big, 0, this.pos);
            this.buf = null;
            this.pos = 0;
          }
          return;
        }
        const end = this.pos + this.bulkLen;
        if (buf[end] !== CR || buf[end + 1] !== LF) return this.fail("expected '\\r\\n' after a bulk string");
        const arg = buf.subarray(this.pos, end);
        this.pos = end + 2;
        this.bulkLen = -1;
        this.argumentDone(arg);
        continue;
      }
      if (this.pos >= buf.length) return;
      if (this.argsLeft > 0) {
        // Inside a multibulk: the next thing is a bulk header.
        if (buf[this.pos] !== DOLLAR) {
          return this.fail(`expected '$', got '${printable(buf[this.pos]!)}'`);
        }
        const n = this.headerNumber(buf);
        if (n === null) return;
        if (n < 0) return this.fail("invalid bulk length");
        if (n > this.limits.maxBulkBytes) {
          this.refusal ??= new TinyQSError("TOO_BIG", `an argument is ${n} bytes; the limit is ${this.limits.maxBulkBytes}`);
          this.args = null; // refused: let go of what was read
          this.argsHeld = 0;
          this.discard = n + 2;
        } else if (this.refusal || (this.argsBytes += n) > this.limits.maxCommandBytes) {
          this.refusal ??= new TinyQSError("TOO_BIG", `the command's arguments pass ${this.limits.maxCommandBytes} bytes together`);
          this.args = null; // refused: let go of what was read
          this.argsHeld = 0;
          this.discard = n + 2;
        } else {
          this.bulkLen = n;
        }
        continue;
      }
      if (buf[this.pos] === STAR) {
        const n = this.headerNumber(buf);
        if (n === null) return;
        if (n <= 0) continue; // *0 and *-1: nothing to do, as in Redis
        this.argsLeft = n;
        this.argsBytes = 0;
        this.argsHeld = 0;
        if (n > this.limits.maxArgs) {
          this.args = null;
          this.refusal = new TinyQSError("BAD_ARGUMENT", `too many arguments (${n}); the limit is ${this.limits.maxArgs}`);
        } else {
          this.args = [];
          this.refusal = null;
        }
        continue;
      }
      if (!this.inline(buf)) return;
    }
  }

  /** The large bulk is all in (with its CRLF): it is the next argument. */
  private bigDone(): void {
    const big = this.big!;
    this.big = null;
    this.bigFilled = 0;
    const len = this.bulkLen;
    this.bulkLen = -1;
    if (big[len] !== CR || big[len + 1] !== LF) return this.fail("expected '\\r\\n' after a bulk string");
    this.argumentDone(big.subarray(0, len));
  }

  /** One bulk finished (null when it was skipped): add it, and complete the command on the last one. */
  private argumentDone(arg: Buffer | null): void {
    if (arg && this.args && !this.refusal) {
      this.args.push(arg);
      this.argsHeld += arg.length;
    }
    if (--this.argsLeft > 0) return;
    const { args, refusal } = this;
    this.args = null;
    this.argsHeld = 0;
    this.refusal = null;
    if (refusal) this.sink.refused(refusal);
    else this.sink.command(args!);
  }

  /**
   * Reads a `*<n>\r\n` or `$<n>\r\n` line at pos. Returns the number, or null when the line is not
   * complete yet (or was bad: then the parser is dead).
   */
  private headerNumber(buf: Buffer): number | null {
    const kind = buf[this.pos] === STAR ? "multibulk" : "bulk";
    const eol = buf.indexOf(LF, this.pos);
    if (eol < 0) {
      if (buf.length - this.pos > this.limits.maxInlineBytes) this.fail(`too big ${kind} count string`);
      return null;
    }
    if (eol - this.pos > this.limits.maxInlineBytes) {
      this.fail(`too big ${kind} count string`);
      return null;
    }
    let i = this.pos + 1;
    const end = buf[eol - 1] === CR ? eol - 1 : -1;
    if (end < 0) {
      this.fail(`invalid ${kind} length`);
      return null;
    }
    let negative = false;
    if (buf[i] === 45 /* - */) {
      negative = true;
      i++;
    }
    let n = 0;
    if (i >= end) n = NaN;
    for (; i < end; i++) {
      const d = buf[i]! - 48;
      if (d < 0 || d > 9 || n > MAX_HEADER_NUMBER) {
        n = NaN;
        break;
      }
      n = n * 10 + d;
    }
    if (Number.isNaN(n) || n > MAX_HEADER_NUMBER || (negative && n !== 1)) {
      this.fail(`invalid ${kind} length`);
      return null;
    }
    this.pos = eol + 1;
    return negative ? -1 : n;
  }

  /** An inline command line at pos. Returns false when more bytes are needed (or the parser died). */
  private inline(buf: Buffer): boolean {
    const eol = buf.indexOf(LF, this.pos);
    if (eol < 0) {
      if (buf.length - this.pos > this.limits.maxInlineBytes) this.fail("too big inline request");
      return false;
    }
    if (eol - this.pos > this.limits.maxInlineBytes) {
      this.fail("too big inline request");
      return false;
    }
    const line = buf.subarray(this.pos, eol > this.pos && buf[eol - 1] === CR ? eol - 1 : eol);
    this.pos = eol + 1;
    const args = splitInline(line);
    if (args === null) {
      this.fail("unbalanced quotes in request");
      return false;
    }
    if (args.length === 0) return true; // an empty line, as telnet users send: ignored
    if (args.length > this.limits.maxArgs) {
      this.sink.refused(new TinyQSError("BAD_ARGUMENT", `too many arguments (${args.length}); the limit is ${this.limits.maxArgs}`));
    } else {
      const big = args.find((a) => a.length > this.limits.maxBulkBytes);
      if (big) this.sink.refused(new TinyQSError("TOO_BIG", `an argument is ${big.length} bytes; the limit is ${this.limits.maxBulkBytes}`));
      else this.sink.command(args);
    }
    return true;
  }

  private fail(what: string): void {
    this.dead = true;
    this.buf = null;
    this.big = null;
    this.sink.fatal(`Protocol error: ${what}`);
  }
}

function printable(byte: number): string {
  return byte >= 32 && byte < 127 ? String.fromCharCode(byte) : `\\x${byte.toString(16).padStart(2, "0")}`;
}

const isSpace = (b: number | undefined) => b === 32 || (b !== undefined && b >= 9 && b <= 13);

function hexValue(b: number | undefined): number {
  if (b === undefined) return -1;
  if (b >= 48 && b <= 57) return b - 48;
  if (b >= 97 && b <= 102) return b - 87;
  if (b >= 65 && b <= 70) return b - 55;
  return -1;
}

const ESCAPES: Record<number, number> = { 110: LF, 114: CR, 116: 9, 98: 8, 97: 7 }; // \n \r \t \b \a

/**
 * Splits an inline line into arguments the way Redis (sdssplitargs) does: words separated by
 * whitespace; "double quotes" with \n \r \t \b \a \\ \" and \xHH escapes; 'single quotes' with \'.
 * A closing quote must be followed by whitespace or the end. Returns null for unbalanced quotes.
 */
export function splitInline(line: Buffer): Buffer[] | null {
  const out: Buffer[] = [];
  let i = 0;
  const n = line.length;
  for (;;) {
    while (i < n && isSpace(line[i])) i++;
    if (i >= n) return out;
    const quote = line[i] === 34 ? 34 : line[i] === 39 ? 39 : 0;
    if (quote === 0) {
      const start = i;
      while (i < n && !isSpace(line[i])) i++;
      out.push(line.subarray(start, i));
      continue;
    }
    i++;
    const bytes: number[] = [];
    for (;;) {
      if (i >= n) return null;
      const b = line[i]!;
      if (b === quote) {
        i++;
        if (i < n && !isSpace(line[i])) return null;
        break;
      }
      if (b === 92 /* \ */ && i + 1 < n) {
        const next = line[i + 1]!;
        if (quote === 34) {
          const h1 = hexValue(line[i + 2]);
          const h2 = hexValue(line[i + 3]);
          if (next === 120 /* x */ && h1 >= 0 && h2 >= 0) {
            bytes.push(h1 * 16 + h2);
            i += 4;
            continue;
          }
          bytes.push(ESCAPES[next] ?? next);
          i += 2;
          continue;
        }
        if (next === 39) {
          bytes.push(39);
          i += 2;
          continue;
        }
      }
      bytes.push(b);
      i++;
    }
    out.push(Buffer.from(bytes));
  }
}
