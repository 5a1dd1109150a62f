// THE command table: one entry per command of docs/protocol.md, in the same order, with its arity,
// its documentation (served to redis-cli by COMMAND DOCS for its hints and `help`) and its handler.
// A test checks that this table and the doc name the same commands.
//
// A handler gets the arguments as raw bytes and either answers at once (an encoded reply, for the
// connection commands and for every argument error) or returns a Deferred: the engine call to make,
// and how it may run beside its neighbours on the same connection (see connection.ts):
//   "overlap"  consecutive commands of the same name start together (a pipeline of SENDs becomes one
//              script call in the engine); nothing of another kind starts until they are done;
//   "alone"    nothing else of this connection runs meanwhile (RECEIVE/PEEK/TAKE with WAIT, the reply
//              WAIT, QCONFIG, PURGE).
//
// Errors: the engine's codes come from its one table (TinyQSError.respError, `CODE message`); the
// Redis words below exist only where a Redis client expects them.
import os from "node:os";
import { CONFIG_SETTINGS, DEFAULTS as CORE_DEFAULTS, LIMITS, TinyQSError, checkIdOrReceipt, parseReplyHandle, type Message, type QueueConfig, type TinyQSApi } from "@tinyqs/core";
import { VERSION } from "./defaults.js";
import { NIL, OK, PONG, array, bulk, bulkArray, error, flatMap, integer, simple, type Encoded } from "./resp/encoder.js";

// ---- what a handler sees ----------------------------------------------------------------------

/** The server, as the commands see it. */
export interface ServerState {
  readonly engine: TinyQSApi;
  readonly limits: { readonly maxMessageBytes: number; readonly maxArgs: number; readonly maxConnections: number };
  readonly passwordRequired: boolean;
  /** Constant-time comparison with the configured password. */
  checkPassword(given: Buffer): boolean;
  readonly counters: { connectionsReceived: number; commandsProcessed: number; rejectedConnections: number };
  readonly startedAt: number;
  readonly port: number | null;
  clients(): Iterable<ClientState>;
}

/** One connection, as the commands see it. */
export interface ClientState {
  readonly id: number;
  readonly addr: string;
  readonly laddr: string;
  readonly createdAt: number;
  readonly lastCommandAt: number;
  readonly lastCommand: string;
  /** In a RECEIVE, PEEK, TAKE or WAIT that waits. */
  readonly blocked: boolean;
  name: string | null;
  libName: string | null;
  libVer: string | null;
  authenticated: boolean;
  /** Aborts when the client goes away or the server shuts down: waits end, nothing stays reserved. */
  readonly signal: AbortSignal;
  /** Close the connection once the reply to the current command is written (QUIT). */
  closeAfterReply(): void;
}

export interface Deferred {
  readonly mode: "overlap" | "alone";
  /** A RECEIVE/PEEK/TAKE/WAIT that may wait: the client counts as blocked meanwhile (INFO blocked_clients). */
  readonly waits?: boolean;
  run(): Promise<Encoded>;
  /** The reply was ready but the client left before it was written (RECEIVE and TAKE put their messages back). */
  dropped?(): void;
}

export type Handler = (args: Buffer[], client: ClientState, server: ServerState) => Encoded | Deferred;

/** An argument as documented by COMMAND DOCS (the shape redis-cli reads). */
export interface ArgDoc {
  name: string;
  type: "key" | "string" | "integer" | "pure-token" | "block" | "oneof";
  token?: string;
  optional?: boolean;
  multiple?: boolean;
  arguments?: ArgDoc[];
}

export interface CommandSpec {
  name: string;
  /** Redis's convention, the name included: n = exactly n arguments, -n = at least n. */
  arity: number;
  summary: string;
  group: "connection" | "server" | "queue";
  args: ArgDoc[];
  /** Allowed before AUTH when a password is set. */
  noAuth?: boolean;
  /** Flags for COMMAND INFO. */
  flags: string[];
  handler: Handler;
}

