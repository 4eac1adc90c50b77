/**
 * A small seeded generator (mulberry32 with Box–Muller normals). Initial weights come from it rather than from
 * a backend's random ops, so that the same seed gives bit-identical weights on every backend.
 *
 * @module
 */

/** A seeded source of uniform and normal numbers. */
export interface Random {
  /** A uniform number in [0, 1). */
  uniform(): number;
  /** A standard normal number. */
  normal(): number;
  /** An integer in [0, n). */
  int(n: number): number;
}

/**
 * Creates a seeded generator.
 *
 * @param seed Any integer.
 * @returns The generator.
 * @example
 * ```ts
 * import { createRandom } from "@dpo-kernels/dpo-kernels";
 * import assert from "node:assert/strict";
 * assert.equal(createRandom(7).uniform(), createRandom(7).uniform());
 * ```
 */
export function createRandom(seed: number): Random {
  let a = (seed | 0) ^ 0x9e3779b9;
  let spare: number | undefined;
  const uniform = (): number => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const normal = (): number => {
    if (spare !== undefined) {
      const s = spare;
      spare = undefined;
      return s;
    }
    let u = 0;
    while (u === 0) u = uniform();
    const v = uniform();
    const r = Math.sqrt(-2 * Math.log(u));
    spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  };
  return { uniform, normal, int: (n: number) => Math.floor(uniform() * n) };
}
