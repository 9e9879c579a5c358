/**
 * How the CLI fails: a `CliError` for what the user must fix (a bad flag
 * value, a missing file, a bad definition), a `LarderApiError` from the
 * client, and anything else. Each is printed as a short message with a hint
 * and a non-zero exit code; a stack trace only with LARDER_DEBUG=1.
 */
import { LarderApiError } from "../src/client";

/** A failure the user can fix; `lines` add detail under the message (file:line pointers, hints). */
export class CliError extends Error {
  constructor(
    message: string,
    readonly lines: string[] = [],
    readonly exitCode = 1,
  ) {
    super(message);
    this.name = "CliError";
  }
}

function apiHints(err: LarderApiError): string[] {
  const hints: string[] = [];
  const d = err.details;
  if (err.code === "NETWORK_ERROR" || err.code === "TIMEOUT") {
    hints.push("Is Larder running? Start it with `npm start`, or point the CLI at it with --url or LARDER_URL.");
  } else if (err.code === "UNAUTHENTICATED") {
    hints.push("Give a valid token with --token or LARDER_TOKEN (`larder token` mints a local dev token).");
  } else if (err.code === "FORBIDDEN" && d.required_scope) {
    hints.push(`The token needs the ${[d.required_scope].flat().join(" or ")} scope.`);
  }
  for (const [key, label] of [
    ["available_views", "Available feature views"],
    ["available_services", "Available feature services"],
    ["available", "Available"],
  ] as const) {
    if (Array.isArray(d[key]) && (d[key] as unknown[]).length > 0)
      hints.push(`${label}: ${(d[key] as string[]).join(", ")}`);
  }
  if (Array.isArray(d.issues)) {
    for (const issue of d.issues as { path?: string; message?: string }[]) {
      hints.push(`${issue.path ? `${issue.path}: ` : ""}${issue.message ?? ""}`);
    }
  }
  if (err.requestId && err.status !== 0) hints.push(`(request id ${err.requestId})`);
  return hints;
}

/** Prints `err` for a person on stderr; returns the exit code. */
export function reportError(
  err: unknown,
  write: (line: string) => void = (l) => process.stderr.write(`${l}\n`),
): number {
  if (err instanceof CliError) {
    write(`error: ${err.message}`);
    for (const line of err.lines) write(`  ${line}`);
    return err.exitCode;
  }
  if (err instanceof LarderApiError) {
    const code = err.code === "NETWORK_ERROR" || err.code === "TIMEOUT" ? "" : ` (${err.code})`;
    write(`error: ${err.message}${code}`);
    for (const hint of apiHints(err)) write(`  ${hint}`);
    return 1;
  }
  const message = err instanceof Error ? err.message : String(err);
  write(`error: ${message}`);
  if (process.env.LARDER_DEBUG && err instanceof Error && err.stack) write(err.stack);
  else write("  (set LARDER_DEBUG=1 to see where it happened)");
  return 1;
}
