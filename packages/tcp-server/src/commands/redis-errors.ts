// Where a thrown error becomes an error reply (errorReply), and the errors said in Redis's own words.
// The engine's codes come from its one error table (TinyQSError.respError, `CODE message`); the
// Redis words below exist only where a Redis client expects them (redis-cli and the client libraries
// match on them: `ERR unknown command`, `ERR wrong number of arguments`, `NOAUTH`, `WRONGPASS`, …).
import { TinyQSError } from "@tinyqs/core";
import { error, type Encoded } from "../resp/encoder.js";

/** An error reply that is not an engine error: its line starts with Redis's word for it. */
export class CommandError extends Error {
  constructor(readonly line: string) {
    super(line);
  }
}

/** Not authenticated yet: the table's UNAUTHORIZED (RESP word NOAUTH), in the words Redis uses. */
export const notAuthenticated = () => new TinyQSError("UNAUTHORIZED", "Authentication required.");

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

export function unknownCommand(args: Buffer[]): string {
  let tail = "";
  for (const a of args.slice(1)) {
    if (tail.length > 128) break;
    tail += `'${a.toString("latin1").slice(0, 128)}' `;
  }
  return `ERR unknown command '${args[0]!.toString("latin1").slice(0, 128)}', with args beginning with: ${tail}`;
}

/** For a subcommand too, named as Redis does: wrongArity("CLIENT|SETNAME"). */
export const wrongArity = (name: string) => `ERR wrong number of arguments for '${name.toLowerCase()}' command`;

export const unknownSubcommand = (sub: Buffer, cmd: string) =>
  new CommandError(`ERR unknown subcommand '${sub.toString("latin1").slice(0, 128)}'. Try ${cmd} HELP.`);

/** The reply for anything a handler throws. */
export function errorReply(e: unknown): Encoded {
  if (e instanceof CommandError) return error(e.line);
  if (e instanceof TinyQSError) return error(e.respError);
  return error(new TinyQSError("INTERNAL", `${(e as Error)?.message ?? String(e)}`).respError);
}
