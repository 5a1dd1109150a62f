// The four ways into tinyqs the traffic goes through at once, each a producer and a consumer:
// - engine: the embedded TinyQS, on Redis directly;
// - tcp:    @tinyqs/client over tinyqs:// (tinyqs-tcp);
// - http:   @tinyqs/client over http:// REST (tinyqs-http);
// - ws:     sends as WebSocket `send` ops, consumed by @tinyqs/client's process() worker, which
//           tinyqs-http feeds over its WebSocket (subscribe, pushed messages, delete ops).
// Each reports to the Ledger: its sends, every delivery, every delete's answer, every call's time.
// A channel is an object with send/consume/close: a scenario may add its own (a child process, a
// client with options such as retrySends) by writing one more.
import { connect, type ClientOptions } from "@tinyqs/client";
import { TinyQS, type Message, type RedisInput, type TinyQSApi } from "@tinyqs/core";
import { type Delivery, Ledger } from "./ledger.js";
import { TIMEOUTS } from "./timeouts.js";
import { WsSender } from "./ws-sender.js";

export interface Channel {
  readonly name: string;
  /** The longest one of its calls may take (its deadline, with room for a loaded machine). */
  readonly boundMs: number;
  send(queue: string, body: string): Promise<string>;
  /** Start consuming: every delivery and delete reported to the ledger, until stop(). */
  consume(queue: string, ledger: Ledger): { stop(): Promise<void> };
  close(): Promise<void>;
}

const toDelivery = (m: Message): Delivery => ({
  id: m.id,
  receipt: m.receipt!,
  receiveCount: m.receiveCount,
  body: m.body.toString(),
});

const pause = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** receiveBatch (long poll) → report → delete each, over and over; a failure waits a little and goes on. */
function pollLoop(name: string, api: TinyQSApi, boundMs: number, queue: string, ledger: Ledger) {
  let stopping = false;
  const stop = new AbortController();
  const loop = (async () => {
    while (!stopping) {
      try {
        const got = await ledger.call(name, boundMs, () =>
          api.receiveBatch(queue, { max: 10, waitMs: TIMEOUTS.waitMs, visibilityMs: TIMEOUTS.visibilityMs, signal: stop.signal }),
        );
        for (const m of got) ledger.delivered(name, toDelivery(m));
        await Promise.all(
          got.map(async (m) => {
            try {
              ledger.deleted(m.receipt!, await ledger.call(name, boundMs, () => api.delete(queue, m.receipt!)));
            } catch {
              ledger.deleted(m.receipt!, false); // outcome unknown: its lease decides
            }
          }),
        );
      } catch {
        if (!stopping) await pause(100);
      }
    }
  })();
  return {
    async stop() {
      stopping = true;
      stop.abort();
      await loop;
    },
  };
}

/** A channel that sends and polls through one TinyQSApi (the engine, or a client). */
function apiChannel(name: string, api: TinyQSApi, boundMs: number): Channel {
  return {
    name,
    boundMs,
    send: (queue, body) => api.send(queue, body),
    consume: (queue, ledger) => pollLoop(name, api, boundMs, queue, ledger),
    close: () => api.close(),
  };
}

export function engineChannel(redis: RedisInput): Channel {
  const engine = new TinyQS({ redis, timeoutMs: TIMEOUTS.redisMs });
  // The engine may make up to three Redis calls in turn for one operation (a script load, a retry).
  return apiChannel("engine", engine, 3 * TIMEOUTS.redisMs + TIMEOUTS.waitMs + TIMEOUTS.slackMs);
}

/** `options` go to connect() on top of the suite's timeouts (a scenario may add, say, retrySends). */
export function tcpChannel(url: string, options: ClientOptions = {}): Channel {
  const client = connect(url, { timeoutMs: TIMEOUTS.clientMs, maxReconnectDelayMs: 200, ...options });
  return apiChannel("tcp", client, TIMEOUTS.clientMs + TIMEOUTS.waitMs + TIMEOUTS.slackMs);
}

export function httpChannel(url: string, options: ClientOptions = {}): Channel {
  const client = connect(url, { timeoutMs: TIMEOUTS.clientMs, ...options });
  return apiChannel("http", client, TIMEOUTS.clientMs + TIMEOUTS.waitMs + TIMEOUTS.slackMs);
}

/** Sends as WebSocket ops; consumed by the client's WebSocket worker (process()). */
export function wsChannel(httpUrl: string): Channel {
  const client = connect(httpUrl, { timeoutMs: TIMEOUTS.clientMs, maxReconnectDelayMs: 200 });
  const sender = new WsSender(`${httpUrl.replace(/^http/, "ws")}/v1/ws`, TIMEOUTS.clientMs);
  const boundMs = TIMEOUTS.clientMs + TIMEOUTS.slackMs;
  return {
    name: "ws",
    boundMs,
    send: (queue, body) => sender.send(queue, body),
    consume(queue, ledger) {
      const worker = client.process(
        queue,
        (m) => {
          const d = toDelivery(m);
          ledger.delivered("ws", d);
          // The worker deletes once this returns; a delete that fails or finds the lease gone comes
          // to onError below, after this, and overrides (the ledger keeps the last word).
          ledger.deleted(d.receipt, true);
        },
        {
          concurrency: 8,
          visibilityMs: TIMEOUTS.visibilityMs,
          onError: (_e, info) => {
            if (info.stage === "delete" && info.message) ledger.deleted(info.message.receipt!, false);
          },
        },
      );
      return { stop: () => worker.close() };
    },
    async close() {
      await sender.close();
      await client.close();
    },
  };
}

/** The four channels on one Redis and one pair of servers. */
export function everyChannel(redis: RedisInput, servers: { tcpUrl: string; httpUrl: string }): Channel[] {
  return [engineChannel(redis), tcpChannel(servers.tcpUrl), httpChannel(servers.httpUrl), wsChannel(servers.httpUrl)];
}
