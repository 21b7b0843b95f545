// Diagnostic trace (SLUICE_KAFKA_TRACE=<file>): one line per checkpoint-protocol step, with pid.
import { appendFileSync } from 'node:fs';

const file = process.env['SLUICE_KAFKA_TRACE'];

/** Appends `pid event json` to the trace file when SLUICE_KAFKA_TRACE is set. */
export function trace(event: string, detail: unknown): void {
  if (file === undefined || file === '') return;
  appendFileSync(file, `${Date.now()} ${process.pid} ${event} ${JSON.stringify(detail)}\n`);
}