// ---- errors in Redis's words ------------------------------------------------------------------

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

export const wrongArity = (name: string) => `ERR wrong number of arguments for '${name.toLowerCase()}' command`;

const unknownSubcommand = (sub: Buffer, cmd: string) =>
  new CommandError(`ERR unknown subcommand '${sub.toString("latin1").slice(0, 128)}'. Try ${cmd} HELP.`);

/** The reply for anything a handler throws. */
export function errorReply(e: unknown): Encoded {
  if (e instanceof CommandError) return error(e.line);
  if (e instanceof TinyQSError) return error(e.respError);
  return error(new TinyQSError("INTERNAL", `${(e as Error)?.message ?? String(e)}`).respError);
}

// ---- arguments --------------------------------------------------------------------------------

const text = (b: Buffer) => b.toString("utf8");
const shown = (b: Buffer) => JSON.stringify(b.toString("utf8").slice(0, 40));

/** A non-negative decimal integer argument in [min, max], or BAD_ARGUMENT naming it. */
function int(what: string, raw: Buffer, min: number, max: number): number {
  const s = raw.toString("latin1");
  const n = /^\d{1,16}$/.test(s) ? Number(s) : NaN;
  if (!(n >= min && n <= max)) throw new TinyQSError("BAD_ARGUMENT", `${what} must be an integer from ${min} to ${max}, got ${shown(raw)}`);
  return n;
}

/** `KEYWORD value` pairs from args[from]: each keyword at most once, from `allowed`; else ERR syntax error. */
function options(args: Buffer[], from: number, allowed: readonly string[]): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  for (let i = from; i < args.length; i += 2) {
    const key = args[i]!.toString("latin1").toUpperCase();
    if (!allowed.includes(key) || out.has(key) || i + 1 >= args.length) throw new CommandError(REDIS_ERRORS.syntax);
    out.set(key, args[i + 1]!);
  }
  return out;
}

const optInt = (opts: Map<string, Buffer>, key: string, min: number, max: number): number | undefined => {
  const raw = opts.get(key);
  return raw === undefined ? undefined : int(key, raw, min, max);
};

// ---- replies ----------------------------------------------------------------------------------

/** A message: id, receipt (nil when peeked), body, receiveCount, sentAt. */
export function messageReply(m: Message | null): Encoded {
  return m ? encodeMessages([m], false) : NIL;
}

/** RECEIVE … COUNT: an array of messages (maybe empty). */
export function messagesReply(ms: readonly Message[]): Encoded {
  return encodeMessages(ms, true);
}

/**
 * Messages as RESP, each `*5` id, receipt (nil for PEEK), body, receiveCount, sentAt, in ONE buffer:
 * each body is copied once, where building it from bulk() and array() copied it three times (a
 * RECEIVE … COUNT reply carries up to 1000 bodies of up to 1 MiB).
 */
function encodeMessages(ms: readonly Message[], asArray: boolean): Encoded {
  const heads: string[] = [];
  const tails: string[] = [];
  let size = 0;
  for (const m of ms) {
    const receipt = m.receipt === null ? "$-1\r\n" : `$${Buffer.byteLength(m.receipt)}\r\n${m.receipt}\r\n`;
    const head = `*5\r\n$${Buffer.byteLength(m.id)}\r\n${m.id}\r\n${receipt}$${m.body.length}\r\n`;
    const tail = `\r\n:${m.receiveCount}\r\n:${m.sentAt}\r\n`;
    heads.push(head);
    tails.push(tail);
    size += Buffer.byteLength(head) + m.body.length + tail.length;
  }
  const top = asArray ? `*${ms.length}\r\n` : "";
  const out = Buffer.allocUnsafe(top.length + size);
  let at = out.write(top, 0, "latin1");
  for (let i = 0; i < ms.length; i++) {
    at += out.write(heads[i]!, at, "utf8");
    at += ms[i]!.body.copy(out, at);
    at += out.write(tails[i]!, at, "latin1");
  }
  return out;
}

