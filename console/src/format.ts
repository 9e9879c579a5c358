/** How the console writes numbers, durations, ages and values. Pure. */

const plain = new Intl.NumberFormat("en-US", { maximumFractionDigits: 3 });
const compact = new Intl.NumberFormat("en-US", { maximumSignificantDigits: 4 });

/** A count or measure: grouped digits, at most 3 decimals; "–" for null. */
export function formatNumber(n: number | null | undefined): string {
  if (n === null || n === undefined || Number.isNaN(n)) return "–";
  if (!Number.isFinite(n)) return n > 0 ? "∞" : "−∞";
  return Math.abs(n) >= 1e15 || (n !== 0 && Math.abs(n) < 1e-3) ? n.toExponential(3) : plain.format(n);
}

/** A bin bound or axis value: 4 significant digits. */
export function formatBound(n: number): string {
  if (n === 0) return "0";
  return Math.abs(n) >= 1e15 || Math.abs(n) < 1e-4 ? n.toExponential(2) : compact.format(n);
}

/** A share from 0 to 1 as a percentage. */
export function formatPercent(share: number | null | undefined): string {
  if (share === null || share === undefined) return "–";
  return `${plain.format(share * 100)} %`;
}

/** Seconds in its two largest units ("3 d 4 h", "12 min 5 s"; under 10 s to a tenth: "0.4 s"). */
export function formatDuration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return "–";
  const sign = seconds < 0 ? "−" : "";
  const s = Math.abs(seconds);
  if (s < 10) return `${sign}${Math.round(s * 10) / 10} s`;
  const units: [string, number][] = [
    ["d", 86_400],
    ["h", 3_600],
    ["min", 60],
    ["s", 1],
  ];
  let rest = Math.round(s);
  const amounts = units.map(([name, size]) => {
    const amount = Math.floor(rest / size);
    rest -= amount * size;
    return { name, amount };
  });
  const first = amounts.findIndex((a) => a.amount > 0);
  const shown = amounts.slice(first, first + 2).filter((a) => a.amount > 0);
  return `${sign}${shown.map((a) => `${a.amount} ${a.name}`).join(" ")}`;
}

/** How long ago `iso` was, from `now` (epoch ms): "5 min ago", "in 2 h" for the future; "–" when unreadable. */
export function formatAgo(iso: string | null | undefined, now: number): string {
  if (!iso) return "–";
  const at = Date.parse(iso);
  if (Number.isNaN(at)) return "–";
  const seconds = (now - at) / 1000;
  if (Math.abs(seconds) < 1) return "just now";
  return seconds >= 0 ? `${formatDuration(seconds)} ago` : `in ${formatDuration(-seconds)}`;
}

/** A feature value as text: null as "null", strings as they are, the rest as JSON. */
export function formatValue(value: unknown): string {
  if (value === null || value === undefined) return "null";
  if (typeof value === "string") return value;
  if (typeof value === "number") return String(value);
  return JSON.stringify(value);
}

/** An RFC 3339 timestamp, shortened for tables (UTC, to the second). */
export function formatTime(iso: string | null | undefined): string {
  if (!iso) return "–";
  const at = Date.parse(iso);
  if (Number.isNaN(at)) return iso;
  return `${new Date(at).toISOString().slice(0, 19).replace("T", " ")} UTC`;
}
