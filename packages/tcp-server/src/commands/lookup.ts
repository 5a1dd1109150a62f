// Finding a command's row by the name a client sent (any case): what the connection does for every
// command it reads.
import { commandName } from "./arguments.js";
import { COMMANDS } from "./table.js";
import type { CommandSpec } from "./types.js";

export const COMMANDS_BY_NAME: ReadonlyMap<string, CommandSpec> = new Map(COMMANDS.map((c) => [c.name, c]));

/** The command spec for a name as sent (any case), or undefined. */
export function lookup(name: Buffer): CommandSpec | undefined {
  const upper = commandName(name);
  return upper === undefined ? undefined : COMMANDS_BY_NAME.get(upper);
}
