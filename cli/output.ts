/** What commands print: JSON for machines (`--json`), aligned tables and short lines for people. */

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

export function say(line = ""): void {
  process.stdout.write(`${line}\n`);
}

/** A cell as a person reads it: null as `null`, numbers as they are, objects as JSON. */
export function cell(value: unknown): string {
  if (value === null || value === undefined) return "null";
  if (typeof value === "object") return JSON.stringify(value);
  return String(value);
}

/** An aligned table: numbers right-aligned, the rest left-aligned, two spaces between columns. */
export function table(headers: string[], rows: unknown[][]): string {
  const text = rows.map((r) => r.map(cell));
  const numeric = headers.map(
    (_, c) => rows.length > 0 && rows.every((r) => typeof r[c] === "number" || r[c] === null),
  );
  const widths = headers.map((h, c) => Math.max(h.length, ...text.map((r) => r[c].length)));
  const line = (cells: string[]) =>
    cells
      .map((v, c) => (numeric[c] ? v.padStart(widths[c]) : v.padEnd(widths[c])))
      .join("  ")
      .trimEnd();
  return [line(headers), line(widths.map((w) => "-".repeat(w))), ...text.map(line)].join("\n");
}

/** Seconds as `1m 05s` or `12.3s`. */
export function duration(seconds: number): string {
  if (seconds < 60) return `${seconds.toFixed(1)}s`;
  const m = Math.floor(seconds / 60);
  return `${m}m ${String(Math.round(seconds % 60)).padStart(2, "0")}s`;
}

/** Splits `a,b c` style lists (flags given once with commas, or repeated). */
export function list(values: string | string[] | undefined): string[] {
  return [values ?? []]
    .flat()
    .flatMap((v) => v.split(","))
    .map((v) => v.trim())
    .filter(Boolean);
}
