// What a command handler sees and returns, and the shape of a row of the command table (table.ts).
//
// A handler gets the arguments as raw bytes and either answers at once (an encoded reply, for the
// connection commands and for every argument error) or returns a Deferred: the engine call to make,
// and how it may run beside its neighbours on the same connection (see ../connection.ts):
//   "overlap"  consecutive commands of the same name start together (a pipeline of SENDs becomes one
//              script call in the engine); nothing of another kind starts until they are done;
//   "alone"    nothing else of this connection runs meanwhile (RECEIVE/PEEK/TAKE with WAIT, the reply
//              WAIT, QCONFIG, PURGE).
import type { TinyQSApi } from "@tinyqs/core";
import type { Access, Permission, Principal } from "@tinyqs/core/security";
import type { Encoded, Protocol } from "../resp/encoder.js";
import type { Transaction } from "../transaction.js";

/** The server, as the commands see it. */
export interface ServerState {
  readonly engine: TinyQSApi;
  readonly limits: { readonly maxMessageBytes: number; readonly maxArgs: number; readonly maxConnections: number };
  /** Who may do what: --password (one all-powerful user) and --users (@tinyqs/core/security). */
  readonly access: Access;
  readonly counters: { connectionsReceived: number; commandsProcessed: number; rejectedConnections: number; slowReadersCut: number };
  readonly startedAt: number;
  /** The byte budget of all connections: what they hold now, and its limit (INFO shows both). */
  readonly buffered: { readonly used: number; readonly limit: number };
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
  /** The user this connection logged in as (AUTH, HELLO … AUTH); null until then. Open server: everyone's OPEN_ACCESS. */
  user: Principal | null;
  /** The remote IP address, for the failed-login limit and its log lines. */
  readonly remoteAddress: string;
  /** RESP2 until `HELLO 3`; the replies are written in it (see ../resp/encoder.ts). */
  protocol: Protocol;
  /** MULTI … EXEC of this connection (../transaction.ts). */
  readonly transaction: Transaction;
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
  /** Nothing after it is even looked at until it is done (AUTH: its outcome decides what may run next). */
  readonly barrier?: boolean;
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
  group: "connection" | "server" | "queue" | "transactions";
  args: ArgDoc[];
  /** Allowed before AUTH when a password is set. */
  noAuth?: boolean;
  /** The grant a user needs for it (--users), on the queue it names (its first argument; WAIT's handle's queue). */
  grant?: Permission;
  /** Flags for COMMAND INFO. */
  flags: string[];
  handler: Handler;
}
