// Every check of an argument, and the ranges they check against: queue names, integers, bodies,
// receipts, ids, batches, configure's changes and the worker's options. The engine runs them, and so do the servers and
// the clients before they send, so that a bad argument is the same TinyQSError (code and message)
// whichever way it arrives. The defaults that apply when an argument is left out are in defaults.ts.
import { DEFAULTS, WORKER_DEFAULTS } from "./defaults.js";
import { TinyQSError } from "./errors.js";
import type { BrowseOptions, BrowseState, QueueSettings, RedriveOptions } from "./types.js";
import type { WorkerOptions } from "./worker.js";

/** What a caller may ask for: the ranges of the options and settings. */
export const LIMITS = {
  /** Longest reservation or touch: 12 hours, as in Amazon SQS. */
  maxVisibilityMs: 12 * 3600_000,
  /** Longest delay on send or release: 7 days. */
  maxDelayMs: 7 * 24 * 3600_000,
  /** Longest long poll: 1 hour. */
  maxWaitMs: 3600_000,
  /** The hard ceiling of a queue's maxMessageBytes (Redis holds each body whole). */
  maxMessageBytesCeiling: 64 * 1024 * 1024,
  /** Most messages in one receiveBatch / sendBatch. */
  maxBatch: 1000,
  /** Highest settable maxReceives. */
  maxReceives: 1_000_000,
  /** The most a queue may set as its replyTtlMs. */
  maxReplyTtlMs: 7 * 24 * 3600_000,
  /** Most messages one browse shows. */
  maxBrowse: 100,
  /** The most a queue may set as its dedupWindowMs. */
  maxDedupWindowMs: 7 * 24 * 3600_000,
  /** The most one redrive() may be asked to move (it moves them 100 per script call). */
  maxRedrive: 1_000_000_000,
} as const;

/** The states browse() can show. */
export const BROWSE_STATES = ["ready", "inFlight", "delayed"] as const;

/** The grammar of a queue name (servers describe it in their own docs from this). */
export const QUEUE_NAME = /^[A-Za-z0-9_.-]{1,128}$/;

export function checkQueueName(queue: unknown, what = "queue"): string {
  if (typeof queue !== "string" || !QUEUE_NAME.test(queue)) {
    throw new TinyQSError("BAD_NAME", `bad ${what} name ${JSON.stringify(queue)}: use 1-128 characters of A-Z a-z 0-9 _ . -`);
  }
  return queue;
}

/** A value as an error message shows it: a string quoted (so "5000" is not mistaken for 5000). */
const shownValue = (value: unknown): string => (typeof value === "string" ? JSON.stringify(value.slice(0, 40)) : String(value));

/** An integer in [min, max], or `fallback` when undefined. */
export function checkInt(name: string, value: unknown, min: number, max: number, fallback?: number): number {
  if (value === undefined && fallback !== undefined) return fallback;
  if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
    throw new TinyQSError("BAD_ARGUMENT", `${name} must be an integer from ${min} to ${max}, got ${shownValue(value)}`);
  }
  return value;
}

export function toBuffer(body: unknown): Buffer {
  if (Buffer.isBuffer(body)) return body;
  if (body instanceof Uint8Array) return Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  if (typeof body === "string") return Buffer.from(body, "utf8");
  throw new TinyQSError("BAD_ARGUMENT", "a body must be a Buffer, a Uint8Array or a string");
}

/**
 * The settings configure() takes, with the range of each number, in the order messages and replies
 * list them. The servers read their settings through this table too (QCONFIG, PUT /v1/queues/:queue).
 */
export const CONFIG_SETTINGS: ReadonlyArray<
  { name: "visibilityMs" | "maxReceives" | "maxMessageBytes" | "replyTtlMs" | "dedupWindowMs"; min: number; max: number } | { name: "deadLetterQueue" }
> = [
  { name: "visibilityMs", min: 1, max: LIMITS.maxVisibilityMs },
  { name: "maxReceives", min: 0, max: LIMITS.maxReceives },
  { name: "deadLetterQueue" },
  { name: "maxMessageBytes", min: 1, max: LIMITS.maxMessageBytesCeiling },
  { name: "replyTtlMs", min: 1, max: LIMITS.maxReplyTtlMs },
  { name: "dedupWindowMs", min: 1, max: LIMITS.maxDedupWindowMs },
];

/** The names of the settings, in order. */
export const CONFIG_FIELDS: ReadonlyArray<keyof QueueSettings> = CONFIG_SETTINGS.map((s) => s.name);

/**
 * The range of each number a call takes, as data: the checks below hold the engine's options to
 * these, and a server that must name an option its own way (TCP's `WAIT must be …`) reads them here.
 */
