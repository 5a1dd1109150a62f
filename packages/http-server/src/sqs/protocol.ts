// Which of SQS's two wire protocols a request speaks, and its action and parameters.
//   AWS JSON 1.0: POST, `X-Amz-Target: AmazonSQS.<Action>`, Content-Type application/x-amz-json-1.0,
//                 the parameters as a JSON object (what @aws-sdk/client-sqs ≥ 3.447 and boto3 send)
//   query:        `Action=<Action>&…` form-encoded in a POST body or in the URL (older SDKs)
import type { IncomingMessage } from "node:http";
import { SqsError } from "./errors.js";
import type { Params } from "./params.js";
import { fromQuery } from "./query-params.js";

export type Protocol = "json" | "query";

export interface SqsRequest {
  protocol: Protocol;
  action: string | undefined;
  params: Params;
}

const TARGET_PREFIX = "AmazonSQS.";

/** Told by the headers alone, so that even a refusal before the body is read has the right shape. */
export function protocolOf(req: IncomingMessage): Protocol {
  return req.headers["x-amz-target"] !== undefined || /^application\/x-amz-json/i.test(req.headers["content-type"] ?? "") ? "json" : "query";
}

export function parseRequest(protocol: Protocol, req: IncomingMessage, url: URL, body: Buffer): SqsRequest {
  if (protocol === "json") {
    const target = String(req.headers["x-amz-target"] ?? "");
    const action = target.startsWith(TARGET_PREFIX) ? target.slice(TARGET_PREFIX.length) : undefined;
    let params: unknown;
    try {
      params = body.length === 0 ? {} : JSON.parse(body.toString("utf8"));
    } catch (e) {
      throw new SqsError("InvalidParameterValue", `The request body is not valid JSON: ${(e as Error).message}`);
    }
    if (typeof params !== "object" || params === null || Array.isArray(params)) throw new SqsError("InvalidParameterValue", "The request body must be a JSON object.");
    return { protocol, action, params: params as Params };
  }
  // The URL's parameters, then the form body's (a POST carries them in the body).
  const form = new URLSearchParams(url.search);
  if (req.method === "POST" && body.length > 0) for (const [k, v] of new URLSearchParams(body.toString("utf8"))) form.append(k, v);
  for (const key of [...form.keys()]) if (key.startsWith("X-Amz-")) form.delete(key); // a presigned URL's signature
  const { action, params } = fromQuery(form);
  return { protocol, action, params };
}
