/**
 * Errors crossing a thread boundary. Structured cloning keeps an error's message but drops its
 * class and own fields, so a task thread's error travels as plain data (name, message, stack,
 * the {@link SluiceError} code, `retriable` and place, and its cause chain) and comes back as a
 * `SluiceError` with the same code, place and `name`.
 */
import { SluiceError, isSluiceError } from '../../errors.js';
import type { ErrorPlace } from '../../errors.js';

/** An error as plain, structured-cloneable data. */
export interface ErrorData {
  readonly name: string;
  readonly message: string;
  readonly stack: string | undefined;
  /** Set for errors that carried a `code` (every `SluiceError`, and kafkajs/Node errors with one). */
  readonly code?: string;
  readonly retriable?: boolean;
  readonly place?: ErrorPlace;
  readonly cause?: ErrorData;
}

const PLACE_KEYS = ['topic', 'partition', 'offset', 'path', 'option', 'checkpointId', 'operator', 'subtask'] as const;

/** How deep a cause chain is copied. */
const MAX_CAUSES = 8;

/** The error (or thrown value) as {@link ErrorData}. */
export function errorToData(error: unknown, depth = 0): ErrorData {
  if (!(error instanceof Error) && !isSluiceError(error)) {
    return { name: 'Error', message: String(error), stack: undefined };
  }
  const record = error as Error & Record<string, unknown>;
  const place: Record<string, unknown> = {};
  for (const key of PLACE_KEYS) if (record[key] !== undefined) place[key] = record[key];
  const code = typeof record.code === 'string' ? record.code : undefined;
  return {
    name: error.name,
    message: error.message,
    stack: error.stack,
    ...(code === undefined ? {} : { code }),
    ...(typeof record.retriable === 'boolean' ? { retriable: record.retriable } : {}),
    ...(Object.keys(place).length > 0 ? { place: place as ErrorPlace } : {}),
    ...(error.cause !== undefined && depth < MAX_CAUSES ? { cause: errorToData(error.cause, depth + 1) } : {}),
  };
}

/** An error rebuilt from {@link ErrorData}: a `SluiceError` when it had a code, else an `Error`. */
export function errorFromData(data: ErrorData): Error {
  const cause = data.cause === undefined ? undefined : errorFromData(data.cause);
  const error =
    data.code === undefined
      ? new Error(data.message, cause === undefined ? undefined : { cause })
      : new SluiceError(data.message, {
          ...data.place,
          code: data.code,
          ...(data.retriable === undefined ? {} : { retriable: data.retriable }),
          ...(cause === undefined ? {} : { cause }),
        });
  Object.defineProperty(error, 'name', { value: data.name, writable: true, configurable: true });
  if (data.stack !== undefined) Object.defineProperty(error, 'stack', { value: data.stack, writable: true, configurable: true });
  return error;
}
