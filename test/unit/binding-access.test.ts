/** Who a service-binding call acts as (src/rpc/access.ts): Larder's configuration decides, props only choose within it. */
import { describe, expect, it } from "vitest";
import { hasScope } from "../../src/auth/scopes";
import { LarderError } from "../../src/domain/errors";
import type { Bindings } from "../../src/platform/bindings";
import { readConfig } from "../../src/platform/config";
import { bindingAccess, refuseProjectArgument } from "../../src/rpc/access";

const config = (vars: Partial<Bindings>) => readConfig({ DEFAULT_PROJECT: "ai_etl", ...vars } as Bindings);

function refusal(work: () => unknown): LarderError {
  try {
    work();
  } catch (err) {
    if (err instanceof LarderError) return err;
    throw err;
  }
  throw new Error("expected a LarderError");
}

describe("bindingAccess", () => {
  it("serves no project until BINDING_PROJECTS opts one in", () => {
    const err = refusal(() => bindingAccess(config({}), {}));
    expect(err.code).toBe("FORBIDDEN");
    expect(err.message).toContain("BINDING_PROJECTS");
  });

  it("defaults to DEFAULT_PROJECT, and props.project picks another listed project", () => {
    const cfg = config({ BINDING_PROJECTS: "ai_etl, team_b" });
    expect(bindingAccess(cfg, undefined).project).toBe("ai_etl");
    const b = bindingAccess(cfg, { project: "team_b" });
    expect(b.project).toBe("team_b");
    expect(b.principal.projects).toEqual(["team_b"]);
    expect(refusal(() => bindingAccess(cfg, { project: "other" })).details).toMatchObject({ project: "other" });
    expect(refusal(() => bindingAccess(cfg, { project: "../x" })).code).toBe("VALIDATION_ERROR");
  });

  it("grants BINDING_SCOPES (all four data scopes by default), narrowed but never widened by props.scopes", () => {
    const all = bindingAccess(config({ BINDING_PROJECTS: "ai_etl" }), {}).principal;
    expect([...all.scopes].sort()).toEqual(["offline:read", "offline:write", "online:read", "online:write"]);
    expect(hasScope(all, "registry:write")).toBe(false);
    const readOnly = config({ BINDING_PROJECTS: "ai_etl", BINDING_SCOPES: "online:read" });
    const widened = bindingAccess(readOnly, { scopes: ["online:read", "online:write", "admin"] }).principal;
    expect([...widened.scopes]).toEqual(["online:read"]);
    const narrowed = bindingAccess(config({ BINDING_PROJECTS: "ai_etl" }), { scopes: ["offline:read"] }).principal;
    expect([...narrowed.scopes]).toEqual(["offline:read"]);
  });

  it("drops and reports settings that break their rule", () => {
    const cfg = config({ BINDING_PROJECTS: "ai_etl bad-name", BINDING_SCOPES: "online:read admin" });
    expect(cfg.bindingProjects).toEqual(["ai_etl"]);
    expect(cfg.bindingScopes).toEqual(["online:read"]);
    expect(cfg.problems).toEqual([
      "BINDING_PROJECTS: 'bad-name' is not a project name",
      "BINDING_SCOPES: 'admin' is not one of online:read, offline:read, online:write, offline:write",
    ]);
  });
});

describe("refuseProjectArgument", () => {
  it("refuses a request that names a project, accepts one that does not", () => {
    expect(refusal(() => refuseProjectArgument({ project: "x", entities: {} })).code).toBe("FORBIDDEN");
    expect(() => refuseProjectArgument({ entities: {} })).not.toThrow();
    expect(() => refuseProjectArgument(null)).not.toThrow();
  });
});
