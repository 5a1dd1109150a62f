// Issue 15: `tinyqs-http --sqs-port 0` serves the SQS port beside the REST API, on one engine: a
// message sent with the SDK is received over REST; --sqs-credentials (from its variable) is
// required; a bad --sqs-account is refused before anything listens.
import { randomUUID } from "node:crypto";
import { fileURLToPath } from "node:url";
import { join } from "node:path";
import { describe, expect, inject, it } from "vitest";
import { CreateQueueCommand, SendMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { spawnBin } from "@tinyqs/test-support";
import { KEY } from "./sqs-helpers.js";

const pkg = fileURLToPath(new URL("..", import.meta.url));
// The TypeScript source through tsx: no build needed, the same code as dist/cli.js.
const command = ["--conditions=@tinyqs/source", "--import", "tsx", join(pkg, "src", "cli.ts")];

async function lineOf(out: () => string, pattern: RegExp, exited: Promise<unknown>): Promise<RegExpExecArray> {
  let done = false;
  void exited.then(() => (done = true));
  const deadline = Date.now() + 20_000;
  for (;;) {
    const m = pattern.exec(out());
    if (m) return m;
    if (done || Date.now() > deadline) throw new Error(`no line ${pattern}: ${out()}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe("tinyqs-http --sqs-port", () => {
  it("serves SQS beside REST on one engine, with the credentials of TINYQS_SQS_CREDENTIALS", async () => {
    const prefix = `sqscli-${randomUUID().slice(0, 8)}`;
    const r = spawnBin(pkg, ["--redis", inject("redisUrl"), "--prefix", prefix, "--port", "0", "--sqs-port", "0"], {
      command, env: { TINYQS_TOKEN: "", TINYQS_SQS_CREDENTIALS: `${KEY.accessKeyId}:${KEY.secretAccessKey}` }, killAfterMs: 40_000,
    });
    try {
      const [, httpUrl] = await lineOf(r.all, /listening on (http:\/\/\S+)/, r.exited);
      const [, sqsUrl] = await lineOf(r.all, /SQS API on (http:\/\/\S+) \(Signature V4 required\)/, r.exited);
      const sqs = new SQSClient({ endpoint: sqsUrl, region: "eu-west-1", credentials: KEY, maxAttempts: 1 });
      const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: "cli-jobs" }));
      await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: "over SQS" }));
      const got = await fetch(`${httpUrl}/v1/queues/cli-jobs/messages`);
      expect(got.status).toBe(200);
      expect(await got.text()).toBe("over SQS");
      const wrong = new SQSClient({ endpoint: sqsUrl, region: "eu-west-1", credentials: { ...KEY, secretAccessKey: "no" }, maxAttempts: 1 });
      await expect(wrong.send(new SendMessageCommand({ QueueUrl, MessageBody: "x" }))).rejects.toMatchObject({ name: "SignatureDoesNotMatch" });
      sqs.destroy();
      wrong.destroy();
    } finally {
      r.child.kill("SIGTERM");
      expect(await r.exited).toBe(0);
    }
  });

  it("a bad --sqs-account is refused with the usage, exit 2", async () => {
    const r = spawnBin(pkg, ["--redis", inject("redisUrl"), "--port", "0", "--sqs-port", "0", "--sqs-account", "12"], { command, env: { TINYQS_TOKEN: "" }, killAfterMs: 20_000 });
    expect(await r.exited).toBe(2);
    expect(r.all()).toContain("the SQS account id must be 12 digits");
  });
});
