/**
 * The typed D1 handle: drizzle over every table of `schema.ts`. The raw
 * binding stays reachable as `db.$client` for the few statements drizzle
 * cannot express (guarded counters in one batch). Drizzle wraps D1's errors:
 * the one D1 raised is `err.cause`.
 */
import { type DrizzleD1Database, drizzle } from "drizzle-orm/d1";
import * as schema from "./schema";

export type Database = DrizzleD1Database<typeof schema> & { $client: D1Database };

export function database(d1: D1Database): Database {
  return drizzle(d1, { schema });
}
