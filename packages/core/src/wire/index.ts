// @tinyqs/core/wire: the shapes tinyqs's servers write and its client reads back, in one place so
// that neither side has its own copy and the client needs no server package: the HTTP routes, the
// message JSON and `tinyqs-*` headers, the WebSocket frames, the `{ error: { code, message } }`
// envelope both ways, and the RESP error lines and QCONFIG settings of tinyqs-tcp. Pure data and
// functions: importing it opens nothing.
export { ROUTES, WS_PATH, pathOf, webSocketUrl, type Method, type PathParams, type Route } from "./routes.js";
export { HEADERS, bodyFromJson, bodyToJson, messageFromHeaders, messageFromJson, messageHeaders, messageToJson, type MessageJson } from "./messages.js";
export { browsedFromJson, browsedToJson, type BrowsedJson } from "./browsed.js";
export { itemResults, itemResultsFromJson, receiptsFromJson, type ItemResult } from "./batch-results.js";
export { errorCodeOfStatus, errorFromJson, errorJson, errorToJson, type ErrorJson } from "./errors.js";
export {
  OP_FIELDS,
  errorFrame,
  failureFrame,
  messageFrame,
  messageFromFrame,
  replyFrame,
  type MessageFrame,
  type Op,
  type RequestFrame,
  type RequestId,
} from "./frames.js";
export { corkForTick } from "./ws-cork.js";
export { REDIS_ERRORS, configFromPairs, errorFromResp, unknownCommand, unknownSubcommand, wrongArity } from "./resp.js";
