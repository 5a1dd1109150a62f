// Issue 15: Amazon SQS's API, through the real @aws-sdk/client-sqs (v3, AWS JSON 1.0 protocol, its
// MD5 checks on by default): every action, batches with partial failure, visibility, redrive.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  ChangeMessageVisibilityBatchCommand, ChangeMessageVisibilityCommand, CreateQueueCommand, DeleteMessageBatchCommand, DeleteMessageCommand,
  DeleteQueueCommand, GetQueueAttributesCommand, GetQueueUrlCommand, ListDeadLetterSourceQueuesCommand, ListQueuesCommand, ListQueueTagsCommand,
  ListMessageMoveTasksCommand, PurgeQueueCommand, QueueDoesNotExist, QueueNameExists, ReceiptHandleIsInvalid, ReceiveMessageCommand,
  SendMessageBatchCommand, SendMessageCommand, SetQueueAttributesCommand, StartMessageMoveTaskCommand, TagQueueCommand, UntagQueueCommand,
  CancelMessageMoveTaskCommand, ResourceNotFoundException, InvalidMessageContents, EmptyBatchRequest, TooManyEntriesInBatchRequest, BatchEntryIdsNotDistinct, InvalidAttributeName,
  type SQSClient,
} from "@aws-sdk/client-sqs";
import { deadLettered, deadLetteredWithReceipts } from "@tinyqs/test-support";
import { eventually, sqsQueue, startSqs, type RunningSqs } from "./sqs-helpers.js";

let s: RunningSqs;
let sqs: SQSClient;
beforeAll(async () => {
  s = await startSqs();
  sqs = s.client();
});
afterAll(() => s.close());

async function create(name = sqsQueue("q"), Attributes?: Record<string, string>): Promise<string> {
  return (await sqs.send(new CreateQueueCommand({ QueueName: name, Attributes }))).QueueUrl!;
}

