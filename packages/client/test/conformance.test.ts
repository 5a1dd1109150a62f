// The conformance suite (conformance.ts) and core's worker suite on three implementations of
// TinyQSApi: the engine, the TCP client (through a real tcp-server) and the HTTP client (through a
// real http-server), all on the private Redis of the global setup. The HTTP client's worker
// (process()) runs on a WebSocket source (src/ws-source.ts), so the worker suite runs on that source
// too, as well as on the REST client itself (createWorker(client, …) stays possible).
import { afterAll, inject } from "vitest";
import { TinyQS } from "@tinyqs/core";
import { createTcpServer } from "@tinyqs/tcp-server";
import { createHttpServer } from "@tinyqs/http-server";
import { describeWorker } from "@tinyqs/test-support/worker-suite";
import { connect } from "../src/index.js";
import { webSocketUrl } from "../src/ws-connection.js";
import { WsSource } from "../src/ws-source.js";
import { describeBatchConformance } from "./conformance-batches.js";
import { describeConformance } from "./conformance.js";

const redis = inject("redisUrl");

const tcp = createTcpServer({ redis });
const { port: tcpPort } = await tcp.listen(0, "127.0.0.1");
const http = createHttpServer({ redis, log: () => {} });
const { url: httpUrl } = await http.listen(0, "127.0.0.1");

afterAll(async () => {
  await Promise.all([tcp.close(), http.close()]);
});

const makers = {
  "the engine": () => new TinyQS({ redis }),
  "the TCP client": () => connect(`tinyqs://127.0.0.1:${tcpPort}`),
  "the HTTP client": () => connect(httpUrl),
};

for (const [label, make] of Object.entries(makers)) {
  describeConformance(label, make);
  if (label !== "the engine") describeWorker(label, make);
}

// What HttpClient.process() gives the worker: pushes over one WebSocket, acknowledgements over it too.
describeWorker("the HTTP client's WebSocket (process())", () =>
  new WsSource(connect(httpUrl), { url: webSocketUrl(httpUrl), timeoutMs: 5000, maxReconnectDelayMs: 2000 }),
);

// Its batch acknowledgements go over the socket once a receiveBatch has subscribed.
describeBatchConformance("the HTTP client's WebSocket", async () =>
  new WsSource(connect(httpUrl), { url: webSocketUrl(httpUrl), timeoutMs: 5000, maxReconnectDelayMs: 2000 }),
);
