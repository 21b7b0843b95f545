// The row part writer collects encoded text before writing it: its size counts the collected
// bytes, and persist/close make them durable (the length a checkpoint records).
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LocalFileSystem } from '../../local/local-file-system.js';
import { SimpleStringEncoder } from './encoder.js';
import type { Encoder } from './encoder.js';
import { rowPartWriters } from './part-writer.js';

let dir: string;
let fs: LocalFileSystem;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sluice-part-writer-'));
  fs = new LocalFileSystem({ root: dir });
});
afterEach(async () => {
  await fs.close();
  await rm(dir, { recursive: true, force: true });
});

describe('row part writer', () => {
  it('counts collected bytes in size and makes them durable on persist and close', async () => {
    const writer = await rowPartWriters(new SimpleStringEncoder<string>()).open(await fs.create('/part'));
    await writer.write('é');
    await writer.write('ab');
    expect(writer.size).toBe(6);
    expect(await writer.persist()).toBe(6);
    expect(await readFile(join(dir, 'part'), 'utf8')).toBe('é\nab\n');
    for (let i = 0; i < 5000; i += 1) await writer.write('0123456789');
    expect(await writer.closeForCommit()).toBe(6 + 5000 * 11);
    expect((await readFile(join(dir, 'part'), 'utf8')).length).toBe(5 + 5000 * 11);
  });

  it('measures collected text exactly when size is read, and hands it to the output per chunk', async () => {
    const writer = await rowPartWriters(new SimpleStringEncoder<string>()).open(await fs.create('/part'));
    await writer.write('é'); // 3 bytes with the newline
    expect(writer.size).toBe(3);
    await writer.write('€'); // 4 bytes
    await writer.write('a'); // 2 bytes
    expect(writer.size).toBe(9);
    expect(writer.outputPosition).toBe(0); // collected, not yet handed on
    let records = 0;
    while (writer.outputPosition === 0) {
      await writer.write('0123456789abcde'); // 16 bytes with the newline
      records += 1;
    }
    expect(writer.outputPosition).toBe(9 + records * 16);
    expect(writer.size).toBe(writer.outputPosition);
    expect(writer.outputPosition).toBeGreaterThanOrEqual(16 * 1024);
    expect(await writer.closeForCommit()).toBe(9 + records * 16);
  });

  it('keeps the order of text and binary elements', async () => {
    const mixed: Encoder<string> = {
      encode: (element) => (element.startsWith('b') ? new TextEncoder().encode(`${element}\n`) : `${element}\n`),
    };
    const writer = await rowPartWriters(mixed).open(await fs.create('/part'));
    for (const element of ['t1', 'b2', 't3', 'b4']) await writer.write(element);
    expect(await writer.closeForCommit()).toBe(12);
    expect(await readFile(join(dir, 'part'), 'utf8')).toBe('t1\nb2\nt3\nb4\n');
  });
});
