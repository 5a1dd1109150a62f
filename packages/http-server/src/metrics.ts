// Prometheus metrics (prom-client), every name starting with `tinyqs_`, on a registry of their own
// (not prom-client's global one, so two servers in one process don't collide). One Metrics serves a
// whole process: `pnpm start` makes one and gives it to the HTTP server (REST, WebSocket, the page)
// and the TCP server (an engine wrapped by `instrument(engine, "tcp")`), so /metrics counts them all:
// - per-queue depth, read from Redis at scrape time (`tinyqs_queue_ready` / `_in_flight` / `_delayed`);
// - every engine operation by the way it came in (`path`: tcp, rest, ws, ui) and outcome, and a
//   latency histogram (long polls include their waiting);
// - HTTP requests by route and status, open WebSockets, the dashboard's viewers and samples, and
//   prom-client's process metrics.
// On the hot path (each operation): one performance.now() pair, one histogram observe and one counter
// increment, on label children looked up once (per path and operation when wrapped, per outcome on
// first use), so no label object is built or hashed per call.
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from "prom-client";
import { isTinyQSError, type TinyQSApi } from "@tinyqs/core";

/** The engine methods that are operations (close() is not). */
const OPERATIONS = [
  "send", "sendBatch", "receive", "receiveBatch", "peek", "browse", "delete", "deleteBatch", "touch", "touchBatch", "release",
  "configure", "getConfig", "stats", "queues", "purge", "pause", "resume", "redrive", "deleteQueue",
  "put", "take", "respond", "wait", "request",
] as const;
type Operation = (typeof OPERATIONS)[number];
/** Compiles only while OPERATIONS names every method of TinyQSApi but the three passed straight through. */
const EVERY_OPERATION: Exclude<keyof TinyQSApi, Operation | "ping" | "process" | "close"> extends never ? true : never = true;
void EVERY_OPERATION;

/** The ways in, as the `path` label says them: the TCP server, REST, the WebSocket, and the dashboard page (its REST calls and live samples). */
export type OperationPath = "tcp" | "rest" | "ws" | "ui";

/** delete/touch/release/respond answer false for an unknown or stale receipt: counted as NOT_FOUND, as the API replies. */
const BOOLEAN_OPS = new Set<Operation>(["delete", "touch", "release", "respond"]);

export class Metrics {
  readonly registry = new Registry();
  readonly httpRequests: Counter<"method" | "route" | "status">;
  readonly wsConnections: Gauge;
  /** Open live streams of the dashboard, and its samples (one Redis round trip each: ui/sampler.ts). */
  readonly uiViewers: Gauge;
  readonly uiSamples: Counter;
  private readonly operations: Counter<"path" | "operation" | "outcome">;
  private readonly latency: Histogram<"path" | "operation">;
  /** One Redis read per scrape, shared by the three depth gauges that ask for it at the same time. */
  private depths: Promise<Array<{ name: string; ready: number; inFlight: number; delayed: number }> | null> | null = null;

  constructor(private readonly api: TinyQSApi) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry, prefix: "tinyqs_" });
    this.operations = new Counter({
      name: "tinyqs_operations_total",
      help: "Queue operations by the way they came in (tcp, rest, ws, ui) and outcome (ok, or the error code)",
      labelNames: ["path", "operation", "outcome"],
      registers,
    });
    this.latency = new Histogram({
      name: "tinyqs_operation_duration_seconds",
      help: "Time to complete a queue operation, long-poll waiting included",
      labelNames: ["path", "operation"],
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    });
    this.httpRequests = new Counter({
      name: "tinyqs_http_requests_total",
      help: "HTTP requests by route and status",
      labelNames: ["method", "route", "status"],
      registers,
    });
    this.wsConnections = new Gauge({ name: "tinyqs_ws_connections", help: "Open WebSocket connections", registers });
    this.uiViewers = new Gauge({ name: "tinyqs_ui_viewers", help: "Open live streams of the dashboard page", registers });
    this.uiSamples = new Counter({ name: "tinyqs_ui_samples_total", help: "Samples of the watched queues' stats taken for the dashboard (one Redis round trip each)", registers });
    const self = this;
    new Gauge({
      name: "tinyqs_redis_up",
      help: "1 when Redis answered this scrape, else 0",
      registers,
      async collect() {
        this.set((await self.readDepths()) ? 1 : 0);
      },
    });
    const depth = (name: string, help: string, field: "ready" | "inFlight" | "delayed") => {
      new Gauge({
        name,
        help,
        labelNames: ["queue"],
        registers,
        async collect() {
          this.reset();
          const queues = await self.readDepths();
          for (const q of queues ?? []) this.set({ queue: q.name }, q[field]);
        },
      });
    };
    depth("tinyqs_queue_ready", "Messages ready to receive, per queue", "ready");
    depth("tinyqs_queue_in_flight", "Messages received and not yet deleted (reserved), per queue", "inFlight");
    depth("tinyqs_queue_delayed", "Messages waiting for their delay to pass, per queue", "delayed");
  }

  /** The stats of every queue, or null when Redis cannot be read (the scrape still answers). */
  private readDepths() {
    return (this.depths ??= (async () => {
      try {
        const names = await this.api.queues();
        return await Promise.all(names.map(async (name) => ({ name, ...(await this.api.stats(name)) })));
      } catch {
        return null;
      } finally {
        setImmediate(() => (this.depths = null));
      }
    })());
  }

  /** The same API, with every operation counted and timed under `path` (ping, process and close pass straight through). */
  instrument(api: TinyQSApi, path: OperationPath): TinyQSApi {
    const wrapped = {
      close: () => api.close(),
      ping: () => api.ping(),
      process: (...args: Parameters<TinyQSApi["process"]>) => api.process(...args),
    } as Partial<TinyQSApi> as TinyQSApi;
    for (const op of OPERATIONS) {
      const original = (api[op] as (...args: unknown[]) => Promise<unknown>).bind(api);
      const timing = this.latency.labels(path, op);
      const outcomes = new Map<string, { inc(): void }>();
      const count = (outcome: string) => {
        let child = outcomes.get(outcome);
        if (!child) outcomes.set(outcome, (child = this.operations.labels(path, op, outcome)));
        child.inc();
      };
      (wrapped as unknown as Record<string, unknown>)[op] = async (...args: unknown[]) => {
        const started = performance.now();
        try {
          const result = await original(...args);
          count(BOOLEAN_OPS.has(op) && result === false ? "NOT_FOUND" : "ok");
          return result;
        } catch (err) {
          count(isTinyQSError(err) ? err.code : "INTERNAL");
          throw err;
        } finally {
          timing.observe((performance.now() - started) / 1000);
        }
      };
    }
    return wrapped;
  }
}
