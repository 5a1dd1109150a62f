// Issue 15: the SQS port on the wire: the same messages as the TCP server (redis-cli both ways, a
// long poll woken by a TCP send), the JSON protocol's error shape as the SDKs read it, a body over
// the limit refused before it is read, browsers refused, and Signature V4 (header and query-string
// forms: good, wrong secret, unknown key, a date off by more than 15 minutes).
import { execFile } from "node:child_process";
import { connect } from "node:net";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CreateQueueCommand, ListQueuesCommand, ReceiveMessageCommand, SendMessageCommand, type SQSClient } from "@aws-sdk/client-sqs";
import { createHash, createHmac, type Hash, type Hmac } from "node:crypto";
import { SignatureV4 } from "@smithy/signature-v4";
import { createTcpServer, type TcpServer } from "@tinyqs/tcp-server";
import { KEY, sqsQueue, startSqs, type RunningSqs } from "./sqs-helpers.js";

const execFileP = promisify(execFile);

/** The SHA-256 (and HMAC) the signer asks for, from node:crypto. */
type Data = string | ArrayBuffer | ArrayBufferView;
const bytes = (d: Data) => (typeof d === "string" ? d : ArrayBuffer.isView(d) ? Buffer.from(d.buffer, d.byteOffset, d.byteLength) : Buffer.from(d));
class Sha256 {
  private h: Hash | Hmac;
  constructor(private readonly secret?: Data) {
    this.h = this.make();
  }
  private make() {
    return this.secret === undefined ? createHash("sha256") : createHmac("sha256", bytes(this.secret));
  }
  update(data: Data) {
    this.h.update(bytes(data));
  }
  async digest() {
    return new Uint8Array(this.h.digest());
  }
  reset() {
    this.h = this.make();
  }
}
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const jsonOf = (r: Response): Promise<any> => r.json();
const redisCli = async (port: number, args: string[]) => (await execFileP("redis-cli", ["-p", String(port), ...args], { timeout: 30_000 })).stdout;

describe("one queue, two protocols: SQS and TCP (redis-cli)", () => {
  let s: RunningSqs;
  let sqs: SQSClient;
  let tcp: TcpServer;
  let tcpPort: number;
  beforeAll(async () => {
    s = await startSqs();
    sqs = s.client();
    tcp = createTcpServer({ engine: s.engine });
    ({ port: tcpPort } = await tcp.listen(0, "127.0.0.1"));
  });
  afterAll(async () => {
    await tcp.close();
    await s.close();
  });

  it("sent with the SDK, received with redis-cli; sent with redis-cli, received with the SDK; a long poll woken by redis-cli", async () => {
    const name = sqsQueue("tcp");
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: name }));
    const sent = await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: "from the SDK" }));
    const got = (await redisCli(tcpPort, ["RECEIVE", name])).split("\n");
    expect(got[0]).toBe(sent.MessageId);
    expect(got[2]).toBe("from the SDK");
    expect(await redisCli(tcpPort, ["DELETE", name, got[1]!])).toBe("1\n");

    const id = (await redisCli(tcpPort, ["SEND", name, "from redis-cli"])).trim();
    const m = (await sqs.send(new ReceiveMessageCommand({ QueueUrl }))).Messages![0]!;
    expect([m.MessageId, m.Body]).toEqual([id, "from redis-cli"]);

    const polling = sqs.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 20 }));
    await new Promise((r) => setTimeout(r, 300));
    await redisCli(tcpPort, ["SEND", name, "wake up"]);
    expect((await polling).Messages![0]!.Body).toBe("wake up");
  });
});

describe("the wire", () => {
  let s: RunningSqs;
  beforeAll(async () => {
    s = await startSqs({ maxRequestBytes: 64 * 1024 });
  });
  afterAll(() => s.close());

  const post = (target: string, body: unknown, headers: Record<string, string> = {}) =>
    fetch(s.url, { method: "POST", headers: { "content-type": "application/x-amz-json-1.0", "x-amz-target": `AmazonSQS.${target}`, ...headers }, body: JSON.stringify(body) });

  it("JSON errors: __type, x-amzn-query-error, status; an unknown action is InvalidAction", async () => {
    const r = await post("GetQueueUrl", { QueueName: "missing" });
    expect(r.status).toBe(400);
    expect(r.headers.get("x-amzn-query-error")).toBe("AWS.SimpleQueueService.NonExistentQueue;Sender");
    expect(await jsonOf(r)).toEqual({ __type: "com.amazonaws.sqs#QueueDoesNotExist", message: "The specified queue does not exist." });
    const unknown = await post("Frobnicate", {});
    expect([unknown.status, (await jsonOf(unknown)).__type]).toEqual([400, "com.amazonaws.sqs#InvalidAction"]);
    const missing = await post("CreateQueue", {});
    expect(await jsonOf(missing)).toEqual({ __type: "com.amazonaws.sqs#MissingParameter", message: "The request must contain the parameter QueueName." });
  });

  it("a body over the limit is refused with 413 before it is sent in full", async () => {
    const reply = await new Promise<string>((resolve, reject) => {
      const sock = connect(s.port, "127.0.0.1", () => {
        // Headers only: the 10 MB body is never sent, yet the answer comes.
        sock.write(`POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-amz-json-1.0\r\nX-Amz-Target: AmazonSQS.SendMessage\r\nContent-Length: 10000000\r\n\r\n{"QueueUrl":"`);
      });
      let got = "";
      sock.on("data", (d) => (got += d.toString()));
      sock.on("close", () => resolve(got));
      sock.on("error", reject);
    });
    expect(reply).toMatch(/^HTTP\/1\.1 413 /);
    expect(reply).toContain("RequestEntityTooLarge");
  });

  it("the query protocol posted to the queue's own URL, without QueueUrl (as older clients do)", async () => {
    const created = await fetch(s.url, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: "Action=CreateQueue&QueueName=by-path&Version=2012-11-05" });
    expect(await created.text()).toContain(`<QueueUrl>${s.url}/000000000000/by-path</QueueUrl>`);
    const sent = await fetch(`${s.url}/000000000000/by-path`, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: "Action=SendMessage&MessageBody=a%26b" });
    expect(sent.status).toBe(200);
    expect(await sent.text()).toMatch(/<SendMessageResult><MessageId>\d+-\d+<\/MessageId><MD5OfMessageBody>[0-9a-f]{32}<\/MD5OfMessageBody><\/SendMessageResult>/);
    expect((await s.engine.receive("by-path"))?.body.toString()).toBe("a&b");
    const unknown = await fetch(`${s.url}/?Action=Nope`);
    expect([unknown.status, await unknown.text()]).toEqual([400, expect.stringContaining("<Code>InvalidAction</Code>")]);
  });

  it("browsers are refused (a web page could post a form)", async () => {
    const r = await post("ListQueues", {}, { origin: "https://evil.example" });
    expect(r.status).toBe(403);
    expect((await jsonOf(r)).__type).toBe("com.amazonaws.sqs#AccessDenied");
  });
});

