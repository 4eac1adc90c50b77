/**
 * Name lookups for strategy tables. A user's string never indexes a table directly: `table["toString"]` would
 * find `Object.prototype.toString`. {@link lookup} reads own properties only and, for an unknown name, throws a
 * `RangeError` listing the valid names and the nearest one; {@link assertKnownKeys} does the same for the keys
 * of an options object (`{ betta: 0.5 }` → "did you mean beta?").
 *
 * @module
 */
import { describe } from "./validation.ts";

/** Levenshtein distance between two strings (insertions, deletions, substitutions). */
function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      row.push(Math.min((prev[j] as number) + 1, (row[j - 1] as number) + 1, (prev[j - 1] as number) + cost));
    }
    prev = row;
  }
  return prev[b.length] as number;
}

/**
 * The candidate closest to `name` by edit distance (case-insensitive), or `undefined` when none is within
 * half the name's length (a guess that far off would mislead).
 *
 * @param name What the user wrote.
 * @param candidates The valid names.
 * @returns The nearest valid name, if any is close.
 * @example
 * ```ts
 * import { nearestName } from "@dpo-kernels/dpo-kernels";
 * import assert from "node:assert/strict";
 * assert.equal(nearestName("betta", ["beta", "gamma"]), "beta");
 * assert.equal(nearestName("zzzzzz", ["beta", "gamma"]), undefined);
 * ```
 */
export function nearestName(name: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const c of candidates) {
    const d = editDistance(String(name).toLowerCase(), c.toLowerCase());
    if (d < bestDistance) [best, bestDistance] = [c, d];
  }
  return bestDistance <= Math.max(1, Math.ceil(String(name).length / 2)) ? best : undefined;
}

function suggestion(name: string, candidates: readonly string[]): string {
  const near = nearestName(name, candidates);
  return near === undefined ? "" : ` (did you mean ${near}?)`;
}

/**
 * Looks a user-given name up in a table, by own property only.
 *
 * @param table The strategy table.
 * @param name The name to look up.
 * @param argName The argument's name, for the message (`options.loss`, `--backend`).
 * @returns The table's entry.
 * @throws {RangeError} If `name` is not a string or not an own key of `table`, listing the valid names and the
 * nearest one.
 * @example
 * ```ts
 * import { lookup } from "@dpo-kernels/dpo-kernels";
 * import assert from "node:assert/strict";
 * const table = { kl: 1, js: 2 };
 * assert.equal(lookup(table, "js", "divergence"), 2);
 * assert.throws(() => lookup(table, "toString", "divergence"), /divergence must be one of kl, js/);
 * assert.throws(() => lookup(table, "jss", "divergence"), /did you mean js\?/);
 * ```
 */
export function lookup<T>(table: Readonly<Record<string, T>>, name: unknown, argName: string): T {
  if (typeof name === "string" && Object.hasOwn(table, name)) return table[name] as T;
  const names = Object.keys(table);
  throw new RangeError(
    `${argName} must be one of ${names.join(", ")}, got ${describe(name)}` +
      (typeof name === "string" ? suggestion(name, names) : ""),
  );
}

/**
 * Throws unless every own key of `options` is one of `known`: a misspelt option is an error, not a silently
 * ignored setting.
 *
 * @param options The options object (ignored when `undefined` or `null`).
 * @param known The valid keys.
 * @param argName The object's name, for the message (`config`, `options`).
 * @throws {RangeError} Naming the first unknown key and the nearest valid one.
 * @example
 * ```ts
 * import { assertKnownKeys } from "@dpo-kernels/dpo-kernels";
 * import assert from "node:assert/strict";
 * assertKnownKeys({ beta: 0.5 }, ["beta", "gamma"], "options");
 * assert.throws(() => assertKnownKeys({ betta: 0.5 }, ["beta", "gamma"], "options"), /options.betta.*beta/);
 * ```
 */
export function assertKnownKeys(options: unknown, known: readonly string[], argName: string): void {
  if (options === undefined || options === null || typeof options !== "object") return;
  for (const key of Object.keys(options)) {
    if (!known.includes(key)) {
      throw new RangeError(
        `${argName}.${key} is not a known option${suggestion(key, known)}; valid: ${known.join(", ")}`,
      );
    }
  }
}
