/**
 * Named random streams derived from (seed, replication, stream name).
 *
 * Each stream is an independent seedrandom `tychei` generator (Tyche-i, 128 bits of state)
 * whose whole state is the first 128 bits of the SHA-256 of the unambiguous JSON encoding of
 * the triple. The numbers a stream yields therefore depend only on that triple:
 * not on worker count, on the order in which streams are first requested, or on how many
 * draws other streams made (common random numbers across scenario variants).
 */
// seedrandom is CommonJS: the default import is its `module.exports`, which carries the
// alternative generators as properties (works under Node ESM and under vitest alike).
import seedrandom from 'seedrandom';
import { sha256Hex, sha256Words } from './sha256.js';

export interface Stream {
  readonly name: string;
  /** Uniform on (0, 1], 53 bits. */
  uniform(): number;
  /** Standard normal. */
  normal(): number;
}

/**
 * Why Tyche-i and not xor4096: facility replications draw few numbers from many streams, so
 * creating streams dominates (measured on the seed-table1 sweep: xor4096's seeding, 512 warm-up
 * rounds, took 26% of the run). Setting Tyche-i's state from a uniformly random digest needs no
 * warm-up: a stream costs about 1 microsecond instead of 6, and a draw costs the same to within
 * the noise of bench/engine. Tyche-i passes BigCrush (Neves & Araujo 2011).
 */
/** The little-endian int32 of a big-endian digest word's four bytes (b0 b1 b2 b3 -> b0 | b1 << 8 | ...). */
function swapBytes(x: number): number {
  return ((x & 0xff) << 24) | ((x & 0xff00) << 8) | ((x >>> 8) & 0xff00) | (x >>> 24);
}

/**
 * The 256-bit seed of one stream, as 64 hex digits. JSON encoding keeps the triple
 * unambiguous (`("ab", 1, "c")` and `("a", 1, "bc")` differ); a hash of at least 128 bits
 * keeps collisions negligible (32-bit seeds collide across 100,000 replications with
 * probability 0.69).
 */
export function streamSeedKey(seed: string, replication: number, name: string): string {
  return sha256Hex(JSON.stringify([seed, replication, name]));
}

/**
 * JSON encodings of stream names, kept across replications (the names are the model's entities,
 * a bounded set): JSON.stringify([seed, i, name]) is the replication's prefix `["seed",i` and
 * `,` + this + `]`, byte for byte.
 */
const nameJson = new Map<string, string>();
const words = new Int32Array(8);

/**
 * The generator state of a stream: the first 128 bits of the SHA-256 of the triple's JSON, as
 * four little-endian int32s (digest bytes 0-3 are `a`, 4-7 `b`, and so on).
 */
function streamState(prefix: string, name: string): { a: number; b: number; c: number; d: number } {
  let json = nameJson.get(name);
  if (json === undefined) {
    json = JSON.stringify(name);
    if (nameJson.size < 100_000) nameJson.set(name, json);
  }
  sha256Words(`${prefix},${json}]`, words);
  const a = swapBytes(words[0]!);
  const b = swapBytes(words[1]!);
  const c = swapBytes(words[2]!);
  const d = swapBytes(words[3]!);
  // The all-zero state is a fixed point; it has probability 2^-128, but costs nothing to exclude.
  return { a, b, c, d: a | b | c | d ? d : 1 };
}

class SeededStream implements Stream {
  private readonly double: () => number;
  /** Second deviate of the last polar pair, returned by the next `normal()` call. */
  private spareNormal = 0;
  private hasSpareNormal = false;

  constructor(readonly name: string, state: { a: number; b: number; c: number; d: number }) {
    this.double = seedrandom.tychei('', { state: state as never }).double;
  }

  uniform(): number {
    // `double()` is a 53-bit uniform on [0, 1) (seedrandom even skips 0); 1 - it lies in (0, 1],
    // so -log(u) is finite and an exponential is not capped at 22 means as with 32 bits.
    return 1 - this.double();
  }

  normal(): number {
    if (this.hasSpareNormal) {
      this.hasSpareNormal = false;
      return this.spareNormal;
    }
    // Marsaglia's polar method: two deviates per accepted point of the unit disc
    // (acceptance pi/4), no trigonometric calls.
    let x: number;
    let y: number;
    let s: number;
    do {
      x = 2 * this.uniform() - 1;
      y = 2 * this.uniform() - 1;
      s = x * x + y * y;
    } while (s >= 1 || s === 0);
    const factor = Math.sqrt((-2 * Math.log(s)) / s);
    this.spareNormal = y * factor;
    this.hasSpareNormal = true;
    return x * factor;
  }
}

export class Streams {
  private readonly byName = new Map<string, Stream>();
  /** `["seed",replication` : the JSON of the triple up to the name. */
  private readonly prefix: string;

  constructor(readonly seed: string, readonly replication: number) {
    if (typeof seed !== 'string') {
      throw new TypeError(`stream seed must be a string, got ${String(seed)}`);
    }
    if (!Number.isSafeInteger(replication) || replication < 0) {
      throw new RangeError(`replication must be an integer >= 0, got ${String(replication)}`);
    }
    const pair = JSON.stringify([seed, replication]);
    this.prefix = pair.slice(0, -1);
  }

  /**
   * The stream called `name`, created on first request: seeding costs about a microsecond, so
   * entities that never draw cost nothing.
   */
  get(name: string): Stream {
    let stream = this.byName.get(name);
    if (stream === undefined) {
      stream = new SeededStream(name, streamState(this.prefix, name));
      this.byName.set(name, stream);
    }
    return stream;
  }
}
