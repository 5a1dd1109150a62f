// Numbers, times and bodies as the page shows them.
const int = new Intl.NumberFormat("en-US");

export const count = (n) => (n === undefined || n === null ? "–" : int.format(n));

export function rate(r) {
  if (r === undefined || r === null) return "–";
  if (r === 0) return "0";
  return r >= 100 ? int.format(Math.round(r)) : r.toFixed(r >= 10 ? 1 : 2);
}

export function age(ms) {
  if (ms === undefined || ms === null) return "–";
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(s < 10 ? 1 : 0)} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${Math.floor(s % 60)} s`;
  if (s < 86400) return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
  return `${Math.floor(s / 86400)} d ${Math.floor((s % 86400) / 3600)} h`;
}

export function bytes(n) {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 / 1024).toFixed(1)} MiB`;
}

export const time = (ms) => (ms ? new Date(ms).toLocaleTimeString("en-GB") : "–");
export const dateTime = (ms) => (ms ? new Date(ms).toLocaleString("en-GB") : "–");

/**
 * A body preview from its base64: text when it is UTF-8 without control characters (tabs and line
 * ends aside), else hex; `cut` when the body is longer than what the server sent.
 */
export function preview(base64, size) {
  const raw = atob(base64);
  const b = Uint8Array.from(raw, (c) => c.charCodeAt(0));
  const cut = size > b.length;
  try {
    // A body cut inside a character: the incomplete end is left out (stream), not taken for binary.
    const text = new TextDecoder("utf-8", { fatal: true }).decode(b, { stream: cut });
    // eslint-disable-next-line no-control-regex
    if (!/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.test(text)) return { kind: "text", text, cut };
  } catch {
    // not UTF-8 (or cut inside a character): hex below
  }
  const hex = Array.from(b, (x) => x.toString(16).padStart(2, "0")).join(" ");
  return { kind: "hex", text: hex, cut };
}
