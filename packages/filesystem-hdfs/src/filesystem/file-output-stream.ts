/**
 * A Node `Writable` over a {@link FileOutput}, for `pipeline(source, toWritable(out))`.
 */
import { Writable } from 'node:stream';
import type { FileOutput } from './file-system.js';

/** Options of {@link toWritable}. */
export interface ToWritableOptions {
  /**
   * Close the output when the stream ends (`final`); otherwise only flush it.
   * @defaultValue `true`
   */
  readonly closeOnFinish?: boolean;
}

/**
 * Wraps a {@link FileOutput} in a `Writable`: chunks go to `write()`, the end of the stream
 * flushes (and by default closes) it, and destroying the stream with an error aborts it.
 */
export function toWritable(output: FileOutput, options: ToWritableOptions = {}): Writable {
  const closeOnFinish = options.closeOnFinish ?? true;
  return new Writable({
    write(chunk: Buffer | string, _encoding, done) {
      output.write(chunk).then(() => done(), done);
    },
    final(done) {
      (closeOnFinish ? output.close() : output.flush()).then(() => done(), done);
    },
    destroy(error, done) {
      if (error === null || output.closed) {
        done(error);
        return;
      }
      output.abort().then(
        () => done(error),
        () => done(error),
      );
    },
  });
}
