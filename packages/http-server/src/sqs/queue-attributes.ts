// SQS's queue attributes and where each lives in tinyqs:
//   VisibilityTimeout        the queue's visibilityMs (engine setting; 0 s is kept as 1 ms)
//   MaximumMessageSize       the queue's maxMessageBytes (engine setting)
//   RedrivePolicy            maxReceives + deadLetterQueue (engine settings)
//   DelaySeconds, ReceiveMessageWaitTimeSeconds
//                            the SQS port's own records (engine.queueMeta), applied by this port to
//                            sends and receives made through it
//   MessageRetentionPeriod   recorded and reported; tinyqs keeps messages until they are deleted
//   Policy, RedriveAllowPolicy, KmsMasterKeyId, KmsDataKeyReusePeriodSeconds, SqsManagedSseEnabled
//                            recorded and reported as given; they change nothing
//   CreatedTimestamp, LastModifiedTimestamp, QueueArn, ApproximateNumberOf…   read only
import type { QueueConfig, QueueStats } from "@tinyqs/core";
import { SqsError, invalid } from "./errors.js";
import { queueArn, queueOfArn, type Naming } from "./names.js";

/**
 * The record that says first-receive times are noted for the queue (someone asked for
 * ApproximateFirstReceiveTimestamp): only then does a delete also forget the message's.
 */
export const FIRST_RECEIVES_NOTED = "firstReceivesNoted";

/** What this port knows of a queue: the engine's settings and its own records. */
export interface QueueView {
  config: QueueConfig;
  meta: Record<string, string>;
}

/** Settable attributes with an integer range, and their SQS defaults where the port keeps them. */
const RANGES: Record<string, { min: number; max: number }> = {
  DelaySeconds: { min: 0, max: 900 },
  MaximumMessageSize: { min: 1024, max: 1024 * 1024 },
  MessageRetentionPeriod: { min: 60, max: 1_209_600 },
  ReceiveMessageWaitTimeSeconds: { min: 0, max: 20 },
  VisibilityTimeout: { min: 0, max: 43_200 },
};

/** Attributes kept as the port's records, with the value a queue has when none was set. */
const RECORDED_DEFAULTS: Record<string, string | undefined> = {
  DelaySeconds: "0",
  MessageRetentionPeriod: "345600",
  ReceiveMessageWaitTimeSeconds: "0",
  Policy: undefined,
  RedriveAllowPolicy: undefined,
  KmsMasterKeyId: undefined,
  KmsDataKeyReusePeriodSeconds: undefined,
  SqsManagedSseEnabled: "false",
};

const FIFO_ONLY = ["ContentBasedDeduplication", "DeduplicationScope", "FifoThroughputLimit"];

/** Every attribute GetQueueAttributes knows, in the order "All" lists them. */
export const READABLE = [
  "ApproximateNumberOfMessages",
  "ApproximateNumberOfMessagesNotVisible",
  "ApproximateNumberOfMessagesDelayed",
  "CreatedTimestamp",
  "DelaySeconds",
  "LastModifiedTimestamp",
  "MaximumMessageSize",
  "MessageRetentionPeriod",
  "QueueArn",
  "ReceiveMessageWaitTimeSeconds",
  "VisibilityTimeout",
  "RedrivePolicy",
  "RedriveAllowPolicy",
  "Policy",
  "KmsMasterKeyId",
  "KmsDataKeyReusePeriodSeconds",
  "SqsManagedSseEnabled",
] as const;

/** What a set of attributes changes. */
export interface AttributeChanges {
  config: Partial<QueueConfig>;
  meta: Record<string, string>;
  /** Records to remove (an attribute set to ""). */
  unset: string[];
  /** Each given attribute as GetQueueAttributes would show it (CreateQueue compares these). */
  shown: Record<string, string>;
}

