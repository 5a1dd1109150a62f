// The handlers that tell a client about the server: HELLO (the handshake), INFO (server facts) and
// COMMAND (the command table itself: COMMAND DOCS feeds redis-cli's hints and `help SEND`). Their
// rows (arity, docs) are in table.ts; COMMAND is given that table, which it describes.
import os from "node:os";
import { VERSION } from "../defaults.js";
import { NIL, array, bulk, bulkArray, flatMap, integer, simple, type Encoded } from "../resp/encoder.js";
import { commandName } from "./arguments.js";
import { authenticate, setName } from "./connection-auth.js";
import { CommandError, REDIS_ERRORS, notAuthenticated, unknownSubcommand } from "./redis-errors.js";
import type { ArgDoc, ClientState, CommandSpec, Handler, ServerState } from "./types.js";

export const INTROSPECTION = {
  HELLO(args, client, server) {
    let protocol = client.protocol;
    if (args.length >= 2) {
      const proto = args[1]!.toString("latin1");
      if (!/^\d{1,9}$/.test(proto)) throw new CommandError(REDIS_ERRORS.badProto);
      if (proto !== "2" && proto !== "3") throw new CommandError(REDIS_ERRORS.noProto);
      protocol = proto === "3" ? 3 : 2;
    }
    const { name, login } = helloOptions(args, client, server);
    const answer = () => {
      if (!client.user) throw notAuthenticated();
      if (name) setName(client, name);
      // Switched only once all is well; this reply is already written in the new protocol.
      client.protocol = protocol;
      return helloReply(client, protocol);
    };
    if (!login) return answer();
    return { mode: "alone", barrier: true, run: async () => (await login(), answer()) };
  },

  INFO: (args, _client, server) => bulk(infoText(server, args.slice(1).map((a) => a.toString("latin1").toLowerCase()))),
} satisfies Record<string, Handler>;

function helloReply(client: ClientState, protocol: 2 | 3): Encoded {
  return flatMap([
      ["server", bulk("tinyqs")],
      ["version", bulk(VERSION)],
      ["proto", integer(protocol)],
      ["id", integer(client.id)],
      ["mode", bulk("standalone")],
      ["role", bulk("master")],
      ["modules", array([])],
  ]);
}

/** HELLO's `AUTH user pass` (the check to run) and `SETNAME name` (set once all is well). */
function helloOptions(args: Buffer[], client: ClientState, server: ServerState): { name?: Buffer; login?: () => Promise<void> } {
  let name: Buffer | undefined;
  let login: (() => Promise<void>) | undefined;
  for (let i = 2; i < args.length; ) {
    const opt = args[i]!.toString("latin1").toUpperCase();
    if (opt === "AUTH" && i + 2 < args.length) {
      login = authenticate(args[i + 1]!, args[i + 2]!, client, server);
      i += 3;
    } else if (opt === "SETNAME" && i + 1 < args.length) {
      name = args[i + 1]!;
      i += 2;
    } else {
      throw new CommandError(REDIS_ERRORS.syntax);
    }
  }
  return { name, login };
}

// ---- INFO -------------------------------------------------------------------------------------

type InfoSection = [name: string, fields: Array<[string, string | number]>];

function infoSections(server: ServerState): InfoSection[] {
  const clients = [...server.clients()];
  const uptime = Math.floor((Date.now() - server.startedAt) / 1000);
  return [
    [
      "Server",
      [
        ["tinyqs_version", VERSION],
        // The Redis release whose connection commands this server answers like; some clients read it.
        ["redis_version", "7.0.0"],
        ["redis_mode", "standalone"],
        ["os", `${os.type()} ${os.release()} ${os.arch()}`],
        ["arch_bits", process.arch.endsWith("64") ? 64 : 32],
        ["process_id", process.pid],
        ["tcp_port", server.port ?? 0],
        ["uptime_in_seconds", uptime],
        ["uptime_in_days", Math.floor(uptime / 86400)],
        ["node_version", process.versions.node],
      ],
    ],
    [
      "Clients",
      [
        ["connected_clients", clients.length],
        ["blocked_clients", clients.filter((c) => c.blocked).length],
        ["maxclients", server.limits.maxConnections],
        // tinyqs's own: the bytes held for all clients now, and their budget (--max-buffered-bytes).
        ["tinyqs_buffered_bytes", server.buffered.used],
        ["tinyqs_max_buffered_bytes", server.buffered.limit],
      ],
    ],
    ["Persistence", [["loading", 0]]],
    [
      "Stats",
      [
        ["total_connections_received", server.counters.connectionsReceived],
        ["total_commands_processed", server.counters.commandsProcessed],
        ["rejected_connections", server.counters.rejectedConnections],
        ["tinyqs_slow_readers_cut", server.counters.slowReadersCut],
      ],
    ],
  ];
}

