// tinyqs through the SQS port (issue 15, docs/sqs.md), with the AWS SDK as the client, as an SQS
// user runs it: @tinyqs/http-server's bin in a process of its own with TINYQS_SQS_PORT=0, and one
// @aws-sdk/client-sqs SQSClient (AWS JSON 1.0 protocol, its MD5 checks on, Signature V4 computed on
// every request though the port accepts any) over keep-alive connections. One SendMessage per send,
// one ReceiveMessage (MaxNumberOfMessages 1) per receive, one DeleteMessage per acknowledgement.
// With --batch: SendMessageBatch, ReceiveMessage with MaxNumberOfMessages, DeleteMessageBatch, 10
// at a time (SQS's limit). SQS's long polls are whole seconds: a receive waits ceil(waitMs / 1000) s.
import http from "node:http";
import { requireFromHttpServer } from "./http-server-process.js";
import { startServerProcess } from "./server-process.js";
import type { QueueHandle, Target } from "./types.js";

/** The part of @aws-sdk/client-sqs used here (its types live with @tinyqs/http-server, not here). */
interface SqsModule {
  SQSClient: new (config: object) => { send(command: object): Promise<Record<string, unknown>>; destroy(): void };
  CreateQueueCommand: new (input: object) => object;
  SendMessageCommand: new (input: object) => object;
  ReceiveMessageCommand: new (input: object) => object;
  DeleteMessageCommand: new (input: object) => object;
  SendMessageBatchCommand: new (input: object) => object;
  DeleteMessageBatchCommand: new (input: object) => object;
}

/** SQS's batch limit: SendMessageBatch, ReceiveMessage and DeleteMessageBatch take at most 10. */
const SQS_BATCH = 10;

function chunks<T>(items: T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += SQS_BATCH) out.push(items.slice(i, i + SQS_BATCH));
  return out;
}

// A devDependency of @tinyqs/http-server, not of the repository root.
const SQS = requireFromHttpServer("@aws-sdk/client-sqs") as SqsModule;

/** Keep-alive connections: the 50 receive loops and the 50 sends in flight each hold one at a time. */
const CONNECTIONS = Number(process.env.TINYQS_BENCH_SQS_CONNECTIONS) || 128;

const target: Target = {
  name: "sqs",
  noRequests: "SQS's API has no request/response; it is on TCP and HTTP",
  async open({ redisUrl, queue, visibilityMs }): Promise<QueueHandle> {
    const server = await startServerProcess({
      name: "http-server", label: "sqs", redisUrl, listening: /SQS API on (http:\/\/\S+)/,
      env: { TINYQS_TOKEN: "", TINYQS_SQS_PORT: "0", TINYQS_SQS_CREDENTIALS: "" },
    });
    const agent = new http.Agent({ keepAlive: true, maxSockets: CONNECTIONS });
    const client = new SQS.SQSClient({
      endpoint: server.listening[1],
      region: "us-east-1",
      credentials: { accessKeyId: "bench", secretAccessKey: "bench" },
      requestHandler: { httpAgent: agent },
      maxAttempts: 1,
    });
    const created = await client.send(new SQS.CreateQueueCommand({ QueueName: queue, Attributes: { VisibilityTimeout: String(Math.ceil(visibilityMs / 1000)) } }));
    const QueueUrl = created.QueueUrl as string;
    const waitSeconds = (waitMs: number) => Math.min(20, Math.ceil(waitMs / 1000));
    return {
      send: (body) => client.send(new SQS.SendMessageCommand({ QueueUrl, MessageBody: body })),
      async receive(waitMs) {
        const r = await client.send(new SQS.ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 1, WaitTimeSeconds: waitSeconds(waitMs) }));
        const m = (r.Messages as Array<{ ReceiptHandle: string; Body: string }> | undefined)?.[0];
        return m ? { ref: m.ReceiptHandle, body: m.Body } : null;
      },
      async delete(ref) {
        // SQS's DeleteMessage succeeds for a stale handle too: the benchmark's duplicate count comes
        // from the receives, as for the other targets.
        await client.send(new SQS.DeleteMessageCommand({ QueueUrl, ReceiptHandle: ref }));
        return true;
      },
      // --batch: SQS's batch actions, 10 at a time (a larger batch is several calls side by side).
      batch: {
        async sendBatch(bodies, delayMs) {
          const DelaySeconds = delayMs ? Math.ceil(delayMs / 1000) : undefined;
          await Promise.all(chunks(bodies).map((part) =>
            client.send(new SQS.SendMessageBatchCommand({ QueueUrl, Entries: part.map((MessageBody, i) => ({ Id: `m${i}`, MessageBody, DelaySeconds })) }))));
        },
        async receiveBatch(max, waitMs) {
          const r = await client.send(new SQS.ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: Math.min(max, SQS_BATCH), WaitTimeSeconds: waitSeconds(waitMs) }));
          return ((r.Messages as Array<{ ReceiptHandle: string; Body: string }> | undefined) ?? []).map((m) => ({ ref: m.ReceiptHandle, body: m.Body }));
        },
        async deleteBatch(refs) {
          const parts = await Promise.all(chunks(refs).map(async (part) => {
            const r = await client.send(new SQS.DeleteMessageBatchCommand({ QueueUrl, Entries: part.map((ReceiptHandle, i) => ({ Id: `d${i}`, ReceiptHandle })) }));
            const failed = new Set(((r.Failed as Array<{ Id: string }> | undefined) ?? []).map((f) => f.Id));
            return part.map((_, i) => !failed.has(`d${i}`));
          }));
          return parts.flat();
        },
      },
      async close() {
        client.destroy();
        agent.destroy();
        await server.stop();
      },
    };
  },
};

export default target;
