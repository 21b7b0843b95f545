/** A small map that forgets its least recently used entry beyond `capacity`. */
export class LruCache<K, V> {
  private readonly map = new Map<K, V>();
  /** The most recently used key: getting it again needs no reordering (the common case in a stream). */
  private newest: K | undefined;
  constructor(private readonly capacity: number) {}

  get(key: K): V | undefined {
    const value = this.map.get(key);
    if (value !== undefined && key !== this.newest) {
      this.map.delete(key);
      this.map.set(key, value);
      this.newest = key;
    }
    return value;
  }

  set(key: K, value: V): void {
    this.map.delete(key);
    this.map.set(key, value);
    this.newest = key;
    while (this.map.size > this.capacity) {
      const oldest = this.map.keys().next();
      if (oldest.done === true) break;
      this.map.delete(oldest.value);
    }
  }

  delete(key: K): void {
    this.map.delete(key);
    if (key === this.newest) this.newest = undefined;
  }

  get size(): number {
    return this.map.size;
  }
}
