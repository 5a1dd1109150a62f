// Queue names, URLs and ARNs as SQS has them, and how they meet tinyqs's names.
//   URL  http://<host>:<port>/<account>/<queue>   (host: the one the request came to)
//   ARN  arn:aws:sqs:<region>:<account>:<queue>
// SQS names are 1-80 characters of A-Z a-z 0-9 - _ (a FIFO queue's end in .fifo); tinyqs allows
// 1-128 of A-Z a-z 0-9 _ . -. So every SQS name is a tinyqs name; CreateQueue holds new queues to
// SQS's rule (so SDKs that check names accept them), while queues made through TCP, HTTP or the
// engine keep their names (a default dead-letter queue is `<queue>.dead`) and are reached by URL
// or GetQueueUrl all the same.
import { QUEUE_NAME } from "@tinyqs/core";
import { SqsError, invalid, noSuchQueue } from "./errors.js";

const SQS_NAME = /^[A-Za-z0-9_-]{1,80}$/;

export interface Naming {
  account: string;
  region: string;
}

/** A name CreateQueue may create, or why not. */
export function checkNewQueueName(name: string): string {
  if (name.endsWith(".fifo")) {
    throw invalid("QueueName", name, "FIFO queues (.fifo) are not supported by tinyqs; create a standard queue.");
  }
  if (!SQS_NAME.test(name)) {
    const tinyqsOnly = QUEUE_NAME.test(name);
    throw new SqsError(
      "InvalidParameterValue",
      `Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length` +
        (tinyqsOnly ? ` (${JSON.stringify(name)} is a valid tinyqs queue name: a queue of that name made through TCP, HTTP or the engine can still be reached with GetQueueUrl, but SQS cannot create it)` : ""),
    );
  }
  return name;
}

/** A name GetQueueUrl may look up: any tinyqs name (else it cannot exist). */
export function checkExistingName(name: string): string {
  if (!QUEUE_NAME.test(name)) throw noSuchQueue();
  return name;
}

export function queueUrl(origin: string, naming: Naming, queue: string): string {
  return `${origin}/${naming.account}/${queue}`;
}

export function queueArn(naming: Naming, queue: string): string {
  return `arn:aws:sqs:${naming.region}:${naming.account}:${queue}`;
}

/** The queue a QueueUrl names (its last path segment, under this server's account). */
export function queueOfUrl(naming: Naming, url: string): string {
  let path: string;
  try {
    path = new URL(url, "http://localhost").pathname;
  } catch {
    throw invalid("QueueUrl", url, "is not a URL.");
  }
  const parts = path.split("/").filter((s) => s.length > 0);
  const queue = decodeURIComponent(parts.at(-1) ?? "");
  const account = parts.at(-2);
  if (parts.length !== 2 || account !== naming.account) throw noSuchQueue();
  return checkExistingName(queue);
}

/** The queue an ARN names, if it is this server's region and account. */
export function queueOfArn(naming: Naming, arn: string): string | undefined {
  const m = /^arn:aws:sqs:([^:]+):([^:]+):([^:]+)$/.exec(arn);
  if (!m || m[1] !== naming.region || m[2] !== naming.account || !QUEUE_NAME.test(m[3]!)) return undefined;
  return m[3];
}
