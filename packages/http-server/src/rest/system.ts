// The routes about the server itself: /healthz (no token needed, for load balancers and probes),
// /metrics (Prometheus) and /v1/openapi.json (the description of this API, kept in openapi.ts).
import type { Request, Response } from "express";
import { isTinyQSError, type TinyQSApi } from "@tinyqs/core";
import { errorJson } from "@tinyqs/core/wire";
import type { Metrics } from "../metrics.js";
import { OPENAPI } from "../openapi.js";

/** 200 when Redis answers a PING (through the engine's own connection) within `timeoutMs`, 503 otherwise. */
export function healthz(api: TinyQSApi, timeoutMs: number) {
  return async (_req: Request, res: Response) => {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer from Redis within ${timeoutMs} ms`)), timeoutMs);
    });
    try {
      await Promise.race([api.ping(), late]);
      res.set("Cache-Control", "no-store").json({ status: "ok" });
    } catch (e) {
      const code = isTinyQSError(e) ? e.code : "UNAVAILABLE";
      res.status(503).set("Cache-Control", "no-store").json({ status: "unavailable", ...errorJson(code, (e as Error).message) });
    } finally {
      clearTimeout(timer);
    }
  };
}

export function metrics(m: Metrics) {
  return async (_req: Request, res: Response) => {
    res.set("Content-Type", m.registry.contentType).send(await m.registry.metrics());
  };
}

export function openapi(_req: Request, res: Response): void {
  res.json(OPENAPI);
}
