/**
 * Types of `crc-32`'s CRC-32C module (the package types only its CRC-32 entry point; the two
 * modules have the same functions).
 */
declare module 'crc-32/crc32c.js' {
  /** CRC-32C of the bytes, as a signed 32-bit number (`>>> 0` makes it unsigned). */
  export function buf(data: number[] | Uint8Array, seed?: number): number;
}
