// One queue: its live numbers and 15-minute throughput chart, its actions, its messages by state,
// and its settings. A queue that does not exist (never used, or deleted) or a bad name is a 404 view.
import { useEffect, useRef, useState } from "preact/hooks";
import { html } from "./html.js";
import { call, queuePath } from "./api.js";
import { Actions } from "./actions.js";
import { Browse } from "./browse.js";
import { ThroughputChart, addPoint } from "./chart.js";
import { age, count, rate } from "./format.js";
import { LiveState } from "./overview.js";
import { Settings } from "./settings.js";
import { useLive } from "./use-live.js";

export function QueuePage({ queue, readOnly, onError }) {
  const [found, setFound] = useState(null); // null: asking; true; or { why }
  useEffect(() => {
    Promise.all([call("GET", "/v1/queues"), call("GET", queuePath(queue))]).then(
      ([all]) => setFound(all.some((q) => q.name === queue) ? true : { why: "Nothing was ever sent to it, or it was deleted." }),
      (e) => (setFound({ why: e.message }), onError(e)),
    );
  }, [queue]);
  if (found === null) return html`<p class="muted">Loading…</p>`;
  if (found !== true) {
    return html`
      <section class="card notfound">
        <h1>No queue named <q class="mono">${queue}</q></h1>
        <p>${found.why}</p>
        <p><a href="#/">Back to every queue</a></p>
      </section>`;
  }
  return html`<${Queue} queue=${queue} readOnly=${readOnly} onError=${onError} />`;
}

function Queue({ queue, readOnly, onError }) {
  const points = useRef({ at: [], sent: [], received: [], deleted: [] });
  const [version, setVersion] = useState(0);
  const [changes, setChanges] = useState(0); // bumped after an action: the message list reloads
  const { sample, problem } = useLive(queuePath(queue).replace("/v1/queues/", "/v1/live/"), onError, (name, data) => {
    if (name === "history") points.current = { at: data.at, sent: data.sent, received: data.received, deleted: data.deleted };
    else if (name === "sample" && data.queue?.rates) addPoint(points.current, data.at, data.queue.rates);
    setVersion((v) => v + 1);
  });
  const q = sample?.queue;

  return html`
    <section class="card">
      <div class="head">
        <h1 class="mono">${queue}</h1>
        ${q && (q.paused ? html`<span class="badge paused">paused</span>` : html`<span class="badge running">running</span>`)}
        <span class="spacer"></span>
        <${LiveState} sample=${sample} problem=${problem} />
      </div>
      <div class="numbers">
        <${Stat} label="Ready" value=${count(q?.ready)} id="ready" />
        <${Stat} label="In flight" value=${count(q?.inFlight)} id="inFlight" />
        <${Stat} label="Delayed" value=${count(q?.delayed)} id="delayed" />
        <${Stat} label="Dead-lettered" value=${count(q?.deadLettered)} id="deadLettered" />
        <${Stat} label="Oldest ready" value=${age(q?.oldestReadyAgeMs)} id="oldest" />
        <${Stat} label="Sent/s" value=${rate(q?.rates?.sent)} id="sendRate" />
        <${Stat} label="Received/s" value=${rate(q?.rates?.received)} id="receiveRate" />
        <${Stat} label="Deleted/s" value=${rate(q?.rates?.deleted)} id="deleteRate" />
      </div>
      <h2>Throughput, last 15 minutes</h2>
      <${ThroughputChart} points=${points} version=${version} />
    </section>
    <div class="columns">
      ${!readOnly && html`<${Actions} queue=${queue} paused=${q?.paused} onDone=${() => setChanges((c) => c + 1)} onError=${onError} />`}
      <${Settings} queue=${queue} readOnly=${readOnly} onError=${onError} />
    </div>
    <${Browse} queue=${queue} readOnly=${readOnly} onError=${onError} version=${changes} />`;
}

function Stat({ label, value, id }) {
  return html`<div class="number" data-stat=${id}><span class="value">${value}</span><span class="label">${label}</span></div>`;
}
