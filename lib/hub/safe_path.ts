/**
 * The one check for names that become parts of a path: hub revisions, repository ids, dataset subsets and
 * file names, and names read from checkpoints. A safe relative path is one or more `/`-separated segments of
 * letters, digits, `.`, `_`, `-`, `+`, `=`, `@` and `~`, none empty, none `.` or `..`, not starting with `/`, and
 * with no backslash; joined to a folder it can only name something inside that folder.
 *
 * @module
 */
import { describe } from "../math/validation.ts";

const SEGMENT = /^[A-Za-z0-9._+=@~-]+$/;

/** Why a string is not a safe relative path, or undefined when it is one. */
function unsafeReason(value: string): string | undefined {
  if (value === "") return "it is empty";
  if (value.includes("\\")) return "it holds a backslash";
  if (value.startsWith("/")) return "it is an absolute path";
  if (/^[A-Za-z]:/.test(value)) return "it is an absolute path";
  for (const segment of value.split("/")) {
    if (segment === "") return "it has an empty segment (`//` or a trailing `/`)";
    if (segment === "..") return "it has a `..` segment";
    if (segment === ".") return "it has a `.` segment";
    if (!SEGMENT.test(segment)) {
      return `segment ${
        JSON.stringify(segment)
      } holds a character other than letters, digits and . _ - + = @ ~`;
    }
  }
  return undefined;
}

/**
 * Whether a string is a safe relative path (see the module's rules): joined to a folder, it stays inside it.
 *
 * @param value Any value.
 * @returns True for a safe relative path.
 *
 * @example
 * ```ts
 * import { isSafeRelativePath } from "@dpo-kernels/dpo-kernels/hub";
 * import assert from "node:assert/strict";
 * assert.ok(isSafeRelativePath("harmless-base/test.jsonl.gz"));
 * assert.ok(!isSafeRelativePath("v1/../../escape") && !isSafeRelativePath("/etc") && !isSafeRelativePath("a\\b"));
 * ```
 */
export function isSafeRelativePath(value: unknown): boolean {
  return typeof value === "string" && unsafeReason(value) === undefined;
}

/**
 * Throws unless `value` is a safe relative path (see the module's rules).
 *
 * @param value The string to check.
 * @param name The argument's name, for the message (`"options.revision"`).
 * @returns The value, unchanged.
 * @throws {TypeError} If value is not a string.
 * @throws {RangeError} If it is empty, absolute, holds a backslash, an empty, `.` or `..` segment, or another
 * character than letters, digits and `. _ - + = @ ~` (naming the argument, the value and the reason).
 *
 * @example
 * ```ts
 * import { assertSafeRelativePath } from "@dpo-kernels/dpo-kernels/hub";
 * import assert from "node:assert/strict";
 * assert.equal(assertSafeRelativePath("refs/pr/1", "options.revision"), "refs/pr/1");
 * assert.throws(() => assertSafeRelativePath("v1/../../../escape", "options.revision"), RangeError);
 * ```
 */
export function assertSafeRelativePath(value: unknown, name: string): string {
  if (typeof value !== "string") throw new TypeError(`${name} must be a string, got ${describe(value)}`);
  const reason = unsafeReason(value);
  if (reason !== undefined) {
    throw new RangeError(
      `${name} must be a relative path inside its folder, got ${describe(value)}: ${reason}`,
    );
  }
  return value;
}

const HUB_ID = /^[A-Za-z0-9][A-Za-z0-9._-]*(\/[A-Za-z0-9][A-Za-z0-9._-]*)?$/;

/**
 * Whether a string has the form of a Hugging Face hub id: `name` or `owner/name`, each starting with a letter or
 * digit and made of letters, digits, `.`, `_` and `-`, with no `..`.
 *
 * @param value Any value.
 * @returns True for a hub id.
 *
 * @example
 * ```ts
 * import { isHubId } from "@dpo-kernels/dpo-kernels/hub";
 * import assert from "node:assert/strict";
 * assert.ok(isHubId("gpt2") && isHubId("openai-community/gpt2"));
 * assert.ok(!isHubId("./gpt2") && !isHubId("/models/gpt2") && !isHubId("a/b/c") && !isHubId("a..b"));
 * ```
 */
export function isHubId(value: unknown): boolean {
  return typeof value === "string" && HUB_ID.test(value) && !value.includes("..");
}

/**
 * Throws unless `value` is a hub id ({@link isHubId}).
 *
 * @param value The string to check.
 * @param name The argument's name, for the message.
 * @returns The value, unchanged.
 * @throws {RangeError} If value is not a hub id (naming the argument and the value).
 *
 * @example
 * ```ts
 * import { assertHubId } from "@dpo-kernels/dpo-kernels/hub";
 * import assert from "node:assert/strict";
 * assert.equal(assertHubId("Anthropic/hh-rlhf", "id"), "Anthropic/hh-rlhf");
 * assert.throws(() => assertHubId("../etc", "id"), RangeError);
 * ```
 */
export function assertHubId(value: unknown, name: string): string {
  if (!isHubId(value)) {
    throw new RangeError(`${name} must be a hub id like "gpt2" or "owner/name", got ${describe(value)}`);
  }
  return value as string;
}

/**
 * Checks a name read from a file (a checkpoint's `tokenizer.name`, a trainer state's `reference`) before it is
 * used as a path or a hub id: a registry name or hub id, or a safe relative path ({@link assertSafeRelativePath}).
 * Absolute paths are refused: a checkpoint names what it needs portably, so that it loads on another machine and
 * never points a loader at an arbitrary file.
 *
 * @param value The name read.
 * @param name Where it was read (`"ckpt/config.json: dpo_kernels.tokenizer.name"`), for the message.
 * @returns The value, unchanged.
 * @throws {TypeError} If value is not a string.
 * @throws {RangeError} If it is not a safe relative path (absolute, `..`, backslash, empty segment, odd character).
 *
 * @example
 * ```ts
 * import { assertRecordedName } from "@dpo-kernels/dpo-kernels/hub";
 * import assert from "node:assert/strict";
 * assert.equal(assertRecordedName("gpt2", "tokenizer.name"), "gpt2");
 * assert.throws(() => assertRecordedName("/etc/secrets", "tokenizer.name"), RangeError);
 * assert.throws(() => assertRecordedName("../../elsewhere", "reference"), RangeError);
 * ```
 */
export function assertRecordedName(value: unknown, name: string): string {
  if (typeof value !== "string") throw new TypeError(`${name} must be a string, got ${describe(value)}`);
  const reason = unsafeReason(value);
  if (reason !== undefined) {
    throw new RangeError(
      `${name} must be a tokenizer name, a hub id or a relative path with no ".." (names in a checkpoint must not ` +
        `point outside it), got ${describe(value)}: ${reason}`,
    );
  }
  return value;
}