/** The settings of QCONFIG: the engine's table (names and ranges); the wire accepts any case. */
const CONFIG_FIELDS = CONFIG_SETTINGS;

function configReply(c: QueueConfig): Encoded {
  return flatMap(CONFIG_FIELDS.map((f) => [f.name, typeof c[f.name] === "number" ? integer(c[f.name] as number) : bulk(String(c[f.name]))]));
}

const engineCall = (mode: Deferred["mode"], run: () => Promise<Encoded>): Deferred => ({ mode, run });
/** A RECEIVE, PEEK or TAKE: with WAIT it runs alone and blocks its connection, without it it overlaps. */
const waitingCall = (waitMs: number, run: () => Promise<Encoded>): Deferred =>
  waitMs > 0 ? { mode: "alone", waits: true, run } : { mode: "overlap", run };

/** What RECEIVE and TAKE ask the engine for: reserve up to `max` messages, waiting up to `waitMs`. */
interface Reservation {
  max: number;
  waitMs: number;
  visibilityMs: number | undefined;
  signal: AbortSignal;
}

/**
 * The handler of RECEIVE (`withCount`: COUNT allowed) and TAKE (a receive under the
 * request/response name): `QUEUE [COUNT n] [WAIT ms] [VISIBILITY ms]`. Without COUNT the reply is
 * one message or nil, with it an array.
 *
 * The client's signal aborts when it goes away or the server stops: the engine then ends the wait,
 * puts back anything it was reserving at that instant, and answers nothing. Messages reserved but
 * whose reply the client left before it was written go back too (dropped()), their receive count
 * taken back: a client that leaves strands nothing.
 */
function reservingHandler(withCount: boolean, reserve: (engine: TinyQSApi, queue: string, r: Reservation) => Promise<Message[]>): Handler {
  return (args, client, server) => {
    const queue = text(args[1]!);
    const o = options(args, 2, withCount ? ["COUNT", "WAIT", "VISIBILITY"] : ["WAIT", "VISIBILITY"]);
    const max = withCount ? optInt(o, "COUNT", 1, LIMITS.maxBatch) : undefined;
    const waitMs = optInt(o, "WAIT", 0, LIMITS.maxWaitMs) ?? 0;
    const visibilityMs = optInt(o, "VISIBILITY", 1, LIMITS.maxVisibilityMs);
    const signal = client.signal;
    let got: Message[] = [];
    const call = waitingCall(waitMs, async () => {
      got = await reserve(server.engine, queue, { max: max ?? 1, waitMs, visibilityMs, signal });
      return max === undefined ? messageReply(got[0] ?? null) : messagesReply(got);
    });
    return { ...call, dropped: () => undeliver(server, queue, got) };
  };
}

// ---- argument docs shared by several commands --------------------------------------------------

const QUEUE: ArgDoc = { name: "queue", type: "key" };
const RECEIPT: ArgDoc = { name: "receipt", type: "string" };
const ms = (token: string): ArgDoc => ({ name: "ms", type: "integer", token, optional: true });

// ---- the table ----------------------------------------------------------------------------------