describe("shutdown", () => {
  it("close() ends a long poll at once with no messages, and loses none", async () => {
    const s = await startSqs();
    const sqs = s.client();
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: sqsQueue("closing") }));
    const polling = sqs.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 20 }));
    await new Promise((r) => setTimeout(r, 300));
    const started = Date.now();
    await s.sqs.close();
    expect((await polling).Messages).toBeUndefined();
    expect(Date.now() - started).toBeLessThan(15_000); // not the 20 s of the poll
    expect((await s.engine.stats(QueueUrl!.split("/").at(-1)!)).inFlight).toBe(0);
    await s.close();
  });
});

describe("Signature V4 (--sqs-credentials)", () => {
  let s: RunningSqs;
  beforeAll(async () => {
    s = await startSqs({ credentials: `${KEY.accessKeyId}:${KEY.secretAccessKey}` });
  });
  afterAll(() => s.close());

  it("the SDK with the right keys works; a wrong secret is SignatureDoesNotMatch, an unknown key InvalidClientTokenId (403)", async () => {
    await s.client().send(new CreateQueueCommand({ QueueName: sqsQueue("signed") }));
    expect((await s.client().send(new ListQueuesCommand({}))).QueueUrls).toHaveLength(1);
    await expect(s.client({ secretAccessKey: "wrong" }).send(new ListQueuesCommand({}))).rejects.toMatchObject({ name: "SignatureDoesNotMatch", $metadata: { httpStatusCode: 403 } });
    await expect(s.client({ accessKeyId: "AKIDUNKNOWN" }).send(new ListQueuesCommand({}))).rejects.toMatchObject({ name: "InvalidClientTokenId", $metadata: { httpStatusCode: 403 } });
    const unsigned = await fetch(s.url, { method: "POST", headers: { "content-type": "application/x-amz-json-1.0", "x-amz-target": "AmazonSQS.ListQueues" }, body: "{}" });
    expect([unsigned.status, (await jsonOf(unsigned)).__type]).toEqual([403, "com.amazonaws.sqs#InvalidClientTokenId"]);
  });

  const signer = new SignatureV4({ credentials: KEY, region: "us-east-1", service: "sqs", sha256: Sha256 });
  const request = (query: Record<string, string>) => {
    const u = new URL(s.url);
    return { method: "GET", protocol: "http:", hostname: u.hostname, port: Number(u.port), path: "/", query, headers: { host: u.host } };
  };
  const get = (signed: { query?: Record<string, unknown>; headers: Record<string, string> }) => {
    const qs = new URLSearchParams(signed.query as Record<string, string>).toString();
    return fetch(`${s.url}/?${qs}`, { headers: signed.headers });
  };
  const LIST = { Action: "ListQueues", Version: "2012-11-05" };

  it("query-string (presigned) and header forms, by the signer the SDKs use", async () => {
    const presigned = await signer.presign(request(LIST), { expiresIn: 300 });
    const r = await get(presigned as never);
    expect(r.status).toBe(200);
    expect(await r.text()).toMatch(/^<\?xml version="1.0"\?><ListQueuesResponse /);
    const signedHeaders = await signer.sign(request(LIST));
    expect((await get(signedHeaders as never)).status).toBe(200);
    const tampered = await signer.presign(request(LIST));
    (tampered.query as Record<string, string>).QueueNamePrefix = "x"; // not what was signed
    const bad = await get(tampered as never);
    expect(bad.status).toBe(403);
    expect(await bad.text()).toContain("<Code>SignatureDoesNotMatch</Code>");
  });

  it("a signed date more than 15 minutes off is refused, either way", async () => {
    for (const offMs of [-20 * 60_000, 20 * 60_000]) {
      const signed = await signer.sign(request(LIST), { signingDate: new Date(Date.now() + offMs) });
      const r = await get(signed as never);
      expect(r.status).toBe(403);
      expect(await r.text()).toMatch(/<Code>SignatureDoesNotMatch<\/Code><Message>Signature (expired|not yet current)/);
    }
    const fiveMinutes = await signer.sign(request(LIST), { signingDate: new Date(Date.now() - 5 * 60_000) });
    expect((await get(fiveMinutes as never)).status).toBe(200);
  });
});
