// Types of scripts/build.mjs, for the TypeScript that imports it (tests, vitest.config.ts).
export interface ConsoleBuild {
  files: { file: string; bytes: number; gzip: number }[];
  /** Every file of the console, gzipped (level 9), in bytes. */
  gzipTotal: number;
  /** What the first page loads: the entry, its static imports and the CSS. */
  gzipInitial: number;
}
export function buildAll(): Promise<{ console: ConsoleBuild }>;
export function ensureBuilt(): Promise<void>;
