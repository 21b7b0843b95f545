import { describe, expect, it } from 'vitest';
import type { RuntimeContext } from '@sluice/core';
import { createLogger, subtaskLogger } from './logger.js';

function sink(): { lines: string[]; destination: { write(line: string): void } } {
  const lines: string[] = [];
  return { lines, destination: { write: (line: string) => void lines.push(line) } };
}

const context = {
  jobName: 'orders',
  jobId: 'run-1',
  operatorUid: 'kafka-source',
  operatorName: 'Kafka',
  subtaskIndex: 2,
} as RuntimeContext;

describe('createLogger', () => {
  it('writes JSON lines with job, operator and subtask fields from subtaskLogger', () => {
    const { lines, destination } = sink();
    subtaskLogger(createLogger({ destination }), context).info({ offset: 5 }, 'committed');
    const entry = JSON.parse(lines[0] as string);
    expect(entry).toMatchObject({
      level: 30,
      msg: 'committed',
      job: 'orders',
      jobId: 'run-1',
      operator: 'kafka-source',
      operatorName: 'Kafka',
      subtask: 2,
      offset: 5,
    });
  });

  it('redacts tokens and honours the level', () => {
    const { lines, destination } = sink();
    const logger = createLogger({ destination, level: 'warn' });
    logger.info('hidden');
    logger.warn({ token: 'secret-value', request: { authorization: 'Bearer x' } }, 'shown');
    expect(lines).toHaveLength(1);
    expect(lines[0]).not.toContain('secret-value');
    expect(lines[0]).not.toContain('Bearer x');
  });

  it('writes short text lines when json is false', () => {
    const { lines, destination } = sink();
    createLogger({ destination, json: false }).warn({ port: 9249 }, 'listening');
    expect(lines[0]).toMatch(/^\d\d:\d\d:\d\d\.\d{3} WARN listening port=9249\n$/);
  });
});
