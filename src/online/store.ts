/**
 * The online store contract (in the spirit of Feast's `OnlineStore`): the
 * latest feature values of one view for one entity, under a key built by
 * `onlineKey` (one record per view, entity and writer). Implementations merge
 * writes per feature by the rules of `domain/online-record.ts`: a feature
 * takes a written value only when the written row is newer, so every write
 * path is idempotent and order-independent.
 */
import type { OnlineRecord, OnlineWrite } from "../domain/online-record";

export interface WriteOutcome {
  written: number;
  /** Writes that changed nothing: the stored record was as new or newer for every feature they carry. */
  skippedOlder: number;
}

export interface OnlineStore {
  /** Records for `keys` in order (null where absent), in one parallel round trip. */
  read(keys: readonly string[]): Promise<(OnlineRecord | null)[]>;
  /** Per-feature newest-wins writes; several writes of one key are coalesced first. */
  write(writes: readonly OnlineWrite[]): Promise<WriteOutcome>;
  /**
   * Distinct entities under a view's `prefix` (its writer records counted
   * once), by listing; null when there are more than `maxPages` pages of 1,000.
   */
  countEntities(prefix: string, maxPages: number): Promise<number | null>;
}
