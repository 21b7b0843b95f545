import { TESTKIT_ERROR_CODES, TestkitError } from '../errors.js';
import { resolveCacheDir } from '../internal/cache-dir.js';
import { findAdvertisedBrokers } from './advertised-brokers.js';

/**
 * The brokers for `produce`/`consume`: `--brokers`, else `SLUICE_KAFKA_BROKERS`, else the running
 * `sluice-testkit kafka`; throws `TESTKIT_NO_BROKERS` saying how to get one.
 */
export function resolveBrokers(flag: string | undefined): string[] {
  const listed = flag ?? process.env['SLUICE_KAFKA_BROKERS'];
  if (listed !== undefined && listed.trim() !== '') {
    return listed
      .split(',')
      .map((broker) => broker.trim())
      .filter((broker) => broker !== '');
  }
  const advertised = findAdvertisedBrokers(resolveCacheDir());
  if (advertised !== undefined) return [...advertised];
  throw new TestkitError(
    'No Kafka broker known. Start one in another terminal with `npx sluice-testkit kafka` (it stays ' +
      'up until Ctrl-C and is found automatically), or pass --brokers host:port, or set SLUICE_KAFKA_BROKERS.',
    { code: TESTKIT_ERROR_CODES.NO_BROKERS },
  );
}
