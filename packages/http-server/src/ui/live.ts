// The dashboard's live stream: server-sent events over a plain GET (GET /v1/live for every queue the
// user administers, GET /v1/live/:queue for one, its chart history first). Each event is one sample
// of the shared sampler (sampler.ts), so opening a stream costs Redis nothing more; the grants are the
// queue list's and a queue's stats' (admin: permissions.ts), checked when the stream opens. Events:
//   `history` {at[], sent[], received[], deleted[]}  (one queue: the last 15 minutes, per second)
//   `sample`  {at, queues: [QueueSample…]}           (every queue: stats and rates, by name)
//             {at, queue: QueueSample}               (one queue)
//   `unavailable` {at, message}                      (this second's sample failed; the next may not)
// A stream ends when its client leaves or the server shuts down.
import { Router, type Request, type Response } from "express";
import { checkQueueName } from "@tinyqs/core";
import { ROUTES } from "@tinyqs/core/wire";
import { administersAll, visibleQueues, type Principal } from "@tinyqs/core/security";
import { userOf } from "../auth.js";
import type { Context } from "../context.js";
import type { Metrics } from "../metrics.js";
import { on } from "../rest/route.js";
import type { Interest, LiveSampler, Sample } from "./sampler.js";

const event = (name: string, data: unknown) => `event: ${name}\ndata: ${JSON.stringify(data)}\n\n`;

/** The whole overview as one event, written once per sample for every viewer who may see every queue. */
const fullOverview = new WeakMap<Sample, string>();

function overviewOf(sample: Sample, user: Principal): string {
  if (sample.error) return event("unavailable", { at: sample.at, message: sample.error });
  const everything = administersAll(user.grants);
  const cached = everything ? fullOverview.get(sample) : undefined;
  if (cached) return cached;
  const names = everything ? [...sample.queues.keys()] : (visibleQueues(user, [...sample.queues.keys()]) ?? []);
  const text = event("sample", { at: sample.at, queues: names.map((n) => sample.queues.get(n)) });
  if (everything) fullOverview.set(sample, text);
  return text;
}

export function liveRoutes(ctx: Context, sampler: LiveSampler, metrics: Metrics): Router {
  const r = Router();

  on(r, ROUTES.live, (req, res) => {
    const user = userOf(res);
    stream(ctx, sampler, metrics, req, res, "*", "", (s) => overviewOf(s, user));
  });

  on(r, ROUTES.liveQueue, (req, res) => {
    const queue = checkQueueName(req.params.queue);
    const history = event("history", sampler.history(queue));
    stream(ctx, sampler, metrics, req, res, queue, history, (s) =>
      s.error ? event("unavailable", { at: s.at, message: s.error }) : event("sample", { at: s.at, queue: s.queues.get(queue) }),
    );
  });

  return r;
}

function stream(ctx: Context, sampler: LiveSampler, metrics: Metrics, req: Request, res: Response, interest: Interest, first: string, frame: (s: Sample) => string): void {
  res.writeHead(200, { "Content-Type": "text/event-stream; charset=utf-8", "Cache-Control": "no-store", "X-Accel-Buffering": "no" });
  // `retry`: a browser's EventSource reconnects after a second; the page's own reader does the same.
  res.write(`retry: 1000\n\n${first}`);
  const wait = ctx.track();
  metrics.uiViewers.inc();
  const stop = sampler.watch(interest, (s) => void res.write(frame(s)));
  let ended = false;
  const end = () => {
    if (ended) return;
    ended = true;
    stop();
    wait.done();
    metrics.uiViewers.dec();
    res.end();
  };
  res.once("close", end);
  req.socket.once("close", end);
  wait.signal.addEventListener("abort", end, { once: true });
}
