// Every queue the user administers, live (one sample a second from the server), sortable by any
// column, filtered by a name box.
import { useState } from "preact/hooks";
import { html } from "./html.js";
import { age, count, rate, time } from "./format.js";
import { useLive } from "./use-live.js";

const COLUMNS = [
  { key: "name", label: "Queue", value: (q) => q.name, text: true },
  { key: "ready", label: "Ready", value: (q) => q.ready },
  { key: "inFlight", label: "In flight", value: (q) => q.inFlight },
  { key: "delayed", label: "Delayed", value: (q) => q.delayed },
  { key: "deadLettered", label: "Dead-lettered", value: (q) => q.deadLettered, title: "Messages this queue has sent to its dead-letter queue (a counter)" },
  { key: "paused", label: "State", value: (q) => (q.paused ? 1 : 0), title: "paused: receives deliver nothing" },
  { key: "sendRate", label: "Sent/s", value: (q) => q.rates?.sent ?? -1 },
  { key: "receiveRate", label: "Received/s", value: (q) => q.rates?.received ?? -1 },
  { key: "deleteRate", label: "Deleted/s", value: (q) => q.rates?.deleted ?? -1 },
  { key: "oldest", label: "Oldest ready", value: (q) => q.oldestReadyAgeMs ?? -1, title: "How long the message a receive would take next has waited" },
];

export function Overview({ onError }) {
  const { sample, problem } = useLive("/v1/live", onError);
  const [filter, setFilter] = useState("");
  const [sort, setSort] = useState({ key: "name", down: false });

  const column = COLUMNS.find((c) => c.key === sort.key);
  const wanted = filter.trim().toLowerCase();
  const rows = (sample?.queues ?? []).filter((q) => q.name.toLowerCase().includes(wanted));
  rows.sort((a, b) => {
    const x = column.value(a);
    const y = column.value(b);
    const order = column.text ? String(x).localeCompare(String(y)) : x - y || a.name.localeCompare(b.name);
    return sort.down ? -order : order;
  });
  const sortBy = (key) => setSort((s) => ({ key, down: s.key === key ? !s.down : key !== "name" }));

  return html`
    <section class="card">
      <div class="head">
        <h1>Queues</h1>
        <input class="filter" type="search" placeholder="Filter by name" aria-label="Filter queues by name" value=${filter}
          onInput=${(e) => setFilter(e.currentTarget.value)} />
        <${LiveState} sample=${sample} problem=${problem} />
      </div>
      <table class="queues">
        <thead>
          <tr>
            ${COLUMNS.map((c) => html`
              <th class=${c.text ? "" : "num"} title=${c.title ?? ""} aria-sort=${sort.key === c.key ? (sort.down ? "descending" : "ascending") : "none"}>
                <button class="sort" onClick=${() => sortBy(c.key)}>${c.label}${sort.key === c.key ? (sort.down ? " ▼" : " ▲") : ""}</button>
              </th>`)}
          </tr>
        </thead>
        <tbody>
          ${rows.map((q) => html`
            <tr key=${q.name} data-queue=${q.name}>
              <td><a href=${`#/queues/${encodeURIComponent(q.name)}`}>${q.name}</a></td>
              <td class="num" data-col="ready">${count(q.ready)}</td>
              <td class="num" data-col="inFlight">${count(q.inFlight)}</td>
              <td class="num" data-col="delayed">${count(q.delayed)}</td>
              <td class="num" data-col="deadLettered">${count(q.deadLettered)}</td>
              <td class="num" data-col="state">${q.paused ? html`<span class="badge paused">paused</span>` : html`<span class="badge running">running</span>`}</td>
              <td class="num" data-col="sendRate">${rate(q.rates?.sent)}</td>
              <td class="num" data-col="receiveRate">${rate(q.rates?.received)}</td>
              <td class="num" data-col="deleteRate">${rate(q.rates?.deleted)}</td>
              <td class="num" data-col="oldest">${age(q.oldestReadyAgeMs)}</td>
            </tr>`)}
        </tbody>
      </table>
      ${sample && rows.length === 0 && html`<p class="empty">${sample.queues.length ? "No queue matches the filter." : "No queues yet: send a message to create one."}</p>`}
    </section>`;
}

export function LiveState({ sample, problem }) {
  if (problem) return html`<span class="live bad" role="status">${problem}</span>`;
  if (!sample) return html`<span class="live" role="status">connecting…</span>`;
  return html`<span class="live ok" role="status" title="Sampled by the server once a second">live · ${time(sample.at)}</span>`;
}
