/**
 * Verdicts on the paper's claims (issue 12, item 8): each notebook states, for the figure or table it
 * reproduces, what the paper claims, what was measured (with the interval behind it) and one of four verdicts.
 * The verdict notebook collects every notebook's findings into one table, mirrored in `docs/results.md`.
 *
 * The rule for a comparison is fixed before looking at the numbers: a claimed improvement is **reproduced**
 * when the whole 95 % interval of the paired difference lies on the claimed side of zero, and **not
 * reproduced** otherwise (an interval that straddles zero is a claimed effect we did not see; one on the wrong
 * side is the opposite effect). When DPO itself is not above chance, accuracy cannot show any method acting
 * differently, and the comparison is **not testable at this scale** ({@link protocolVerdict}). Several comparisons behind one claim (tasks, data sets) combine to
 * **partly reproduced** when some but not all reproduce. A claim this project cannot measure at its scale (a
 * 7B-parameter figure, human judgements) is **not testable at this scale**, with the reason.
 *
 * @module
 */

/** The four verdicts, in the order the table lists them. */
export const VERDICTS = [
  "reproduced",
  "partly reproduced",
  "not reproduced",
  "not testable at this scale",
] as const;

/** One of {@link VERDICTS}. */
export type Verdict = typeof VERDICTS[number];

/** Every figure and table of the paper the verdict table must cover (Figs. 1–13, Tables 1–4). */
export const PAPER_ITEMS: readonly string[] = [
  ...Array.from({ length: 13 }, (_, i) => `Fig. ${i + 1}`),
  ...Array.from({ length: 4 }, (_, i) => `Table ${i + 1}`),
];

/** An estimate with its interval (e.g. a paired difference from DPO and its 95 % bootstrap interval). */
export interface Interval {
  /** The point estimate. */
  estimate: number;
  /** Lower end of the interval. */
  lower: number;
  /** Upper end of the interval. */
  upper: number;
}

/** One claim of the paper and what this project measured of it. */
export interface Finding {
  /** The paper's item, one of {@link PAPER_ITEMS} (e.g. `Fig. 8`). */
  paper: string;
  /** The paper's claim, in one sentence. */
  claim: string;
  /** What was measured, in one sentence with its numbers (rendered from computed values). */
  measured: string;
  /** The verdict. */
  verdict: Verdict;
  /** The interval behind the verdict, when it rests on one. */
  interval?: Interval;
  /** The notebook that measured it (set by the notebook helper that records findings). */
  notebook?: string;
}

/**
 * The verdict on a claimed difference from its interval: reproduced when the whole interval lies on the claimed
 * side of zero, else not reproduced.
 *
 * @param difference The estimate and interval of (method − baseline).
 * @param claimed `"higher"` (default) when the paper claims the method scores higher, `"lower"` when lower.
 * @returns `reproduced` or `not reproduced`.
 * @throws {RangeError} If the interval is not finite or `lower > upper`.
 * @example
 * ```ts
 * import { differenceVerdict } from "@dpo-kernels/dpo-kernels";
 * import assert from "node:assert/strict";
 * assert.equal(differenceVerdict({ estimate: 0.04, lower: 0.01, upper: 0.07 }), "reproduced");
 * assert.equal(differenceVerdict({ estimate: 0.04, lower: -0.01, upper: 0.09 }), "not reproduced");
 * assert.equal(differenceVerdict({ estimate: -0.04, lower: -0.07, upper: -0.01 }, "lower"), "reproduced");
 * ```
 */
export function differenceVerdict(difference: Interval, claimed: "higher" | "lower" = "higher"): Verdict {
  const { estimate, lower, upper } = difference ?? {};
  for (const [name, v] of [["estimate", estimate], ["lower", lower], ["upper", upper]] as const) {
    if (!Number.isFinite(v)) throw new RangeError(`difference.${name} must be finite, got ${v}`);
  }
  if (lower > upper) throw new RangeError(`difference.lower must be <= upper, got ${lower} > ${upper}`);
  const onClaimedSide = claimed === "higher" ? lower > 0 : upper < 0;
  return onClaimedSide ? "reproduced" : "not reproduced";
}

