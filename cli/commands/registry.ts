/** `larder plan`, `larder apply`, `larder views` and `larder stats VIEW`. */
import type { Command } from "commander";
import { LarderApiError, type ApplyPlan, type ApplyResponse } from "../../src/client";
import { context, requireRepo, type GlobalOptions } from "../context";
import { CliError } from "../errors";
import { cell, printJson, say, table } from "../output";
import { type Definitions, loadDefinitions, locate } from "../repo";

const LABELS: Record<string, string> = {
  entities: "entity",
  data_sources: "data source",
  feature_views: "feature view",
  feature_services: "feature service",
  push_sources: "push source",
};
const label = (kind: string) => LABELS[kind] ?? kind;

/** The plan as `feast plan` prints it: one line per object created, updated or deleted. */
function planLines(plan: ApplyPlan, verbs: [string, string, string]): string[] {
  const lines = [
    ...plan.create.map((e) => `${verbs[0]} ${label(e.kind)} ${e.name}`),
    ...plan.update.map((e) => `${verbs[1]} ${label(e.kind)} ${e.name}`),
    ...plan.delete.map((e) => `${verbs[2]} ${label(e.kind)} ${e.name}`),
  ];
  return lines.length > 0 ? lines : ["No changes to the registry"];
}

/** Server validation errors, pointed at the definitions they name. */
async function sent(defs: Definitions, work: Promise<ApplyResponse>): Promise<ApplyResponse> {
  try {
    return await work;
  } catch (err) {
    if (err instanceof LarderApiError && (err.code === "VALIDATION_ERROR" || err.code === "CONFLICT")) {
      throw new CliError(`${err.message} (${err.code})`, locate(err.message, defs));
    }
    throw err;
  }
}

async function planOrApply(opts: GlobalOptions & { delete: boolean }, apply: boolean): Promise<void> {
  const ctx = context(opts);
  const repo = requireRepo(ctx);
  const defs = loadDefinitions(repo);
  const body = { ...defs.body, replace: opts.delete };
  const answer = await sent(defs, apply ? ctx.client.apply(body) : ctx.client.plan(body));
  if (ctx.json) return printJson({ files: defs.files, ...answer });
  const project = ctx.client.project ?? "(the server's default project)";
  say(
    `${apply ? "Applied" : "Plan for"} project ${project}: ${defs.files.length} definition file(s), ${defs.objects.length} object(s)`,
  );
  say();
  const verbs: [string, string, string] = apply
    ? ["Created", "Updated", "Deleted"]
    : ["+ create", "~ update", "- delete"];
  for (const line of planLines(answer.plan, verbs)) say(line);
  if (answer.plan.unchanged.length > 0) say(`(${answer.plan.unchanged.length} unchanged)`);
  for (const w of answer.warnings) say(`warning: data source ${w.data_source} (${w.path}): ${w.problem}`);
  say();
  say(
    apply
      ? `Registry version ${answer.registry_version}.`
      : "Nothing was changed: run `larder apply` to apply this plan.",
  );
}

export function registerRegistry(program: Command): void {
  const deleteHelp = "keep registry objects the repo does not define (default: apply deletes them, like feast apply)";
  program
    .command("plan")
    .description("Show what `larder apply` would create, update and delete (changes nothing)")
    .option("--no-delete", deleteHelp)
    .action((_opts, cmd: Command) => planOrApply(cmd.optsWithGlobals(), false));

  program
    .command("apply")
    .description("Validate the feature repo's definitions and apply them in one atomic request")
    .option("--no-delete", deleteHelp)
    .action((_opts, cmd: Command) => planOrApply(cmd.optsWithGlobals(), true));

  program
    .command("views")
    .description("List the project's feature views")
    .action(async (_opts, cmd: Command) => {
      const ctx = context(cmd.optsWithGlobals());
      const { feature_views } = await ctx.client.listFeatureViews();
      if (ctx.json) return printJson(feature_views);
      if (feature_views.length === 0) return say("No feature views: define some and run `larder apply`.");
      say(
        table(
          ["name", "entities", "features", "ttl_s", "online", "source", "schedule"],
          feature_views.map((v) => [
            v.name,
            v.entities.join(","),
            v.features.length,
            v.ttl_seconds,
            v.online,
            v.source,
            v.schedule ?? "-",
          ]),
        ),
      );
    });

  program
    .command("stats")
    .description("Statistics of a feature view, from its last materialization")
    .argument("<view>", "feature view name")
    .action(async (view: string, _opts, cmd: Command) => {
      const ctx = context(cmd.optsWithGlobals());
      const stats = await ctx.client.getFeatureViewStats(view);
      if (ctx.json) return printJson(stats);
      const s = stats.statistics;
      say(`Feature view ${stats.feature_view}`);
      say(`  last materialization   ${cell(s.last_materialization)}`);
      say(`  freshness              ${s.freshness_seconds === null ? "null" : `${s.freshness_seconds} s`}`);
      say(`  entities (estimate)    ${cell(s.total_entities)}`);
      say(`  online store records   ${cell(s.online_store_records)}`);
      say(`  offline store records  ${cell(s.offline_store_records)}`);
      const features = Object.entries(s.feature_stats);
      if (features.length === 0) return say("\nNo feature statistics yet: they come from a materialization.");
      say();
      const round = (x: number | null) => (x === null ? null : Math.round(x * 1000) / 1000);
      say(
        table(
          ["feature", "count", "mean", "std", "min", "max", "null_%"],
          features.map(([name, f]) => [
            name,
            f.count,
            round(f.mean),
            round(f.std),
            round(f.min),
            round(f.max),
            f.null_percentage === null ? null : round(f.null_percentage * 100),
          ]),
        ),
      );
    });
}