describe("queues", () => {
  it("CreateQueue (idempotent for equal attributes), GetQueueUrl, ListQueues with prefix and pages, DeleteQueue", async () => {
    const name = sqsQueue("create");
    const url = await create(name, { VisibilityTimeout: "45", DelaySeconds: "0" });
    expect(url).toBe(`${s.url}/000000000000/${name}`);
    expect(await create(name, { VisibilityTimeout: "45" })).toBe(url);
    await expect(create(name, { VisibilityTimeout: "46" })).rejects.toBeInstanceOf(QueueNameExists);
    expect((await sqs.send(new GetQueueUrlCommand({ QueueName: name }))).QueueUrl).toBe(url);
    await expect(sqs.send(new GetQueueUrlCommand({ QueueName: "nope" }))).rejects.toMatchObject({ name: "QueueDoesNotExist", Code: "AWS.SimpleQueueService.NonExistentQueue", $metadata: { httpStatusCode: 400 } });

    const prefix = sqsQueue("list");
    const urls = [];
    for (let i = 0; i < 3; i++) urls.push(await create(`${prefix}-${i}`));
    expect((await sqs.send(new ListQueuesCommand({ QueueNamePrefix: prefix }))).QueueUrls).toEqual(urls);
    const first = await sqs.send(new ListQueuesCommand({ QueueNamePrefix: prefix, MaxResults: 2 }));
    expect(first.QueueUrls).toEqual(urls.slice(0, 2));
    const second = await sqs.send(new ListQueuesCommand({ QueueNamePrefix: prefix, MaxResults: 2, NextToken: first.NextToken }));
    expect(second).toMatchObject({ QueueUrls: urls.slice(2) });
    expect(second.NextToken).toBeUndefined();

    await sqs.send(new DeleteQueueCommand({ QueueUrl: url }));
    await expect(sqs.send(new GetQueueUrlCommand({ QueueName: name }))).rejects.toBeInstanceOf(QueueDoesNotExist);
    await expect(sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: "x" }))).rejects.toBeInstanceOf(QueueDoesNotExist);
  });

  it("names: FIFO refused, tinyqs-only names refused by CreateQueue but reachable when made another way", async () => {
    await expect(create("jobs.fifo", { FifoQueue: "true" })).rejects.toMatchObject({ name: "InvalidParameterValue", message: expect.stringContaining("FIFO") });
    await expect(create(sqsQueue("f"), { FifoQueue: "true" })).rejects.toMatchObject({ name: "InvalidParameterValue", message: expect.stringContaining("FIFO") });
    await expect(create("has.dot")).rejects.toMatchObject({ name: "InvalidParameterValue", message: expect.stringContaining("valid tinyqs queue name") });
    await expect(create("x".repeat(81))).rejects.toMatchObject({ name: "InvalidParameterValue" });
    const dotted = `${sqsQueue("made")}.elsewhere`;
    await s.engine.send(dotted, "from the engine");
    const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: dotted }));
    const got = await sqs.send(new ReceiveMessageCommand({ QueueUrl }));
    expect(got.Messages?.[0]?.Body).toBe("from the engine");
  });

  it("GetQueueAttributes (All and each), SetQueueAttributes, timestamps, PurgeQueue, tags", async () => {
    const before = Math.floor(Date.now() / 1000) - 1;
    const url = await create(sqsQueue("attrs"), { DelaySeconds: "0", MaximumMessageSize: "2048", MessageRetentionPeriod: "600", ReceiveMessageWaitTimeSeconds: "0" });
    await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: "ready" }));
    await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: "later", DelaySeconds: 600 }));
    await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: "taken" }));
    await sqs.send(new ReceiveMessageCommand({ QueueUrl: url })); // "ready" is now in flight
    const { Attributes: all } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ["All"] }));
    expect(all).toMatchObject({
      ApproximateNumberOfMessages: "1",
      ApproximateNumberOfMessagesNotVisible: "1",
      ApproximateNumberOfMessagesDelayed: "1",
      VisibilityTimeout: "30",
      DelaySeconds: "0",
      MaximumMessageSize: "2048",
      MessageRetentionPeriod: "600",
      ReceiveMessageWaitTimeSeconds: "0",
      QueueArn: `arn:aws:sqs:us-east-1:000000000000:${url.split("/").at(-1)}`,
    });
    expect(Number(all!.CreatedTimestamp)).toBeGreaterThanOrEqual(before);
    expect(Number(all!.LastModifiedTimestamp)).toBeGreaterThanOrEqual(Number(all!.CreatedTimestamp));
    expect(all!.RedrivePolicy).toBeUndefined();
    for (const name of ["VisibilityTimeout", "ApproximateNumberOfMessagesDelayed", "CreatedTimestamp", "QueueArn"] as const) {
      const one = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: [name] }));
      expect(Object.keys(one.Attributes!)).toEqual([name]);
    }
    await expect(sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ["Nope" as never] }))).rejects.toBeInstanceOf(InvalidAttributeName);

    await sqs.send(new SetQueueAttributesCommand({ QueueUrl: url, Attributes: { VisibilityTimeout: "7", DelaySeconds: "3" } }));
    const set = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ["VisibilityTimeout", "DelaySeconds"] }));
    expect(set.Attributes).toEqual({ VisibilityTimeout: "7", DelaySeconds: "3" });
    expect((await s.engine.getConfig(url.split("/").at(-1)!)).visibilityMs).toBe(7000); // the engine's own setting
    await expect(sqs.send(new SetQueueAttributesCommand({ QueueUrl: url, Attributes: { VisibilityTimeout: "99999" } }))).rejects.toMatchObject({ name: "InvalidAttributeValue" });
    await expect(sqs.send(new SetQueueAttributesCommand({ QueueUrl: url, Attributes: { Bogus: "1" } as Record<string, string> }))).rejects.toBeInstanceOf(InvalidAttributeName);

    await sqs.send(new TagQueueCommand({ QueueUrl: url, Tags: { team: "a", env: "test" } }));
    await sqs.send(new UntagQueueCommand({ QueueUrl: url, TagKeys: ["env"] }));
    expect((await sqs.send(new ListQueueTagsCommand({ QueueUrl: url }))).Tags).toEqual({ team: "a" });

    await sqs.send(new PurgeQueueCommand({ QueueUrl: url }));
    const after = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ["All"] }));
    expect(after.Attributes).toMatchObject({ ApproximateNumberOfMessages: "0", ApproximateNumberOfMessagesNotVisible: "0", ApproximateNumberOfMessagesDelayed: "0" });
  });

  it("StartMessageMoveTask redrives a dead-letter queue (back to the sources, or to DestinationArn); ListMessageMoveTasks shows it completed", async () => {
    const arnOf = (queue: string) => `arn:aws:sqs:us-east-1:000000000000:${queue}`;
    const q = sqsQueue("move");
    const ids = await deadLettered(s.engine, q, 3);
    const dlqArn = arnOf(`${q}.dead`);
    const { TaskHandle } = await sqs.send(new StartMessageMoveTaskCommand({ SourceArn: dlqArn, MaxNumberOfMessagesPerSecond: 50 }));
    expect(TaskHandle).toEqual(expect.any(String));
    // Done before the call answered: back in the source, ready, under their ids.
    expect((await s.engine.browse(q, { state: "ready" })).map((m) => m.id)).toEqual(ids);
    expect((await s.engine.stats(`${q}.dead`)).ready).toBe(0);
    const listed = await sqs.send(new ListMessageMoveTasksCommand({ SourceArn: dlqArn, MaxResults: 10 }));
    expect(listed.Results).toEqual([
      { Status: "COMPLETED", SourceArn: dlqArn, MaxNumberOfMessagesPerSecond: 50, ApproximateNumberOfMessagesMoved: 3, ApproximateNumberOfMessagesToMove: 3, StartedTimestamp: expect.any(Number) },
    ]);
    await expect(sqs.send(new CancelMessageMoveTaskCommand({ TaskHandle }))).rejects.toBeInstanceOf(ResourceNotFoundException);

    // To a destination of its own; the newest task first (three fresh dead letters: the source emptied first).
    await s.engine.purge(q);
    const other = await create();
    await deadLettered(s.engine, q, 3);
    await sqs.send(new StartMessageMoveTaskCommand({ SourceArn: dlqArn, DestinationArn: arnOf(other.split("/").at(-1)!) }));
    expect((await s.engine.stats(other.split("/").at(-1)!)).ready).toBe(3);
    const both = (await sqs.send(new ListMessageMoveTasksCommand({ SourceArn: dlqArn, MaxResults: 10 }))).Results!;
    expect(both.map((t) => [t.ApproximateNumberOfMessagesMoved, t.DestinationArn])).toEqual([[3, arnOf(other.split("/").at(-1)!)], [3, undefined]]);

    // Refused: a source or destination that does not exist, a source that is no dead-letter queue.
    await expect(sqs.send(new StartMessageMoveTaskCommand({ SourceArn: arnOf("no-such-queue") }))).rejects.toBeInstanceOf(ResourceNotFoundException);
    await expect(sqs.send(new StartMessageMoveTaskCommand({ SourceArn: dlqArn, DestinationArn: arnOf("no-such-queue") }))).rejects.toBeInstanceOf(ResourceNotFoundException);
    const plain = await create();
    await sqs.send(new SendMessageCommand({ QueueUrl: plain, MessageBody: "not dead" }));
    const plainArn = arnOf(plain.split("/").at(-1)!);
    await expect(sqs.send(new StartMessageMoveTaskCommand({ SourceArn: plainArn }))).rejects.toMatchObject({ name: "InvalidParameterValue", message: expect.stringContaining("not a dead-letter queue") });
    expect((await sqs.send(new ListMessageMoveTasksCommand({ SourceArn: plainArn }))).Results).toMatchObject([{ Status: "FAILED", FailureReason: expect.stringContaining("not a dead-letter queue") }]);
  });

  it("after StartMessageMoveTask a ReceiptHandle from before the move is stale; ApproximateReceiveCount starts again at 1", async () => {
    const url = await create();
    const q = url.split("/").at(-1)!;
    const { id, receipts: [stale] } = await deadLetteredWithReceipts(s.engine, q, 1);
    await sqs.send(new StartMessageMoveTaskCommand({ SourceArn: `arn:aws:sqs:us-east-1:000000000000:${q}.dead` }));
    await s.engine.configure(q, { visibilityMs: 60_000 });
    const { Messages } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MessageSystemAttributeNames: ["ApproximateReceiveCount"] }));
    const [m] = Messages!;
    expect([m!.MessageId, m!.Attributes?.ApproximateReceiveCount]).toEqual([id, "1"]);
    expect(m!.ReceiptHandle).not.toBe(stale);
    await expect(sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl: url, ReceiptHandle: stale!, VisibilityTimeout: 0 }))).rejects.toBeInstanceOf(ReceiptHandleIsInvalid);
    await sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: stale! })); // succeeds, as SQS's does, and deletes nothing
    expect((await s.engine.stats(q)).inFlight).toBe(1);
    await sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: m!.ReceiptHandle! }));
    expect((await s.engine.stats(q)).inFlight).toBe(0);
  });
});

