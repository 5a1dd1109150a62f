// Reading an action's parameters, the same way for both protocols: the JSON protocol gives numbers
// and lists as such, the query protocol (query-params.ts) gives every value as a string; each
// reader here takes either and names the parameter in its error.
import { invalid, missing } from "./errors.js";

/** An action's parameters, shaped as the JSON protocol's request (Attributes a map, Entries a list…). */
export type Params = Record<string, unknown>;

export function requiredString(p: Params, name: string): string {
  const v = p[name];
  if (v === undefined || v === null || v === "") throw missing(name);
  if (typeof v !== "string") throw invalid(name, v, "must be a string.");
  return v;
}

export function optionalString(p: Params, name: string): string | undefined {
  const v = p[name];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "string") throw invalid(name, v, "must be a string.");
  return v;
}

/** An integer in [min, max] given as a number or a decimal string; `fallback` when absent. */
export function integer(p: Params, name: string, min: number, max: number, fallback?: number): number {
  const v = p[name];
  if (v === undefined || v === null || v === "") {
    if (fallback === undefined) throw missing(name);
    return fallback;
  }
  const n = typeof v === "number" ? v : typeof v === "string" && /^-?\d+$/.test(v.trim()) ? Number(v.trim()) : NaN;
  if (!Number.isInteger(n) || n < min || n > max) throw invalid(name, v, `Must be between ${min} and ${max}, if provided.`);
  return n;
}

export function optionalInteger(p: Params, name: string, min: number, max: number): number | undefined {
  return p[name] === undefined || p[name] === null || p[name] === "" ? undefined : integer(p, name, min, max);
}

/** A list of strings (absent: empty). */
export function stringList(p: Params, name: string): string[] {
  const v = p[name];
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v) || v.some((x) => typeof x !== "string")) throw invalid(name, v, "must be a list of strings.");
  return v as string[];
}

/** A map of strings (absent: empty). */
export function stringMap(p: Params, name: string): Record<string, string> {
  const v = p[name];
  if (v === undefined || v === null) return {};
  if (typeof v !== "object" || Array.isArray(v)) throw invalid(name, v, "must be a map of strings.");
  for (const [k, x] of Object.entries(v)) if (typeof x !== "string") throw invalid(`${name}.${k}`, x, "must be a string.");
  return v as Record<string, string>;
}

/** A list of objects (batch entries; absent: empty). */
export function objectList(p: Params, name: string): Params[] {
  const v = p[name];
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v) || v.some((x) => typeof x !== "object" || x === null || Array.isArray(x))) throw invalid(name, v, "must be a list of entries.");
  return v as Params[];
}