export const OPTION_RANGES = {
  /** A long poll's waitMs (0: answer at once). */
  waitMs: { min: 0, max: LIMITS.maxWaitMs },
  /** A reservation length. */
  visibilityMs: { min: 1, max: LIMITS.maxVisibilityMs },
  /** A send's or release's delay. */
  delayMs: { min: 0, max: LIMITS.maxDelayMs },
  /** receiveBatch's `max`. */
  max: { min: 1, max: LIMITS.maxBatch },
  /** wait's and request's timeoutMs (0: look once). */
  timeoutMs: { min: 0, max: LIMITS.maxWaitMs },
  /** browse: entries skipped, how many shown, and where each body is cut. */
  offset: { min: 0, max: 1_000_000_000 },
  limit: { min: 1, max: LIMITS.maxBrowse },
  bodyBytes: { min: 0, max: LIMITS.maxMessageBytesCeiling },
  /** redrive's `max`. */
  redriveMax: { min: 1, max: LIMITS.maxRedrive },
} as const satisfies Record<string, { min: number; max: number }>;

const inRange = (name: keyof typeof OPTION_RANGES, value: unknown, fallback?: number): number =>
  checkInt(name, value, OPTION_RANGES[name].min, OPTION_RANGES[name].max, fallback);

/** A long poll's waitMs (0 when not given: answer at once). */
export const checkWaitMs = (waitMs: unknown): number => inRange("waitMs", waitMs, 0);

/** A reservation length; undefined stays undefined (the queue's setting applies). */
export const checkVisibilityMs = (visibilityMs: unknown): number | undefined =>
  visibilityMs === undefined ? undefined : inRange("visibilityMs", visibilityMs);

/** A send's or release's delayMs (0 when not given). */
export const checkDelayMs = (delayMs: unknown): number => inRange("delayMs", delayMs, 0);

/** receiveBatch's `max`: required, 1–1000. */
export const checkMax = (max: unknown): number => inRange("max", max);

/** wait's and request's timeoutMs; undefined stays undefined (the default, DEFAULTS.replyTimeoutMs). */
export const checkReplyTimeoutMs = (timeoutMs: unknown): number | undefined =>
  timeoutMs === undefined ? undefined : inRange("timeoutMs", timeoutMs);

/** browse()'s options, checked, with their defaults (DEFAULTS.browseLimit, DEFAULTS.browseBodyBytes). */
export function checkBrowseOptions(options: unknown): { state: BrowseState; offset: number; limit: number; bodyBytes: number } {
  const o = (options ?? {}) as Partial<BrowseOptions>;
  if (typeof o !== "object" || !BROWSE_STATES.includes(o.state as BrowseState)) {
    throw new TinyQSError("BAD_ARGUMENT", `browse takes a state: ${BROWSE_STATES.join(", ")}; got ${shownValue(o.state)}`);
  }
  return {
    state: o.state as BrowseState,
    offset: inRange("offset", o.offset, 0),
    limit: inRange("limit", o.limit, DEFAULTS.browseLimit),
    bodyBytes: inRange("bodyBytes", o.bodyBytes, DEFAULTS.browseBodyBytes),
  };
}

/** redrive()'s options, checked: the target queue (not the dead-letter queue itself) and max. */
export function checkRedriveOptions(deadLetterQueue: string, options: unknown): { to: string | undefined; max: number | undefined } {
  if (options !== undefined && (typeof options !== "object" || options === null || Array.isArray(options))) {
    throw new TinyQSError("BAD_ARGUMENT", "redrive takes an object of options: to, max");
  }
  const o = (options ?? {}) as Partial<RedriveOptions>;
  const unknown = Object.keys(o).find((k) => k !== "to" && k !== "max" && o[k as keyof RedriveOptions] !== undefined);
  if (unknown !== undefined) throw new TinyQSError("BAD_ARGUMENT", `unknown redrive option ${JSON.stringify(unknown)}; options are to, max`);
  const to = o.to === undefined ? undefined : checkQueueName(o.to, "target");
  if (to === deadLetterQueue) throw new TinyQSError("BAD_ARGUMENT", "a queue cannot be redriven into itself");
  const max = o.max === undefined ? undefined : checkInt("max", o.max, OPTION_RANGES.redriveMax.min, OPTION_RANGES.redriveMax.max);
  return { to, max };
}

/** sendBatch's bodies: an array of at most 1000 (each body is checked when it is sent). */
export function checkBodies(bodies: unknown): asserts bodies is unknown[] {
  if (!Array.isArray(bodies) || bodies.length > LIMITS.maxBatch) {
    throw new TinyQSError("BAD_ARGUMENT", `sendBatch takes an array of at most ${LIMITS.maxBatch} bodies`);
  }
}

/**
 * deleteBatch's and touchBatch's items: an array of at most 1000 (else BAD_ARGUMENT, nothing done).
 * Each item is judged alone: one that is not a receipt (isRef) fails only itself.
 */
export function checkRefs(method: string, refs: unknown): asserts refs is unknown[] {
  if (!Array.isArray(refs) || refs.length > LIMITS.maxBatch) {
    throw new TinyQSError("BAD_ARGUMENT", `${method} takes an array of at most ${LIMITS.maxBatch} items`);
  }
}

