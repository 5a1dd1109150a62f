// The OpenAPI 3 description of every route, served at GET /v1/openapi.json. It is kept by hand next
// to the routes (a test checks that the two list the same routes, and that it is valid JSON with the
// shape OpenAPI requires). Limits quoted here are the defaults; a server may be started with others.
import { BROWSE_STATES, DEFAULTS as CORE_DEFAULTS, ERRORS, LIMITS, OPTION_RANGES, QUEUE_NAME } from "@tinyqs/core";
import { HEADERS } from "@tinyqs/core/wire";
import { DEFAULTS } from "./defaults.js";
import { SCHEMAS } from "./openapi-schemas.js";
import { UI_PATHS } from "./openapi-ui.js";

const error = (description: string) => ({
  description,
  content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } },
});

const queueParam = {
  name: "queue",
  in: "path",
  required: true,
  description: "Queue name: 1-128 characters of A-Z a-z 0-9 _ . -",
  schema: { type: "string", pattern: QUEUE_NAME.source },
};

const intQuery = (name: string, description: string, minimum: number, maximum: number) => ({
  name,
  in: "query",
  required: false,
  description,
  schema: { type: "integer", minimum, maximum },
});

const waitMs = intQuery("waitMs", `Long-poll up to this many ms when nothing is ready (default 0). The server caps it (default ${DEFAULTS.maxWaitMs}).`, 0, DEFAULTS.maxWaitMs);
const visibilityMs = intQuery("visibilityMs", "Reservation length in ms (default: the queue's visibilityMs).", 1, LIMITS.maxVisibilityMs);
const delayMs = (what: string) => intQuery("delayMs", `${what} this many ms from now (default 0).`, 0, LIMITS.maxDelayMs);
const receiptParam = { name: "receipt", in: "path", required: true, description: "The receipt of a delivery (`<id>.<n>`, n its delivery number: the receiveCount unless the message was redriven). Opaque: a receipt from before a redrive stays stale.", schema: { type: "string" } };

const rawMessage = {
  description: "The message: its body as raw bytes, its metadata in headers.",
  headers: {
    [HEADERS.id]: { description: "Message id, `<sentAt ms>-<sequence>`.", schema: { type: "string" } },
    [HEADERS.receipt]: { description: "Receipt of this delivery (absent for a peek): use it to delete, touch or release.", schema: { type: "string" } },
    [HEADERS.receiveCount]: { description: "Deliveries so far, this one included (0 for a peeked message never received).", schema: { type: "integer" } },
    [HEADERS.sentAt]: { description: "When it was sent, ms since the epoch (Redis clock).", schema: { type: "integer" } },
  },
  content: { "application/octet-stream": { schema: { type: "string", format: "binary" } } },
};

const timeoutMs = intQuery(
  "timeoutMs",
  `Wait up to this many ms for the reply (default ${CORE_DEFAULTS.replyTimeoutMs}, or the server's cap when lower; 0: look once). The server caps it (default ${DEFAULTS.maxWaitMs}).`,
  0,
  DEFAULTS.maxWaitMs,
);
const replyHandleHeader = {
  [HEADERS.replyHandle]: { description: "Where the reply is, `<queue>:<id>` (the request's message id): GET /v1/replies/{handle} collects it.", schema: { type: "string" } },
};
const rawReply = {
  description: "The reply: raw bytes, exactly as the responder sent them.",
  content: { "application/octet-stream": { schema: { type: "string", format: "binary" } } },
};

const noneCame = { description: "Nothing came within waitMs (or the server is shutting down)." };
const done = { description: "Done." };
const stale = error("Unknown id, or the receipt's delivery is over (lease ended, released, or delivered again). Nothing changed.");

