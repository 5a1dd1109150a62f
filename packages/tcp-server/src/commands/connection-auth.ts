// The handlers of the connection commands: PING, ECHO, AUTH, QUIT, SELECT, CLIENT, answered at once
// by the server without the engine, as Redis answers them, so that redis-cli and the client
// libraries connect with their default options. Also the password check and the client name rule,
// which HELLO (introspection.ts) uses too. Their rows (arity, docs) are in table.ts.
import { administersAll } from "@tinyqs/core/security";
import { OK, PONG, array, bulk, integer, simple, type Encoded } from "../resp/encoder.js";
import { CommandError, REDIS_ERRORS, unknownSubcommand, wrongArity } from "./redis-errors.js";
import type { ClientState, Handler, ServerState } from "./types.js";

export const CONNECTION_AUTH = {
  PING(args) {
    if (args.length > 2) throw new CommandError(wrongArity("ping"));
    return args.length === 2 ? bulk(args[1]!) : PONG;
  },

  ECHO: (args) => bulk(args[1]!),

  AUTH(args, client, server) {
    if (args.length > 3) throw new CommandError(REDIS_ERRORS.syntax);
    const login = authenticate(args.length === 3 ? args[1]! : null, args[args.length - 1]!, client, server);
    return { mode: "alone", barrier: true, run: async () => (await login(), OK) };
  },

  QUIT(_args, client) {
    client.closeAfterReply();
    return OK;
  },

  SELECT(args) {
    if (args[1]!.toString("latin1") !== "0") throw new CommandError(REDIS_ERRORS.badDb);
    return OK;
  },

  CLIENT: clientCommand,
} satisfies Record<string, Handler>;

/**
 * AUTH's and HELLO's check, as Redis 6 ACLs have it: `AUTH user pass` (a user of --users, or
 * `default` for --password), `AUTH pass` for the user `default`. Refused at once on a server with
 * no credentials; otherwise the check (scrypt, off the event loop; rate-limited per address) runs
 * when the returned function is called, and a failed one leaves the connection as it was.
 */
export function authenticate(username: Buffer | null, password: Buffer, client: ClientState, server: ServerState): () => Promise<void> {
  if (!server.access.required) throw new CommandError(REDIS_ERRORS.noPassword);
  return async () => {
    const result = await server.access.login(username === null ? null : username.toString("utf8"), password, client.remoteAddress);
    if (!result.ok) throw new CommandError(REDIS_ERRORS.wrongPass);
    client.user = result.principal;
  };
}

/** CLIENT SETNAME's and HELLO SETNAME's rule: printable ASCII without spaces; empty clears the name. */
export function setName(client: ClientState, raw: Buffer): void {
  for (const b of raw) if (b < 0x21 || b > 0x7e) throw new CommandError(REDIS_ERRORS.badClientName);
  client.name = raw.length === 0 ? null : raw.toString("latin1");
}

// ---- CLIENT -----------------------------------------------------------------------------------

/** CLIENT INFO's and CLIENT LIST's line for one connection, in Redis's `field=value` form. */
/**
 * One connection as Redis 7 describes it, every field in Redis's order: client libraries parse the
 * line field by field (redis-py's client_info() reads tot-mem, qbuf … as integers and fails on a
 * missing one; node-redis turns each into a number). Fields tinyqs has no meaning for carry Redis's
 * value for an idle plain connection (no subscriptions, no MULTI, nothing buffered worth counting).
 */
function clientLine(c: ClientState): string {
  const now = Date.now();
  const age = Math.floor((now - c.createdAt) / 1000);
  const idle = Math.floor((now - c.lastCommandAt) / 1000);
  return (
    `id=${c.id} addr=${c.addr} laddr=${c.laddr} fd=-1 name=${c.name ?? ""} age=${age} idle=${idle} flags=N db=0 ` +
    "sub=0 psub=0 ssub=0 multi=-1 qbuf=0 qbuf-free=0 argv-mem=0 multi-mem=0 rbs=0 rbp=0 obl=0 oll=0 omem=0 tot-mem=0 events=r " +
    `cmd=${c.lastCommand} user=${c.user?.name ?? "default"} redir=-1 resp=${c.protocol} lib-name=${c.libName ?? ""} lib-ver=${c.libVer ?? ""}`
  );
}

const CLIENT_HELP = [
  "CLIENT <subcommand> [<arg> ...]. Subcommands are:",
  "ID",
  "    Return the ID of the current connection.",
  "GETNAME",
  "    Return the name of the current connection.",
  "SETNAME <name>",
  "    Assign the name <name> to the current connection.",
  "SETINFO <LIB-NAME|LIB-VER> <value>",
  "    Set client library name or version.",
  "INFO",
  "    Return information about the current client connection.",
  "LIST",
  "    Return information about client connections.",
  "HELP",
  "    Print this help.",
];

/** CLIENT SETINFO LIB-NAME|LIB-VER value: what the client library says it is (CLIENT LIST shows it). */
function setInfo(client: ClientState, attrRaw: Buffer, valueRaw: Buffer): Encoded {
  const attr = attrRaw.toString("latin1").toUpperCase();
  const value = valueRaw.toString("latin1");
  if (/[^\x21-\x7e]/.test(value)) throw new CommandError(`ERR ${attr} cannot contain spaces, newlines or special characters.`);
  if (attr === "LIB-NAME") client.libName = value;
  else if (attr === "LIB-VER") client.libVer = value;
  else throw new CommandError(`ERR Unrecognized option '${attrRaw.toString("latin1").slice(0, 64)}'`);
  return OK;
}

/** Each subcommand of CLIENT: the argument count it takes (the name included), and its answer. */
const CLIENT_SUBCOMMANDS: Record<string, { n?: number; run: (args: Buffer[], client: ClientState, server: ServerState) => Encoded }> = {
  ID: { n: 2, run: (_args, client) => integer(client.id) },
  GETNAME: { n: 2, run: (_args, client) => bulk(client.name) },
  SETNAME: {
    n: 3,
    run: (args, client) => {
      setName(client, args[2]!);
      return OK;
    },
  },
  SETINFO: { n: 4, run: (args, client) => setInfo(client, args[2]!, args[3]!) },
  INFO: { n: 2, run: (_args, client) => bulk(clientLine(client) + "\n") },
  // Every connection's address, user and last command: shown whole only to a user who administers
  // every queue (a `*` grant, as without --users); any other user sees its own connection.
  LIST: {
    n: 2,
    run: (_args, client, server) => {
      const all = client.user !== null && administersAll(client.user.grants);
      return bulk([...(all ? server.clients() : [client])].map((c) => clientLine(c) + "\n").join(""));
    },
  },
  HELP: { run: () => array(CLIENT_HELP.map(simple)) },
};

function clientCommand(args: Buffer[], client: ClientState, server: ServerState): Encoded {
  const sub = args[1]!.toString("latin1").toUpperCase();
  const spec = Object.hasOwn(CLIENT_SUBCOMMANDS, sub) ? CLIENT_SUBCOMMANDS[sub]! : undefined;
  if (!spec) throw unknownSubcommand(args[1]!, "CLIENT");
  if (spec.n !== undefined && args.length !== spec.n) throw new CommandError(wrongArity(`client|${sub}`));
  return spec.run(args, client, server);
}
