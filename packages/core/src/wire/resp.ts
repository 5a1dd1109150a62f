// The RESP side of tinyqs-tcp's errors and replies that the client reads back: error lines (the
// engine's codes by their RESP word from core's ERRORS table, and the few errors tinyqs-tcp says in
// Redis's own words, because redis-cli and Redis client libraries match on them), and a QCONFIG
// reply's settings, typed by core's settings table.
import { CONFIG_SETTINGS } from "../arguments.js";
import { ERRORS, TinyQSError, type ErrorCode } from "../errors.js";
import type { QueueConfig } from "../types.js";

/** The errors tinyqs-tcp words as Redis does (each line starts with Redis's error word). */
export const REDIS_ERRORS = {
  syntax: "ERR syntax error",
  wrongPass: "WRONGPASS invalid password",
  noPassword:
    "ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?",
  noProto: "NOPROTO unsupported protocol version",
  badProto: "ERR Protocol version is not an integer or out of range",
  maxClients: "ERR max number of clients reached",
  badDb: "ERR DB index is out of range",
  badClientName: "ERR Client names cannot contain spaces, newlines or special characters.",
} as const;

/** The start of every wrongArity() line. */
const WRONG_ARITY = "ERR wrong number of arguments for '";

/** A command given too few or too many arguments; for a subcommand too, named as Redis does: wrongArity("CLIENT|SETNAME"). */
export const wrongArity = (name: string): string => `${WRONG_ARITY}${name.toLowerCase()}' command`;

export function unknownCommand(args: readonly Buffer[]): string {
  let tail = "";
  for (const a of args.slice(1)) {
    if (tail.length > 128) break;
    tail += `'${a.toString("latin1").slice(0, 128)}' `;
  }
  return `ERR unknown command '${args[0]!.toString("latin1").slice(0, 128)}', with args beginning with: ${tail}`;
}

export const unknownSubcommand = (sub: Buffer, cmd: string): string =>
  `ERR unknown subcommand '${sub.toString("latin1").slice(0, 128)}'. Try ${cmd} HELP.`;

const BY_RESP = new Map<string, ErrorCode>(Object.entries(ERRORS).map(([code, e]) => [e.resp as string, code as ErrorCode]));

/**
 * An error line (without its leading '-') as a TinyQSError: an engine code by its RESP word, with
 * the message after it; WRONGPASS is UNAUTHORIZED, a syntax or arity error BAD_ARGUMENT (the
 * client's arguments were wrong); anything else INTERNAL, the whole line kept.
 */
export function errorFromResp(line: string, cause?: unknown): TinyQSError {
  const sp = line.indexOf(" ");
  const word = sp < 0 ? line : line.slice(0, sp);
  const rest = sp < 0 ? "" : line.slice(sp + 1);
  const code = BY_RESP.get(word);
  if (code) return new TinyQSError(code, rest || undefined, { cause });
  if (word === "WRONGPASS") return new TinyQSError("UNAUTHORIZED", rest || undefined, { cause });
  if (line === REDIS_ERRORS.syntax || line.startsWith(WRONG_ARITY)) return new TinyQSError("BAD_ARGUMENT", rest, { cause });
  return new TinyQSError("INTERNAL", line, { cause });
}

const NUMBER_SETTINGS: ReadonlySet<string> = new Set(CONFIG_SETTINGS.filter((s) => "min" in s).map((s) => s.name));

/** QCONFIG's reply, `name value …` as text: each setting a number or a string, as core's settings table says; paused 0 or 1. */
export function configFromPairs(pairs: readonly string[]): QueueConfig {
  const out: Record<string, number | string | boolean> = {};
  for (let i = 0; i + 1 < pairs.length; i += 2) {
    const name = pairs[i]!;
    out[name] = NUMBER_SETTINGS.has(name) ? Number(pairs[i + 1]) : pairs[i + 1]!;
  }
  out.paused = out.paused === "1";
  return out as unknown as QueueConfig;
}
