/** Fixed-size bit sets over selector (or constraint) indices, as Uint32Array words. */
export type Bits = Uint32Array;

export const newBits = (n: number): Bits => new Uint32Array((n + 31) >>> 5);
export const setBit = (b: Bits, i: number): void => {
  b[i >>> 5] = (b[i >>> 5] as number) | (1 << (i & 31));
};
export const hasBit = (b: Bits, i: number): boolean => (((b[i >>> 5] as number) >>> (i & 31)) & 1) === 1;
export const isEmpty = (b: Bits): boolean => {
  for (let i = 0; i < b.length; i++) if (b[i] !== 0) return false;
  return true;
};
/** A Map key naming the set of this size. */
export type BitsKey = number | string;

/**
 * A number for sets of up to 32, and of up to 53 when the high word is small (exact in a double:
 * no string to build and hash), else a string of two 16-bit characters per word (cheaper to build
 * than decimal text). Keys of one Map are of sets of one size, so the two kinds never meet.
 */
export const bitsKey = (b: Bits): BitsKey => {
  if (b.length === 1) return b[0] as number;
  if (b.length === 2 && (b[1] as number) < 0x200000) return (b[0] as number) + (b[1] as number) * 0x100000000;
  let key = '';
  for (let i = 0; i < b.length; i++) {
    const w = b[i] as number;
    key += String.fromCharCode(w & 0xffff, w >>> 16);
  }
  return key;
};
export const isSubset = (a: Bits, b: Bits): boolean => {
  for (let i = 0; i < a.length; i++) if (((a[i] as number) & ~(b[i] as number)) !== 0) return false;
  return true;
};
export const andNot = (a: Bits, b: Bits): Bits => {
  const out = new Uint32Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = (a[i] as number) & ~(b[i] as number);
  return out;
};
export const or = (a: Bits, b: Bits): Bits => {
  const out = new Uint32Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = (a[i] as number) | (b[i] as number);
  return out;
};
export const popAnd = (a: Bits, b: Bits): number => {
  let n = 0;
  for (let i = 0; i < a.length; i++) {
    let w = (a[i] as number) & (b[i] as number);
    while (w !== 0) {
      w &= w - 1;
      n++;
    }
  }
  return n;
};
export const popcount = (b: Bits): number => {
  let n = 0;
  for (let i = 0; i < b.length; i++) {
    let w = b[i] as number;
    while (w !== 0) {
      w &= w - 1;
      n++;
    }
  }
  return n;
};
