// The handlers of the queue commands: SEND, MSEND, RECEIVE, PEEK, DELETE, TOUCH, RELEASE, STATS,
// QUEUES, QCONFIG, PURGE, PAUSE, RESUME, REDRIVE, QDELETE. Each reads its arguments' shape, then hands the engine call to the
// connection; the engine checks the rest (queue names, receipts, sizes) and its errors are the reply.
// Their rows (arity, docs) are in table.ts.
import { CONFIG_SETTINGS, LIMITS, TinyQSError, checkDedupId, checkIdOrReceipt, type BrowseState, type QueueSettings } from "@tinyqs/core";
import { visibleQueues } from "@tinyqs/core/security";
import { OK, array, browsedReply, bulk, bulkArray, configReply, integer, messageReply, statsReply } from "../resp/encoder.js";
import { int, optInt, options, shown, text } from "./arguments.js";
import { engineCall, reservingHandler, waitingCall } from "./engine-calls.js";
import { CommandError, REDIS_ERRORS } from "./redis-errors.js";
import type { Handler } from "./types.js";

export const QUEUE_VERBS = {
  SEND(args, _client, server) {
    const queue = text(args[1]!);
    const opts = options(args, 3, ["DELAY", "DEDUP"]);
    const delayMs = optInt(opts, "DELAY");
    const dedup = opts.get("DEDUP");
    const dedupId = dedup === undefined ? undefined : checkDedupId(dedup.toString("latin1"));
    const body = args[2]!;
    return engineCall("overlap", async () => bulk(await server.engine.send(queue, body, { delayMs, dedupId })));
  },

  MSEND(args, _client, server) {
    const queue = text(args[1]!);
    const bodies = args.slice(2);
    // Said in the command's own words: the engine's check would name its method (sendBatch).
    if (bodies.length > LIMITS.maxBatch) throw new TinyQSError("BAD_ARGUMENT", `MSEND takes at most ${LIMITS.maxBatch} bodies, got ${bodies.length}`);
    return engineCall("overlap", async () => bulkArray(await server.engine.sendBatch(queue, bodies)));
  },

  RECEIVE: reservingHandler(true, (engine, queue, o) => engine.receiveBatch(queue, o)),

  PEEK(args, client, server) {
    const queue = text(args[1]!);
    const waitMs = optInt(options(args, 2, ["WAIT"]), "WAIT") ?? 0;
    const signal = client.signal;
    return waitingCall(waitMs, async () => messageReply(await server.engine.peek(queue, { waitMs, signal })));
  },

  // `BROWSE queue ready|inflight|delayed [OFFSET n] [LIMIT n] [BODYBYTES n]`: read only.
  BROWSE(args, _client, server) {
    const queue = text(args[1]!);
    const state = BROWSE_STATE_WORDS[args[2]!.toString("latin1").toUpperCase()];
    if (!state) throw new TinyQSError("BAD_ARGUMENT", `BROWSE takes a state: READY, INFLIGHT or DELAYED, got ${shown(args[2]!)}`);
    const o = options(args, 3, ["OFFSET", "LIMIT", "BODYBYTES"]);
    const query = { state, offset: optInt(o, "OFFSET"), limit: optInt(o, "LIMIT"), bodyBytes: optInt(o, "BODYBYTES") };
    return engineCall("overlap", async () => browsedReply(await server.engine.browse(queue, query)));
  },

  DELETE(args, _client, server) {
    const queue = text(args[1]!);
    const refs = args.slice(2).map(text);
    refs.forEach(checkIdOrReceipt); // all checked before any is deleted: an error deletes nothing
    // One id, the common case (a worker acking): merged with other connections' deletes by the engine.
    if (refs.length === 1) return engineCall("overlap", async () => integer(Number(await server.engine.delete(queue, refs[0]!))));
    return engineCall("overlap", async () => {
      const done = await Promise.all(chunks(refs, LIMITS.maxBatch).map((part) => server.engine.deleteBatch(queue, part)));
      return integer(done.flat().filter(Boolean).length);
    });
  },

  MDELETE(args, _client, server) {
    const queue = text(args[1]!);
    const refs = batchItems("MDELETE", args.slice(2));
    return engineCall("overlap", async () => array((await server.engine.deleteBatch(queue, refs)).map(oneOrZero)));
  },

  TOUCH(args, _client, server) {
    const queue = text(args[1]!);
    const receipt = text(args[2]!);
    const visibilityMs = optInt(options(args, 3, ["VISIBILITY"]), "VISIBILITY");
    return engineCall("overlap", async () => integer((await server.engine.touch(queue, receipt, { visibilityMs })) ? 1 : 0));
  },

  // `MTOUCH queue receipt … [VISIBILITY ms]`: no receipt is the word VISIBILITY (a receipt has a dot),
  // so a trailing pair with that keyword is the option.
  MTOUCH(args, _client, server) {
    const queue = text(args[1]!);
    const hasOption = args.length >= 5 && args[args.length - 2]!.toString("latin1").toUpperCase() === "VISIBILITY";
    const end = hasOption ? args.length - 2 : args.length;
    const visibilityMs = optInt(options(args, end, ["VISIBILITY"]), "VISIBILITY");
    const receipts = batchItems("MTOUCH", args.slice(2, end));
    return engineCall("overlap", async () => array((await server.engine.touchBatch(queue, receipts, { visibilityMs })).map(oneOrZero)));
  },

  RELEASE(args, _client, server) {
    const queue = text(args[1]!);
    const receipt = text(args[2]!);
    const delayMs = optInt(options(args, 3, ["DELAY"]), "DELAY");
    return engineCall("overlap", async () => integer((await server.engine.release(queue, receipt, { delayMs })) ? 1 : 0));
  },

  STATS(args, _client, server) {
    const queue = text(args[1]!);
    return engineCall("overlap", async () => statsReply(await server.engine.stats(queue)));
  },

  // Only the queues the user administers (all of them for --password and an open server).
  QUEUES: (_args, client, server) =>
    engineCall("overlap", async () => bulkArray(visibleQueues(client.user!, await server.engine.queues()) ?? [])),

  QCONFIG(args, _client, server) {
    const queue = text(args[1]!);
    const changes = configChanges(args);
    const change = Object.keys(changes).length > 0;
    return engineCall("alone", async () =>
      configReply(change ? await server.engine.configure(queue, changes) : await server.engine.getConfig(queue)),
    );
  },

  PURGE(args, _client, server) {
    const queue = text(args[1]!);
    return engineCall("alone", async () => integer(await server.engine.purge(queue)));
  },

  PAUSE(args, _client, server) {
    const queue = text(args[1]!);
    return engineCall("alone", async () => (await server.engine.pause(queue), OK));
  },

  RESUME(args, _client, server) {
    const queue = text(args[1]!);
    return engineCall("alone", async () => (await server.engine.resume(queue), OK));
  },

  // `REDRIVE dlq [TO queue] [MAX n]`: how many moved.
  REDRIVE(args, _client, server) {
    const queue = text(args[1]!);
    const o = options(args, 2, ["TO", "MAX"]);
    const to = o.get("TO");
    const redrive = { to: to === undefined ? undefined : text(to), max: optInt(o, "MAX") };
    return engineCall("alone", async () => integer(await server.engine.redrive(queue, redrive)));
  },

  QDELETE(args, _client, server) {
    const queue = text(args[1]!);
    return engineCall("alone", async () => (await server.engine.deleteQueue(queue), OK));
  },
} satisfies Record<string, Handler>;

