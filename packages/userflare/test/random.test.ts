import { describe, expect, it } from 'vitest';
import { newId, randomBytesFromPool } from '../src/random.js';

describe('pooled randomness', () => {
  it('hands out ids of 32 hex characters, never the same one, across many pool refills', () => {
    const ids = new Set<string>();
    for (let i = 0; i < 20_000; i++) {
      const id = newId();
      expect(id).toMatch(/^[0-9a-f]{32}$/);
      ids.add(id);
    }
    expect(ids.size).toBe(20_000);
  });

  it('gives each caller bytes of its own, not a view that the next draw overwrites', () => {
    const first = randomBytesFromPool(64);
    const copy = Buffer.from(first);
    for (let i = 0; i < 200; i++) randomBytesFromPool(64);
    expect(first.equals(copy)).toBe(true);
  });

  it('serves sizes larger than the pool, and every byte value appears', () => {
    const large = randomBytesFromPool(10_000);
    expect(large).toHaveLength(10_000);
    expect(new Set(large).size).toBe(256);
    expect(randomBytesFromPool(0)).toHaveLength(0);
  });
});