/** The sections asked for (lower case; none, `all`, `everything` or `default`: every one), as Redis writes them. */
function infoText(server: ServerState, wanted: string[]): string {
  const all = wanted.length === 0 || wanted.some((w) => w === "all" || w === "everything" || w === "default");
  return infoSections(server)
    .filter(([name]) => all || wanted.includes(name.toLowerCase()))
    .map(([name, fields]) => `# ${name}\r\n${fields.map(([k, v]) => `${k}:${v}\r\n`).join("")}`)
    .join("\r\n");
}

// ---- COMMAND ------------------------------------------------------------------------------------

/** COMMAND [COUNT | LIST | INFO name… | DOCS name… | HELP], about `commands` (the table, in its order). */
export function commandCommand(args: Buffer[], commands: readonly CommandSpec[]): Encoded {
  if (args.length === 1) return array(commands.map(commandInfo));
  const sub = args[1]!.toString("latin1").toUpperCase();
  const named = args.slice(2).map((a) => {
    const name = commandName(a);
    return commands.find((c) => c.name === name);
  });
  switch (sub) {
    case "COUNT":
      return integer(commands.length);
    case "LIST":
      return bulkArray(commands.map((c) => c.name.toLowerCase()));
    case "INFO":
      return array(args.length === 2 ? commands.map(commandInfo) : named.map((c) => (c ? commandInfo(c) : NIL)));
    case "DOCS": {
      const which = args.length === 2 ? commands : named.filter((c): c is CommandSpec => !!c);
      return flatMap(which.map((c) => [c.name.toLowerCase(), commandDocs(c)]));
    }
    case "HELP":
      return array(["COMMAND [<subcommand>]", "COUNT", "LIST", "INFO [<command-name> ...]", "DOCS [<command-name> ...]", "HELP"].map(simple));
    default:
      throw unknownSubcommand(args[1]!, "COMMAND");
  }
}

/** COMMAND INFO's 10-element entry (Redis 7 layout); the queue name is the command's "key". */
function commandInfo(c: CommandSpec): Encoded {
  const keyed = c.args[0]?.type === "key";
  return array([
    bulk(c.name.toLowerCase()),
    integer(c.arity),
    array(c.flags.map(simple)),
    integer(keyed ? 1 : 0),
    integer(keyed ? 1 : 0),
    integer(keyed ? 1 : 0),
    array([simple(`@${c.group}`)]),
    array([]),
    array([]),
    array([]),
  ]);
}

function argDoc(a: ArgDoc): Encoded {
  const fields: Array<[string, Encoded]> = [
    ["name", bulk(a.name)],
    ["type", bulk(a.type)],
  ];
  if (a.token) fields.push(["token", bulk(a.token)]);
  const flags = [a.optional && "optional", a.multiple && "multiple"].filter((f): f is string => !!f);
  if (flags.length) fields.push(["flags", array(flags.map(simple))]); // redis-cli wants status strings here
  if (a.arguments) fields.push(["arguments", array(a.arguments.map(argDoc))]);
  return flatMap(fields);
}

function commandDocs(c: CommandSpec): Encoded {
  const fields: Array<[string, Encoded]> = [
    ["summary", bulk(c.summary)],
    ["since", bulk("0.1.0")],
    ["group", bulk(c.group)],
  ];
  if (c.args.length) fields.push(["arguments", array(c.args.map(argDoc))]);
  return flatMap(fields);
}
