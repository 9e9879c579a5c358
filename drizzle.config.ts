import { defineConfig } from "drizzle-kit";

/** `npm run db:generate` writes SQL migrations that wrangler applies (`migrations_dir`). */
export default defineConfig({
  dialect: "sqlite",
  schema: ["./src/registry/schema.ts", "./src/registry/jobs-schema.ts"],
  out: "./migrations",
});
