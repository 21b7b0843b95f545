import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { TESTKIT_ERROR_CODES, TestkitError } from '../errors.js';
import { jdkToolMissing } from '../internal/java.js';
import { runCommand } from '../internal/run-command.js';

/** Options of {@link generateBrokerKeystore}. */
export interface BrokerKeystoreOptions {
  keytool: string;
  /** Folder the CA and broker stores are written to. */
  dir: string;
  password: string;
}

/** What {@link generateBrokerKeystore} produces. */
export interface BrokerKeystore {
  /** PKCS12 store holding the broker key, its certificate (signed by the CA) and the CA. */
  keystorePath: string;
  /** The self-signed CA certificate, PEM, for clients to trust. */
  caPem: string;
}

/** Where {@link generateBrokerKeystore} writes the broker's PKCS12 store in `dir`. */
export function brokerKeystorePath(dir: string): string {
  return join(dir, 'broker.p12');
}

/**
 * Generates, with the JDK's `keytool`, a throw-away CA and a broker certificate for
 * `127.0.0.1`/`localhost` signed by it. Valid for 2 days; regenerated at every start.
 */
export async function generateBrokerKeystore(
  options: BrokerKeystoreOptions,
): Promise<BrokerKeystore> {
  const { dir, password } = options;
  const ca = join(dir, 'ca.p12');
  const caPem = join(dir, 'ca.pem');
  const keystore = brokerKeystorePath(dir);
  const csr = join(dir, 'broker.csr');
  const crt = join(dir, 'broker.pem');
  const chain = join(dir, 'broker-chain.pem');
  const common = ['-storetype', 'PKCS12', '-storepass', password, '-keypass', password];
  const keytool = (args: string[]): Promise<void> =>
    runKeytool(options.keytool, [...args, ...common]);
  /** An RSA 2048 key pair valid for 2 days, with the extensions in `ext` (`-ext` each). */
  const genKeyPair = (key: { alias: string; dname: string; keystore: string; ext?: string[] }): Promise<void> =>
    keytool([
      '-genkeypair',
      '-alias',
      key.alias,
      '-keyalg',
      'RSA',
      '-keysize',
      '2048',
      '-validity',
      '2',
      '-dname',
      key.dname,
      ...(key.ext ?? []).flatMap((ext) => ['-ext', ext]),
      '-keystore',
      key.keystore,
    ]);
  // Six keytool runs (a JVM start each) in four steps; independent ones run side by side.
  await Promise.all([
    genKeyPair({ alias: 'ca', dname: 'CN=sluice-testkit-ca', ext: ['bc:c'], keystore: ca }),
    genKeyPair({ alias: 'broker', dname: 'CN=localhost', keystore }),
  ]);
  await Promise.all([
    keytool(['-exportcert', '-rfc', '-alias', 'ca', '-keystore', ca, '-file', caPem]),
    keytool(['-certreq', '-alias', 'broker', '-keystore', keystore, '-file', csr]),
  ]);
  await keytool([
    '-gencert',
    '-alias',
    'ca',
    '-keystore',
    ca,
    '-infile',
    csr,
    '-outfile',
    crt,
    '-rfc',
    '-validity',
    '2',
    '-ext',
    'SAN=ip:127.0.0.1,dns:localhost',
    '-ext',
    'KU=digitalSignature,keyEncipherment',
    '-ext',
    'EKU=serverAuth',
  ]);
  const caText = readFileSync(caPem, 'utf8');
  // The reply carries the whole chain (broker, then CA), so the CA needs no separate import.
  writeFileSync(chain, `${readFileSync(crt, 'utf8').trim()}\n${caText.trim()}\n`);
  await keytool([
    '-importcert',
    '-noprompt',
    '-alias',
    'broker',
    '-file',
    chain,
    '-keystore',
    keystore,
  ]);
  return { keystorePath: keystore, caPem: caText };
}

async function runKeytool(keytool: string, args: string[]): Promise<void> {
  let result;
  try {
    result = await runCommand({
      command: keytool,
      args: ['-J-XX:TieredStopAtLevel=1', '-J-XX:+UseSerialGC', ...args],
      timeoutMs: 60_000,
    });
  } catch (error) {
    throw jdkToolMissing(keytool, error);
  }
  if (result.code !== 0) {
    throw new TestkitError(
      `keytool ${args[0] ?? ''} failed (exit ${String(result.code)}) while generating the broker's TLS certificate:\n` +
        `${result.stdout}${result.stderr}`.trim(),
      { code: TESTKIT_ERROR_CODES.COMMAND_FAILED },
    );
  }
}
