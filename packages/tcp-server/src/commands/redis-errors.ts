// Where a thrown error becomes an error reply (errorReply), and the errors said in Redis's own words.
// The engine's codes come from its one error table (TinyQSError.respError, `CODE message`); the
// Redis words below exist only where a Redis client expects them (redis-cli and the client libraries
// match on them: `ERR unknown command`, `ERR wrong number of arguments`, `NOAUTH`, `WRONGPASS`, …).
import { TinyQSError } from "@tinyqs/core";
import { unknownSubcommand as subcommandLine } from "@tinyqs/core/wire";
import { error, type Encoded } from "../resp/encoder.js";

/** An error reply that is not an engine error: its line starts with Redis's word for it. */
export class CommandError extends Error {
  constructor(readonly line: string) {
    super(line);
  }
}

/** Not authenticated yet: the table's UNAUTHORIZED (RESP word NOAUTH), in the words Redis uses. */
export const notAuthenticated = () => new TinyQSError("UNAUTHORIZED", "Authentication required.");

/** No AUTH within the deadline (--auth-timeout-ms): the line sent before the server closes. */
export const authTimedOut = (ms: number) =>
  new TinyQSError("UNAUTHORIZED", `Authentication required: no AUTH within ${ms} ms, closing the connection`).respError;

/** A connection refused at accept: over --max-connections-per-address, or --max-pending-auth. */
export const tooManyConnections = (why: string) => new TinyQSError("TOO_MANY_CONNECTIONS", why).respError;

// The words themselves are core's (@tinyqs/core/wire), where the TCP client reads them back.
export { REDIS_ERRORS, unknownCommand, wrongArity } from "@tinyqs/core/wire";

export const unknownSubcommand = (sub: Buffer, cmd: string) => new CommandError(subcommandLine(sub, cmd));

/** The reply for anything a handler throws. */
export function errorReply(e: unknown): Encoded {
  if (e instanceof CommandError) return error(e.line);
  if (e instanceof TinyQSError) return error(e.respError);
  return error(new TinyQSError("INTERNAL", `${(e as Error)?.message ?? String(e)}`).respError);
}
