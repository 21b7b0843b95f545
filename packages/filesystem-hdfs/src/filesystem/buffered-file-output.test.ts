import { describe, expect, it } from 'vitest';
import { BufferedFileOutput } from './buffered-file-output.js';

/** Collects batches in memory; can be told to land only part of the next batch, then fail. */
class MemoryOutput extends BufferedFileOutput {
  readonly landed: Buffer[] = [];
  releases = 0;
  failAfter: number | undefined;

  protected async writeBatch(batch: Buffer): Promise<void> {
    const take = this.failAfter === undefined ? batch.length : Math.min(this.failAfter, batch.length);
    this.landed.push(batch.subarray(0, take));
    this.written += take;
    if (this.failAfter !== undefined) {
      this.failAfter = undefined;
      throw new Error('disk hiccup');
    }
  }

  protected async sync(): Promise<void> {
    this.durable = this.written;
  }

  protected override async release(): Promise<void> {
    this.releases += 1;
  }

  get contents(): string {
    return Buffer.concat(this.landed).toString('utf8');
  }
}

describe('BufferedFileOutput', () => {
  it('holds writes below the threshold and sends them as one batch on flush', async () => {
    const out = new MemoryOutput({ path: '/f', length: 0, bufferBytes: 100 });
    await out.write('ab');
    await out.write('cd');
    expect(out.landed).toHaveLength(0);
    expect(out.position).toBe(4);
    expect(await out.flush()).toBe(4);
    expect(out.landed.map(String)).toEqual(['abcd']);
  });

  it('sends a batch when the buffer passes its threshold', async () => {
    const out = new MemoryOutput({ path: '/f', length: 10, bufferBytes: 3 });
    await out.write('abcd');
    expect(out.contents).toBe('abcd');
    expect(out.position).toBe(14);
    expect(out.durableLength).toBe(10);
  });

  it('keeps the bytes that did not land, so a retried flush writes each byte once', async () => {
    const out = new MemoryOutput({ path: '/f', length: 0, bufferBytes: 100 });
    await out.write('hello world');
    out.failAfter = 5;
    await expect(out.flush()).rejects.toThrow('disk hiccup');
    expect(out.position).toBe(11);
    expect(await out.flush()).toBe(11);
    expect(out.contents).toBe('hello world');
  });

  it('refuses writes after close, with the path and what to do', async () => {
    const out = new MemoryOutput({ path: '/data/f', length: 0, bufferBytes: 100 });
    await out.write('x');
    expect(await out.close()).toBe(1);
    await expect(out.write('y')).rejects.toMatchObject({
      code: 'HDFS_OUTPUT_CLOSED',
      path: '/data/f',
      message: expect.stringContaining('append()'),
    });
  });

  it('releases once, whatever the order of close and abort', async () => {
    const out = new MemoryOutput({ path: '/f', length: 0, bufferBytes: 100 });
    await out.write('dropped');
    await out.abort();
    await out.close();
    await out.abort();
    expect(out.releases).toBe(1);
    expect(out.contents).toBe('');
  });
});
