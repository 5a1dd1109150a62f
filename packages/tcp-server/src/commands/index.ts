// The commands, as the rest of the server uses them: the table and its lookup (connection.ts), the
// types a connection and the server implement, and the error replies they send themselves.
export { COMMANDS } from "./table.js";
export { checkGrant, checkStillCurrent } from "./permissions.js";
export { COMMANDS_BY_NAME, lookup } from "./lookup.js";
export { CommandError, REDIS_ERRORS, authTimedOut, errorReply, tooManyConnections, notAuthenticated, unknownCommand, wrongArity } from "./redis-errors.js";
export type { ArgDoc, ClientState, CommandSpec, Deferred, Handler, ServerState } from "./types.js";