/**
 * The verdict on a claimed difference from DPO under the protocol: when DPO itself is not above chance (its
 * accuracy interval does not lie above ½), held-out accuracy cannot show a method acting differently at this
 * scale, so the claim is **not testable at this scale**; otherwise {@link differenceVerdict}.
 *
 * @param difference The estimate and interval of (method − DPO).
 * @param baseline DPO's held-out accuracy and its interval.
 * @param claimed `"higher"` (default) or `"lower"`.
 * @returns The verdict.
 * @throws {RangeError} As {@link differenceVerdict}, or if the baseline's interval is not finite.
 * @example
 * ```ts
 * import { protocolVerdict } from "@dpo-kernels/dpo-kernels";
 * import assert from "node:assert/strict";
 * const diff = { estimate: 0.04, lower: 0.01, upper: 0.07 };
 * assert.equal(protocolVerdict(diff, { estimate: 0.6, lower: 0.55, upper: 0.65 }), "reproduced");
 * assert.equal(protocolVerdict(diff, { estimate: 0.52, lower: 0.47, upper: 0.57 }), "not testable at this scale");
 * ```
 */
export function protocolVerdict(
  difference: Interval,
  baseline: Interval,
  claimed: "higher" | "lower" = "higher",
): Verdict {
  const verdict = differenceVerdict(difference, claimed);
  if (!Number.isFinite(baseline?.lower) || !Number.isFinite(baseline?.upper)) {
    throw new RangeError(
      `baseline.lower and baseline.upper must be finite, got ${baseline?.lower}, ${baseline?.upper}`,
    );
  }
  return baseline.lower > 0.5 ? verdict : "not testable at this scale";
}

/**
 * Combines the verdicts of several comparisons behind one claim: all reproduced → reproduced, none →
 * not reproduced, some → partly reproduced. Untestable parts are left out unless all are untestable.
 *
 * @param verdicts The parts' verdicts (at least one).
 * @returns The claim's verdict.
 * @throws {RangeError} If `verdicts` is empty or holds an unknown verdict.
 * @example
 * ```ts
 * import { combineVerdicts } from "@dpo-kernels/dpo-kernels";
 * import assert from "node:assert/strict";
 * assert.equal(combineVerdicts(["reproduced", "not reproduced"]), "partly reproduced");
 * assert.equal(combineVerdicts(["not reproduced", "not testable at this scale"]), "not reproduced");
 * ```
 */
export function combineVerdicts(verdicts: readonly Verdict[]): Verdict {
  if (!Array.isArray(verdicts) || verdicts.length === 0) {
    throw new RangeError(`verdicts must hold at least one verdict, got ${JSON.stringify(verdicts)}`);
  }
  verdicts.forEach((v, i) => {
    if (!(VERDICTS as readonly string[]).includes(v)) {
      throw new RangeError(`verdicts[${i}] must be one of ${VERDICTS.join(", ")}, got ${JSON.stringify(v)}`);
    }
  });
  const tested = verdicts.filter((v) => v !== "not testable at this scale");
  if (tested.length === 0) return "not testable at this scale";
  if (tested.every((v) => v === "reproduced")) return "reproduced";
  if (tested.every((v) => v === "not reproduced")) return "not reproduced";
  return "partly reproduced";
}

/**
 * Checks one finding's fields and returns it; the verdict table and the notebooks' recorder call it so that a
 * malformed finding fails where it is written.
 *
 * @param finding The finding.
 * @returns The same finding.
 * @throws {RangeError} Naming the field, if `paper` is not one of {@link PAPER_ITEMS}, `verdict` not one of
 *   {@link VERDICTS}, `claim` or `measured` empty, or the interval not finite.
 * @example
 * ```ts
 * import { checkFinding } from "@dpo-kernels/dpo-kernels";
 * import assert from "node:assert/strict";
 * assert.throws(() => checkFinding({ paper: "Fig. 99", claim: "c", measured: "m", verdict: "reproduced" }), /Fig. 99/);
 * ```
 */