export const COMMANDS: CommandSpec[] = [
  // -- connection --
  {
    name: "PING",
    arity: -1,
    summary: "Answers PONG, or the message given.",
    group: "connection",
    args: [{ name: "message", type: "string", optional: true }],
    flags: ["fast"],
    handler(args) {
      if (args.length > 2) throw new CommandError(wrongArity("ping"));
      return args.length === 2 ? bulk(args[1]!) : PONG;
    },
  },
  {
    name: "ECHO",
    arity: 2,
    summary: "Answers the message given.",
    group: "connection",
    args: [{ name: "message", type: "string" }],
    flags: ["fast"],
    handler: (args) => bulk(args[1]!),
  },
  {
    name: "AUTH",
    arity: -2,
    summary: "Authenticates the connection with the server's password.",
    group: "connection",
    args: [
      { name: "username", type: "string", optional: true },
      { name: "password", type: "string" },
    ],
    noAuth: true,
    flags: ["noauth", "fast"],
    handler(args, client, server) {
      if (args.length > 3) throw new CommandError(REDIS_ERRORS.syntax);
      authenticate(args.length === 3 ? args[1]! : null, args[args.length - 1]!, client, server);
      return OK;
    },
  },
  {
    name: "HELLO",
    arity: -1,
    summary: "Handshake: RESP2 only (HELLO 3 gets NOPROTO); may authenticate and name the connection.",
    group: "connection",
    args: [
      {
        name: "arguments",
        type: "block",
        optional: true,
        arguments: [
          { name: "protover", type: "integer" },
          {
            name: "auth",
            type: "block",
            token: "AUTH",
            optional: true,
            arguments: [
              { name: "username", type: "string" },
              { name: "password", type: "string" },
            ],
          },
          { name: "clientname", type: "string", token: "SETNAME", optional: true },
        ],
      },
    ],
    noAuth: true,
    flags: ["noauth", "fast"],
    handler(args, client, server) {
      if (args.length >= 2) {
        const proto = args[1]!.toString("latin1");
        if (!/^\d{1,9}$/.test(proto)) throw new CommandError(REDIS_ERRORS.badProto);
        // RESP3 is not spoken: clients (ioredis 6, redis-cli -3) fall back to RESP2 on NOPROTO.
        if (proto !== "2") throw new CommandError(REDIS_ERRORS.noProto);
      }
      let name: Buffer | undefined;
      for (let i = 2; i < args.length; ) {
        const opt = args[i]!.toString("latin1").toUpperCase();
        if (opt === "AUTH" && i + 2 < args.length) {
          authenticate(args[i + 1]!, args[i + 2]!, client, server);
          i += 3;
        } else if (opt === "SETNAME" && i + 1 < args.length) {
          name = args[i + 1]!;
          i += 2;
        } else {
          throw new CommandError(REDIS_ERRORS.syntax);
        }
      }
      if (server.passwordRequired && !client.authenticated) throw notAuthenticated();
      if (name) setName(client, name);
      return flatMap([
        ["server", bulk("tinyqs")],
        ["version", bulk(VERSION)],
        ["proto", integer(2)],
        ["id", integer(client.id)],
        ["mode", bulk("standalone")],
        ["role", bulk("master")],
        ["modules", array([])],
      ]);
    },
  },
  {
    name: "QUIT",
    arity: -1,
    summary: "Answers OK and closes the connection.",
    group: "connection",
    args: [],
    noAuth: true,
    flags: ["noauth", "fast"],
    handler(_args, client) {
      client.closeAfterReply();
      return OK;
    },
  },
  {
    name: "SELECT",
    arity: 2,
    summary: "Accepts database 0 only (there are no databases): for clients that select 0 on connect.",
    group: "connection",
    args: [{ name: "index", type: "integer" }],
    flags: ["fast"],
    handler(args) {
      if (args[1]!.toString("latin1") !== "0") throw new CommandError(REDIS_ERRORS.badDb);
      return OK;
    },
  },
  {
    name: "CLIENT",
    arity: -2,
    summary: "Connection introspection: ID, SETNAME, GETNAME, SETINFO, INFO, LIST, HELP.",
    group: "connection",
    args: [{ name: "subcommand", type: "string" }],
    flags: [],
    handler: clientCommand,
  },
  // -- server --
  {
    name: "INFO",
    arity: -1,
    summary: "Server facts as `field:value` lines in sections (server, clients, persistence, stats).",
    group: "server",
    args: [{ name: "section", type: "string", optional: true, multiple: true }],
    flags: [],
    handler: (args, _client, server) => bulk(infoText(server, args.slice(1).map((a) => a.toString("latin1").toLowerCase()))),
  },
  {
    name: "COMMAND",
    arity: -1,
    summary: "The command table: all of it, COUNT, LIST, INFO name…, DOCS [name…].",
    group: "server",
    args: [{ name: "subcommand", type: "string", optional: true }],
    flags: [],
    handler: commandCommand,
  },
  // -- queues --
  {
    name: "SEND",
    arity: -3,
    summary: "Sends one message; answers its id.",
    group: "queue",
    args: [QUEUE, { name: "body", type: "string" }, ms("DELAY")],
    flags: ["write"],
    handler(args, _client, server) {
      const queue = text(args[1]!);
      const delayMs = optInt(options(args, 3, ["DELAY"]), "DELAY", 0, LIMITS.maxDelayMs);
      const body = args[2]!;
      return engineCall("overlap", async () => bulk(await server.engine.send(queue, body, { delayMs })));
    },
  },
  {
    name: "MSEND",
    arity: -3,
    summary: "Sends up to 1000 messages at once, all or none; answers their ids.",
    group: "queue",
    args: [QUEUE, { name: "body", type: "string", multiple: true }],
    flags: ["write"],
    handler(args, _client, server) {
      const queue = text(args[1]!);
      const bodies = args.slice(2);
      return engineCall("overlap", async () => bulkArray(await server.engine.sendBatch(queue, bodies)));
    },
  },
  {
    name: "RECEIVE",
    arity: -2,
    summary: "Reserves the next message (or up to COUNT) for VISIBILITY ms, waiting up to WAIT ms.",
    group: "queue",
    args: [QUEUE, { name: "n", type: "integer", token: "COUNT", optional: true }, ms("WAIT"), ms("VISIBILITY")],
    flags: ["write", "blocking"],
    handler: reservingHandler(true, (engine, queue, o) => engine.receiveBatch(queue, o)),
  },
  {
    name: "PEEK",
    arity: -2,
    summary: "The next ready message without reserving it (receipt nil), waiting up to WAIT ms.",
    group: "queue",
    args: [QUEUE, ms("WAIT")],
    flags: ["readonly", "blocking"],
    handler(args, client, server) {
      const queue = text(args[1]!);
      const waitMs = optInt(options(args, 2, ["WAIT"]), "WAIT", 0, LIMITS.maxWaitMs) ?? 0;
      const signal = client.signal;
      return waitingCall(waitMs, async () => messageReply(await server.engine.peek(queue, { waitMs, signal })));
    },
  },
  {
    name: "DELETE",
    arity: -3,
    summary: "Deletes messages by receipt (while current) or by id; answers how many were deleted.",
    group: "queue",
    args: [QUEUE, { name: "id-or-receipt", type: "string", multiple: true }],
    flags: ["write", "fast"],
    handler(args, _client, server) {
      const queue = text(args[1]!);
      const refs = args.slice(2).map(text);
      refs.forEach(checkIdOrReceipt); // all checked before any is deleted: an error deletes nothing
      // One id, the common case (a worker acking): no Promise.all around it.
      if (refs.length === 1) return engineCall("overlap", async () => integer(Number(await server.engine.delete(queue, refs[0]!))));
      return engineCall("overlap", async () => {
        const done = await Promise.all(refs.map((r) => server.engine.delete(queue, r)));
        return integer(done.filter(Boolean).length);
      });
    },
  },
  {
    name: "TOUCH",
    arity: -3,
    summary: "Extends a current reservation: it now ends VISIBILITY ms from now; 1, or 0 if stale.",
    group: "queue",
    args: [QUEUE, RECEIPT, ms("VISIBILITY")],
    flags: ["write", "fast"],
    handler(args, _client, server) {
      const queue = text(args[1]!);
      const receipt = text(args[2]!);
      const visibilityMs = optInt(options(args, 3, ["VISIBILITY"]), "VISIBILITY", 1, LIMITS.maxVisibilityMs);
      return engineCall("overlap", async () => integer((await server.engine.touch(queue, receipt, { visibilityMs })) ? 1 : 0));
    },
  },
  {
    name: "RELEASE",
    arity: -3,
    summary: "Ends a current reservation: ready again now or after DELAY ms; 1, or 0 if stale.",
    group: "queue",
    args: [QUEUE, RECEIPT, ms("DELAY")],
    flags: ["write", "fast"],
    handler(args, _client, server) {
      const queue = text(args[1]!);
      const receipt = text(args[2]!);
      const delayMs = optInt(options(args, 3, ["DELAY"]), "DELAY", 0, LIMITS.maxDelayMs);
      return engineCall("overlap", async () => integer((await server.engine.release(queue, receipt, { delayMs })) ? 1 : 0));
    },
  },
  {
    name: "STATS",
    arity: 2,
    summary: "The queue's counts and counters, as field, value, …",
    group: "queue",
    args: [QUEUE],
    flags: ["readonly", "fast"],
    handler(args, _client, server) {
      const queue = text(args[1]!);
      return engineCall("overlap", async () => {
        const stats = await server.engine.stats(queue);
        return flatMap(Object.entries(stats).map(([k, v]) => [k, integer(v as number)]));
      });
    },
  },
  {
    name: "QUEUES",
    arity: 1,
    summary: "The names of the queues that exist, sorted.",
    group: "queue",
    args: [],
    flags: ["readonly"],
    handler: (_args, _client, server) => engineCall("overlap", async () => bulkArray(await server.engine.queues())),
  },
  {
    name: "QCONFIG",
    arity: -2,
    summary: "Shows the queue's settings, after changing the fields given.",
    group: "queue",
    args: [
      QUEUE,
      {
        name: "change",
        type: "block",
        optional: true,
        multiple: true,
        arguments: [
          { name: "field", type: "string" },
          { name: "value", type: "string" },
        ],
      },
    ],
    flags: ["write"],
    handler(args, _client, server) {
      const queue = text(args[1]!);
      if (args.length % 2 !== 0) throw new CommandError(REDIS_ERRORS.syntax);
      const changes: Partial<QueueConfig> = {};
      for (let i = 2; i < args.length; i += 2) {
        const given = args[i]!.toString("latin1");
        const field = CONFIG_FIELDS.find((f) => f.name.toLowerCase() === given.toLowerCase());
        if (!field) {
          throw new TinyQSError("BAD_ARGUMENT", `unknown setting ${shown(args[i]!)}; settings are ${CONFIG_FIELDS.map((f) => f.name).join(", ")}`);
        }
        if (field.name in changes) throw new CommandError(REDIS_ERRORS.syntax);
        const value = args[i + 1]!;
        if ("min" in field) (changes as Record<string, number>)[field.name] = int(field.name, value, field.min, field.max);
        else changes.deadLetterQueue = text(value);
      }
      const change = Object.keys(changes).length > 0;
      return engineCall("alone", async () =>
        configReply(change ? await server.engine.configure(queue, changes) : await server.engine.getConfig(queue)),
      );
    },
  },
  {
    name: "PURGE",
    arity: 2,
    summary: "Removes every message of the queue (ready, in flight, delayed); answers how many.",
    group: "queue",
    args: [QUEUE],
    flags: ["write"],
    handler(args, _client, server) {
      const queue = text(args[1]!);
      return engineCall("alone", async () => integer(await server.engine.purge(queue)));
    },
  },
  // -- request/response: a request is a message of its queue; its reply waits under its handle --
  {
    name: "PUT",
    arity: 3,
    summary: "Sends a request (a message of the queue); answers its reply handle, <queue>:<id>, for WAIT.",
    group: "queue",
    args: [QUEUE, { name: "body", type: "string" }],
    flags: ["write"],
    handler(args, _client, server) {
      const queue = text(args[1]!);
      const body = args[2]!;
      return engineCall("overlap", async () => bulk(await server.engine.put(queue, body)));
    },
  },
  {
    name: "TAKE",
    arity: -2,
    summary: "Reserves the next request for VISIBILITY ms, waiting up to WAIT ms: a RECEIVE, answered with RESPOND.",
    group: "queue",
    args: [QUEUE, ms("WAIT"), ms("VISIBILITY")],
    flags: ["write", "blocking"],
    handler: reservingHandler(false, (engine, queue, { waitMs, visibilityMs, signal }) =>
      engine.take(queue, { waitMs, visibilityMs, signal }).then((m) => (m ? [m] : [])),
    ),
  },
  {
    name: "RESPOND",
    arity: 4,
    summary: "Stores the reply to a taken request and deletes the request, in one step; 1, or 0 if the receipt is stale.",
    group: "queue",
    args: [QUEUE, RECEIPT, { name: "body", type: "string" }],
    flags: ["write"],
    handler(args, _client, server) {
      const queue = text(args[1]!);
      const receipt = text(args[2]!);
      const body = args[3]!;
      return engineCall("overlap", async () => integer((await server.engine.respond(queue, receipt, body)) ? 1 : 0));
    },
  },
  {
    name: "WAIT",
    arity: -2,
    summary: "The reply to a PUT, once, waiting up to TIMEOUT ms (default 30000) for it; nil if none came.",
    group: "queue",
    args: [{ name: "handle", type: "string" }, ms("TIMEOUT")],
    flags: ["write", "blocking"],
    handler(args, client, server) {
      const handle = text(args[1]!);
      parseReplyHandle(handle); // a bad handle is refused at once, not after the wait
      const timeoutMs = optInt(options(args, 2, ["TIMEOUT"]), "TIMEOUT", 0, LIMITS.maxWaitMs) ?? CORE_DEFAULTS.replyTimeoutMs;
      const signal = client.signal;
      // A collected reply exists nowhere else, so it must not be dropped unwritten. If the client
      // leaves during the wait, the aborted signal makes the engine put back a reply it collected at
      // that instant. And WAIT always runs alone, even with TIMEOUT 0: its reply is then written in
      // the same tick it arrives, never left behind another command still running when the
      // connection closes (which is what dropped() is for, and a reply cannot be un-collected).
      return {
        mode: "alone",
        waits: timeoutMs > 0,
        run: async () => bulk(await server.engine.wait(handle, { timeoutMs, signal })),
      };
    },
  },
];

