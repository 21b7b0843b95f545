import { describe, expect, it } from 'vitest';
import { DataInput, DataOutput } from './data-view.js';

const bytesOf = (write: (out: DataOutput) => void): Uint8Array => {
  const out = new DataOutput(16);
  write(out);
  return out.toBytes();
};

describe('DataOutput', () => {
  it('writeLatin1Bytes writes what writeBytes writes for the bytes the string stands for', () => {
    for (const length of [0, 1, 9, 31, 200, 5000]) {
      const bytes = Uint8Array.from({ length }, (_, i) => (i * 37 + 11) % 256);
      const text = String.fromCharCode(...bytes);
      expect(bytesOf((out) => out.writeLatin1Bytes(text))).toEqual(bytesOf((out) => out.writeBytes(bytes)));
    }
  });

  it('writeBytesOf writes another output\'s bytes length-prefixed, short and long, and they read back', () => {
    for (const length of [0, 8, 32, 33, 4096]) {
      const source = new DataOutput(4);
      for (let i = 0; i < length; i += 1) source.writeUint8(i % 251);
      const written = bytesOf((out) => {
        out.writeUint8(7);
        out.writeBytesOf(source);
      });
      expect(written).toEqual(bytesOf((out) => {
        out.writeUint8(7);
        out.writeBytes(source.peek());
      }));
      const input = new DataInput(written);
      expect(input.readUint8()).toBe(7);
      expect(input.readBytes()).toEqual(source.toBytes());
    }
  });
});
