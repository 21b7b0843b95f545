/**
 * Structured logging with pino: one JSON object per line (or a short human-readable line), and
 * child loggers that carry the job / operator / subtask of a function.
 */
import { pino } from 'pino';
import type { DestinationStream, Logger } from 'pino';
import type { RuntimeContext } from '@sluice/core';

/** The logging calls the monitoring server makes; a pino logger satisfies it. */
export interface MonitoringLogger {
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
  error(fields: object, message: string): void;
}

/** Options of {@link createLogger}. */
export interface LoggerOptions {
  /**
   * Lowest level written: `trace`, `debug`, `info`, `warn`, `error`, `fatal` or `silent`.
   * @defaultValue `'info'`, or `$SLUICE_LOG_LEVEL` when set
   */
  readonly level?: string;
  /**
   * One JSON object per line (for log shippers). `false` writes
   * `HH:MM:SS.mmm LEVEL message key=value …` instead.
   * @defaultValue true
   */
  readonly json?: boolean;
  /**
   * Where lines go (anything with `write(line)`).
   * @defaultValue standard output
   */
  readonly destination?: { write(line: string): unknown };
  /**
   * Fields on every line, e.g. `{ service: 'orders-job' }`.
   * @defaultValue none
   */
  readonly base?: Record<string, unknown>;
}

const LEVEL_NAMES: Record<number, string> = {
  10: 'TRACE',
  20: 'DEBUG',
  30: 'INFO',
  40: 'WARN',
  50: 'ERROR',
  60: 'FATAL',
};

/** Formats pino's JSON lines as short text lines. */
function textDestination(out: { write(line: string): unknown }): DestinationStream {
  return {
    write(line: string): void {
      let record: Record<string, unknown>;
      try {
        record = JSON.parse(line) as Record<string, unknown>;
      } catch {
        out.write(line);
        return;
      }
      const { time, level, msg, ...rest } = record;
      const at = typeof time === 'number' ? new Date(time).toISOString().slice(11, 23) : '';
      const fields = Object.entries(rest)
        .map(
          ([key, value]) => `${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`,
        )
        .join(' ');
      const name = LEVEL_NAMES[level as number] ?? String(level);
      out.write(`${at} ${name} ${String(msg ?? '')}${fields === '' ? '' : ` ${fields}`}\n`);
    },
  };
}

/**
 * Creates a pino logger. `err` fields are serialized with message, code and stack; the keys
 * `token`, `authorization` and `*.token` are redacted.
 */
export function createLogger(options: LoggerOptions = {}): Logger {
  const level = options.level ?? process.env['SLUICE_LOG_LEVEL'] ?? 'info';
  const out = options.destination ?? process.stdout;
  const destination: DestinationStream =
    options.json === false
      ? textDestination(out)
      : { write: (line: string) => void out.write(line) };
  return pino(
    {
      level,
      base: options.base ?? null,
      redact: {
        paths: ['token', 'authorization', '*.token', '*.authorization'],
        censor: '[redacted]',
      },
      serializers: { err: pino.stdSerializers.err },
    },
    destination,
  );
}

/**
 * A child logger for one function subtask: every line carries `job`, `jobId`, `operator` (the
 * uid), `operatorName` and `subtask`. Call it in `open(context)`.
 */
export function subtaskLogger(logger: Logger, context: RuntimeContext): Logger {
  return logger.child({
    job: context.jobName,
    jobId: context.jobId,
    operator: context.operatorUid,
    operatorName: context.operatorName,
    subtask: context.subtaskIndex,
  });
}