const receiptList = {
  required: true,
  description: "Content-Type: application/json (charset allowed); anything else is 415.",
  content: { "application/json": { schema: { $ref: "#/components/schemas/ReceiptList" } } },
};
const itemResults = {
  200: { description: "One result per item, in order.", content: { "application/json": { schema: { $ref: "#/components/schemas/ItemResults" } } } },
  400: error(`Bad queue name, JSON, shape or parameter, or more than ${LIMITS.maxBatch} items; nothing done.`),
  401: { $ref: "#/components/responses/Unauthorized" },
  403: { $ref: "#/components/responses/Forbidden" },
  415: { $ref: "#/components/responses/UnsupportedMediaType" },
  503: { $ref: "#/components/responses/Unavailable" },
};

export const OPENAPI = {
  openapi: "3.0.3",
  info: {
    title: "tinyqs HTTP API",
    version: "1",
    description:
      "A reliable message queue on Redis (send, receive with a visibility timeout, delete, touch, release), " +
      "with request/response on top (request, respond, collect a reply). " +
      "Errors are `{ \"error\": { \"code\", \"message\" } }`. Codes and statuses: " +
      Object.entries(ERRORS).map(([code, e]) => `${code} ${e.http}`).join(", ") +
      " (UNAUTHORIZED: missing or wrong credentials; FORBIDDEN: a user (--users) without the grant for this route on this queue, " +
      "or a web page of an origin not allowed by --cors-origin, or a Host the server does not answer to; " +
      "UNSUPPORTED_MEDIA_TYPE: a JSON route given another Content-Type). " +
      "Browsers: a request whose Origin is another site's is refused (403) on every route that changes something " +
      "(every POST, PUT and DELETE, and the GETs that receive or collect a reply) and on the WebSocket upgrade, unless --cors-origin allows it; " +
      "OPTIONS answers CORS preflights (204 for allowed origins, 403 otherwise) and, without one, 204 with Allow. " +
      "So is such a request without Origin when its Sec-Fetch-Site is same-site or cross-site (only none and same-origin pass). " +
      "Requests without Origin (curl, SDKs, servers) are unaffected. " +
      "Against DNS rebinding, every route refuses (403) a request whose Host is not localhost, an IP address or a name given with --allowed-host, " +
      "unless its Origin is allowed by --cors-origin. " +
      "The WebSocket stream at /v1/ws is specified in docs/websocket.md.",
    license: { name: "MIT" },
  },
  security: [{ bearer: [] }, { basic: [] }],
  paths: {
    "/v1/queues/{queue}/messages": {
      parameters: [queueParam],
      post: {
        operationId: "send",
        summary: "Send one message: the request body, raw bytes of any content type, stored byte for byte",
        parameters: [
          delayMs("Become receivable"),
          { name: HEADERS.dedupId, in: "header", required: false, schema: { $ref: "#/components/schemas/DedupId" } },
        ],
        requestBody: { required: true, content: { "*/*": { schema: { type: "string", format: "binary" } } } },
        responses: {
          201: { description: "Stored.", content: { "application/json": { schema: { $ref: "#/components/schemas/SendResult" } } } },
          400: error("Bad queue name or parameter (BAD_NAME, BAD_ARGUMENT)."),
          401: { $ref: "#/components/responses/Unauthorized" },
          403: { $ref: "#/components/responses/Forbidden" },
          413: error(`The body is over the server's limit (default ${DEFAULTS.maxMessageBytes} bytes; refused before it is read) or the queue's maxMessageBytes (TOO_BIG).`),
          507: { $ref: "#/components/responses/Full" },
          503: { $ref: "#/components/responses/Unavailable" },
        },
      },
      get: {
        operationId: "receive",
        summary: "Receive (reserve) the oldest ready message; with `max`, up to that many as JSON",
        description:
          "Without `max`: 200 with the raw body and `tinyqs-*` headers, or 204. With `max`: 200 with JSON (possibly an empty list). " +
          "A client that disconnects during the long poll gets nothing reserved: a message reserved at that instant goes back to ready.",
        parameters: [waitMs, visibilityMs, intQuery("max", "Receive up to this many, answered as JSON.", 1, LIMITS.maxBatch)],
        responses: {
          200: {
            ...rawMessage,
            content: {
              ...rawMessage.content,
              "application/json": { schema: { $ref: "#/components/schemas/MessageList" } },
            },
          },
          204: noneCame,
          400: error("Bad queue name or parameter."),
          401: { $ref: "#/components/responses/Unauthorized" },
          403: { $ref: "#/components/responses/Forbidden" },
          503: { $ref: "#/components/responses/Unavailable" },
        },
      },
    },
    "/v1/queues/{queue}/messages/batch": {
      parameters: [queueParam],
      post: {
        operationId: "sendBatch",
        summary: `Send up to ${LIMITS.maxBatch} messages, JSON, bodies in UTF-8 or base64`,
        description: "All or none when every message has the same delay. The whole request is limited like one message (base64-encoded) plus 64 KiB.",
        requestBody: { required: true, description: "Content-Type: application/json (charset allowed); anything else is 415.", content: { "application/json": { schema: { $ref: "#/components/schemas/BatchRequest" } } } },
        responses: {
          201: { description: "Stored, ids in request order.", content: { "application/json": { schema: { $ref: "#/components/schemas/BatchResult" } } } },
          400: error("Bad JSON, shape, encoding or parameter."),
          401: { $ref: "#/components/responses/Unauthorized" },
          403: { $ref: "#/components/responses/Forbidden" },
          413: error("The request or one message is too big (TOO_BIG); nothing is stored."),
          507: { $ref: "#/components/responses/Full" },
          415: { $ref: "#/components/responses/UnsupportedMediaType" },
          503: { $ref: "#/components/responses/Unavailable" },
        },
      },
    },
    "/v1/queues/{queue}/messages/peek": {
      parameters: [queueParam],
      get: {
        operationId: "peek",
        summary: "The next ready message, not reserved (no receipt)",
        parameters: [waitMs],
        responses: {
          200: rawMessage,
          204: noneCame,
          400: error("Bad queue name or parameter."),
          401: { $ref: "#/components/responses/Unauthorized" },
          503: { $ref: "#/components/responses/Unavailable" },
        },
      },
    },
    "/v1/queues/{queue}/browse/{state}": {
      parameters: [queueParam, { name: "state", in: "path", required: true, schema: { type: "string", enum: [...BROWSE_STATES] } }],
      get: {
        operationId: "browse",
        summary: "The messages of one state, oldest first, without reserving or changing anything",
        description:
          "What the keys hold at that instant: a lease that ended, or a delayed message that came due, still shows in its old state until the queue's next receive moves it back to ready. No receipts.",
        parameters: [
          intQuery("offset", "Entries skipped (default 0).", OPTION_RANGES.offset.min, OPTION_RANGES.offset.max),
          intQuery("limit", `At most this many (default ${CORE_DEFAULTS.browseLimit}).`, OPTION_RANGES.limit.min, OPTION_RANGES.limit.max),
          intQuery("bodyBytes", `Each body cut to its first bodyBytes bytes (default ${CORE_DEFAULTS.browseBodyBytes}); size is the whole body's.`, OPTION_RANGES.bodyBytes.min, OPTION_RANGES.bodyBytes.max),
        ],
        responses: {
          200: { description: "Oldest first; empty beyond the end.", content: { "application/json": { schema: { $ref: "#/components/schemas/BrowsedList" } } } },
          400: error("Bad queue name, state or parameter."),
          401: { $ref: "#/components/responses/Unauthorized" },
          503: { $ref: "#/components/responses/Unavailable" },
        },
      },
    },
    "/v1/queues/{queue}/messages/{idOrReceipt}": {
      parameters: [queueParam],
      delete: {
        operationId: "delete",
        summary: "Delete (acknowledge): by receipt only while that delivery is current; by id whatever the state",
        parameters: [{ name: "idOrReceipt", in: "path", required: true, schema: { type: "string" } }],
        responses: { 204: done, 400: error("Bad queue name."), 401: { $ref: "#/components/responses/Unauthorized" }, 403: { $ref: "#/components/responses/Forbidden" }, 404: stale, 503: { $ref: "#/components/responses/Unavailable" } },
      },
    },
    "/v1/queues/{queue}/messages/{receipt}/touch": {
      parameters: [queueParam, receiptParam],
      post: {
        operationId: "touch",
        summary: "Extend a reservation: it now ends visibilityMs from now",
        parameters: [visibilityMs],
        responses: { 204: done, 400: error("Bad queue name or parameter."), 401: { $ref: "#/components/responses/Unauthorized" }, 403: { $ref: "#/components/responses/Forbidden" }, 404: stale, 503: { $ref: "#/components/responses/Unavailable" } },
      },
    },
    "/v1/queues/{queue}/messages/delete": {
      parameters: [queueParam],
      post: {
        operationId: "deleteBatch",
        summary: `Delete up to ${LIMITS.maxBatch} messages by receipt or id, one result per item`,
        description: "Partial failure is per item: a stale or malformed item fails alone, and the answer is 200 whatever each item's fate.",
        requestBody: receiptList,
        responses: itemResults,
      },
    },
    "/v1/queues/{queue}/messages/touch": {
      parameters: [queueParam],
      post: {
        operationId: "touchBatch",
        summary: `Extend up to ${LIMITS.maxBatch} reservations to visibilityMs from now, one result per item`,
        description: "Partial failure is per item: a stale or malformed item fails alone, and the answer is 200 whatever each item's fate.",
        parameters: [visibilityMs],
        requestBody: receiptList,
        responses: itemResults,
      },
    },
    "/v1/queues/{queue}/messages/{receipt}/release": {
      parameters: [queueParam, receiptParam],
      post: {
        operationId: "release",
        summary: "End a reservation: the message is ready again now, or after delayMs",
        parameters: [delayMs("Ready again")],
        responses: { 204: done, 400: error("Bad queue name or parameter."), 401: { $ref: "#/components/responses/Unauthorized" }, 403: { $ref: "#/components/responses/Forbidden" }, 404: stale, 503: { $ref: "#/components/responses/Unavailable" } },
      },
    },
    "/v1/queues/{queue}/requests": {
      parameters: [queueParam],
      post: {
        operationId: "request",
        summary: "Send a request (the request body, raw bytes) and wait for its reply",
        description:
          "The request is an ordinary message of the queue (a responder receives it with GET /v1/queues/{queue}/messages and answers with POST …/respond). " +
          "No reply within timeoutMs: 504 TIMEOUT, and the reply can still be collected later with GET /v1/replies/{handle}. " +
          "A client that disconnects before the reply is written to it leaves the reply stored (for the queue's replyTtlMs); " +
          "a reply already written counts as delivered, even if the client dies before reading it.",
        parameters: [timeoutMs],
        requestBody: { required: true, content: { "*/*": { schema: { type: "string", format: "binary" } } } },
        responses: {
          200: { ...rawReply, headers: replyHandleHeader },
          400: error("Bad queue name or parameter (BAD_NAME, BAD_ARGUMENT)."),
          401: { $ref: "#/components/responses/Unauthorized" },
          403: { $ref: "#/components/responses/Forbidden" },
          413: error(`The body is over the server's limit (default ${DEFAULTS.maxMessageBytes} bytes; refused before it is read) or the queue's maxMessageBytes (TOO_BIG).`),
          507: { $ref: "#/components/responses/Full" },
          503: { $ref: "#/components/responses/Unavailable" },
          504: { ...error("No reply within timeoutMs, or the server is shutting down (TIMEOUT); the request stays queued."), headers: replyHandleHeader },
        },
      },
    },
    "/v1/queues/{queue}/messages/{receipt}/respond": {
      parameters: [queueParam, receiptParam],
      post: {
        operationId: "respond",
        summary: "Answer a request: store the reply (the request body, raw bytes) for its caller and delete the request, in one step",
        description: "Only the current delivery may respond, once: a receipt whose lease ran out, a second respond or an unknown receipt stores nothing (404).",
        requestBody: { required: true, content: { "*/*": { schema: { type: "string", format: "binary" } } } },
        responses: {
          204: { description: "The reply is stored (kept the queue's replyTtlMs) and the request deleted." },
          400: error("Bad queue name or receipt."),
          401: { $ref: "#/components/responses/Unauthorized" },
          403: { $ref: "#/components/responses/Forbidden" },
          404: error("Unknown receipt, a delivery that is over (lease ended, delivered again) or already answered. Nothing stored."),
          413: error(`The reply is over the server's limit (default ${DEFAULTS.maxMessageBytes} bytes; refused before it is read) or the queue's maxMessageBytes (TOO_BIG).`),
          507: { $ref: "#/components/responses/Full" },
          503: { $ref: "#/components/responses/Unavailable" },
        },
      },
    },
    "/v1/replies/{handle}": {
      parameters: [
        {
          name: "handle",
          in: "path",
          required: true,
          description: "A reply handle, `<queue>:<id>`, from the tinyqs-reply-handle header (or a sent message's queue and id), URL-encoded.",
          schema: { type: "string" },
        },
      ],
      get: {
        operationId: "wait",
        summary: "Collect a request's reply, once, waiting up to timeoutMs for it",
        description:
          "A client that disconnects while waiting does not take the reply: one collected at that instant is put back for the next collect. " +
          "A reply already written to the connection counts as delivered, even if the client dies before reading it.",
        parameters: [timeoutMs],
        responses: {
          200: rawReply,
          204: { description: "No reply within timeoutMs (none yet, already collected, or expired), or the server is shutting down." },
          400: error("Bad handle or parameter (BAD_ARGUMENT)."),
          401: { $ref: "#/components/responses/Unauthorized" },
          403: { $ref: "#/components/responses/Forbidden" },
          503: { $ref: "#/components/responses/Unavailable" },
        },
      },
    },
    "/v1/queues": {
      get: {
        operationId: "queues",
        summary: "Every queue that exists, with its stats",
        responses: {
          200: {
            description: "Sorted by name.",
            content: { "application/json": { schema: { type: "array", items: { $ref: "#/components/schemas/QueueSummary" } } } },
          },
          401: { $ref: "#/components/responses/Unauthorized" },
          503: { $ref: "#/components/responses/Unavailable" },
        },
      },
    },
    "/v1/queues/{queue}": {
      parameters: [queueParam],
      get: {
        operationId: "queue",
        summary: "One queue's stats and settings (zeros and defaults for a queue never used)",
        responses: {
          200: { description: "Stats and settings.", content: { "application/json": { schema: { $ref: "#/components/schemas/QueueDetail" } } } },
          400: error("Bad queue name."),
          401: { $ref: "#/components/responses/Unauthorized" },
          503: { $ref: "#/components/responses/Unavailable" },
        },
      },
      delete: {
        operationId: "deleteQueue",
        summary: "Delete the queue whole: messages, settings, counters; GET /v1/queues no longer lists it",
        description:
          "One UNLINK of the queue's keys: Redis frees them in the background, so even a queue of millions of messages does not block it. " +
          "Long polls waiting on the queue keep waiting; a send afterwards makes the queue anew (default settings, not paused). Deleting a queue that does not exist is 204 too.",
        responses: {
          204: { description: "Deleted (or there was nothing to delete)." },
          400: error("Bad queue name."),
          401: { $ref: "#/components/responses/Unauthorized" },
          403: { $ref: "#/components/responses/Forbidden" },
          503: { $ref: "#/components/responses/Unavailable" },
        },
      },
      put: {
        operationId: "configure",
        summary: "Change some settings; the reply is all of them",
        requestBody: { required: true, description: "Content-Type: application/json (charset allowed); anything else is 415.", content: { "application/json": { schema: { $ref: "#/components/schemas/ConfigChanges" } } } },
        responses: {
          200: { description: "The settings now.", content: { "application/json": { schema: { $ref: "#/components/schemas/Config" } } } },
          400: error("Bad JSON, unknown setting or value out of range."),
          401: { $ref: "#/components/responses/Unauthorized" },
          403: { $ref: "#/components/responses/Forbidden" },
          413: error("The JSON body is over the server's limit for JSON bodies (TOO_BIG); nothing changed."),
          507: { $ref: "#/components/responses/Full" },
          415: { $ref: "#/components/responses/UnsupportedMediaType" },
          503: { $ref: "#/components/responses/Unavailable" },
        },
      },
    },
    "/v1/queues/{queue}/purge": {
      parameters: [queueParam],
      post: {
        operationId: "purge",
        summary: "Remove every message (ready, in flight, delayed); counters and settings stay",
        responses: {
          200: { description: "How many were removed.", content: { "application/json": { schema: { type: "object", required: ["purged"], properties: { purged: { type: "integer" } } } } } },
          400: error("Bad queue name."),
          401: { $ref: "#/components/responses/Unauthorized" },
          403: { $ref: "#/components/responses/Forbidden" },
          503: { $ref: "#/components/responses/Unavailable" },
        },
      },
    },
    "/v1/queues/{queue}/pause": {
      parameters: [queueParam],
      post: {
        operationId: "pause",
        summary: "Pause deliveries: receives, takes and WebSocket subscriptions get nothing (long polls keep waiting); sends are accepted, peek and browse still show",
        description: "Kept in Redis: survives restarts of the servers. Pausing a paused queue changes nothing.",
        responses: {
          200: { description: "Paused.", content: { "application/json": { schema: { type: "object", required: ["paused"], properties: { paused: { type: "boolean", enum: [true] } } } } } },
          400: error("Bad queue name."),
          401: { $ref: "#/components/responses/Unauthorized" },
          403: { $ref: "#/components/responses/Forbidden" },
          507: { $ref: "#/components/responses/Full" },
          503: { $ref: "#/components/responses/Unavailable" },
        },
      },
    },
    "/v1/queues/{queue}/resume": {
      parameters: [queueParam],
      post: {
        operationId: "resume",
        summary: "Deliver again; long polls waiting on the queue get its messages now",
        responses: {
          200: { description: "Not paused.", content: { "application/json": { schema: { type: "object", required: ["paused"], properties: { paused: { type: "boolean", enum: [false] } } } } } },
          400: error("Bad queue name."),
          401: { $ref: "#/components/responses/Unauthorized" },
          403: { $ref: "#/components/responses/Forbidden" },
          503: { $ref: "#/components/responses/Unavailable" },
        },
      },
    },
    "/v1/queues/{queue}/redrive": {
      parameters: [queueParam],
      post: {
        operationId: "redrive",
        summary: "Move the dead letters of this (dead-letter) queue back, ready, to the queue each died in (or to `to`); their receive count starts again",
        description:
          "A letter keeps the id it had before it died, unless its target holds a message of that id (then it gets a new id; its sentAt is kept). " +
          "Moved 100 at a time through an idempotent hand-off: interrupted, nothing is lost or doubled, and the next redrive finishes it. " +
          "An empty queue moves 0; one that does not exist at all is 404. A queue whose next message is no dead letter (it has no source queue) without `to` is 400 BAD_ARGUMENT.",
        requestBody: {
          required: false,
          description: "Optional. Content-Type: application/json (charset allowed) when there is a body; anything else is 415.",
          content: { "application/json": { schema: { $ref: "#/components/schemas/RedriveOptions" } } },
        },
        responses: {
          200: { description: "How many moved.", content: { "application/json": { schema: { type: "object", required: ["moved"], properties: { moved: { type: "integer" } } } } } },
          400: error("Bad queue name, bad JSON or option, `to` the queue itself, or not a dead-letter queue and no `to` (BAD_ARGUMENT)."),
          404: error("No such queue at all: queues() does not list it and it holds no message (NOT_FOUND)."),
          401: { $ref: "#/components/responses/Unauthorized" },
          403: { $ref: "#/components/responses/Forbidden" },
          413: error("The JSON body is over the server's limit for JSON bodies (TOO_BIG); nothing changed."),
          415: { $ref: "#/components/responses/UnsupportedMediaType" },
          507: { $ref: "#/components/responses/Full" },
          503: { $ref: "#/components/responses/Unavailable" },
        },
      },
    },
    "/healthz": {
      get: {
        operationId: "healthz",
        summary: "200 when Redis answers, 503 otherwise; needs no token",
        security: [],
        responses: {
          200: { description: "Redis answered.", content: { "application/json": { schema: { type: "object", properties: { status: { type: "string", enum: ["ok"] } } } } } },
          503: { description: "Redis did not answer in time.", content: { "application/json": { schema: { type: "object", properties: { status: { type: "string", enum: ["unavailable"] }, error: { $ref: "#/components/schemas/Error/properties/error" } } } } } },
        },
      },
    },
    ...UI_PATHS,
    "/metrics": {
      get: {
        operationId: "metrics",
        summary: "Prometheus metrics, names starting tinyqs_ (per-queue depth, operations, latency)",
        responses: {
          200: { description: "Prometheus text format.", content: { "text/plain": { schema: { type: "string" } } } },
          401: { $ref: "#/components/responses/Unauthorized" },
        },
      },
    },
    "/v1/openapi.json": {
      get: {
        operationId: "openapi",
        summary: "This document",
        responses: { 200: { description: "OpenAPI 3.", content: { "application/json": { schema: { type: "object" } } } }, 401: { $ref: "#/components/responses/Unauthorized" } },
      },
    },
    "/v1/ws": {
      get: {
        operationId: "websocket",
        summary: "WebSocket upgrade: subscriptions with prefetch, and send/delete/touch/release (docs/websocket.md)",
        description: "The token may be given as `?token=` as well as in the Authorization header.",
        parameters: [{ name: "token", in: "query", required: false, schema: { type: "string" } }],
        responses: {
          101: { description: "Switching to the WebSocket protocol." },
          401: { $ref: "#/components/responses/Unauthorized" },
          403: { $ref: "#/components/responses/Forbidden" },
        },
      },
    },
  },
  components: {
    securitySchemes: {
      bearer: { type: "http", scheme: "bearer", description: "Only when the server was started with --token (that token) or --users (a user's password)." },
      basic: { type: "http", scheme: "basic", description: "Only when the server was started with --users: user:password (docs/security.md)." },
    },
    responses: {
      Unauthorized: error("Missing or wrong credentials (UNAUTHORIZED): a bearer token, or Basic user:password."),
      Unavailable: error("Redis cannot be reached (UNAVAILABLE)."),
      Full: error("Redis is at its maxmemory (under noeviction) and refused the write (FULL); nothing was stored."),
      Forbidden: error(
        "The user (--users) has no grant for this route on this queue (FORBIDDEN; send, receive or admin: docs/security.md). Or: a browser request from an origin the server does not allow (FORBIDDEN): its Origin is neither the server's own nor one of --cors-origin, " +
          "or it says Sec-Fetch-Site: same-site or cross-site without an Origin, or its Host is not a name the server answers to " +
          "(localhost, an IP address, --allowed-host; any route can answer this then). Nothing was done.",
      ),
      UnsupportedMediaType: error("The body is not Content-Type: application/json (UNSUPPORTED_MEDIA_TYPE); nothing was read or changed."),
    },
    schemas: SCHEMAS,
  },
} as const;