export function checkFinding(finding: Finding): Finding {
  if (!PAPER_ITEMS.includes(finding?.paper)) {
    throw new RangeError(
      `finding.paper must be one of Fig. 1–13, Table 1–4, got ${JSON.stringify(finding?.paper)}`,
    );
  }
  if (!(VERDICTS as readonly string[]).includes(finding.verdict)) {
    throw new RangeError(
      `finding.verdict (${finding.paper}) must be one of ${VERDICTS.join(", ")}, got ${
        JSON.stringify(finding.verdict)
      }`,
    );
  }
  for (const field of ["claim", "measured"] as const) {
    if (typeof finding[field] !== "string" || finding[field].trim() === "") {
      throw new RangeError(`finding.${field} (${finding.paper}) must be a non-empty string`);
    }
  }
  if (finding.interval !== undefined) {
    for (const k of ["estimate", "lower", "upper"] as const) {
      if (!Number.isFinite(finding.interval[k])) {
        throw new RangeError(
          `finding.interval.${k} (${finding.paper}) must be finite, got ${finding.interval[k]}`,
        );
      }
    }
  }
  return finding;
}

/** Sort key of a paper item: figures first, then tables, each by number. */
function itemOrder(item: string): number {
  return PAPER_ITEMS.indexOf(item);
}

/** Formats an interval as `0.012 [−0.004, 0.028]`. */
function formatInterval(i: Interval): string {
  const f = (x: number) => x.toFixed(3);
  return `${f(i.estimate)} [${f(i.lower)}, ${f(i.upper)}]`;
}

/**
 * The verdict table as Markdown: one row per finding, in the paper's order (Figs. 1–13, then Tables 1–4), with
 * the claim, what was measured, the interval and the verdict, followed by the count of each verdict.
 *
 * @param findings The findings (each checked with {@link checkFinding}).
 * @returns The Markdown table.
 * @example
 * ```ts
 * import { verdictTable } from "@dpo-kernels/dpo-kernels";
 * import assert from "node:assert/strict";
 * const t = verdictTable([{ paper: "Fig. 8", claim: "Hybrid beats DPO", measured: "−0.006 vs DPO",
 *   verdict: "not reproduced", interval: { estimate: -0.006, lower: -0.018, upper: 0.007 }, notebook: "09" }]);
 * assert.match(t, /\| Fig\. 8 \| Hybrid beats DPO \| −0\.006 vs DPO \| -0\.006 \[-0\.018, 0\.007\] \| not reproduced \| 09 \|/);
 * ```
 */
export function verdictTable(findings: readonly Finding[]): string {
  const rows = [...findings].map(checkFinding).sort((a, b) => itemOrder(a.paper) - itemOrder(b.paper));
  const cell = (s: string) => s.replaceAll("|", "\\|").replaceAll("\n", " ");
  const lines = rows.map((f) =>
    `| ${f.paper} | ${cell(f.claim)} | ${cell(f.measured)} | ${
      f.interval ? formatInterval(f.interval) : "—"
    } | ${f.verdict} | ${f.notebook ?? "—"} |`
  );
  const counts = VERDICTS.map((v) => `${rows.filter((f) => f.verdict === v).length} ${v}`).join(", ");
  return [
    "| paper | claim | measured | interval (95 %) | verdict | notebook |",
    "|---|---|---|---|---|---|",
    ...lines,
    "",
    `${rows.length} findings: ${counts}.`,
  ].join("\n");
}

/**
 * The paper's items no finding covers.
 *
 * @param findings The findings.
 * @returns The uncovered items of {@link PAPER_ITEMS}, in order (empty when the table is complete).
 * @example
 * ```ts
 * import { uncoveredItems } from "@dpo-kernels/dpo-kernels";
 * import assert from "node:assert/strict";
 * assert.equal(uncoveredItems([]).length, 17);
 * ```
 */
export function uncoveredItems(findings: readonly Finding[]): string[] {
  const covered = new Set(findings.map((f) => f.paper));
  return PAPER_ITEMS.filter((item) => !covered.has(item));
}
