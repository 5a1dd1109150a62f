// The grant check of a queue command (--users): the row's `grant` (table.ts) on the queue the
// command names, checked against the connection's user at each command, so grants changed by a
// reload apply to open connections at once. The refusal is in Redis's words (NOPERM, as an ACL
// user's denied command), naming the verb and the queue.
import { TinyQSError, parseReplyHandle } from "@tinyqs/core";
import { PERMISSIONS, administersAny, can, mayRedriveInto, type Principal } from "@tinyqs/core/security";
import { options } from "./arguments.js";
import type { ClientState, CommandSpec, ServerState } from "./types.js";

/** The queue a command acts on, for its grant: its first argument, or a WAIT handle's queue. */
function queueOf(spec: CommandSpec, args: readonly Buffer[]): string | null {
  if (args.length < 2) return null;
  const first = args[1]!.toString("utf8");
  if (spec.name !== "WAIT") return first;
  try {
    return parseReplyHandle(first).queue;
  } catch {
    return null; // a bad handle: WAIT itself refuses it, with BAD_ARGUMENT
  }
}

/** Throws FORBIDDEN (-NOPERM) when `user` may not run this command. */
export function checkGrant(spec: CommandSpec, args: readonly Buffer[], user: Principal): void {
  if (!spec.grant) return;
  const verb = spec.name.toLowerCase();
  const queue = queueOf(spec, args);
  if (queue === null) {
    // QUEUES names no queue: it needs admin on some queue (it lists those). A bad WAIT handle
    // names none either: WAIT refuses it itself, with BAD_ARGUMENT.
    if (spec.name !== "QUEUES" || administersAny(user.grants)) return;
    throw new TinyQSError("FORBIDDEN", `this user has no permissions to run the '${verb}' command`);
  }
  // Reading a queue's settings (QCONFIG without changes) is open to every grant on it: a worker
  // needs its visibilityMs, a producer its maxMessageBytes. Changing them is admin.
  const reading = spec.name === "QCONFIG" && args.length === 2;
  if (reading ? !PERMISSIONS.some((p) => can(user, p, queue)) : !can(user, spec.grant, queue)) {
    throw new TinyQSError("FORBIDDEN", `this user has no permissions to run the '${verb}' command on queue '${queue.slice(0, 128)}'`);
  }
  // REDRIVE … TO q puts messages into q: the user needs send (or admin) there too, as over HTTP.
  const to = spec.name === "REDRIVE" ? redriveTarget(args) : null;
  if (to !== null && !mayRedriveInto(user, to)) {
    throw new TinyQSError("FORBIDDEN", `this user has no permissions to run the '${verb}' command into queue '${to.slice(0, 128)}' (it needs send or admin there)`);
  }
}

/** The queue after REDRIVE's TO token, read as REDRIVE reads it; none for a malformed command (REDRIVE refuses it itself). */
function redriveTarget(args: readonly Buffer[]): string | null {
  try {
    return options(args as Buffer[], 2, ["TO", "MAX"]).get("TO")?.toString("utf8") ?? null;
  } catch {
    return null;
  }
}

/**
 * A connection whose user was removed from the users file, or whose password changed, gets
 * NOAUTH and is closed after that reply. The reload cuts such connections itself; this catches a
 * command read in that same instant.
 */
export function checkStillCurrent(client: ClientState, server: ServerState): void {
  if (!client.user || server.access.isCurrent(client.user)) return;
  client.user = null;
  client.closeAfterReply();
  throw new TinyQSError("UNAUTHORIZED", "this user was removed or its password changed");
}