/** Check attributes given to CreateQueue / SetQueueAttributes; `queueExists` for the redrive target. */
export async function readChanges(
  queue: string,
  attributes: Record<string, string>,
  naming: Naming,
  queueExists: (name: string) => Promise<boolean>,
): Promise<AttributeChanges> {
  const out: AttributeChanges = { config: {}, meta: {}, unset: [], shown: {} };
  for (const [name, value] of Object.entries(attributes)) {
    const range = RANGES[name];
    if (range) {
      const n = /^\d+$/.test(value.trim()) ? Number(value.trim()) : NaN;
      if (!(n >= range.min && n <= range.max)) throw new SqsError("InvalidAttributeValue", `Invalid value for the parameter ${name}. Must be an integer from ${range.min} to ${range.max}.`);
      out.shown[name] = String(n);
      if (name === "VisibilityTimeout") out.config.visibilityMs = Math.max(1, n * 1000);
      else if (name === "MaximumMessageSize") out.config.maxMessageBytes = n;
      else out.meta[name] = String(n);
    } else if (name === "RedrivePolicy") {
      const redrive = await readRedrivePolicy(queue, value, naming, queueExists);
      out.config.maxReceives = redrive?.maxReceives ?? 0;
      if (redrive) out.config.deadLetterQueue = redrive.deadLetterQueue;
      out.shown[name] = redrive ? redrivePolicyText(naming, redrive.deadLetterQueue, redrive.maxReceives) : "";
    } else if (name in RECORDED_DEFAULTS) {
      if (value === "") out.unset.push(name);
      else out.meta[name] = value;
      out.shown[name] = value;
    } else if (name === "FifoQueue") {
      if (value !== "false") throw invalid("FifoQueue", value, "FIFO queues are not supported by tinyqs; create a standard queue.");
    } else if (FIFO_ONLY.includes(name)) {
      throw new SqsError("InvalidAttributeName", `Unknown Attribute ${name}: it is for FIFO queues, which tinyqs does not support.`);
    } else {
      throw new SqsError("InvalidAttributeName", `Unknown Attribute ${name}.`);
    }
  }
  return out;
}

async function readRedrivePolicy(
  queue: string,
  text: string,
  naming: Naming,
  queueExists: (name: string) => Promise<boolean>,
): Promise<{ deadLetterQueue: string; maxReceives: number } | null> {
  if (text === "") return null;
  const bad = (reason: string) => new SqsError("InvalidParameterValue", `Value ${text} for parameter RedrivePolicy is invalid. Reason: ${reason}`);
  let policy: { deadLetterTargetArn?: unknown; maxReceiveCount?: unknown };
  try {
    policy = JSON.parse(text);
  } catch {
    throw bad("Redrive policy is not a valid JSON map.");
  }
  const arn = policy?.deadLetterTargetArn;
  const count = Number(policy?.maxReceiveCount);
  if (typeof arn !== "string") throw bad("Redrive policy does not contain mandatory attribute: deadLetterTargetArn.");
  if (!Number.isInteger(count) || count < 1 || count > 1000) throw bad("Invalid value for maxReceiveCount: must be an integer from 1 to 1000.");
  const target = queueOfArn(naming, arn);
  if (!target || !(await queueExists(target))) throw bad("Dead letter target does not exist.");
  if (target === queue) throw bad("A queue cannot be its own dead-letter queue.");
  return { deadLetterQueue: target, maxReceives: count };
}

function redrivePolicyText(naming: Naming, deadLetterQueue: string, maxReceives: number): string {
  return JSON.stringify({ deadLetterTargetArn: queueArn(naming, deadLetterQueue), maxReceiveCount: maxReceives });
}

/** Names asked of GetQueueAttributes ("All" for all), checked. */
export function checkNames(names: string[]): readonly string[] {
  if (names.includes("All")) return READABLE;
  for (const n of names) if (!(READABLE as readonly string[]).includes(n)) throw new SqsError("InvalidAttributeName", `Unknown Attribute ${n}.`);
  return names;
}

/** The attributes asked for, as SQS shows them (strings; attributes never set are left out). */
export function showAttributes(queue: string, view: QueueView, stats: QueueStats | null, naming: Naming, names: readonly string[]): Record<string, string> {
  const { config, meta } = view;
  const out: Record<string, string> = {};
  for (const name of names) {
    const value = ((): string | undefined => {
      switch (name) {
        case "ApproximateNumberOfMessages": return String(stats!.ready);
        case "ApproximateNumberOfMessagesNotVisible": return String(stats!.inFlight);
        case "ApproximateNumberOfMessagesDelayed": return String(stats!.delayed);
        case "CreatedTimestamp":
        case "LastModifiedTimestamp": return meta[name] ?? meta.CreatedTimestamp;
        case "MaximumMessageSize": return String(config.maxMessageBytes);
        case "VisibilityTimeout": return String(Math.floor(config.visibilityMs / 1000));
        case "QueueArn": return queueArn(naming, queue);
        case "RedrivePolicy": return config.maxReceives > 0 ? redrivePolicyText(naming, config.deadLetterQueue, config.maxReceives) : undefined;
        default: return meta[name] ?? RECORDED_DEFAULTS[name];
      }
    })();
    if (value !== undefined) out[name] = value;
  }
  return out;
}

/** Whether showAttributes needs the queue's counts. */
export const needsStats = (names: readonly string[]) => names.some((n) => n.startsWith("ApproximateNumberOf"));

/** A recorded number (DelaySeconds, ReceiveMessageWaitTimeSeconds), or its default. */
export function recordedSeconds(view: QueueView, name: "DelaySeconds" | "ReceiveMessageWaitTimeSeconds"): number {
  return Number(view.meta[name] ?? RECORDED_DEFAULTS[name]);
}