export const COMMANDS_BY_NAME: ReadonlyMap<string, CommandSpec> = new Map(COMMANDS.map((c) => [c.name, c]));

/** The command spec for a name as sent (any case), or undefined. */
export function lookup(name: Buffer): CommandSpec | undefined {
  return name.length > 16 ? undefined : COMMANDS_BY_NAME.get(name.toString("latin1").toUpperCase());
}

/** Messages taken for a client that left before getting them: ready again, the delivery taken back. */
function undeliver(server: ServerState, queue: string, messages: readonly Message[]): void {
  for (const m of messages) void server.engine.release(queue, m.receipt!, { undeliver: true }).catch(() => false);
}

// ---- connection commands ---------------------------------------------------------------------

function authenticate(username: Buffer | null, password: Buffer, client: ClientState, server: ServerState): void {
  if (!server.passwordRequired) throw new CommandError(REDIS_ERRORS.noPassword);
  // Both checks always run, so a wrong user name takes as long as a wrong password.
  const userOk = username === null || username.toString("latin1") === "default";
  const passOk = server.checkPassword(password);
  if (!userOk || !passOk) throw new CommandError(REDIS_ERRORS.wrongPass);
  client.authenticated = true;
}

function setName(client: ClientState, raw: Buffer): void {
  for (const b of raw) if (b < 0x21 || b > 0x7e) throw new CommandError(REDIS_ERRORS.badClientName);
  client.name = raw.length === 0 ? null : raw.toString("latin1");
}

