// One measured run of the request/response scenario (R) on one target: the original spec's "same
// shapes for request/response (put-wait / take-respond)", in C's shape and with C's settings. Callers
// and responders run at the same time in one process, sharing one target as C's producer and
// consumer do:
//   - callers: `window` requests in flight (C's sends in flight), each a put of a 1 KiB body, then a
//     wait for its reply;
//   - responders: `concurrency` loops (C's receive→delete loops) of take(waitMs) → respond, where the
//     reply is made from the request's sequence number.
// Measured like run-scenario.ts (FLUSHDB and a fresh queue, the same CPU/RSS meters and the same
// RunResult), except that a "message" is a request: msgs/s is requests/s, and the latency is the full
// round trip, from the put being issued to the reply in the caller's hands.
//
// Exactly once: a caller compares its reply with the reply made for its own request, so a reply that
// went to the wrong caller fails the run at once; every request must be taken once and answered once.
// In the RunResult, dupRecv counts requests taken more than once, dupDel requests responded to more
// than once, deleteRefused responds refused (the receipt was not current), lost requests whose caller
// got no reply.
import { bodyMaker, replyMaker, sameBody, seqOf } from "./bodies.js";
import { latch, windowed } from "./flow.js";
import { LatencyRecorder } from "./latency.js";
import { REQUEST_WORDS, startProgress } from "./progress.js";
import { openRunFrame } from "./run-frame.js";
import type { RunOptions, RunResult } from "./run-scenario.js";
import { SCENARIOS, type ScenarioName } from "./scenarios.js";
import type { Target } from "./targets/types.js";

const now = () => performance.now();

export async function runRequestScenario(target: Target, name: ScenarioName, opts: RunOptions): Promise<RunResult> {
  const { n, size } = SCENARIOS[name];
  const S = opts.settings;
  const frame = await openRunFrame(target, name, opts);
  const rr = frame.q.requests;
  if (!rr) {
    await frame.close();
    throw new Error(`target ${target.name} cannot do request/response${target.noRequests ? `: ${target.noRequests}` : ""}`);
  }
  const makeRequest = bodyMaker(size);
  const makeReply = replyMaker(size);
  const roundTrip = new LatencyRecorder(n); // "sent" = put issued, "received" = reply in hand

  // bookkeeping per sequence number: how often each request was taken and responded to
  const takeCount = new Uint8Array(n);
  const respondCount = new Uint8Array(n);
  let put = 0, distinctTaken = 0, answered = 0, noReply = 0, dupTake = 0, dupRespond = 0, respondRefused = 0;
  let lastProgress = now();
  let aborted: string | null = null;
  let finished = false;
  const stopped = latch(); // opens on abort, so the run does not wait for callers still waiting
  const abort = (why: string) => {
    aborted ??= why;
    stopped.open();
  };

  frame.watch(() => lastProgress, abort);
  const stopProgress = opts.progress
    ? startProgress(`[${name} round ${opts.round}]`, n, () => ({ sent: put, received: distinctTaken, deleted: answered }), REQUEST_WORDS)
    : () => {};

  // A caller: put, then wait for the reply (up to the stall limit: a reply later than that is lost).
  // Where the target has put + wait in one exchange (HTTP), the put is counted when the reply is in.
  const putAndWait = async (i: number) => {
    const handle = await rr.put(makeRequest(i));
    put++;
    lastProgress = now();
    return rr.wait(handle, S.stallMs);
  };
  const requestInOne = async (i: number) => {
    const reply = await rr.request!(makeRequest(i), S.stallMs);
    put++;
    return reply;
  };
  const call = async (i: number) => {
    roundTrip.sent(i, now());
    const reply = rr.request ? await requestInOne(i) : await putAndWait(i);
    if (reply === null) {
      noReply++;
      return;
    }
    if (!sameBody(reply, makeReply(i))) {
      const head = typeof reply === "string" ? reply.slice(0, 12) : reply.toString("latin1", 0, 12);
      abort(`request ${i} got a reply that is not its own: ${JSON.stringify(head)}…`);
      return;
    }
    roundTrip.received(i, now());
    answered++;
    lastProgress = now();
  };
  const callers = () => windowed(n, S.window, call, () => aborted !== null).catch((e: Error) => abort(`caller error: ${e.message}`));

  // Responders: take(waitMs) → respond. An empty take has already waited (long poll): straight back.
  const respondLoop = async () => {
    while (!aborted && !finished) {
      const m = await rr.take(S.waitMs);
      if (!m) continue;
      const s = seqOf(m.body);
      if (s < 0 || s >= n) {
        abort(`a taken request does not start with a sequence number below ${n}`);
        continue;
      }
      lastProgress = now();
      if (takeCount[s]!++ === 0) distinctTaken++;
      else dupTake++;
      const stored = await rr.respond(m.ref, makeReply(s));
      lastProgress = now();
      if (!stored) respondRefused++;
      else if (respondCount[s]!++ > 0) dupRespond++;
    }
  };
  const responders = () =>
    Array.from({ length: S.concurrency }, () =>
      respondLoop().catch((e: Error) => {
        // once the run is over, close() may fail a take that was still waiting: not an error
        if (!aborted && !finished) abort(`responder error: ${e.message}`);
      }),
    );

  await frame.startMeters();
  const t0 = now();
  void responders();
  await Promise.race([callers(), stopped.promise]);
  const total = now() - t0;
  finished = true;
  stopProgress();
  await frame.finish(total);

  if (!aborted && noReply > 0) aborted = `${noReply} request(s) got no reply within ${S.stallMs} ms`;
  const ok = !aborted && answered === n && dupTake === 0 && dupRespond === 0 && respondRefused === 0;
  return frame.result({
    ok,
    error: aborted,
    lost: n - answered,
    dupRecv: dupTake,
    dupDel: dupRespond,
    deleteRefused: respondRefused,
    latencyMs: roundTrip.summary(), // msgs/s is requests/s; there are no phases
  });
}
