/**
 * `larder`: the feature-store CLI, built on `larder/client`.
 *
 * Configuration: flags over environment (LARDER_URL, LARDER_TOKEN,
 * LARDER_PROJECT) over the feature repo's larder.yaml. `-C DIR` runs any
 * command as if started in DIR. Nothing ever prompts; `--json` prints
 * machine-readable output; progress goes to stderr. Exit codes: 0 done,
 * 1 failed (a message says why), 2 bad usage.
 */
import { Command, CommanderError } from "commander";
import { registerHistorical } from "./commands/historical";
import { registerIngest } from "./commands/ingest";
import { registerInit } from "./commands/init";
import { registerJobs } from "./commands/jobs";
import { registerOnline } from "./commands/online";
import { registerRegistry } from "./commands/registry";
import { registerToken } from "./commands/token";
import { workDir } from "./context";
import { reportError } from "./errors";

declare const LARDER_VERSION: string;

export function buildProgram(): Command {
  const program = new Command("larder")
    .description("Larder feature store: definitions, ingestion, materialization, online and historical features")
    .version(typeof LARDER_VERSION === "string" ? LARDER_VERSION : "dev")
    .option("-C, --directory <dir>", "run as if started in <dir> (where larder.yaml is looked for)")
    .option("--url <url>", "Larder's origin, e.g. http://127.0.0.1:8787 (env LARDER_URL, larder.yaml url)")
    .option("--token <jwt>", "bearer token (env LARDER_TOKEN)")
    .option("--project <name>", "project (env LARDER_PROJECT, larder.yaml project; else the server's default)")
    .option("--json", "print machine-readable JSON (no progress bars)")
    .option("--timeout <seconds>", "per-request timeout", "60")
    .showHelpAfterError("(add --help for usage)")
    .configureHelp({ showGlobalOptions: true, sortSubcommands: false })
    .exitOverride();
  // -C DIR: every relative path of the command (files, -o, larder.yaml) is read from DIR, as `git -C` does.
  program.hook("preAction", (_program, action) => {
    const dir = action.optsWithGlobals().directory as string | undefined;
    if (dir) process.chdir(workDir({ directory: dir }));
  });
  registerInit(program);
  registerRegistry(program);
  registerIngest(program);
  registerJobs(program);
  registerOnline(program);
  registerHistorical(program);
  registerToken(program);
  for (const cmd of program.commands) cmd.exitOverride();
  return program;
}

export async function main(argv: string[]): Promise<number> {
  try {
    await buildProgram().parseAsync(argv);
    return 0;
  } catch (err) {
    // Commander has printed usage errors and help already.
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : 2;
    return reportError(err);
  }
}

process.exitCode = await main(process.argv);
