/** `larder get-online --entity customer_id=cust_12345 --features customer:age` (or `--service NAME`). */
import type { Command } from "commander";
import type { OnlineFeaturesRequest } from "../../src/client";
import { context } from "../context";
import { CliError } from "../errors";
import { cell, list, printJson, say, table } from "../output";

/** `--entity key=v1,v2` flags as columns; several keys (a composite key) pair their values by position. */
export function entityColumns(flags: string[]): Record<string, string[]> {
  const columns: Record<string, string[]> = {};
  for (const flag of flags) {
    const eq = flag.indexOf("=");
    if (eq <= 0) throw new CliError(`--entity ${flag}: write JOIN_KEY=VALUE[,VALUE...], e.g. customer_id=cust_12345`);
    const key = flag.slice(0, eq).trim();
    columns[key] = [...(columns[key] ?? []), ...list(flag.slice(eq + 1))];
  }
  const lengths = new Set(Object.values(columns).map((v) => v.length));
  if (lengths.size > 1) throw new CliError("--entity: every join key needs as many values (they pair up by position)");
  return columns;
}

const collect = (value: string, previous: string[] = []) => [...previous, value];

export function registerOnline(program: Command): void {
  program
    .command("get-online")
    .description("Read online features for entities (a table, or JSON with --json)")
    .requiredOption(
      "-e, --entity <key=values>",
      "join key and value(s), e.g. customer_id=cust_1,cust_2 (repeatable)",
      collect,
    )
    .option("-f, --features <refs>", "view:feature references, comma-separated (repeatable)", collect)
    .option("-s, --service <name>", "a feature service (all its features, or those of --features)")
    .option("--full-names", "name columns view__feature")
    .option("--statuses", "show each value's status (PRESENT, NOT_FOUND, NULL_VALUE, OUTSIDE_MAX_AGE)")
    .addHelpText(
      "after",
      "\nExample:\n  larder get-online --entity customer_id=cust_12345,cust_67890 --service customer_features_v1",
    )
    .action(async (opts, cmd: Command) => {
      const ctx = context(cmd.optsWithGlobals());
      const features = list(opts.features);
      if (features.length === 0 && !opts.service)
        throw new CliError("Name what to read: --features view:feature,... or --service NAME");
      const entities = entityColumns(opts.entity);
      const request: OnlineFeaturesRequest = {
        entities,
        ...(features.length > 0 ? { features } : {}),
        ...(opts.service ? { feature_service: opts.service } : {}),
        full_feature_names: Boolean(opts.fullNames),
        include_statuses: Boolean(opts.statuses),
      };
      const answer = await ctx.client.getOnlineFeatures(request);
      if (ctx.json) return printJson(answer);
      const keys = Object.keys(entities);
      const rows = Object.entries(answer.features);
      const columns = rows.length > 0 ? Object.keys(rows[0][1]) : [];
      say(
        table(
          [...keys, ...columns],
          rows.map(([key, values]) => [
            ...key.split("|"),
            ...columns.map((c) => (opts.statuses ? `${cell(values[c])} (${answer.statuses?.[key]?.[c]})` : values[c])),
          ]),
        ),
      );
    });
}
