import { describe, expect, it } from "vitest";
import { canUseProject, projectsFromClaims } from "../../src/auth/scopes";
import { encodeKeyValue } from "../../src/domain/entity-key";
import { planApply } from "../../src/domain/apply-plan";
import { emptyContents } from "../../src/domain/registry-model";
import { normalizeDtype, valueProblem } from "../../src/domain/dtypes";

describe("edge cases found in review", () => {
  it("a malformed projects claim allows no project", () => {
    expect(projectsFromClaims({ projects: "sandbox" })).toEqual([]);
    expect(
      canUseProject(
        { subject: "x", scopes: new Set(["admin"]), projects: projectsFromClaims({ projects: "sandbox" }) },
        "ai_etl",
      ),
    ).toBe(false);
    expect(projectsFromClaims({})).toBeNull();
  });

  it("a lone surrogate in a key value is a reason, not an exception", () => {
    expect(encodeKeyValue("STRING", "\ud800")).toEqual({ ok: false, reason: "expected well-formed Unicode text" });
  });

  it("one apply naming an object twice is refused", () => {
    const incoming = emptyContents();
    incoming.entities.push({
      name: "dup",
      join_keys: ["a_id"],
      value_types: { a_id: "STRING" },
      description: "",
      tags: {},
    });
    incoming.entities.push({
      name: "dup",
      join_keys: ["b_id"],
      value_types: { b_id: "INT64" },
      description: "",
      tags: {},
    });
    expect(() => planApply(emptyContents(), incoming, false)).toThrow(/given twice/);
  });

  it("checks int64 strings, float32 range, base64 length, timestamps strictly", () => {
    expect(valueProblem("int64", "9999999999999999999")).toMatch(/int64 range/);
    expect(valueProblem("int64", "9223372036854775807")).toBeUndefined();
    expect(valueProblem("float32", 1e300)).toMatch(/float32 range/);
    expect(valueProblem("bytes", "abc")).toMatch(/base64/);
    expect(valueProblem("bytes", "YWJj")).toBeUndefined();
    for (const bad of ["1", "hello 5", "Jan 5"]) expect(valueProblem("unix_timestamp", bad)).toMatch(/RFC 3339/);
    expect(valueProblem("unix_timestamp", "2024-06-30T15:45:23Z")).toBeUndefined();
    expect(valueProblem("unix_timestamp", 1719762323)).toBeUndefined();
  });

  it("array dtypes need matching brackets", () => {
    expect(normalizeDtype("array<int32)")).toBeUndefined();
    expect(normalizeDtype("Array(Int32)")).toBe("array<int32>");
    expect(normalizeDtype("array<int32>")).toBe("array<int32>");
  });
});