/**
 * QCONFIG's `field value` pairs: the fields of the engine's settings table, in any case, each once;
 * numbers in the table's range. The dead-letter queue's name is the engine's to check.
 */
function configChanges(args: Buffer[]): Partial<QueueSettings> {
  if (args.length % 2 !== 0) throw new CommandError(REDIS_ERRORS.syntax);
  const changes: Partial<QueueSettings> = {};
  for (let i = 2; i < args.length; i += 2) {
    const given = args[i]!.toString("latin1");
    const field = CONFIG_SETTINGS.find((f) => f.name.toLowerCase() === given.toLowerCase());
    if (!field && given.toLowerCase() === "paused") throw new TinyQSError("BAD_ARGUMENT", "paused is read only: PAUSE and RESUME the queue instead");
    if (!field) {
      throw new TinyQSError("BAD_ARGUMENT", `unknown setting ${shown(args[i]!)}; settings are ${CONFIG_SETTINGS.map((f) => f.name).join(", ")}`);
    }
    if (field.name in changes) throw new CommandError(REDIS_ERRORS.syntax);
    const value = args[i + 1]!;
    if ("min" in field) (changes as Record<string, number>)[field.name] = int(field.name, value, field);
    else changes.deadLetterQueue = text(value);
  }
  return changes;
}

const oneOrZero = (ok: boolean) => integer(ok ? 1 : 0);

/** A batch command's items: at most 1000 (else BAD_ARGUMENT, nothing done); each judged alone by the engine. */
function batchItems(command: string, items: Buffer[]): string[] {
  if (items.length > LIMITS.maxBatch) throw new TinyQSError("BAD_ARGUMENT", `${command} takes at most ${LIMITS.maxBatch} items, got ${items.length}`);
  return items.map(text);
}

function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** BROWSE's state argument, any case, as the engine names it. */
const BROWSE_STATE_WORDS: Record<string, BrowseState> = { READY: "ready", INFLIGHT: "inFlight", DELAYED: "delayed" };
