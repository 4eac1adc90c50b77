/**
 * Chat conversations as preference pairs. Several datasets store each side as a full conversation (a list of
 * `{role, content}` messages, or an HH-RLHF transcript); a pair needs the shared context as the prompt and the
 * two final assistant turns as chosen and rejected. When the two contexts differ (multi-turn battles where the
 * models' earlier answers differ), there is no shared prompt and the pair is dropped as `"prefix_mismatch"`.
 *
 * Prompts follow `$DPO_KERNELS_DATA_DIR/SOURCES.md`: a single user turn is the prompt as it is; a system message and
 * one user turn are joined by a blank line; longer contexts are written as an HH-RLHF transcript
 * (`"Human: …\n\nAssistant: …\n\nHuman: …"`, the system message first as its own paragraph).
 *
 * @module
 */
import type { RowPlace } from "./rows.ts";
import { DataLineError } from "../preference.ts";
import { describe } from "../../math/validation.ts";

/** One chat message. */
export interface ChatMessage {
  /** `"user"`, `"assistant"` or `"system"` (`"human"`, `"gpt"`, `"model"` are read as their equivalents). */
  role: "user" | "assistant" | "system";
  /** The text. */
  content: string;
}

/** Role spellings seen in the datasets, by the role they mean. */
const ROLE_ALIASES: Readonly<Record<string, ChatMessage["role"]>> = Object.freeze({
  user: "user",
  human: "user",
  prompter: "user",
  assistant: "assistant",
  gpt: "assistant",
  model: "assistant",
  bot: "assistant",
  system: "system",
});

/**
 * Validates a list of `{role, content}` messages (parquet structs or JSON objects).
 *
 * @param value The field's value.
 * @param key The field's name, for messages.
 * @param place The row's file and number, for messages.
 * @returns The messages with roles normalized to user/assistant/system.
 * @throws {DataLineError} If the value is not an array of objects with a known role and a string content.
 *
 * @example
 * ```ts
 * import { parseMessages } from "@dpo-kernels/dpo-kernels/data";
 * import assert from "node:assert/strict";
 * const m = parseMessages([{ role: "human", content: "Hi" }], "chosen", { file: "f", row: 1 });
 * assert.deepEqual(m, [{ role: "user", content: "Hi" }]);
 * ```
 */
export function parseMessages(value: unknown, key: string, place: RowPlace): ChatMessage[] {
  if (!Array.isArray(value)) {
    throw new DataLineError(
      place.file,
      place.row,
      `field "${key}" must be a list of messages, got ${describe(value)}`,
    );
  }
  return value.map((m, i) => {
    const o = (m ?? {}) as Record<string, unknown>;
    const role = typeof o.role === "string" ? ROLE_ALIASES[o.role.toLowerCase()] : undefined;
    if (typeof m !== "object" || m === null || role === undefined) {
      throw new DataLineError(
        place.file,
        place.row,
        `field "${key}"[${i}] must be a message with role user, assistant or system, got ${describe(m)}`,
      );
    }
    const content = o.content ?? "";
    if (typeof content !== "string") {
      throw new DataLineError(
        place.file,
        place.row,
        `field "${key}"[${i}].content must be a string, got ${describe(o.content)}`,
      );
    }
    return { role, content };
  });
}

/**
 * Writes messages as an HH-RLHF transcript: `"Human: …"` and `"Assistant: …"` turns separated by blank lines,
 * a system message first as its own paragraph. Each text is stripped.
 *
 * @param messages The messages.
 * @returns The transcript.
 *
 * @example
 * ```ts
 * import { renderTranscript } from "@dpo-kernels/dpo-kernels/data";
 * import assert from "node:assert/strict";
 * const t = renderTranscript([
 *   { role: "user", content: "Hi" }, { role: "assistant", content: "Hello" }, { role: "user", content: "Bye" },
 * ]);
 * assert.equal(t, "Human: Hi\n\nAssistant: Hello\n\nHuman: Bye");
 * ```
 */
export function renderTranscript(messages: readonly ChatMessage[]): string {
  return messages.map((m) =>
    m.role === "system"
      ? m.content.trim()
      : `${m.role === "user" ? "Human" : "Assistant"}: ${m.content.trim()}`
  ).join("\n\n");
}

