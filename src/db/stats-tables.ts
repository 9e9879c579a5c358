/** Feature statistics per view, merged from what materialization tasks read. */
import { primaryKey, sqliteTable, text } from "drizzle-orm/sqlite-core";

export const featureStats = sqliteTable(
  "feature_stats",
  {
    project: text("project").notNull(),
    view: text("view").notNull(),
    stats: text("stats", { mode: "json" }).$type<Record<string, unknown>>().notNull(),
    job_id: text("job_id").notNull(),
    updated_at: text("updated_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.project, t.view] })],
);