/** What checkReceipt and checkIdOrReceipt accept, as a yes/no for items judged one by one. */
export const isRef = (ref: unknown): ref is string => typeof ref === "string" && ref.length > 0 && ref.length <= 256;

/** A dedup id: 1–128 printable ASCII characters, no spaces (it travels as a header and a RESP argument). */
export const DEDUP_ID = /^[\x21-\x7e]{1,128}$/;

/** A send's dedupId; undefined stays undefined (no dedup). */
export function checkDedupId(dedupId: unknown): string | undefined {
  if (dedupId === undefined) return undefined;
  if (typeof dedupId !== "string" || !DEDUP_ID.test(dedupId)) {
    throw new TinyQSError("BAD_ARGUMENT", `a dedupId is 1-128 printable ASCII characters without spaces, got ${shownValue(dedupId)}`);
  }
  return dedupId;
}

/** sendBatch's dedupIds: absent, or one per body (each a dedupId or undefined). */
export function checkDedupIds(dedupIds: unknown, count: number): Array<string | undefined> | undefined {
  if (dedupIds === undefined) return undefined;
  if (!Array.isArray(dedupIds) || dedupIds.length !== count) {
    throw new TinyQSError("BAD_ARGUMENT", `sendBatch's dedupIds must be an array with one entry per body (${count})`);
  }
  return dedupIds.map((d) => checkDedupId(d ?? undefined));
}

/** A receipt or an id: a non-empty string of at most 256 characters; else BAD_ARGUMENT with `message`. */
function checkRef(ref: unknown, message: string): string {
  if (!isRef(ref)) throw new TinyQSError("BAD_ARGUMENT", message);
  return ref;
}

/** touch, release, respond. */
export const checkReceipt = (receipt: unknown): string => checkRef(receipt, "a receipt is a non-empty string of at most 256 characters");

/** delete: an id or a receipt. */
export const checkIdOrReceipt = (idOrReceipt: unknown): string => checkRef(idOrReceipt, "delete takes an id or a receipt: a non-empty string of at most 256 characters");

/**
 * configure()'s changes, checked field by field (undefined values dropped). Whether the result
 * leaves a valid queue (a default dead-letter name too long once maxReceives > 0) depends on the
 * current settings, so the engine checks that after merging.
 */
export function checkConfigChanges(queue: string, changes: unknown): Partial<QueueSettings> {
  if (typeof changes !== "object" || changes === null) throw new TinyQSError("BAD_ARGUMENT", "configure takes an object");
  const out: Record<string, number | string> = {};
  for (const [field, value] of Object.entries(changes)) {
    if (value === undefined) continue;
    const setting = CONFIG_SETTINGS.find((c) => c.name === field);
    if (!setting) {
      if (field === "paused") throw new TinyQSError("BAD_ARGUMENT", "paused is read only: pause and resume the queue instead");
      throw new TinyQSError("BAD_ARGUMENT", `unknown setting ${JSON.stringify(field)}; settings are ${CONFIG_FIELDS.join(", ")}`);
    }
    if ("min" in setting) out[field] = checkInt(field, value, setting.min, setting.max);
    else if (checkQueueName(value, "dead-letter queue") === queue) {
      throw new TinyQSError("BAD_ARGUMENT", "a queue cannot be its own dead-letter queue");
    } else out[field] = value as string;
  }
  return out as Partial<QueueSettings>;
}

/** createWorker's numeric options, checked, with the defaults filled in. */
export interface WorkerSettings {
  concurrency: number;
  waitMs: number;
  retryDelayMs: number;
  maxRetryDelayMs: number;
  /** undefined: the queue's setting, read when the worker starts. */
  visibilityMs: number | undefined;
  /** undefined: a third of the reservation. */
  touchIntervalMs: number | undefined;
}

/** createWorker's options, in the order their errors are reported. */
export function checkWorkerOptions(options: WorkerOptions): WorkerSettings {
  const concurrency = checkInt("concurrency", options.concurrency, 1, LIMITS.maxBatch, WORKER_DEFAULTS.concurrency);
  const waitMs = checkInt("waitMs", options.waitMs, 1, LIMITS.maxWaitMs, WORKER_DEFAULTS.waitMs);
  const retryDelayMs = checkInt("retryDelayMs", options.retryDelayMs, 0, LIMITS.maxDelayMs, WORKER_DEFAULTS.retryDelayMs);
  // A first delay above the default cap raises the cap with it, so the delay never shrinks.
  const maxRetryDelayMs = checkInt(
    "maxRetryDelayMs", options.maxRetryDelayMs, 0, LIMITS.maxDelayMs, Math.max(retryDelayMs, WORKER_DEFAULTS.maxRetryDelayMs),
  );
  const visibilityMs = checkVisibilityMs(options.visibilityMs);
  const touchIntervalMs =
    options.touchIntervalMs === undefined ? undefined : checkInt("touchIntervalMs", options.touchIntervalMs, 1, LIMITS.maxVisibilityMs);
  return { concurrency, waitMs, retryDelayMs, maxRetryDelayMs, visibilityMs, touchIntervalMs };
}
