// The throughput chart of one queue: sent, received and deleted per second over the last 15 minutes
// (uPlot). Its points come from the server: the history when the stream opens, then one a second.
import { useEffect, useRef } from "preact/hooks";
import uPlot from "uplot";
import { html } from "./html.js";

const WINDOW_S = 15 * 60;
const SERIES = [
  { label: "sent/s", stroke: "#2563eb", fill: "rgba(37,99,235,0.08)" },
  { label: "received/s", stroke: "#16a34a" },
  { label: "deleted/s", stroke: "#d97706" },
];

/** `points` is a ref to { at: [], sent: [], received: [], deleted: [] } (ms), `version` bumps when it changes. */
export function ThroughputChart({ points, version }) {
  const box = useRef(null);
  const plot = useRef(null);

  useEffect(() => {
    const el = box.current;
    const opts = {
      width: el.clientWidth || 800,
      height: 240,
      legend: { live: false },
      cursor: { drag: { x: false, y: false } },
      scales: { x: { time: true }, y: { range: (_u, _min, max) => [0, Math.max(1, max * 1.1)] } },
      axes: [{ stroke: "#64748b", grid: { stroke: "#eef2f7" } }, { stroke: "#64748b", grid: { stroke: "#eef2f7" }, size: 56 }],
      series: [{}, ...SERIES.map((s) => ({ ...s, width: 2, points: { show: false } }))],
    };
    plot.current = new uPlot(opts, columns(points.current), el);
    const resize = new ResizeObserver(() => plot.current?.setSize({ width: el.clientWidth, height: 240 }));
    resize.observe(el);
    return () => {
      resize.disconnect();
      plot.current?.destroy();
      plot.current = null;
    };
  }, []);

  useEffect(() => {
    const u = plot.current;
    if (!u) return;
    u.setData(columns(points.current), false);
    // The last 15 minutes, or less while the history is shorter (the page opened on a fresh server).
    const now = Date.now() / 1000;
    const first = points.current.at.length ? points.current.at[0] / 1000 : now - 60;
    u.setScale("x", { min: Math.max(now - WINDOW_S, Math.min(first, now - 60)), max: now });
  }, [version]);

  return html`<div class="chart" ref=${box} aria-label="Throughput of the last 15 minutes"></div>`;
}

/** uPlot's columns: seconds on x; a null rate (a time nobody watched) is a gap in the lines. */
function columns(p) {
  return [p.at.map((t) => t / 1000), p.sent, p.received, p.deleted];
}

/** Append one sample's rates, keeping 15 minutes. */
export function addPoint(p, at, rates) {
  p.at.push(at);
  p.sent.push(rates.sent);
  p.received.push(rates.received);
  p.deleted.push(rates.deleted);
  const since = at - WINDOW_S * 1000;
  while (p.at.length && p.at[0] < since) for (const k of ["at", "sent", "received", "deleted"]) p[k].shift();
}
