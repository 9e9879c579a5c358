/** `larder init DIR`: a new feature repo (see ../init.ts for what it holds). */
import type { Command } from "commander";
import { initRepo } from "../init";
import { printJson, say } from "../output";
import { resolve } from "node:path";

export function registerInit(program: Command): void {
  program
    .command("init")
    .description("Create a feature repo: larder.yaml, commented YAML definitions and sample data")
    .argument("<dir>", "the folder to create (must be new or empty)")
    .addHelpText("after", "\nThe repo's project is the folder's name unless --project names one.")
    .action((dir: string, _opts, cmd: Command) => {
      const globals = cmd.optsWithGlobals();
      const outcome = initRepo(resolve(dir), globals.project);
      if (globals.json) return printJson(outcome);
      say(`Created feature repo ${outcome.dir} (project ${outcome.project}):`);
      for (const f of outcome.files) say(`  ${f}`);
      say(`
Next:
  cd ${dir}
  larder plan                                                    # what apply would do
  larder apply                                                   # register the definitions
  larder ingest customer_stats_source data/customer_stats.csv    # offline history
  larder materialize-incremental                                 # latest values online
  larder get-online --entity customer_id=cust_001 --service churn_model_v1
  larder historical --entity-df data/entity_df.csv --service churn_model_v1 -o train.parquet`);
    });
}
