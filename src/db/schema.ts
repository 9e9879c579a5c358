/** Every D1 table, for the typed handle and for `drizzle-kit generate` (drizzle.config.ts). */
export * from "./registry-tables";
export * from "./job-tables";
export * from "./offline-tables";
export * from "./stats-tables";
