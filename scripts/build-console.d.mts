// Types of scripts/build-console.mjs, for the TypeScript that imports it (tests).
import type { ConsoleBuild } from "./build.mjs";
export const CONSOLE_BASE: string;
export const CONSOLE_CSP: string;
export function buildConsole(options: { root: string; outdir?: string }): Promise<ConsoleBuild>;
