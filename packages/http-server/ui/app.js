// The dashboard: asks for the token when the server needs one, then shows the overview (#/) or one
// queue (#/queues/<name>). How it is served (read-only, credentials) comes from /ui/config.json.
import { render } from "preact";
import { useEffect, useState } from "preact/hooks";
import { html } from "./html.js";
import { ApiError, token } from "./api.js";
import { Overview } from "./overview.js";
import { QueuePage } from "./queue.js";
import { TokenForm } from "./token.js";

function routeOf(hash) {
  const m = /^#\/queues\/(.+)$/.exec(hash);
  return m ? { page: "queue", queue: decodeURIComponent(m[1]) } : { page: "overview" };
}

function App({ config }) {
  const [route, setRoute] = useState(routeOf(location.hash));
  const [authError, setAuthError] = useState(null);
  const [, setTick] = useState(0);
  useEffect(() => {
    const onHash = () => setRoute(routeOf(location.hash));
    addEventListener("hashchange", onHash);
    return () => removeEventListener("hashchange", onHash);
  }, []);

  const readOnly = config.mode === "read-only";
  const needsToken = config.credentials && !token.get();
  // A 401 anywhere: the token is wrong (or was revoked): forget it, ask again, show no data.
  const onError = (e) => {
    if (e instanceof ApiError && e.status === 401) {
      token.clear();
      setAuthError(`The token was refused: ${e.message}`);
    }
  };
  const forget = () => {
    token.clear();
    setAuthError(null);
    setTick((t) => t + 1);
  };

  let body;
  if (needsToken) body = html`<${TokenForm} error=${authError} onToken=${() => (setAuthError(null), setTick((t) => t + 1))} />`;
  else if (route.page === "queue") body = html`<${QueuePage} key=${route.queue} queue=${route.queue} readOnly=${readOnly} onError=${onError} />`;
  else body = html`<${Overview} readOnly=${readOnly} onError=${onError} />`;

  return html`
    <header class="bar">
      <a class="brand" href="#/"><img src="favicon.svg" alt="" width="20" height="20" />tinyqs</a>
      <nav>
        <a href="#/" class=${route.page === "overview" ? "on" : ""}>Queues</a>
        ${route.page === "queue" && html`<span class="crumb">/ ${route.queue}</span>`}
      </nav>
      <span class="spacer"></span>
      ${readOnly && html`<span class="badge ro" title="Started with --ui read-only">read-only</span>`}
      ${config.credentials && !needsToken && html`<button class="link" onClick=${forget}>Forget token</button>`}
    </header>
    <main>${body}</main>`;
}

async function start() {
  const res = await fetch("config.json", { cache: "no-store" });
  const config = await res.json();
  const root = document.getElementById("app");
  root.textContent = ""; // the "Loading…" line: render() would keep it beside the page
  render(html`<${App} config=${config} />`, root);
}

start();