/**
 * The prompt text of a conversation context: one user turn as it is, a system message and one user turn joined
 * by a blank line, anything longer as an HH-RLHF transcript ({@link renderTranscript}).
 *
 * @param context The messages before the reply.
 * @returns The prompt text (empty for an empty context).
 *
 * @example
 * ```ts
 * import { promptFromMessages } from "@dpo-kernels/dpo-kernels/data";
 * import assert from "node:assert/strict";
 * assert.equal(promptFromMessages([{ role: "user", content: "Hi" }]), "Hi");
 * assert.equal(promptFromMessages([{ role: "system", content: "Be brief." }, { role: "user", content: "Hi" }]),
 *   "Be brief.\n\nHi");
 * ```
 */
export function promptFromMessages(context: readonly ChatMessage[]): string {
  const turns = context.filter((m) => m.role !== "system");
  if (turns.length === 1 && turns[0]?.role === "user") {
    return context.map((m) => m.content.trim()).filter((t) => t !== "").join("\n\n");
  }
  return renderTranscript(context);
}

/** A pair built from two conversations, or why none could be. */
export type ConversationPair =
  | { prompt: string; chosen: string; rejected: string }
  | { dropped: "no_assistant_turn" | "prefix_mismatch" };

/**
 * The pair of two conversations that share their context: each is split before its last assistant message,
 * the contexts (compared with each text stripped) must be equal, and the two last assistant messages are the
 * chosen and rejected replies.
 *
 * @param chosen The preferred conversation.
 * @param rejected The other conversation.
 * @returns The pair, or `{dropped}` naming why there is none.
 *
 * @example
 * ```ts
 * import { pairFromConversations } from "@dpo-kernels/dpo-kernels/data";
 * import assert from "node:assert/strict";
 * const q = { role: "user", content: "2+2?" } as const;
 * const p = pairFromConversations(
 *   [q, { role: "assistant", content: "4" }],
 *   [q, { role: "assistant", content: "5" }],
 * );
 * assert.deepEqual(p, { prompt: "2+2?", chosen: "4", rejected: "5" });
 * ```
 */
export function pairFromConversations(
  chosen: readonly ChatMessage[],
  rejected: readonly ChatMessage[],
): ConversationPair {
  const a = splitLastAssistant(chosen);
  const b = splitLastAssistant(rejected);
  if (a === undefined || b === undefined) return { dropped: "no_assistant_turn" };
  if (!sameContext(a.context, b.context)) return { dropped: "prefix_mismatch" };
  return { prompt: promptFromMessages(a.context), chosen: a.reply, rejected: b.reply };
}

function splitLastAssistant(
  messages: readonly ChatMessage[],
): { context: readonly ChatMessage[]; reply: string } | undefined {
  const last = messages.length - 1;
  if (last < 0 || messages[last]?.role !== "assistant") return undefined;
  return { context: messages.slice(0, last), reply: (messages[last] as ChatMessage).content };
}

function sameContext(a: readonly ChatMessage[], b: readonly ChatMessage[]): boolean {
  return a.length === b.length &&
    a.every((m, i) => m.role === b[i]?.role && m.content.trim() === b[i]?.content.trim());
}

/** The HH-RLHF marker of an assistant turn. */
export const HH_ASSISTANT_MARKER = "\n\nAssistant:";

/**
 * Splits an HH-RLHF transcript on its **last** `"\n\nAssistant:"`: the prefix (leading newlines removed) is the
 * conversation so far, the rest is the final assistant turn.
 *
 * @param transcript A full transcript (`"\n\nHuman: …\n\nAssistant: …"`).
 * @returns `{prefix, reply}`, or undefined when the marker is absent.
 *
 * @example
 * ```ts
 * import { splitHhTranscript } from "@dpo-kernels/dpo-kernels/data";
 * import assert from "node:assert/strict";
 * const s = splitHhTranscript("\n\nHuman: Hi\n\nAssistant: Hello\n\nHuman: Bye\n\nAssistant: Goodbye");
 * assert.deepEqual(s, { prefix: "Human: Hi\n\nAssistant: Hello\n\nHuman: Bye", reply: " Goodbye" });
 * ```
 */
export function splitHhTranscript(transcript: string): { prefix: string; reply: string } | undefined {
  const at = transcript.lastIndexOf(HH_ASSISTANT_MARKER);
  if (at < 0) return undefined;
  return {
    prefix: transcript.slice(0, at).replace(/^\n+/, ""),
    reply: transcript.slice(at + HH_ASSISTANT_MARKER.length),
  };
}
