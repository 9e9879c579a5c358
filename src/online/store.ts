/**
 * The online store contract (in the spirit of Feast's `OnlineStore`): the
 * latest feature values of one view for one entity, under a key built by
 * `onlineKey`. Implementations must make writes newest-wins by the rules of
 * `domain/online-record.ts`: a record only replaces a stored one that is
 * older, so every write path is idempotent and order-independent.
 */
import type { OnlineRecord, OnlineWrite } from "../domain/online-record";

export interface WriteOutcome {
  written: number;
  /** Writes skipped because the stored record was as new or newer. */
  skippedOlder: number;
}

export interface OnlineStore {
  /** Records for `keys` in order (null where absent), in one parallel round trip. */
  read(keys: readonly string[]): Promise<(OnlineRecord | null)[]>;
  /** Newest-wins writes; several writes of one key are coalesced first. */
  write(writes: readonly OnlineWrite[]): Promise<WriteOutcome>;
  /** Keys under `prefix`, counted by listing; null when there are more than `maxPages` pages of 1,000. */
  countKeys(prefix: string, maxPages: number): Promise<number | null>;
}
