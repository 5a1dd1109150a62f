// Reading a command's arguments. The wire's own part is their shape: which keywords, in pairs, each
// once (else `ERR syntax error`, as Redis says it), and that a number is written as digits. What a
// number may be is core's: every range below is core's OPTION_RANGES entry for that engine option
// (test/arguments.test.ts holds the two together).
//
// The wire still refuses an out-of-range number itself, before the engine call, because its reply
// names the argument as the client wrote it (`WAIT must be an integer from 0 to 3600000, got "x"`,
// where the engine says `waitMs … got 5`) and comes before the engine's checks of the queue name and
// the receipt; leaving it to the engine would change those replies.
import { OPTION_RANGES, TinyQSError } from "@tinyqs/core";
import { CommandError, REDIS_ERRORS } from "./redis-errors.js";

/** An argument as text (queue names, receipts, handles). */
export const text = (b: Buffer) => b.toString("utf8");

/** An argument quoted for an error message, cut to 40 characters. */
export const shown = (b: Buffer) => JSON.stringify(b.toString("utf8").slice(0, 40));

/** A command name as looked up (upper case), or undefined when it is longer than any name can be. */
export const commandName = (raw: Buffer): string | undefined => (raw.length > 16 ? undefined : raw.toString("latin1").toUpperCase());

/** `KEYWORD value` pairs from args[from]: each keyword at most once, from `allowed`; else ERR syntax error. */
export function options(args: Buffer[], from: number, allowed: readonly Keyword[]): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  for (let i = from; i < args.length; i += 2) {
    const key = args[i]!.toString("latin1").toUpperCase();
    if (!allowed.includes(key as Keyword) || out.has(key) || i + 1 >= args.length) throw new CommandError(REDIS_ERRORS.syntax);
    out.set(key, args[i + 1]!);
  }
  return out;
}

export interface Range {
  readonly min: number;
  readonly max: number;
}

/** The keyword options that take a number, and core's range for the engine option each becomes. */
export const NUMBER_OPTIONS = {
  /** receiveBatch's max (core's checkMax). */
  COUNT: OPTION_RANGES.max,
  /** A long poll's waitMs (checkWaitMs). */
  WAIT: OPTION_RANGES.waitMs,
  /** A reservation's visibilityMs (checkVisibilityMs). */
  VISIBILITY: OPTION_RANGES.visibilityMs,
  /** A send's or release's delayMs (checkDelayMs). */
  DELAY: OPTION_RANGES.delayMs,
  /** The reply wait's timeoutMs (checkReplyTimeoutMs). */
  TIMEOUT: OPTION_RANGES.timeoutMs,
  /** browse's offset, limit and bodyBytes (checkBrowseOptions). */
  OFFSET: OPTION_RANGES.offset,
  LIMIT: OPTION_RANGES.limit,
  BODYBYTES: OPTION_RANGES.bodyBytes,
  /** redrive's max (checkRedriveOptions). */
  MAX: OPTION_RANGES.redriveMax,
} as const satisfies Record<string, Range>;

export type NumberOption = keyof typeof NUMBER_OPTIONS;
/** The keyword options: those that take a number, and two that take text, checked by core: SEND's DEDUP (checkDedupId), REDRIVE's TO (a queue name). */
export type Keyword = NumberOption | "DEDUP" | "TO";

/** The shape of a number on the wire: 1 to 16 decimal digits, no sign, no point; else NaN. */
function digits(raw: Buffer): number {
  const s = raw.toString("latin1");
  return /^\d{1,16}$/.test(s) ? Number(s) : NaN;
}

/** A number argument in core's `range`, or BAD_ARGUMENT naming it as the client wrote it. */
export function int(what: string, raw: Buffer, { min, max }: Range): number {
  const n = digits(raw);
  if (!(n >= min && n <= max)) throw new TinyQSError("BAD_ARGUMENT", `${what} must be an integer from ${min} to ${max}, got ${shown(raw)}`);
  return n;
}

/** The number given for `key` among the options read by options(), or undefined when not given. */
export function optInt(opts: Map<string, Buffer>, key: NumberOption): number | undefined {
  const raw = opts.get(key);
  return raw === undefined ? undefined : int(key, raw, NUMBER_OPTIONS[key]);
}