const now = () => Date.now();

function clientLine(c: ClientState): string {
  const age = Math.floor((now() - c.createdAt) / 1000);
  const idle = Math.floor((now() - c.lastCommandAt) / 1000);
  return (
    `id=${c.id} addr=${c.addr} laddr=${c.laddr} name=${c.name ?? ""} age=${age} idle=${idle} db=0 ` +
    `cmd=${c.lastCommand} lib-name=${c.libName ?? ""} lib-ver=${c.libVer ?? ""}`
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

function clientCommand(args: Buffer[], client: ClientState, server: ServerState): Encoded {
  const sub = args[1]!.toString("latin1").toUpperCase();
  const n = args.length;
  switch (sub) {
    case "ID":
      if (n !== 2) break;
      return integer(client.id);
    case "GETNAME":
      if (n !== 2) break;
      return bulk(client.name);
    case "SETNAME":
      if (n !== 3) break;
      setName(client, args[2]!);
      return OK;
    case "SETINFO": {
      if (n !== 4) break;
      const attr = args[2]!.toString("latin1").toUpperCase();
      const value = args[3]!.toString("latin1");
      if (/[^\x21-\x7e]/.test(value)) throw new CommandError(`ERR ${attr} cannot contain spaces, newlines or special characters.`);
      if (attr === "LIB-NAME") client.libName = value;
      else if (attr === "LIB-VER") client.libVer = value;
      else throw new CommandError(`ERR Unrecognized option '${args[2]!.toString("latin1").slice(0, 64)}'`);
      return OK;
    }
    case "INFO":
      if (n !== 2) break;
      return bulk(clientLine(client) + "\n");
    case "LIST":
      if (n !== 2) break;
      return bulk([...server.clients()].map((c) => clientLine(c) + "\n").join(""));
    case "HELP":
      return array(CLIENT_HELP.map(simple));
    default:
      throw unknownSubcommand(args[1]!, "CLIENT");
  }
  throw new CommandError(`ERR wrong number of arguments for 'client|${sub.toLowerCase()}' command`);
}

// ---- INFO -------------------------------------------------------------------------------------

function infoText(server: ServerState, wanted: string[]): string {
  const all = wanted.length === 0 || wanted.some((w) => w === "all" || w === "everything" || w === "default");
  const clients = [...server.clients()];
  const uptime = Math.floor((now() - server.startedAt) / 1000);
  const sections: Array<[string, Array<[string, string | number]>]> = [
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
      ],
    ],
    ["Persistence", [["loading", 0]]],
    [
      "Stats",
      [
        ["total_connections_received", server.counters.connectionsReceived],
        ["total_commands_processed", server.counters.commandsProcessed],
        ["rejected_connections", server.counters.rejectedConnections],
      ],
    ],
  ];
  return sections
    .filter(([name]) => all || wanted.includes(name.toLowerCase()))
    .map(([name, fields]) => `# ${name}\r\n${fields.map(([k, v]) => `${k}:${v}\r\n`).join("")}`)
    .join("\r\n");
}

// ---- COMMAND ------------------------------------------------------------------------------------

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

function commandCommand(args: Buffer[]): Encoded {
  if (args.length === 1) return array(COMMANDS.map(commandInfo));
  const sub = args[1]!.toString("latin1").toUpperCase();
  const named = args.slice(2).map((a) => lookup(a));
  switch (sub) {
    case "COUNT":
      return integer(COMMANDS.length);
    case "LIST":
      return bulkArray(COMMANDS.map((c) => c.name.toLowerCase()));
    case "INFO":
      return array(args.length === 2 ? COMMANDS.map(commandInfo) : named.map((c) => (c ? commandInfo(c) : NIL)));
    case "DOCS": {
      const which = args.length === 2 ? COMMANDS : named.filter((c): c is CommandSpec => !!c);
      return flatMap(which.map((c) => [c.name.toLowerCase(), commandDocs(c)]));
    }
    case "HELP":
      return array(["COMMAND [<subcommand>]", "COUNT", "LIST", "INFO [<command-name> ...]", "DOCS [<command-name> ...]", "HELP"].map(simple));
    default:
      throw unknownSubcommand(args[1]!, "COMMAND");
  }
}
