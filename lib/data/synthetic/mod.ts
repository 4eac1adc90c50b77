/**
 * The synthetic preference suite: seeded generators of preference pairs in the paper's five task categories
 * (factuality, reasoning, truthfulness, safety, instruction following), each with a checker that judges a
 * generated answer, so that a policy can be scored by decoding and judging as well as by implicit rewards.
 *
 * @module
 */
export * from "./types.ts";
export * from "./answer_line.ts";
export * from "./world.ts";
export * from "./factuality.ts";
export * from "./reasoning.ts";
export * from "./truthfulness.ts";
export * from "./safety.ts";
export * from "./safety_requests.ts";
export * from "./instruction_following.ts";
export * from "./suite.ts";
export * from "./jsonl.ts";
