// The SQS error codes this port answers with, and how tinyqs's own error codes (core's error table)
// map onto them. Each entry: the name the JSON protocol puts in `__type` (the SDK's error class), the
// code the query protocol (and the JSON protocol's x-amzn-query-error header) carries, the HTTP
// status, and whose fault it is (Sender: the request; Receiver: the server). Modelled errors take
// their query code and status from the SQS service model, so SDK error classes and retries behave.
import { isTinyQSError, type ErrorCode } from "@tinyqs/core";

export const SQS_ERRORS = {
  // Modelled in the SQS API (the SDKs have a class for each).
  QueueDoesNotExist: { query: "AWS.SimpleQueueService.NonExistentQueue", status: 400 },
  QueueNameExists: { query: "QueueAlreadyExists", status: 400 },
  QueueDeletedRecently: { query: "AWS.SimpleQueueService.QueueDeletedRecently", status: 400 },
  InvalidAttributeName: { query: "InvalidAttributeName", status: 400 },
  InvalidAttributeValue: { query: "InvalidAttributeValue", status: 400 },
  InvalidMessageContents: { query: "InvalidMessageContents", status: 400 },
  ReceiptHandleIsInvalid: { query: "ReceiptHandleIsInvalid", status: 404 },
  MessageNotInflight: { query: "AWS.SimpleQueueService.MessageNotInflight", status: 400 },
  EmptyBatchRequest: { query: "AWS.SimpleQueueService.EmptyBatchRequest", status: 400 },
  TooManyEntriesInBatchRequest: { query: "AWS.SimpleQueueService.TooManyEntriesInBatchRequest", status: 400 },
  BatchEntryIdsNotDistinct: { query: "AWS.SimpleQueueService.BatchEntryIdsNotDistinct", status: 400 },
  InvalidBatchEntryId: { query: "AWS.SimpleQueueService.InvalidBatchEntryId", status: 400 },
  BatchRequestTooLong: { query: "AWS.SimpleQueueService.BatchRequestTooLong", status: 400 },
  UnsupportedOperation: { query: "AWS.SimpleQueueService.UnsupportedOperation", status: 400 },
  ResourceNotFoundException: { query: "ResourceNotFoundException", status: 404 },
  // Common to AWS services (no class of their own: the SDKs' generic service exception).
  InvalidAction: { query: "InvalidAction", status: 400 },
  MissingParameter: { query: "MissingParameter", status: 400 },
  InvalidParameterValue: { query: "InvalidParameterValue", status: 400 },
  MalformedQueryString: { query: "MalformedQueryString", status: 400 },
  InvalidClientTokenId: { query: "InvalidClientTokenId", status: 403 },
  SignatureDoesNotMatch: { query: "SignatureDoesNotMatch", status: 403 },
  AccessDenied: { query: "AccessDenied", status: 403 },
  RequestEntityTooLarge: { query: "RequestEntityTooLarge", status: 413 },
  InternalError: { query: "InternalError", status: 500, receiver: true },
  ServiceUnavailable: { query: "ServiceUnavailable", status: 503, receiver: true },
} as const satisfies Record<string, { query: string; status: number; receiver?: boolean }>;

export type SqsErrorName = keyof typeof SQS_ERRORS;

export class SqsError extends Error {
  override readonly name = "SqsError";

  constructor(
    readonly code: SqsErrorName,
    message: string,
  ) {
    super(message);
  }

  get status(): number {
    return SQS_ERRORS[this.code].status;
  }

  get queryCode(): string {
    return SQS_ERRORS[this.code].query;
  }

  /** "Sender" (the request is at fault) or "Receiver" (the server is; worth a retry). */
  get fault(): "Sender" | "Receiver" {
    return "receiver" in SQS_ERRORS[this.code] ? "Receiver" : "Sender";
  }
}

/** Each of tinyqs's error codes as an SQS error (the message stays tinyqs's). */
const FROM_CORE: Record<ErrorCode, SqsErrorName> = {
  BAD_NAME: "InvalidParameterValue",
  BAD_ARGUMENT: "InvalidParameterValue",
  TOO_BIG: "InvalidParameterValue",
  UNSUPPORTED_MEDIA_TYPE: "InvalidParameterValue",
  // A body slower than the minimum rate (the client's fault), and a refused connection (a retry later may pass).
  REQUEST_TIMEOUT: "InvalidParameterValue",
  TOO_MANY_CONNECTIONS: "ServiceUnavailable",
  // The Redis behind the port is set up to lose messages (it never got this far: the start refuses it).
  MISCONFIGURED: "InternalError",
  UNAUTHORIZED: "InvalidClientTokenId",
  FORBIDDEN: "AccessDenied",
  NOT_FOUND: "ReceiptHandleIsInvalid",
  TIMEOUT: "ServiceUnavailable",
  FULL: "ServiceUnavailable",
  UNAVAILABLE: "ServiceUnavailable",
  CLOSED: "ServiceUnavailable",
  INTERNAL: "InternalError",
};

/** Any failure as an SqsError; `unexpected` hears of those that are bugs rather than bad requests. */
export function toSqsError(e: unknown, unexpected: (e: unknown) => void): SqsError {
  if (e instanceof SqsError) return e;
  if (isTinyQSError(e)) {
    if (e.code === "INTERNAL") unexpected(e);
    return new SqsError(FROM_CORE[e.code], e.message);
  }
  unexpected(e);
  return new SqsError("InternalError", "an unexpected error; the server's log has the details");
}

// Messages worded as SQS words them, for the errors every action can give.
export const missing = (name: string) => new SqsError("MissingParameter", `The request must contain the parameter ${name}.`);
export const invalid = (name: string, value: unknown, reason: string) =>
  new SqsError("InvalidParameterValue", `Value ${shown(value)} for parameter ${name} is invalid. Reason: ${reason}`);
export const noSuchQueue = () => new SqsError("QueueDoesNotExist", "The specified queue does not exist.");

function shown(value: unknown): string {
  const s = typeof value === "string" ? value : JSON.stringify(value);
  return s === undefined ? String(value) : s.length > 80 ? s.slice(0, 80) + "…" : s;
}
