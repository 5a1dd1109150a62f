// What the Lua scripts answer, by name. Each script has its own shape of reply (a number, a string of
// one character per item, an array), so the codes differ per script; every comparison of a reply in
// the engine goes through these names, never a raw literal. Each script's header writes its codes as
// `NAME (literal)` in its Output section, and test/lua-headers.test.ts holds the two to each other.
// Scripts that answer only counts or data (stats, purge, collect, adopt, unqueue-outbox) have none.
import type { ScriptName } from "./keys.js";

export const LUA_CODES = {
  send: {
    /** In place of a group's first sequence number: a body was over maxMessageBytes, nothing of the group stored. */
    TOO_BIG: -1,
  },
  receive: {
    /** The first element: the configured dead-letter queue is another one (the second element); nothing delivered. */
    REDIRECT: -2,
    /** As nextDueIn: no delayed message and no lease is waiting to come due. */
    NOTHING_DUE: -1,
  },
  redrive: {
    /** As `stop`: the next ready message has no origin (not a dead letter) and no target was given; it stays. */
    NO_SOURCE: -1,
  },
  delete: {
    /** One character per item: deleted. */
    DELETED: "1",
    /** One character per item: an unknown id, or a stale receipt; nothing changed. */
    STALE: "0",
  },
  touch: {
    /** One character per receipt: the reservation now ends visibilityMs from now. */
    EXTENDED: "1",
    /** One character per receipt: unknown, or no longer the current reservation; nothing changed. */
    STALE: "0",
  },
  release: {
    RELEASED: 1,
    /** The receipt is unknown or no longer the current reservation; nothing changed. */
    STALE: 0,
  },
  respond: {
    /** One character per pair: the reply is stored and the request deleted. */
    REPLIED: "1",
    /** One character per pair: the receipt is unknown or no longer current; nothing changed. */
    STALE: "0",
    /** One character per pair: the reply is over the queue's maxMessageBytes; nothing changed. */
    TOO_BIG: "B",
    /** One character per pair: Redis is over its maxmemory and the reply is larger than its request; nothing changed. */
    FULL: "F",
  },
  "restore-reply": {
    RESTORED: 1,
    /** The reply expired meanwhile, or another one is there again; nothing changed. */
    GONE: 0,
  },
} as const satisfies Partial<Record<ScriptName, Record<string, number | string>>>;
