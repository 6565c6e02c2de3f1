/**
 * sim/sha256.ts against node:crypto (OpenSSL): every stream of every replication is seeded from
 * it, so one wrong bit anywhere would change every result. Deterministic: fixed inputs and a
 * fixed-seed generator of random strings.
 */
import { createHash } from 'node:crypto';
import seedrandom from 'seedrandom';
import { describe, expect, it } from 'vitest';
import { sha256Hex, sha256Words } from '../sim/sha256.js';

const reference = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

describe('sha256', () => {
  it('matches the FIPS 180-4 examples', () => {
    expect(sha256Hex('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(sha256Hex('')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(sha256Hex('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq')).toBe('248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1');
  });

  it('matches node:crypto at every length around the block and padding boundaries (0-300 bytes)', () => {
    for (let n = 0; n <= 300; n++) {
      const text = 'resim/'.repeat(60).slice(0, n);
      expect(sha256Hex(text), `length ${n}`).toBe(reference(text));
    }
  });

  it('matches node:crypto on random text with non-ASCII characters and surrogate pairs (UTF-8)', () => {
    const rng = seedrandom('sha256-test');
    const alphabet = ['a', 'Z', '"', '\\', ' ', '/', 'Ü', 'ж', '⚡', '😀', '\u0000', '\u007f', '\u0080', '\u07ff', '\u0800', '\uffff'];
    for (let k = 0; k < 2000; k++) {
      const length = Math.floor(rng() * 90);
      let text = '';
      for (let i = 0; i < length; i++) text += alphabet[Math.floor(rng() * alphabet.length)];
      expect(sha256Hex(text), JSON.stringify(text)).toBe(reference(text));
    }
    // A lone surrogate is encoded as U+FFFD by both.
    expect(sha256Hex('a\ud800b')).toBe(reference('a\ud800b'));
  });

  it('gives the same words after a long message (its buffers are reused, not stale)', () => {
    const words = new Int32Array(8);
    sha256Words('x'.repeat(10_000), words);
    const digest = Buffer.alloc(32);
    words.forEach((w, i) => digest.writeInt32BE(w, 4 * i));
    expect(digest.toString('hex')).toBe(reference('x'.repeat(10_000)));
    expect(sha256Hex('abc')).toBe(reference('abc'));
  });
});
