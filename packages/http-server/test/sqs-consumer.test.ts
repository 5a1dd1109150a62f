// Issue 15: sqs-consumer (the worker library many SQS users run), as it ships, against the SQS port:
// it runs a job end to end (the message deleted once handled), and a handler that keeps failing
// ends with its message in the dead-letter queue after the RedrivePolicy's maxReceiveCount.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CreateQueueCommand, ReceiveMessageCommand, SendMessageCommand, type Message, type SQSClient } from "@aws-sdk/client-sqs";
import { Consumer } from "sqs-consumer";
import { eventually, sqsQueue, startSqs, type RunningSqs } from "./sqs-helpers.js";

describe("sqs-consumer", () => {
  let s: RunningSqs;
  let sqs: SQSClient;
  const consumers: Consumer[] = [];
  beforeAll(async () => {
    s = await startSqs();
    sqs = s.client();
  });
  afterAll(async () => {
    for (const c of consumers) c.stop({ abort: true });
    await s.close();
  });

  // sqs-consumer deletes a message when its handler returns it (its acknowledgement), not on undefined.
  function consume(queueUrl: string, handleMessage: (m: Message) => Promise<Message>, errors: Error[]): Consumer {
    const c = Consumer.create({ queueUrl, sqs, handleMessage, waitTimeSeconds: 1, terminateVisibilityTimeout: true, attributeNames: ["All"] });
    c.on("error", (e) => errors.push(e));
    consumers.push(c);
    c.start();
    return c;
  }

  it("runs a job end to end: handled, then deleted", async () => {
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: sqsQueue("jobs") }));
    const done: string[] = [];
    const errors: Error[] = [];
    const c = consume(QueueUrl!, async (m) => {
      done.push(m.Body!);
      return m;
    }, errors);
    await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: "resize 1.png" }));
    await eventually(() => done.length === 1, 15_000);
    expect(done).toEqual(["resize 1.png"]);
    const name = QueueUrl!.split("/").at(-1)!;
    await eventually(async () => (await s.engine.stats(name)).deleted === 1, 15_000);
    c.stop();
    expect(errors).toEqual([]);
    expect(await s.engine.stats(name)).toMatchObject({ ready: 0, inFlight: 0 });
  });

  it("a handler that keeps failing: its message ends in the dead-letter queue (RedrivePolicy)", async () => {
    const dlqName = sqsQueue("jobs-dlq");
    const dlq = (await sqs.send(new CreateQueueCommand({ QueueName: dlqName }))).QueueUrl!;
    const RedrivePolicy = JSON.stringify({ deadLetterTargetArn: `arn:aws:sqs:us-east-1:000000000000:${dlqName}`, maxReceiveCount: 3 });
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: sqsQueue("flaky"), Attributes: { RedrivePolicy } }));
    let attempts = 0;
    const errors: Error[] = [];
    const c = consume(QueueUrl!, async () => {
      attempts++;
      throw new Error("the job fails");
    }, errors);
    await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: "poison" }));
    const dead = await eventually(async () => (await sqs.send(new ReceiveMessageCommand({ QueueUrl: dlq, MessageSystemAttributeNames: ["ApproximateReceiveCount"] }))).Messages?.[0], 30_000);
    c.stop();
    expect(dead!.Body).toBe("poison");
    expect(attempts).toBe(3);
    expect(errors).toEqual([]);
  });
});
