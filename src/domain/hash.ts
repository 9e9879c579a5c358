/**
 * The one hash helper: a fast, well-spread 32-bit hash of text (FNV-1a, then
 * a murmur3-style finalizer so every output bit depends on every input bit),
 * for sharding, bucketing and sketches; and SHA-256 for names that must not
 * collide. Pure.
 */

/** 32-bit unsigned hash of `text` (stable across runtimes: UTF-16 code units). */
export function hash32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Hex of the first `bytes` bytes of SHA-256(text). */
export async function sha256Hex(text: string, bytes = 32): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text)));
  return [...digest.slice(0, bytes)].map((b) => b.toString(16).padStart(2, "0")).join("");
}
