// Prometheus metrics (prom-client), every name starting with `tinyqs_`, on a registry of this server
// (not prom-client's global one, so two servers in one process don't collide):
// - per-queue depth, read from Redis at scrape time (`tinyqs_queue_ready` / `_in_flight` / `_delayed`);
// - every engine operation, whether it came over REST or WebSocket: a counter by outcome and a
//   latency histogram (long polls include their waiting);
// - HTTP requests by route and status, open WebSockets, and prom-client's process metrics.
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

/** delete/touch/release/respond answer false for an unknown or stale receipt: counted as NOT_FOUND, as the API replies. */
const BOOLEAN_OPS = new Set<Operation>(["delete", "touch", "release", "respond"]);

export class Metrics {
  readonly registry = new Registry();
  readonly httpRequests: Counter<"method" | "route" | "status">;
  readonly wsConnections: Gauge;
  private readonly operations: Counter<"operation" | "outcome">;
  private readonly latency: Histogram<"operation">;
  /** One Redis read per scrape, shared by the three depth gauges that ask for it at the same time. */
  private depths: Promise<Array<{ name: string; ready: number; inFlight: number; delayed: number }> | null> | null = null;

  constructor(private readonly api: TinyQSApi) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry, prefix: "tinyqs_" });
    this.operations = new Counter({
      name: "tinyqs_operations_total",
      help: "Queue operations by outcome (ok, or the error code)",
      labelNames: ["operation", "outcome"],
      registers,
    });
    this.latency = new Histogram({
      name: "tinyqs_operation_duration_seconds",
      help: "Time to complete a queue operation, long-poll waiting included",
      labelNames: ["operation"],
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

  /** The same API, with every operation counted and timed (ping, process and close pass straight through). */
  instrument(api: TinyQSApi): TinyQSApi {
    const wrapped = {
      close: () => api.close(),
      ping: () => api.ping(),
      process: (...args: Parameters<TinyQSApi["process"]>) => api.process(...args),
    } as Partial<TinyQSApi> as TinyQSApi;
    for (const op of OPERATIONS) {
      const original = (api[op] as (...args: unknown[]) => Promise<unknown>).bind(api);
      (wrapped as unknown as Record<string, unknown>)[op] = async (...args: unknown[]) => {
        const end = this.latency.startTimer({ operation: op });
        try {
          const result = await original(...args);
          this.operations.inc({ operation: op, outcome: BOOLEAN_OPS.has(op) && result === false ? "NOT_FOUND" : "ok" });
          return result;
        } catch (err) {
          this.operations.inc({ operation: op, outcome: isTinyQSError(err) ? err.code : "INTERNAL" });
          throw err;
        } finally {
          end();
        }
      };
    }
    return wrapped;
  }
}
