// Shared by the SQS tests: an SQS port on a free port over the private Redis of the global setup,
// with a key prefix of its own, an engine on the same queues (to look behind the port's back, or to
// send another way), and the real @aws-sdk/client-sqs pointed at it.
import { randomUUID } from "node:crypto";
import { inject } from "vitest";
import { SQSClient } from "@aws-sdk/client-sqs";
import { TinyQS } from "@tinyqs/core";
import { createSqsServer, type SqsServerOptions, type TinyQSSqsServer } from "../src/index.js";

export { eventually, sleep } from "@tinyqs/test-support";

export interface RunningSqs {
  url: string;
  port: number;
  sqs: TinyQSSqsServer;
  /** The engine the port serves (same Redis and prefix as every other way in). */
  engine: TinyQS;
  prefix: string;
  redisUrl: string;
  client(options?: { accessKeyId?: string; secretAccessKey?: string; systemClockOffset?: number }): SQSClient;
  close(): Promise<void>;
}

export const KEY = { accessKeyId: "AKIDTINYQS", secretAccessKey: "s3cret/key+value" };

export async function startSqs(options: Partial<SqsServerOptions> = {}): Promise<RunningSqs> {
  const prefix = `sqs-${randomUUID().slice(0, 8)}`;
  const redisUrl = inject("redisUrl");
  const engine = new TinyQS({ redis: redisUrl, prefix });
  const sqs = createSqsServer({ engine, log: () => {}, ...options });
  const { url, port } = await sqs.listen(0, "127.0.0.1");
  const clients: SQSClient[] = [];
  return {
    url,
    port,
    sqs,
    engine,
    prefix,
    redisUrl,
    client({ accessKeyId = KEY.accessKeyId, secretAccessKey = KEY.secretAccessKey, systemClockOffset } = {}) {
      const c = new SQSClient({ endpoint: url, region: "us-east-1", credentials: { accessKeyId, secretAccessKey }, maxAttempts: 1 });
      if (systemClockOffset !== undefined) c.config.systemClockOffset = systemClockOffset;
      clients.push(c);
      return c;
    },
    async close() {
      for (const c of clients) c.destroy();
      await sqs.close();
      await engine.close();
    },
  };
}

let n = 0;
/** A queue name SQS allows (no dots), unique in this run. */
export const sqsQueue = (what: string) => `${what}-${process.pid}-${++n}-${randomUUID().slice(0, 6)}`;
