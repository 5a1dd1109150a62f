// The schemas of the OpenAPI document (openapi.ts): the shapes of request and response bodies,
// with the engine's limits and defaults quoted from core, so that they cannot drift from them.
import { DEFAULTS as CORE_DEFAULTS, DEDUP_ID, ERRORS, LIMITS } from "@tinyqs/core";

export const SCHEMAS = {
  /** A send's dedup id (core's DEDUP_ID). */
  DedupId: {
    type: "string", pattern: DEDUP_ID.source,
    description: "Idempotent send: a second send with this id within the queue's dedupWindowMs stores nothing and answers the first message's id",
  },
  Error: {
    type: "object",
    required: ["error"],
    properties: {
      error: {
        type: "object",
        required: ["code", "message"],
        properties: { code: { type: "string", enum: Object.keys(ERRORS) }, message: { type: "string" } },
      },
    },
  },
  SendResult: { type: "object", required: ["id"], properties: { id: { type: "string" } } },
  BatchRequest: {
    type: "object",
    required: ["messages"],
    properties: {
      messages: {
        type: "array",
        maxItems: LIMITS.maxBatch,
        items: {
          type: "object",
          required: ["body"],
          additionalProperties: false,
          properties: {
            body: { type: "string" },
            encoding: { type: "string", enum: ["utf8", "base64"], default: "utf8" },
            delayMs: { type: "integer", minimum: 0, maximum: LIMITS.maxDelayMs },
            dedupId: { $ref: "#/components/schemas/DedupId" },
          },
        },
      },
    },
  },
  BatchResult: { type: "object", required: ["ids"], properties: { ids: { type: "array", items: { type: "string" } } } },
  ReceiptList: {
    type: "object",
    required: ["receipts"],
    additionalProperties: false,
    properties: { receipts: { type: "array", maxItems: LIMITS.maxBatch, items: { type: "string" }, description: "Receipts (for delete also ids); each item is judged alone." } },
  },
  ItemResults: {
    type: "object",
    required: ["results"],
    properties: {
      results: {
        type: "array",
        description: "One per item, in order: { ok: true }, or { ok: false, error } with NOT_FOUND (unknown or stale) or BAD_ARGUMENT (not a receipt).",
        items: {
          type: "object",
          required: ["ok"],
          properties: { ok: { type: "boolean" }, error: { $ref: "#/components/schemas/Error/properties/error" } },
        },
      },
    },
  },
  Message: {
    type: "object",
    required: ["id", "receipt", "body", "receiveCount", "sentAt"],
    properties: {
      id: { type: "string" },
      receipt: { type: "string" },
      body: { type: "string", format: "byte", description: "base64" },
      receiveCount: { type: "integer" },
      sentAt: { type: "integer" },
    },
  },
  BrowsedList: {
    type: "object",
    required: ["messages"],
    properties: {
      messages: {
        type: "array",
        items: {
          type: "object",
          required: ["id", "state", "body", "size", "receiveCount", "sentAt"],
          properties: {
            id: { type: "string" },
            state: { type: "string", enum: ["ready", "inFlight", "delayed"] },
            body: { type: "string", format: "byte", description: "base64; cut at bodyBytes" },
            size: { type: "integer", description: "the whole body's bytes" },
            receiveCount: { type: "integer" },
            sentAt: { type: "integer" },
            leaseEndsAt: { type: "integer", description: "in flight: when the lease ends (ms since the epoch)" },
            dueAt: { type: "integer", description: "delayed: when it becomes ready" },
            deadLetterOf: {
              type: "object",
              required: ["queue", "id"],
              description: "a dead letter: the queue it died in and its id there (where redrive sends it back)",
              properties: { queue: { type: "string" }, id: { type: "string" } },
            },
          },
        },
      },
    },
  },
  MessageList: { type: "object", required: ["messages"], properties: { messages: { type: "array", items: { $ref: "#/components/schemas/Message" } } } },
  Stats: {
    type: "object",
    required: ["ready", "inFlight", "delayed", "sent", "received", "deleted", "deadLettered", "deduplicated", "paused", "oldestReadyAgeMs"],
    properties: {
      ...Object.fromEntries(["ready", "inFlight", "delayed", "sent", "received", "deleted", "deadLettered", "deduplicated"].map((k) => [k, { type: "integer" }])),
      paused: { type: "boolean", description: "paused (POST …/pause): receives deliver nothing until …/resume" },
      oldestReadyAgeMs: { type: "integer", nullable: true, description: "ms since the message a receive would take next was sent; null when none is ready" },
    },
  },
  QueueSummary: { allOf: [{ type: "object", required: ["name"], properties: { name: { type: "string" } } }, { $ref: "#/components/schemas/Stats" }] },
  QueueDetail: {
    allOf: [
      { $ref: "#/components/schemas/QueueSummary" },
      { type: "object", required: ["config"], properties: { config: { $ref: "#/components/schemas/Config" } } },
    ],
  },
  Config: {
    type: "object",
    required: ["visibilityMs", "maxReceives", "deadLetterQueue", "maxMessageBytes", "replyTtlMs", "dedupWindowMs", "paused"],
    properties: {
      visibilityMs: { type: "integer", minimum: 1, maximum: LIMITS.maxVisibilityMs, default: CORE_DEFAULTS.visibilityMs },
      maxReceives: { type: "integer", minimum: 0, maximum: LIMITS.maxReceives, default: 0, description: "0: never dead-letter" },
      deadLetterQueue: { type: "string", description: "default <queue>.dead" },
      maxMessageBytes: { type: "integer", minimum: 1, maximum: LIMITS.maxMessageBytesCeiling, default: CORE_DEFAULTS.maxMessageBytes },
      replyTtlMs: { type: "integer", minimum: 1, maximum: LIMITS.maxReplyTtlMs, default: CORE_DEFAULTS.replyTtlMs, description: "How long a reply is kept for its caller to collect" },
      dedupWindowMs: {
        type: "integer", minimum: 1, maximum: LIMITS.maxDedupWindowMs, default: CORE_DEFAULTS.dedupWindowMs,
        description: "How long a send's dedup id keeps a second send with it from being stored, from the first send",
      },
      paused: { type: "boolean", readOnly: true, description: "read only: changed by POST …/pause and …/resume, not by PUT" },
    },
  },
  RedriveOptions: {
    type: "object",
    additionalProperties: false,
    properties: {
      to: { type: "string", description: "send them all here; default: each back to the queue it died in" },
      max: { type: "integer", minimum: 1, maximum: LIMITS.maxRedrive, description: "at most this many (default: all that are ready when it starts)" },
    },
  },
  ConfigChanges: {
    type: "object",
    additionalProperties: false,
    properties: {
      visibilityMs: { type: "integer", minimum: 1, maximum: LIMITS.maxVisibilityMs },
      maxReceives: { type: "integer", minimum: 0, maximum: LIMITS.maxReceives },
      deadLetterQueue: { type: "string" },
      maxMessageBytes: { type: "integer", minimum: 1, maximum: LIMITS.maxMessageBytesCeiling },
      replyTtlMs: { type: "integer", minimum: 1, maximum: LIMITS.maxReplyTtlMs },
      dedupWindowMs: { type: "integer", minimum: 1, maximum: LIMITS.maxDedupWindowMs },
    },
  },
} as const;
