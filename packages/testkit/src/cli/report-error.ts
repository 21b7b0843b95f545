import { isTestkitError } from '../errors.js';

/** Writes `sluice-testkit: [<code>: ]<message>` to stderr; returns exit code 1. */
export function reportError(error: unknown): number {
  const code = isTestkitError(error) ? `${error.code}: ` : '';
  process.stderr.write(
    `sluice-testkit: ${code}${error instanceof Error ? error.message : String(error)}\n`,
  );
  return 1;
}
