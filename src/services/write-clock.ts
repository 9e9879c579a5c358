/**
 * When a write is accepted, for its write sequence (`write-version.ts`): the
 * current time, or 1 ms after the previous write this isolate accepted, so
 * writes accepted one after another always get rising sequences and a later
 * correction wins a full tie even within one millisecond. Across isolates
 * (other locations), sequences follow their clocks; writes accepted within
 * the same millisecond by two isolates are ordered by their random write ids.
 */
let lastAccepted = 0;

export function acceptTime(now = Date.now()): number {
  lastAccepted = Math.max(Math.trunc(now), lastAccepted + 1);
  return lastAccepted;
}
