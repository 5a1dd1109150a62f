// Issue 15: the query protocol (form-encoded Action=…, XML replies), through aws-sdk v2 as it ships
// in its last release that speaks it to SQS (2.1490.0; later ones moved SQS to JSON): every action,
// with attributes, batches, its own MD5 checks of bodies, and SQS's error codes in <ErrorResponse>.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import AWS from "aws-sdk";
import { sqsQueue, startSqs, type RunningSqs } from "./sqs-helpers.js";

describe("aws-sdk v2 (query protocol)", () => {
  let s: RunningSqs;
  let sqs: AWS.SQS;
  beforeAll(async () => {
    s = await startSqs();
    sqs = new AWS.SQS({ endpoint: s.url, region: "us-east-1", credentials: new AWS.Credentials("AKID", "secret"), maxRetries: 0, computeChecksums: true });
  });
  afterAll(() => s.close());

  it("queues: create (idempotent), url, list, attributes, tags, dead-letter sources, purge, delete", async () => {
    const dlqName = sqsQueue("v2-dlq");
    const dlq = (await sqs.createQueue({ QueueName: dlqName }).promise()).QueueUrl!;
    const RedrivePolicy = JSON.stringify({ deadLetterTargetArn: `arn:aws:sqs:us-east-1:000000000000:${dlqName}`, maxReceiveCount: 5 });
    const name = sqsQueue("v2");
    const url = (await sqs.createQueue({ QueueName: name, Attributes: { VisibilityTimeout: "12", RedrivePolicy }, tags: { team: "q" } }).promise()).QueueUrl!;
    expect(url).toBe(`${s.url}/000000000000/${name}`);
    expect((await sqs.createQueue({ QueueName: name, Attributes: { VisibilityTimeout: "12" } }).promise()).QueueUrl).toBe(url);
    await expect(sqs.createQueue({ QueueName: name, Attributes: { VisibilityTimeout: "13" } }).promise()).rejects.toMatchObject({ code: "QueueAlreadyExists", statusCode: 400 });
    expect((await sqs.getQueueUrl({ QueueName: name }).promise()).QueueUrl).toBe(url);
    await expect(sqs.getQueueUrl({ QueueName: "nope" }).promise()).rejects.toMatchObject({ code: "AWS.SimpleQueueService.NonExistentQueue" });
    expect((await sqs.listQueues({ QueueNamePrefix: name }).promise()).QueueUrls).toEqual([url]);

    const { Attributes } = await sqs.getQueueAttributes({ QueueUrl: url, AttributeNames: ["All"] }).promise();
    expect(Attributes).toMatchObject({ VisibilityTimeout: "12", RedrivePolicy: JSON.stringify({ deadLetterTargetArn: `arn:aws:sqs:us-east-1:000000000000:${dlqName}`, maxReceiveCount: 5 }), ApproximateNumberOfMessages: "0" });
    await sqs.setQueueAttributes({ QueueUrl: url, Attributes: { DelaySeconds: "2" } }).promise();
    expect((await sqs.getQueueAttributes({ QueueUrl: url, AttributeNames: ["DelaySeconds"] }).promise()).Attributes).toEqual({ DelaySeconds: "2" });
    await sqs.tagQueue({ QueueUrl: url, Tags: { env: "ci" } }).promise();
    await sqs.untagQueue({ QueueUrl: url, TagKeys: ["team"] }).promise();
    expect((await sqs.listQueueTags({ QueueUrl: url }).promise()).Tags).toEqual({ env: "ci" });
    expect((await sqs.listDeadLetterSourceQueues({ QueueUrl: dlq }).promise()).queueUrls).toEqual([url]);
    await sqs.sendMessage({ QueueUrl: url, MessageBody: "gone soon" }).promise();
    await sqs.purgeQueue({ QueueUrl: url }).promise();
    expect((await sqs.getQueueAttributes({ QueueUrl: url, AttributeNames: ["ApproximateNumberOfMessagesDelayed"] }).promise()).Attributes).toEqual({ ApproximateNumberOfMessagesDelayed: "0" });
    await sqs.deleteQueue({ QueueUrl: url }).promise();
    await expect(sqs.getQueueUrl({ QueueName: name }).promise()).rejects.toMatchObject({ code: "AWS.SimpleQueueService.NonExistentQueue" });
  });

  it("messages: send with attributes, batch with a failure, receive, visibility, delete", async () => {
    const url = (await sqs.createQueue({ QueueName: sqsQueue("v2-msg") }).promise()).QueueUrl!;
    const body = "tab\t cr\r lf\n <xml> & \"quotes\" 'apos' ✓";
    const MessageAttributes = { who: { DataType: "String", StringValue: "v2" }, bytes: { DataType: "Binary", BinaryValue: Buffer.from([9, 8, 7]) } };
    const sent = await sqs.sendMessage({ QueueUrl: url, MessageBody: body, MessageAttributes }).promise();
    expect(sent.MD5OfMessageAttributes).toMatch(/^[0-9a-f]{32}$/);
    const batch = await sqs.sendMessageBatch({ QueueUrl: url, Entries: [{ Id: "ok", MessageBody: "two" }, { Id: "bad", MessageBody: "nul \u0000" }] }).promise();
    expect(batch.Successful.map((e) => e.Id)).toEqual(["ok"]);
    expect(batch.Failed).toEqual([expect.objectContaining({ Id: "bad", Code: "InvalidMessageContents", SenderFault: true })]);

    const got = await sqs.receiveMessage({ QueueUrl: url, MaxNumberOfMessages: 10, MessageAttributeNames: ["All"], AttributeNames: ["All"], WaitTimeSeconds: 1 }).promise();
    const first = got.Messages!.find((m) => m.MessageId === sent.MessageId)!;
    expect(first.Body).toBe(body);
    expect(first.MD5OfMessageAttributes).toBe(sent.MD5OfMessageAttributes);
    expect(first.MessageAttributes!.who).toMatchObject({ DataType: "String", StringValue: "v2" });
    expect(Buffer.from(first.MessageAttributes!.bytes!.BinaryValue as Buffer)).toEqual(Buffer.from([9, 8, 7]));
    expect(first.Attributes).toMatchObject({ ApproximateReceiveCount: "1" });
    const second = got.Messages!.find((m) => m.Body === "two")!;

    await sqs.changeMessageVisibility({ QueueUrl: url, ReceiptHandle: first.ReceiptHandle!, VisibilityTimeout: 0 }).promise();
    const again = (await sqs.receiveMessage({ QueueUrl: url }).promise()).Messages![0]!;
    await expect(sqs.changeMessageVisibility({ QueueUrl: url, ReceiptHandle: first.ReceiptHandle!, VisibilityTimeout: 5 }).promise()).rejects.toMatchObject({ code: "ReceiptHandleIsInvalid", statusCode: 404 });
    const cv = await sqs.changeMessageVisibilityBatch({ QueueUrl: url, Entries: [{ Id: "a", ReceiptHandle: again.ReceiptHandle!, VisibilityTimeout: 60 }] }).promise();
    expect(cv.Successful).toEqual([{ Id: "a" }]);
    await sqs.deleteMessage({ QueueUrl: url, ReceiptHandle: again.ReceiptHandle! }).promise();
    const del = await sqs.deleteMessageBatch({ QueueUrl: url, Entries: [{ Id: "b", ReceiptHandle: second.ReceiptHandle! }] }).promise();
    expect(del.Successful).toEqual([{ Id: "b" }]);
    expect(await s.engine.stats(url.split("/").at(-1)!)).toMatchObject({ ready: 0, inFlight: 0, deleted: 2 });
    // A move task from a queue that does not exist: the query protocol's code, and SQS's 404.
    await expect(sqs.startMessageMoveTask({ SourceArn: "arn:aws:sqs:us-east-1:000000000000:no-such-queue-x" }).promise()).rejects.toMatchObject({ code: "ResourceNotFoundException", statusCode: 404 });
  });
});
