/**
 * SHA-256 (FIPS 180-4) of a string's UTF-8 bytes, for seeding random streams (rng.ts).
 *
 * Why not node:crypto: a replication of a facility study creates about 40 streams, and
 * `crypto.hash` (OpenSSL 3) does not scale across worker threads: measured on this machine, two
 * threads hashing at once each ran 1.45-1.6x slower than one alone, which cost the worker pool
 * several percent of its speed-up. Why not a library: the maintained pure-JS implementation
 * (@noble/hashes 1.8) took 2.2 microseconds per short message against 0.3 for OpenSSL, because it
 * allocates per call. This one reuses its buffers (no allocation per call) and hashes a short
 * message in about the time OpenSSL takes. test/sha256.test.ts checks it against node:crypto.
 */

const K = Int32Array.from([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3,
  0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
  0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
  0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
]);

const INITIAL = Int32Array.from([0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19]);

const encoder = new TextEncoder();
/** The padded message (grown on demand, kept between calls). */
let bytes = new Uint8Array(256);
const W = new Int32Array(64);

/** Writes the UTF-8 bytes of `text` to `bytes` (grown as needed); returns their count. */
function encode(text: string): number {
  const n = text.length;
  // At most 3 bytes per UTF-16 unit, plus padding (1 + 8 bytes, up to 63 of zeros).
  if (bytes.length < 3 * n + 72) bytes = new Uint8Array(2 * (3 * n + 72));
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0x80) return encoder.encodeInto(text, bytes).written;
    bytes[i] = c;
  }
  return n;
}

/** One 64-byte block at `at` of `bytes` into the hash state `h`. */
function compress(h: Int32Array, at: number): void {
  for (let t = 0; t < 16; t++) {
    const i = at + 4 * t;
    W[t] = (bytes[i]! << 24) | (bytes[i + 1]! << 16) | (bytes[i + 2]! << 8) | bytes[i + 3]!;
  }
  for (let t = 16; t < 64; t++) {
    const x = W[t - 15]!;
    const y = W[t - 2]!;
    const s0 = ((x >>> 7) | (x << 25)) ^ ((x >>> 18) | (x << 14)) ^ (x >>> 3);
    const s1 = ((y >>> 17) | (y << 15)) ^ ((y >>> 19) | (y << 13)) ^ (y >>> 10);
    W[t] = (W[t - 16]! + s0 + W[t - 7]! + s1) | 0;
  }
  let a = h[0]!;
  let b = h[1]!;
  let c = h[2]!;
  let d = h[3]!;
  let e = h[4]!;
  let f = h[5]!;
  let g = h[6]!;
  let k = h[7]!;
  for (let t = 0; t < 64; t++) {
    const S1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
    const ch = (e & f) ^ (~e & g);
    const t1 = (k + S1 + ch + K[t]! + W[t]!) | 0;
    const S0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
    const maj = (a & b) ^ (a & c) ^ (b & c);
    const t2 = (S0 + maj) | 0;
    k = g;
    g = f;
    f = e;
    e = (d + t1) | 0;
    d = c;
    c = b;
    b = a;
    a = (t1 + t2) | 0;
  }
  h[0] = (h[0]! + a) | 0;
  h[1] = (h[1]! + b) | 0;
  h[2] = (h[2]! + c) | 0;
  h[3] = (h[3]! + d) | 0;
  h[4] = (h[4]! + e) | 0;
  h[5] = (h[5]! + f) | 0;
  h[6] = (h[6]! + g) | 0;
  h[7] = (h[7]! + k) | 0;
}

/**
 * Writes the SHA-256 of the UTF-8 encoding of `text` to `out` as eight big-endian 32-bit words
 * (word 0 holds digest bytes 0-3, byte 0 in its top bits), as signed int32.
 */
export function sha256Words(text: string, out: Int32Array): void {
  const length = encode(text);
  // Padding: 0x80, zeros up to 56 mod 64, then the length in bits as a 64-bit big-endian number.
  const blocks = ((length + 8) >>> 6) + 1;
  const end = blocks * 64;
  bytes[length] = 0x80;
  bytes.fill(0, length + 1, end - 8);
  const bits = length * 8;
  const high = Math.floor(bits / 0x100000000);
  bytes[end - 8] = high >>> 24;
  bytes[end - 7] = high >>> 16;
  bytes[end - 6] = high >>> 8;
  bytes[end - 5] = high;
  bytes[end - 4] = bits >>> 24;
  bytes[end - 3] = bits >>> 16;
  bytes[end - 2] = bits >>> 8;
  bytes[end - 1] = bits;
  out.set(INITIAL);
  for (let block = 0; block < blocks; block++) compress(out, block * 64);
}

/** SHA-256 of the UTF-8 encoding of `text` as 64 lowercase hex digits. */
export function sha256Hex(text: string): string {
  const words = new Int32Array(8);
  sha256Words(text, words);
  let hex = '';
  for (let i = 0; i < 8; i++) hex += (words[i]! >>> 0).toString(16).padStart(8, '0');
  return hex;
}
