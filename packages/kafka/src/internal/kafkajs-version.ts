/**
 * Which kafkajs is installed, and the one version whose internals this package was written
 * against. A module of its own, importing nothing of the package: the kafkajs module replacements
 * need it while the rest of the package is still loading.
 *
 * Internal: not exported from the package.
 */
import { createRequire } from 'node:module';

/** The only kafkajs version whose internals were checked. */
export const SUPPORTED_KAFKAJS_VERSION = '2.2.4';

/** The installed kafkajs version. */
export function installedKafkaJsVersion(): string {
  const require = createRequire(import.meta.url);
  return (require('kafkajs/package.json') as { version: string }).version;
}
