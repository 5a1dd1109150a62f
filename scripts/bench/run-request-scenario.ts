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
import { REQUEST_WORDS } from "./progress.js";
import { openRunFrame, startLoops, type RunState } from "./run-frame.js";
import type { RunOptions, RunResult } from "./run-scenario.js";
import { SCENARIOS, scenarioOf, type ScenarioName, type Settings } from "./scenarios.js";
import type { RequestHandle, Target } from "./targets/types.js";

const now = () => performance.now();

/** One run's state, created once per run; the callers and responders read and write its fields
 * (where the runner once kept closure variables), so each step can be a function of its own without
 * adding work per request. */
interface RequestRun extends RunState {
  readonly n: number;
  readonly S: Settings;
  readonly rr: RequestHandle;
  readonly makeRequest: (seq: number) => string;
  readonly makeReply: (seq: number) => string;
  /** "sent" = put issued, "received" = reply in hand */
  readonly roundTrip: LatencyRecorder;
  // bookkeeping per sequence number: how often each request was taken and responded to
  readonly takeCount: Uint8Array;
  readonly respondCount: Uint8Array;
  put: number;
  distinctTaken: number;
  answered: number;
  noReply: number;
  dupTake: number;
  dupRespond: number;
  respondRefused: number;
  /** Opens on abort, so the run does not wait for callers still waiting. */
  readonly stopped: ReturnType<typeof latch>;
}

function newRequestRun(n: number, size: number, S: Settings, rr: RequestHandle): RequestRun {
  const makeRequest = bodyMaker(size);
  const makeReply = replyMaker(size);
  const roundTrip = new LatencyRecorder(n);
  const takeCount = new Uint8Array(n);
  const respondCount = new Uint8Array(n);
  const stopped = latch();
  const run: RequestRun = {
    n, S, rr, makeRequest, makeReply, roundTrip, takeCount, respondCount, stopped,
    put: 0, distinctTaken: 0, answered: 0, noReply: 0, dupTake: 0, dupRespond: 0, respondRefused: 0,
    lastProgress: now(),
    aborted: null,
    finished: false,
    abort: (why) => {
      run.aborted ??= why;
      stopped.open();
    },
  };
  return run;
}

/** The callers: `window` calls in flight until all n were made. A call is a put, then a wait for the
 * reply (up to the stall limit: a reply later than that is lost); where the target has put + wait in
 * one exchange (HTTP), the put is counted when the reply is in. */
function callers(run: RequestRun): Promise<void> {
  const { S, rr, makeRequest, makeReply, roundTrip } = run;
  const putAndWait = async (i: number) => {
    const handle = await rr.put(makeRequest(i));
    run.put++;
    run.lastProgress = now();
    return rr.wait(handle, S.stallMs);
  };
  const requestInOne = async (i: number) => {
    const reply = await rr.request!(makeRequest(i), S.stallMs);
    run.put++;
    return reply;
  };
  const call = async (i: number) => {
    roundTrip.sent(i, now());
    const reply = rr.request ? await requestInOne(i) : await putAndWait(i);
    if (reply === null) {
      run.noReply++;
      return;
    }
    if (!sameBody(reply, makeReply(i))) {
      const head = typeof reply === "string" ? reply.slice(0, 12) : reply.toString("latin1", 0, 12);
      run.abort(`request ${i} got a reply that is not its own: ${JSON.stringify(head)}…`);
      return;
    }
    roundTrip.received(i, now());
    run.answered++;
    run.lastProgress = now();
  };
  return windowed(run.n, S.window, call, () => run.aborted !== null).catch((e: Error) => run.abort(`caller error: ${e.message}`));
}

/** Responders: `concurrency` loops of take(waitMs) → respond. An empty take has already waited (long poll): straight back. */
function responders(run: RequestRun): Promise<void>[] {
  const { n, S, rr, makeReply, takeCount, respondCount } = run;
  const respondLoop = async () => {
    while (!run.aborted && !run.finished) {
      const m = await rr.take(S.waitMs);
      if (!m) continue;
      const s = seqOf(m.body);
      if (s < 0 || s >= n) {
        run.abort(`a taken request does not start with a sequence number below ${n}`);
        continue;
      }
      run.lastProgress = now();
      if (takeCount[s]!++ === 0) run.distinctTaken++;
      else run.dupTake++;
      const stored = await rr.respond(m.ref, makeReply(s));
      run.lastProgress = now();
      if (!stored) run.respondRefused++;
      else if (respondCount[s]!++ > 0) run.dupRespond++;
    }
  };
  return startLoops(run, S.concurrency, respondLoop, "responder");
}

export async function runRequestScenario(target: Target, name: ScenarioName, opts: RunOptions): Promise<RunResult> {
  const { n, size } = scenarioOf(name, opts.settings);
  const S = opts.settings;
  const frame = await openRunFrame(target, name, opts);
  const rr = frame.q.requests;
  if (!rr) {
    await frame.close();
    throw new Error(`target ${target.name} cannot do request/response${target.noRequests ? `: ${target.noRequests}` : ""}`);
  }
  const run = newRequestRun(n, size, S, rr);
  frame.watch(() => run.lastProgress, run.abort);
  frame.showProgress(() => ({ sent: run.put, received: run.distinctTaken, deleted: run.answered }), REQUEST_WORDS);

  await frame.startMeters();
  const t0 = now();
  void responders(run);
  await Promise.race([callers(run), run.stopped.promise]);
  const total = now() - t0;
  run.finished = true;
  await frame.finish(total);

  if (!run.aborted && run.noReply > 0) run.aborted = `${run.noReply} request(s) got no reply within ${S.stallMs} ms`;
  const { aborted, answered, dupTake, dupRespond, respondRefused } = run;
  const ok = !aborted && answered === n && dupTake === 0 && dupRespond === 0 && respondRefused === 0;
  return frame.result({
    ok,
    error: aborted,
    lost: n - answered,
    dupRecv: dupTake,
    dupDel: dupRespond,
    deleteRefused: respondRefused,
    latencyMs: run.roundTrip.summary(), // msgs/s is requests/s; there are no phases
  });
}
