/** Batch source paths: the rule, what they resolve to, and the operator's external prefixes. */
import { describe, expect, it } from "vitest";
import { externalPrefixProblem, parseSourcePath, sourcePathProblems } from "../../src/domain/source-path";
import { readConfig } from "../../src/platform/config";
import type { Bindings } from "../../src/platform/bindings";

describe("parseSourcePath", () => {
  it("reads project-relative paths in every accepted spelling", () => {
    for (const path of ["s3://data-lake/products/features/", "r2://x/products/features", "products/features/"]) {
      expect(parseSourcePath(path)).toEqual({ ok: true, scope: "project", key: "products/features/", kind: "prefix" });
    }
    expect(parseSourcePath("external://lake/shared/")).toEqual({
      ok: true,
      scope: "external",
      key: "lake/shared/",
      kind: "prefix",
    });
  });

  it.each([
    ["", /names no prefix/],
    ["s3://bucket", /names no prefix/],
    ["a//b/", /empty segment/],
    ["/a/b/", /empty segment/],
    ["a/./b/", /'\.' or '\.\.'/],
    ["a/../b/", /'\.' or '\.\.'/],
    ["..", /'\.' or '\.\.'/],
    ["a/\u0000/b/", /control character/],
    ["a/b\u001f/", /control character/],
    ["a/b\u007f/", /control character/],
    ["a\\b/", /backslash/],
    ["gs://b/a/", /scheme 'gs:\/\/' is not supported/],
    ["file:///etc/", /scheme 'file:\/\/' is not supported/],
  ])("refuses %j, naming the rule", (path, problem) => {
    const parsed = parseSourcePath(path);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.problem).toMatch(problem);
  });
});

describe("externalPrefixProblem", () => {
  it("accepts a prefix outside Larder's own", () => {
    expect(externalPrefixProblem("lake/shared/")).toBeUndefined();
  });

  it.each(["offline/B/", "exports/", "jobs/", "dead-letter/x/", "lake/shared", "lake/../offline/", "/lake/"])(
    "refuses %j",
    (prefix) => {
      expect(externalPrefixProblem(prefix)).toBeDefined();
    },
  );
});

describe("sourcePathProblems", () => {
  const batch = (name: string, path: string) => ({ name, type: "batch", path });

  it("sorts paths into errors (refused) and warnings (changed meaning)", () => {
    const { errors, warnings } = sourcePathProblems(
      [
        batch("ok", "s3://lake/ok/"),
        batch("dots", "s3://lake/../B/"),
        batch("outside", "external://lake/secret/"),
        batch("inside", "external://lake/shared/events/"),
        batch("legacy", "r2://larder-offline/offline/A/legacy/"),
        { name: "push", type: "push" },
      ],
      "A",
      ["lake/shared/"],
    );
    expect(errors.map((e) => e.data_source)).toEqual(["dots", "outside"]);
    expect(errors[1].problem).toMatch(/EXTERNAL_PREFIXES \(lake\/shared\/\)/);
    expect(warnings.map((w) => w.data_source)).toEqual(["legacy"]);
    expect(warnings[0].problem).toMatch(/offline\/A\/offline\/A\/legacy\//);
  });
});

describe("EXTERNAL_PREFIXES", () => {
  const config = (value: string) => readConfig({ EXTERNAL_PREFIXES: value } as unknown as Bindings);

  it("reads a JSON object of project → prefixes", () => {
    const c = config('{"ai_etl": ["lake/shared/", "lake/raw/"], "other": []}');
    expect(c.externalPrefixes.ai_etl).toEqual(["lake/shared/", "lake/raw/"]);
    expect(c.problems).toEqual([]);
  });

  it("drops and reports what breaks the rule, never allowing it", () => {
    const c = config('{"ai_etl": ["offline/B/", "ok/", 7], "bad name": ["x/"], "__proto__": ["y/"]}');
    expect(c.externalPrefixes.ai_etl).toEqual(["ok/"]);
    expect(Object.keys(c.externalPrefixes)).toEqual(["ai_etl"]);
    expect(c.problems).toHaveLength(4);
  });

  it("reports a value that is not a JSON object", () => {
    expect(config("not json").problems[0]).toMatch(/not JSON/);
    expect(config("[]").problems[0]).toMatch(/JSON object/);
  });
});
