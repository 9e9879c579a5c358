/**
 * `larder token`: mints a local development token (HS256, signed with the
 * AUTH_JWT_SECRET of the Larder checkout's `.dev.vars`, which `npm start`
 * creates), or with `--decode` shows the claims of the token in use.
 * Production tokens come from your identity provider (AUTH_JWKS_URL).
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { Command } from "commander";
import { decodeJwt, SignJWT } from "jose";
import { SCOPES } from "../../src/auth/scopes";
import { CliError } from "../errors";
import { list, printJson, say } from "../output";

/** KEY=VALUE lines of a .dev.vars file (quotes dropped). */
function devVars(file: string): Record<string, string> {
  const vars: Record<string, string> = {};
  for (const line of readFileSync(file, "utf8").split(/\r?\n/)) {
    const m = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*?)\s*$/.exec(line);
    if (m) vars[m[1]] = m[2].replace(/^(["'])(.*)\1$/, "$2");
  }
  return vars;
}

/** The Larder checkout this CLI runs from (dist/larder.mjs or cli/commands/token.ts lies two levels down). */
function checkoutRoot(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  return existsSync(join(here, "..", "package.json")) ? resolve(here, "..") : resolve(here, "..", "..");
}

function signingSecret(explicit: string | undefined, dir: string): { secret: string; from: string } {
  if (explicit) return { secret: explicit, from: "--secret" };
  if (process.env.LARDER_JWT_SECRET) return { secret: process.env.LARDER_JWT_SECRET, from: "LARDER_JWT_SECRET" };
  for (const file of [join(dir, ".dev.vars"), join(checkoutRoot(), ".dev.vars")]) {
    if (existsSync(file) && devVars(file).AUTH_JWT_SECRET) return { secret: devVars(file).AUTH_JWT_SECRET, from: file };
  }
  throw new CliError("No signing secret: no AUTH_JWT_SECRET in .dev.vars here or in the Larder checkout", [
    "Run `npm start` once in the Larder checkout (it creates .dev.vars), or give --secret / LARDER_JWT_SECRET.",
  ]);
}

export function registerToken(program: Command): void {
  program
    .command("token")
    .description("Mint a local dev token (signed with .dev.vars' AUTH_JWT_SECRET), or --decode the one in use")
    .option("--scopes <scopes>", `scopes, comma or space separated (${SCOPES.join(" ")})`, "admin")
    .option("--projects <names>", "limit the token to these projects (comma-separated)")
    .option("--ttl <seconds>", "lifetime in seconds", "86400")
    .option("--subject <sub>", "the token's subject", "larder-cli")
    .option("--secret <secret>", "HS256 secret (default: LARDER_JWT_SECRET, else .dev.vars)")
    .option("--decode", "print the claims of the token in use (--token or LARDER_TOKEN), unverified")
    .addHelpText("after", "\nExample:\n  export LARDER_TOKEN=$(npx larder token --scopes admin)")
    .action(async (opts, cmd: Command) => {
      const globals = cmd.optsWithGlobals();
      if (opts.decode) {
        const token = globals.token ?? process.env.LARDER_TOKEN;
        if (!token) throw new CliError("No token to decode: give --token or set LARDER_TOKEN");
        let claims: Record<string, unknown>;
        try {
          claims = decodeJwt(token);
        } catch {
          throw new CliError("The token is not a JWT");
        }
        if (globals.json) return printJson(claims);
        const exp = typeof claims.exp === "number" ? new Date(claims.exp * 1000).toISOString() : "never";
        say(
          `subject  ${claims.sub ?? "-"}\nscopes   ${claims.scope ?? [claims.scopes].flat().join(" ")}\nprojects ${claims.projects ? [claims.projects].flat().join(", ") : "all"}\nexpires  ${exp}`,
        );
        return;
      }
      const scopes = list(opts.scopes.split(/\s+/));
      const unknown = scopes.filter((s) => !(SCOPES as readonly string[]).includes(s));
      if (unknown.length > 0)
        throw new CliError(`Unknown scope(s) ${unknown.join(", ")}`, [`Known: ${SCOPES.join(" ")}`]);
      const ttl = Number(opts.ttl);
      if (!Number.isInteger(ttl) || ttl <= 0) throw new CliError(`--ttl ${opts.ttl}: give whole seconds`);
      const { secret } = signingSecret(opts.secret, process.cwd());
      const projects = opts.projects ? list(opts.projects) : undefined;
      const token = await new SignJWT({ scope: scopes.join(" "), ...(projects ? { projects } : {}) })
        .setProtectedHeader({ alg: "HS256" })
        .setSubject(opts.subject)
        .setIssuedAt()
        .setExpirationTime(Math.floor(Date.now() / 1000) + ttl)
        .sign(new TextEncoder().encode(secret));
      if (globals.json) return printJson({ token, scopes, projects: projects ?? null, expires_in: ttl });
      say(token);
    });
}
