// A FileSystem decorator for the fault-test job: dies at the injected kill points that sit inside
// file operations (mid-append, after a flush, after a create, after a commit rename, after a
// recovery truncate). Everything else goes straight to the wrapped file system.
import type { Readable } from 'node:stream';
import type { CreateOptions, DeleteOptions, FileOutput, FileStatus, FileSystem, OpenOptions } from '../../src/index.js';
import { die, isKillDue, killPoint } from './kill-switch.js';

class KillableOutput implements FileOutput {
  constructor(private readonly inner: FileOutput) {}

  get path(): string {
    return this.inner.path;
  }
  get position(): number {
    return this.inner.position;
  }
  get durableLength(): number {
    return this.inner.durableLength;
  }
  get closed(): boolean {
    return this.inner.closed;
  }

  async write(data: Uint8Array | string): Promise<void> {
    if (!isKillDue('fs.write-partial')) return this.inner.write(data);
    const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    await this.inner.write(bytes.subarray(0, Math.max(1, Math.floor(bytes.length / 2))));
    await this.inner.flush(); // half a record is durable in the in-progress file
    die('fs.write-partial');
  }

  async flush(): Promise<number> {
    const length = await this.inner.flush();
    killPoint('fs.flushed');
    return length;
  }

  close(): Promise<number> {
    return this.inner.close();
  }

  abort(): Promise<void> {
    return this.inner.abort();
  }
}

/** Wraps `inner`, adding the file-operation kill points. */
export class KillableFileSystem implements FileSystem {
  constructor(private readonly inner: FileSystem) {}

  get scheme(): string {
    return this.inner.scheme;
  }
  get supportsTruncate(): boolean {
    return this.inner.supportsTruncate;
  }

  async create(path: string, options?: CreateOptions): Promise<FileOutput> {
    const output = new KillableOutput(await this.inner.create(path, options));
    killPoint('fs.created');
    return output;
  }
  async append(path: string): Promise<FileOutput> {
    return new KillableOutput(await this.inner.append(path));
  }
  writeFile(
    path: string,
    data: Uint8Array | string | AsyncIterable<Uint8Array> | Readable,
    options?: CreateOptions,
  ): Promise<number> {
    return this.inner.writeFile(path, data, options);
  }
  readFile(path: string, options?: OpenOptions): Promise<Uint8Array> {
    return this.inner.readFile(path, options);
  }
  open(path: string, options?: OpenOptions): Promise<Readable> {
    return this.inner.open(path, options);
  }
  async rename(source: string, target: string): Promise<void> {
    await this.inner.rename(source, target);
    killPoint('fs.renamed');
  }
  delete(path: string, options?: DeleteOptions): Promise<boolean> {
    return this.inner.delete(path, options);
  }
  mkdirs(path: string): Promise<void> {
    return this.inner.mkdirs(path);
  }
  list(path: string): Promise<FileStatus[]> {
    return this.inner.list(path);
  }
  status(path: string): Promise<FileStatus> {
    return this.inner.status(path);
  }
  exists(path: string): Promise<boolean> {
    return this.inner.exists(path);
  }
  async truncate(path: string, length: number): Promise<void> {
    await this.inner.truncate(path, length);
    killPoint('fs.truncated');
  }
  close(): Promise<void> {
    return this.inner.close();
  }
}
