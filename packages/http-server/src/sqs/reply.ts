// Writing a reply or an error in the request's protocol.
//   JSON:  200 `application/x-amz-json-1.0` with the reply object; an error as
//          {"__type": "com.amazonaws.sqs#<Name>", "message": …} plus `x-amzn-query-error: <Code>;<Fault>`
//          (the SDKs read that header to give the query protocol's code, as they do with SQS).
//   query: text/xml (reply-xml.ts).
import type { ServerResponse } from "node:http";
import type { SqsError } from "./errors.js";
import type { Protocol } from "./protocol.js";
import { xmlError, xmlReply } from "./reply-xml.js";

export function writeReply(res: ServerResponse, protocol: Protocol, action: string, reply: Record<string, unknown>, requestId: string): void {
  if (protocol === "json") send(res, 200, "application/x-amz-json-1.0", JSON.stringify(reply), requestId);
  else send(res, 200, "text/xml", xmlReply(action, reply, requestId), requestId);
}

export function writeError(res: ServerResponse, protocol: Protocol, err: SqsError, requestId: string): void {
  if (protocol === "json") {
    res.setHeader("x-amzn-query-error", `${err.queryCode};${err.fault}`);
    send(res, err.status, "application/x-amz-json-1.0", JSON.stringify({ __type: `com.amazonaws.sqs#${err.code}`, message: err.message }), requestId);
  } else {
    send(res, err.status, "text/xml", xmlError(err, requestId), requestId);
  }
}

function send(res: ServerResponse, status: number, type: string, body: string, requestId: string): void {
  if (res.headersSent || res.destroyed) return;
  res.statusCode = status;
  res.setHeader("Content-Type", type);
  res.setHeader("x-amzn-RequestId", requestId);
  res.setHeader("Content-Length", Buffer.byteLength(body));
  res.end(body);
}
