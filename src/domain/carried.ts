/**
 * Which features an offline row carried. Pure.
 *
 * An offline row (`OfflineRow`) carries exactly the features it has as own
 * properties, null values included: a pushed row carries the features it was
 * pushed with, an ingested JSON row the features it names, a Parquet row
 * every feature column of its file. The file column `_larder_carried` is
 * null when a row carries every feature of its file's schema, else the
 * names it carried, sorted, joined by `,` (names never hold commas). A row
 * in a file without a feature's column never carried that feature.
 */

/** The `_larder_carried` value of a row against the file's feature columns. */
export function carriedText(row: Readonly<Record<string, unknown>>, features: readonly string[]): string | null {
  let all = true;
  for (const f of features) {
    if (!Object.hasOwn(row, f)) {
      all = false;
      break;
    }
  }
  if (all) return null;
  return features
    .filter((f) => Object.hasOwn(row, f))
    .sort()
    .join(",");
}

/** Parses `_larder_carried` texts, each distinct text once. */
export class CarriedSets {
  private readonly parsed = new Map<string, ReadonlySet<string>>();

  /** The features a non-null `_larder_carried` text names. */
  of(text: string): ReadonlySet<string> {
    let set = this.parsed.get(text);
    if (!set) {
      set = new Set(text === "" ? [] : text.split(","));
      this.parsed.set(text, set);
    }
    return set;
  }
}
