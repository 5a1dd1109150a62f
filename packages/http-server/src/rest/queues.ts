// The queue routes: list with stats, one queue's stats and settings, change settings, purge, and
// the operator's acts: pause, resume, redrive dead letters, delete the queue.
// A queue exists from its first send or configure; asking about a name never used gives zeros and
// the defaults, as the engine does (there is nothing to create first, so nothing to 404 on).
import { Router } from "express";
import { TinyQSError } from "@tinyqs/core";
import { ROUTES } from "@tinyqs/core/wire";
import { can, mayRedriveInto, visibleQueues } from "@tinyqs/core/security";
import { userOf } from "../auth.js";
import { readJson, readOptionalJson } from "../body.js";
import type { Context } from "../context.js";
import { forbidden } from "../permissions.js";
import { on } from "./route.js";

export function queueRoutes(ctx: Context): Router {
  const { api, limits } = ctx;
  const r = Router();

  // Only the queues the user administers (every queue for --token and an open server).
  on(r, ROUTES.queues, async (_req, res) => {
    const names = visibleQueues(userOf(res), await api.queues()) ?? [];
    res.json(await Promise.all(names.map(async (name) => ({ name, ...(await api.stats(name)) }))));
  });

  // The stats for an admin of the queue; a user with another grant on it gets the settings only.
  on(r, ROUTES.queue, async (req, res) => {
    const { queue } = req.params;
    if (!can(userOf(res), "admin", queue)) return void res.json({ name: queue, config: await api.getConfig(queue) });
    const [stats, config] = await Promise.all([api.stats(queue), api.getConfig(queue)]);
    res.json({ name: queue, ...stats, config });
  });

  // Only the settings given change; the reply is all of them.
  on(r, ROUTES.configure, async (req, res) => {
    const changes = await readJson(req, res, limits.maxJsonBytes, limits.bodies);
    if (typeof changes !== "object" || changes === null || Array.isArray(changes)) {
      throw new TinyQSError("BAD_ARGUMENT", "the body must be a JSON object of settings");
    }
    res.json(await api.configure(req.params.queue, changes));
  });

  on(r, ROUTES.purge, async (req, res) => {
    res.json({ purged: await api.purge(req.params.queue) });
  });

  on(r, ROUTES.pause, async (req, res) => {
    await api.pause(req.params.queue);
    res.json({ paused: true });
  });

  on(r, ROUTES.resume, async (req, res) => {
    await api.resume(req.params.queue);
    res.json({ paused: false });
  });

  // The body is optional: none (or an empty one) redrives every dead letter to where it died.
  on(r, ROUTES.redrive, async (req, res) => {
    const options = (await readOptionalJson(req, res, limits.maxJsonBytes, limits.bodies)) ?? {};
    if (typeof options !== "object" || options === null || Array.isArray(options)) {
      throw new TinyQSError("BAD_ARGUMENT", "the body must be a JSON object: { \"to\"?: queue, \"max\"?: n }");
    }
    // Redriving into another queue puts messages there: the user needs send (or admin) on it.
    const { to } = options as { to?: unknown };
    const user = userOf(res);
    if (typeof to === "string" && !mayRedriveInto(user, to)) throw forbidden(user, "send", to);
    res.json({ moved: await api.redrive(req.params.queue, options) });
  });

  on(r, ROUTES.deleteQueue, async (req, res) => {
    await api.deleteQueue(req.params.queue);
    res.status(204).end();
  });

  return r;
}
