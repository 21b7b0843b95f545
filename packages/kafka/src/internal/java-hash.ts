/**
 * Java's `String.hashCode`: `h = 31 * h + c` over the UTF-16 code units, with int32 wraparound
 * (reference §0). JavaScript strings are UTF-16 too, so `charCodeAt` gives Java's `char`s.
 */
export function javaStringHashCode(value: string): number {
  let hash = 0;
  for (let i = 0; i < value.length; i += 1) {
    hash = (Math.imul(31, hash) + value.charCodeAt(i)) | 0;
  }
  return hash;
}
