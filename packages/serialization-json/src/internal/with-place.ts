import type { ErrorPlace } from '@sluice/core';
import { JsonSerdeError } from '../errors.js';

/** The same error with the record's place (topic/partition/offset) added. */
export function withPlace(error: unknown, place: ErrorPlace): unknown {
  if (!(error instanceof JsonSerdeError)) return error;
  const where = `topic ${place.topic ?? '?'}, partition ${String(place.partition ?? '?')}, offset ${String(place.offset ?? '?')}`;
  return new JsonSerdeError(`${error.message} (${where})`, {
    code: error.code,
    ...place,
    ...(error.field === undefined ? {} : { field: error.field }),
    ...(error.expected === undefined ? {} : { expected: error.expected }),
    ...(error.found === undefined ? {} : { found: error.found }),
    ...(error.cause === undefined ? {} : { cause: error.cause }),
  });
}
