// The dashboard's part of the OpenAPI document (openapi.ts spreads it into `paths`): its live
// stream (server-sent events, an API route like any other) and the routes that serve the page.
const queueParam = {
  name: "queue",
  in: "path",
  required: true,
  description: "Queue name: 1-128 characters of A-Z a-z 0-9 _ . -",
  schema: { type: "string" },
};
const stream = (description: string) => ({ description, content: { "text/event-stream": { schema: { type: "string" } } } });
const err = { $ref: "#/components/responses/Unauthorized" };
const page = (operationId: string, summary: string, responses: Record<string, unknown>) => ({
  get: { operationId, summary, security: [], responses },
});
const file = { name: "file", in: "path", required: true, schema: { type: "string" } };

export const UI_PATHS = {
  "/v1/live": {
    get: {
      operationId: "live",
      summary: "Server-sent events: every queue the user administers, sampled once a second (the dashboard's overview)",
      description:
        "Events `sample` ({at, queues: [stats + name + rates {sent, received, deleted} per second, null on the first sample]}) once a second, " +
        "`unavailable` ({at, message}) for a second whose sample failed. One sampler serves every stream: one Redis round trip a second " +
        "for all watched queues, however many streams are open (docs/dashboard.md). Needs an admin grant on some queue (else 403, as for the queue list); shows only those.",
      responses: { 200: stream("The stream, until the client leaves or the server stops."), 401: err },
    },
  },
  "/v1/live/{queue}": {
    parameters: [queueParam],
    get: {
      operationId: "liveQueue",
      summary: "Server-sent events: one queue, its last 15 minutes of rates first (`history`), then a `sample` a second",
      description:
        "`history` is {at[], sent[], received[], deleted[]} (ms, per second), kept in server memory while the queue is watched. " +
        "Needs an admin grant on the queue (else 403, as for its stats).",
      responses: { 200: stream("The stream."), 400: { description: "Bad queue name." }, 401: err },
    },
  },
  "/": page("uiRoot", "Redirects to the dashboard, /ui/ (absent with --no-ui)", { 302: { description: "To /ui/." } }),
  "/ui": page("uiNoSlash", "Redirects to /ui/", { 302: { description: "To /ui/." } }),
  "/ui/": page("ui", "The dashboard page (docs/dashboard.md); no credentials needed to load it, it asks for them", {
    200: { description: "HTML.", content: { "text/html": { schema: { type: "string" } } } },
  }),
  "/ui/config.json": page("uiConfig", "How the page is served: {mode: on | read-only, credentials: boolean}", {
    200: { description: "JSON.", content: { "application/json": { schema: { type: "object" } } } },
  }),
  "/ui/{file}": { parameters: [file], ...page("uiFile", "The page's scripts and styles", { 200: { description: "The file." }, 404: { description: "No such file." } }) },
  "/ui/vendor/{file}": {
    parameters: [file],
    ...page("uiVendor", "The libraries the page imports (Preact, htm, uPlot), from the server's node_modules", { 200: { description: "The file." }, 404: { description: "No such file." } }),
  },
};
