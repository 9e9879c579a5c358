/**
 * The slots of `AsOfFold` (asof-fold.ts): per slot, the version of the best
 * candidate seen so far, compared by the one ordering rule
 * (write-version.ts). Pure.
 */
import { compareSequences } from "./write-version";

/** Best candidates per slot: their versions, and the values of the features the track serves. */
export interface Track {
  filled: Uint8Array;
  ts: Float64Array;
  /** -Infinity for a row without a created timestamp (lowest). */
  created: Float64Array;
  seq: string[];
  wid: Float64Array;
  values: Map<string, unknown[]>;
}

export interface SlotVersion {
  ts: number;
  created: number;
  seq: string;
  wid: number;
}

export function newTrack(n: number): Track {
  return {
    filled: new Uint8Array(n),
    ts: new Float64Array(n),
    created: new Float64Array(n),
    seq: [],
    wid: new Float64Array(n),
    values: new Map(),
  };
}

/** A copy of the track's versions, serving no feature yet. */
export function copyTrack(t: Track): Track {
  const { filled, ts, created, seq, wid } = t;
  return {
    filled: filled.slice(),
    ts: ts.slice(),
    created: created.slice(),
    seq: seq.slice(),
    wid: wid.slice(),
    values: new Map(),
  };
}

/**
 * Takes a candidate into the slot when it is as new as the slot's best or
 * newer (candidates come in table order, so a full tie goes to the later
 * row: this one); true when it did.
 */
export function offerSlot(track: Track, slot: number, v: SlotVersion): boolean {
  if (track.filled[slot]) {
    let cmp = v.ts - track.ts[slot];
    if (cmp === 0) cmp = v.created === track.created[slot] ? 0 : v.created > track.created[slot] ? 1 : -1;
    if (cmp === 0) cmp = compareSequences(v.seq, track.seq[slot]);
    if (cmp === 0) cmp = v.wid - track.wid[slot];
    if (cmp < 0) return false;
  }
  track.filled[slot] = 1;
  track.ts[slot] = v.ts;
  track.created[slot] = v.created;
  track.seq[slot] = v.seq;
  track.wid[slot] = v.wid;
  return true;
}
