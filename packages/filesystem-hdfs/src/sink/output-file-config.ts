/**
 * Part-file naming of the FileSink (Flink's `OutputFileConfig`): finished parts are
 * `<prefix>-<subtask>-<counter><suffix>`; in-progress data lives in the hidden file
 * `.<prefix>-<subtask>-<counter><suffix>.inprogress.<uuid>`, which readers skip.
 */
import { randomUUID } from 'node:crypto';
import { ConfigError } from '@sluice/core';

/** Options of {@link OutputFileConfig}. */
export interface OutputFileConfigOptions {
  /**
   * First part of every part-file name.
   * @defaultValue `'part'`
   */
  readonly partPrefix?: string;
  /**
   * Last part of every finished part-file name, e.g. `'.avro'` or `'.jsonl'`.
   * @defaultValue `''`
   */
  readonly partSuffix?: string;
}

/** The numbers a part-file name carries. */
export interface PartFileName {
  /** Index of the subtask that wrote the part. */
  readonly subtask: number;
  /** Per-subtask part counter. */
  readonly counter: number;
}

// Characters a name part may hold: no separators, no control characters, nothing HDFS refuses.
// eslint-disable-next-line no-control-regex
const FORBIDDEN = /[/\\:\u0000-\u001f\u007f]/;

function checkPart(option: string, value: string, allowEmpty: boolean): string {
  if (typeof value !== 'string' || (!allowEmpty && value === '') || FORBIDDEN.test(value) || value === '.' || value === '..') {
    throw new ConfigError(
      `${option} ${JSON.stringify(value)} is not usable in a file name: it must be ${allowEmpty ? '' : 'non-empty and '}free of "/", "\\", ":" and control characters.`,
      { option },
    );
  }
  return value;
}

function nonNegativeInteger(what: string, value: number): void {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new RangeError(`${what} must be a non-negative integer, got ${String(value)}`);
  }
}

/** How the FileSink names part files. */
export class OutputFileConfig {
  /** First part of every part-file name. */
  readonly partPrefix: string;
  /** Last part of every finished part-file name. */
  readonly partSuffix: string;

  /** Validates the options (`CONFIG_INVALID` naming the option). */
  constructor(options: OutputFileConfigOptions = {}) {
    this.partPrefix = checkPart('partPrefix', options.partPrefix ?? 'part', false);
    this.partSuffix = checkPart('partSuffix', options.partSuffix ?? '', true);
  }

  /** The finished name of part `counter` of `subtask`: `part-0-7` (plus the suffix). */
  partFileName(part: PartFileName): string {
    nonNegativeInteger('subtask', part.subtask);
    nonNegativeInteger('counter', part.counter);
    return `${this.partPrefix}-${part.subtask}-${part.counter}${this.partSuffix}`;
  }

  /**
   * The hidden in-progress name of a part: `.part-0-7.inprogress.<uuid>`. The random suffix makes
   * every attempt's file distinct, so a restarted job never appends to a file it did not record.
   */
  inProgressFileName(part: PartFileName, uuid: string = randomUUID()): string {
    return `.${this.partFileName(part)}.inprogress.${uuid}`;
  }

  /** Parses a finished part-file name of this config; `undefined` for any other name. */
  parsePartFileName(name: string): PartFileName | undefined {
    if (!name.startsWith(`${this.partPrefix}-`) || !name.endsWith(this.partSuffix)) return undefined;
    const middle = name.slice(this.partPrefix.length + 1, name.length - this.partSuffix.length);
    const match = /^(0|[1-9]\d*)-(0|[1-9]\d*)$/.exec(middle);
    if (match === null) return undefined;
    const subtask = Number(match[1]);
    const counter = Number(match[2]);
    if (!Number.isSafeInteger(subtask) || !Number.isSafeInteger(counter)) return undefined;
    return { subtask, counter };
  }

  /** Whether `name` is an in-progress file of this config (readers skip these). */
  isInProgressFileName(name: string): boolean {
    const i = name.lastIndexOf('.inprogress.');
    return name.startsWith('.') && i > 0 && this.parsePartFileName(name.slice(1, i)) !== undefined;
  }
}
