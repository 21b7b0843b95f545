import type { Type } from 'avsc';
import { ConfigError } from '@sluice/core';

/**
 * How the registry subject is named (Confluent's subject name strategies):
 * `'topic'` → `<topic>-value` (or `-key`), `'record'` → the record's full name,
 * `'topic-record'` → `<topic>-<record full name>`.
 */
export type SubjectNameStrategy = 'topic' | 'record' | 'topic-record';

/** Options of {@link subjectName}. */
export interface SubjectNameOptions {
  readonly strategy: SubjectNameStrategy;
  readonly topic: string | undefined;
  readonly isKey: boolean;
}

/** The subject for a schema; `CONFIG_INVALID` when the strategy needs a topic or record that is missing. */
export function subjectName(type: Type, options: SubjectNameOptions): string {
  const needsTopic = options.strategy !== 'record';
  if (needsTopic && (options.topic === undefined || options.topic === '')) {
    throw new ConfigError(`Option topic is required by subjectNameStrategy '${options.strategy}'.`, { option: 'topic' });
  }
  const recordName = type.name;
  if (options.strategy !== 'topic' && (type.typeName !== 'record' || recordName === undefined)) {
    throw new ConfigError(
      `subjectNameStrategy '${options.strategy}' needs a named record schema, got ${type.typeName}.`,
      { option: 'subjectNameStrategy' },
    );
  }
  switch (options.strategy) {
    case 'topic':
      return `${options.topic ?? ''}-${options.isKey ? 'key' : 'value'}`;
    case 'record':
      return recordName ?? '';
    case 'topic-record':
      return `${options.topic ?? ''}-${recordName ?? ''}`;
    default:
      throw new ConfigError(
        `Option subjectNameStrategy must be 'topic', 'record' or 'topic-record', got ${String(options.strategy)}.`,
        { option: 'subjectNameStrategy' },
      );
  }
}
