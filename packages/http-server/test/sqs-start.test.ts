// Issue 15: `pnpm start` serves the SQS port too (9324 by default; the launcher asks for any free
// port), on the engine the TCP server uses; --no-sqs turns it off.
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { afterAll, describe, expect, inject, it } from "vitest";
import { CreateQueueCommand, SendMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { cleanEnv, signalGroup, start, stopAll } from "@tinyqs/test-support/start";
import { sqsQueue } from "./sqs-helpers.js";

const execFileP = promisify(execFile);

describe("pnpm start and the SQS port", () => {
  afterAll(() => stopAll());

  it("serves SQS on the same queues as TCP; --no-sqs serves none", async () => {
    const t = await start(["--redis", inject("redisUrl")], cleanEnv());
    expect(t.sqsUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(t.out()).toContain("ANY credentials accepted");
    const sqs = new SQSClient({ endpoint: t.sqsUrl!, region: "us-east-1", credentials: { accessKeyId: "a", secretAccessKey: "b" }, maxAttempts: 1 });
    const name = sqsQueue("start");
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: name }));
    await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: "from SQS to TCP" }));
    const { stdout } = await execFileP("redis-cli", ["-p", String(t.tcpPort), "RECEIVE", name], { timeout: 15_000 });
    expect(stdout.split("\n")[2]).toBe("from SQS to TCP");
    sqs.destroy();
    signalGroup(t, "SIGTERM");
    expect(await t.exited).toBe(0);

    const off = await start(["--redis", inject("redisUrl"), "--no-sqs"], cleanEnv());
    expect(off.sqsUrl).toBeNull();
    signalGroup(off, "SIGTERM");
    expect(await off.exited).toBe(0);
  });
});
