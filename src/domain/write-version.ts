/**
 * The one ordering rule of every write path (push online and offline, ingest,
 * materialization, Feast's push and write-to-online-store, the point-in-time
 * join). Pure.
 *
 * Rows of one entity are ordered by their version, compared field by field:
 * 1. `e`, the event timestamp (epoch ms);
 * 2. `c`, the created timestamp (epoch ms; null is lowest);
 * 3. `s`, the write sequence: `writeMs × 2^20 + rowIndex`, where `writeMs` is
 *    when Larder accepted the write (a push, an ingest, the adoption of a
 *    user's file: the file's upload time) and `rowIndex` the row's index in
 *    it, so a later write wins a full tie of (e, c) and rows of one write keep
 *    their order. Kept as canonical decimal text (it exceeds 2^53); rows
 *    written before sequences existed have "0";
 * 4. `w`, the write id: a random 31-bit number per write (a hash of the
 *    path for an adopted file), breaking the tie of two writes accepted in
 *    the same millisecond (31 bits: it is an INT32 column offline).
 * The version travels with the row: pushed rows carry theirs to the offline
 * store, and materialization copies it from the files into KV, so every
 * reader applies the same total order whatever the delivery order and
 * however often a task is replayed.
 */

export interface WriteVersion {
  e: number;
  c: number | null;
  /** Canonical decimal text of a non-negative integer. */
  s: string;
  w: number;
}

/** The sequence of rows written before sequences existed: lowest of all. */
export const NO_SEQUENCE = "0";
const ROW_BITS = 2n ** 20n;

/** The write sequence of row `rowIndex` of a write accepted at `writeMs`. */
export function writeSequence(writeMs: number, rowIndex: number): string {
  return (BigInt(Math.trunc(writeMs)) * ROW_BITS + BigInt(rowIndex)).toString();
}

/** A new random write id, in [0, 2^31). */
export function newWriteId(): number {
  return crypto.getRandomValues(new Uint32Array(1))[0] >>> 1;
}

/** A write id derived from text (an adopted file's path), in [0, 2^31). */
export function writeIdOf(hash: number): number {
  return hash >>> 1;
}

/** Canonical text of a sequence value as files or JSON give it (bigint, number, text); NO_SEQUENCE when absent. */
export function sequenceText(value: unknown): string {
  if (typeof value === "string") return /^(0|[1-9]\d*)$/.test(value) ? value : NO_SEQUENCE;
  if (typeof value === "bigint") return value >= 0n ? value.toString() : NO_SEQUENCE;
  if (typeof value === "number" && Number.isSafeInteger(value) && value >= 0) return String(value);
  return NO_SEQUENCE;
}

/** Compares canonical decimal texts: longer is larger, then lexicographic. */
export function compareSequences(a: string, b: string): number {
  if (a.length !== b.length) return a.length - b.length;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Negative, zero or positive as `a` is older than, equal to or newer than `b`. */
export function compareVersions(a: WriteVersion, b: WriteVersion): number {
  if (a.e !== b.e) return a.e < b.e ? -1 : 1;
  const ac = a.c ?? -Infinity;
  const bc = b.c ?? -Infinity;
  if (ac !== bc) return ac < bc ? -1 : 1;
  const bySeq = compareSequences(a.s, b.s);
  if (bySeq !== 0) return bySeq;
  return a.w - b.w;
}