describe("messages", () => {
  it("SendMessage with attributes (MD5s as AWS computes them) and ReceiveMessage with system and message attributes", async () => {
    const url = await create();
    const MessageAttributes = {
      colour: { DataType: "String", StringValue: "blue ✓" },
      count: { DataType: "Number", StringValue: "42" },
      blob: { DataType: "Binary", BinaryValue: Buffer.from([0, 1, 2, 255]) },
      "trace.id": { DataType: "String.custom", StringValue: "t-1" },
    };
    const sent = await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: "héllo\r\n\t<&>", MessageAttributes }));
    // Reference digest from AWS's documentation procedure, written out independently here.
    expect(sent.MD5OfMessageAttributes).toBe(referenceMd5(MessageAttributes));
    expect(sent.MD5OfMessageBody).toBe(md5("héllo\r\n\t<&>"));
    const before = Date.now();
    const got = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MessageAttributeNames: ["All"], MessageSystemAttributeNames: ["All"] }));
    const m = got.Messages![0]!;
    expect(m.Body).toBe("héllo\r\n\t<&>");
    expect(m.MessageId).toBe(sent.MessageId);
    expect(m.MD5OfMessageAttributes).toBe(sent.MD5OfMessageAttributes);
    expect(m.MessageAttributes).toEqual({ ...MessageAttributes, blob: { DataType: "Binary", BinaryValue: new Uint8Array([0, 1, 2, 255]) } });
    expect(m.Attributes).toMatchObject({ ApproximateReceiveCount: "1", SenderId: "000000000000" });
    expect(Number(m.Attributes!.SentTimestamp)).toBeLessThanOrEqual(Number(m.Attributes!.ApproximateFirstReceiveTimestamp));
    expect(Math.abs(Number(m.Attributes!.ApproximateFirstReceiveTimestamp) - before)).toBeLessThan(60_000);

    // Selected attributes only, by name and by prefix; the MD5 is of those returned.
    await sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl: url, ReceiptHandle: m.ReceiptHandle, VisibilityTimeout: 0 }));
    const again = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MessageAttributeNames: ["count", "trace.*"], MessageSystemAttributeNames: ["ApproximateReceiveCount", "ApproximateFirstReceiveTimestamp"] }));
    const m2 = again.Messages![0]!;
    expect(Object.keys(m2.MessageAttributes!).sort()).toEqual(["count", "trace.id"]);
    expect(m2.MD5OfMessageAttributes).toBe(referenceMd5({ count: MessageAttributes.count, "trace.id": MessageAttributes["trace.id"] }));
    expect(m2.Attributes).toEqual({ ApproximateReceiveCount: "2", ApproximateFirstReceiveTimestamp: m.Attributes!.ApproximateFirstReceiveTimestamp });
    // The engine (and so TCP and HTTP) sees the body exactly as sent.
    await sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl: url, ReceiptHandle: m2.ReceiptHandle, VisibilityTimeout: 0 }));
    expect((await s.engine.receive(url.split("/").at(-1)!))!.body.toString()).toBe("héllo\r\n\t<&>");
  });

  it("bad input: forbidden characters, too long, bad attributes, MaxNumberOfMessages range", async () => {
    const url = await create(sqsQueue("bad"), { MaximumMessageSize: "1024" });
    await expect(sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: "bell \u0007" }))).rejects.toBeInstanceOf(InvalidMessageContents);
    await expect(sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: "lone \uD800 surrogate" }))).rejects.toBeInstanceOf(InvalidMessageContents);
    await expect(sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: "x".repeat(1025) }))).rejects.toMatchObject({ name: "InvalidParameterValue", message: expect.stringContaining("shorter than 1024") });
    await expect(sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: "x", MessageAttributes: { n: { DataType: "Number", StringValue: "abc" } } }))).rejects.toMatchObject({ name: "InvalidParameterValue" });
    await expect(sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: "" }))).rejects.toMatchObject({ name: "MissingParameter" });
    await expect(sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 11 }))).rejects.toMatchObject({ name: "InvalidParameterValue", message: expect.stringContaining("MaxNumberOfMessages") });
    expect((await s.engine.stats(url.split("/").at(-1)!)).sent).toBe(0); // nothing stored
  });

  it("SendMessageBatch and DeleteMessageBatch with partial failure; batch rules", async () => {
    const url = await create(sqsQueue("batch"), { MaximumMessageSize: "1024" });
    const r = await sqs.send(new SendMessageBatchCommand({
      QueueUrl: url,
      Entries: [
        { Id: "a", MessageBody: "one" },
        { Id: "b", MessageBody: "x".repeat(2000) },
        { Id: "c", MessageBody: "three", DelaySeconds: 0, MessageAttributes: { k: { DataType: "String", StringValue: "v" } } },
        { Id: "d", MessageBody: "bad \u0000" },
      ],
    }));
    expect(r.Successful!.map((e) => e.Id).sort()).toEqual(["a", "c"]);
    expect(r.Successful!.find((e) => e.Id === "c")!.MD5OfMessageAttributes).toBe(referenceMd5({ k: { DataType: "String", StringValue: "v" } }));
    expect(r.Failed!.map((e) => [e.Id, e.Code, e.SenderFault]).sort()).toEqual([["b", "InvalidParameterValue", true], ["d", "InvalidMessageContents", true]]);
    await expect(sqs.send(new SendMessageBatchCommand({ QueueUrl: url, Entries: [] }))).rejects.toBeInstanceOf(EmptyBatchRequest);
    await expect(sqs.send(new SendMessageBatchCommand({ QueueUrl: url, Entries: Array.from({ length: 11 }, (_, i) => ({ Id: `e${i}`, MessageBody: "x" })) }))).rejects.toBeInstanceOf(TooManyEntriesInBatchRequest);
    await expect(sqs.send(new SendMessageBatchCommand({ QueueUrl: url, Entries: [{ Id: "x", MessageBody: "1" }, { Id: "x", MessageBody: "2" }] }))).rejects.toBeInstanceOf(BatchEntryIdsNotDistinct);

    const got = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10 }));
    expect(got.Messages!.map((m) => m.Body).sort()).toEqual(["one", "three"]);
    const del = await sqs.send(new DeleteMessageBatchCommand({
      QueueUrl: url,
      Entries: [...got.Messages!.map((m, i) => ({ Id: `m${i}`, ReceiptHandle: m.ReceiptHandle })), { Id: "bogus", ReceiptHandle: "not-a-receipt" }],
    }));
    expect(del.Successful!.map((e) => e.Id).sort()).toEqual(["m0", "m1"]);
    expect(del.Failed).toEqual([expect.objectContaining({ Id: "bogus", Code: "ReceiptHandleIsInvalid", SenderFault: true })]);
    expect((await s.engine.stats(url.split("/").at(-1)!)).ready + (await s.engine.stats(url.split("/").at(-1)!)).inFlight).toBe(0);
  });

  it("visibility: a lease expires, ChangeMessageVisibility(Batch) extends and releases, stale receipts are fenced", async () => {
    const url = await create(sqsQueue("vis"));
    await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: "m" }));
    const first = (await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, VisibilityTimeout: 1 }))).Messages![0]!;
    expect((await sqs.send(new ReceiveMessageCommand({ QueueUrl: url }))).Messages).toBeUndefined();
    // Expiry: back after its 1 s lease, as a new delivery.
    const second = await eventually(async () => (await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, WaitTimeSeconds: 2, MessageSystemAttributeNames: ["ApproximateReceiveCount"] }))).Messages?.[0], 15_000);
    expect(second!.Attributes!.ApproximateReceiveCount).toBe("2");
    // The first handle is stale now: ChangeMessageVisibility refuses it, DeleteMessage succeeds without deleting.
    await expect(sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl: url, ReceiptHandle: first.ReceiptHandle, VisibilityTimeout: 30 }))).rejects.toBeInstanceOf(ReceiptHandleIsInvalid);
    await sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: first.ReceiptHandle }));
    expect((await s.engine.stats(url.split("/").at(-1)!)).inFlight).toBe(1);
    await expect(sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: "garbage" }))).rejects.toBeInstanceOf(ReceiptHandleIsInvalid);

    const batch = await sqs.send(new ChangeMessageVisibilityBatchCommand({
      QueueUrl: url,
      Entries: [{ Id: "cur", ReceiptHandle: second!.ReceiptHandle, VisibilityTimeout: 600 }, { Id: "old", ReceiptHandle: first.ReceiptHandle, VisibilityTimeout: 600 }],
    }));
    expect(batch.Successful).toEqual([{ Id: "cur" }]);
    expect(batch.Failed).toEqual([expect.objectContaining({ Id: "old", Code: "ReceiptHandleIsInvalid" })]);
    // VisibilityTimeout 0 releases at once.
    await sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl: url, ReceiptHandle: second!.ReceiptHandle, VisibilityTimeout: 0 }));
    const third = (await sqs.send(new ReceiveMessageCommand({ QueueUrl: url }))).Messages![0]!;
    await sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: third.ReceiptHandle }));
    expect(await s.engine.stats(url.split("/").at(-1)!)).toMatchObject({ ready: 0, inFlight: 0, deleted: 1 });
  });

  it("RedrivePolicy: after maxReceiveCount receives the message is in the dead-letter queue; ListDeadLetterSourceQueues", async () => {
    const dlqName = sqsQueue("dlq");
    const dlq = await create(dlqName);
    const arn = `arn:aws:sqs:us-east-1:000000000000:${dlqName}`;
    await expect(create(sqsQueue("src"), { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: `${arn}-missing`, maxReceiveCount: 2 }) })).rejects.toMatchObject({ name: "InvalidParameterValue", message: expect.stringContaining("does not exist") });
    const src = await create(sqsQueue("src"), { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: arn, maxReceiveCount: "2" }) });
    const srcName = src.split("/").at(-1)!;
    expect((await sqs.send(new GetQueueAttributesCommand({ QueueUrl: src, AttributeNames: ["RedrivePolicy"] }))).Attributes).toEqual({ RedrivePolicy: JSON.stringify({ deadLetterTargetArn: arn, maxReceiveCount: 2 }) });
    expect(await s.engine.getConfig(srcName)).toMatchObject({ maxReceives: 2, deadLetterQueue: dlqName });
    expect((await sqs.send(new ListDeadLetterSourceQueuesCommand({ QueueUrl: dlq }))).queueUrls).toEqual([src]);

    await sqs.send(new SendMessageCommand({ QueueUrl: src, MessageBody: "poison", MessageAttributes: { why: { DataType: "String", StringValue: "kept" } } }));
    for (let i = 0; i < 2; i++) {
      const m = (await sqs.send(new ReceiveMessageCommand({ QueueUrl: src, WaitTimeSeconds: 5 }))).Messages![0]!;
      await sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl: src, ReceiptHandle: m.ReceiptHandle, VisibilityTimeout: 0 }));
    }
    expect((await sqs.send(new ReceiveMessageCommand({ QueueUrl: src }))).Messages).toBeUndefined();
    const dead = (await sqs.send(new ReceiveMessageCommand({ QueueUrl: dlq, MessageAttributeNames: ["All"] }))).Messages![0]!;
    expect(dead.Body).toBe("poison");
    expect(dead.MessageAttributes).toEqual({ why: { DataType: "String", StringValue: "kept" } });

    await sqs.send(new SetQueueAttributesCommand({ QueueUrl: src, Attributes: { RedrivePolicy: "" } }));
    expect((await s.engine.getConfig(srcName)).maxReceives).toBe(0);
  });

  it("a long poll is woken by a message sent through the engine", async () => {
    const url = await create();
    const polling = sqs.send(new ReceiveMessageCommand({ QueueUrl: url, WaitTimeSeconds: 20 }));
    await new Promise((r) => setTimeout(r, 300));
    await s.engine.send(url.split("/").at(-1)!, "woken");
    const got = await polling;
    expect(got.Messages![0]!.Body).toBe("woken");
  });
});

import { createHash } from "node:crypto";
function md5(s: string | Buffer): string {
  return createHash("md5").update(s).digest("hex");
}
/** AWS's documented MD5OfMessageAttributes procedure. */
function referenceMd5(attrs: Record<string, { DataType: string; StringValue?: string; BinaryValue?: Uint8Array }>): string {
  const parts: Buffer[] = [];
  const lp = (b: Buffer) => {
    const l = Buffer.alloc(4);
    l.writeUInt32BE(b.length);
    parts.push(l, b);
  };
  for (const name of Object.keys(attrs).sort()) {
    const a = attrs[name]!;
    lp(Buffer.from(name));
    lp(Buffer.from(a.DataType));
    if (a.BinaryValue) {
      parts.push(Buffer.from([2]));
      lp(Buffer.from(a.BinaryValue));
    } else {
      parts.push(Buffer.from([1]));
      lp(Buffer.from(a.StringValue!));
    }
  }
  return md5(Buffer.concat(parts));
}
