// Deterministic randomness for the demo data. Every draw is a pure function of
// (seed, entity, day, stream): a value for a given entity and date is the same
// whichever day the data is generated on, so two loads agree where they overlap.

export const DEMO_SEED = 0x1a2d3e4f;

/** 32-bit FNV-1a of a string. */
export function hashString(text) {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** murmur3's finalizer: a well-mixed 32-bit integer from another. */
export function mix32(x) {
  x = (x ^ (x >>> 16)) >>> 0;
  x = Math.imul(x, 0x85ebca6b);
  x = (x ^ (x >>> 13)) >>> 0;
  x = Math.imul(x, 0xc2b2ae35);
  return (x ^ (x >>> 16)) >>> 0;
}

/** A small generator (mulberry32) with the distributions the demo needs. */
export class Rng {
  constructor(seed) {
    this.state = seed >>> 0;
  }

  /** Uniform in [0, 1). */
  next() {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  uniform(min, max) {
    return min + (max - min) * this.next();
  }

  /** Integer in [min, max]. */
  int(min, max) {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  /** Standard normal (Box-Muller). */
  normal() {
    const u = 1 - this.next();
    const v = this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  lognormal(mu, sigma) {
    return Math.exp(mu + sigma * this.normal());
  }

  /** Poisson(lambda): Knuth's method below 30 (at most 200 steps), a rounded normal above. */
  poisson(lambda) {
    if (!(lambda > 0)) return 0;
    if (lambda >= 30) return Math.max(0, Math.round(lambda + Math.sqrt(lambda) * this.normal()));
    const limit = Math.exp(-lambda);
    let k = 0;
    let p = this.next();
    while (p > limit && k < 200) {
      k++;
      p *= this.next();
    }
    return k;
  }

  pick(items) {
    return items[Math.floor(this.next() * items.length)];
  }
}

/** The generator of one (entity, day, stream) cell. `entityHash` comes from `hashString(id)`. */
export function cellRng(entityHash, day, stream = 0) {
  return new Rng(mix32(entityHash ^ mix32((day * 0x9e3779b1 + stream * 0x85ebca77 + DEMO_SEED) >>> 0)));
}

/** The generator of an entity's fixed traits. */
export function entityRng(entityHash) {
  return new Rng(mix32(entityHash ^ DEMO_SEED));
}
