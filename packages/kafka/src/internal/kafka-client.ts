/**
 * Connection options shared by the source and the sink, and the one place that turns them into a
 * kafkajs client. kafkajs's own option types never appear in the public API.
 */
import type { Kafka, KafkaConfig, SASLOptions } from 'kafkajs';
import { kafkajs } from './kafkajs.js';
import { invalidOption } from '../errors.js';
import type { KafkaLogger } from './logger.js';

/** SASL credentials. The password never appears in errors, logs or metrics. */
export interface KafkaSaslOptions {
  /** SASL mechanism. */
  readonly mechanism: 'plain' | 'scram-sha-256' | 'scram-sha-512';
  readonly username: string;
  readonly password: string;
}

/** TLS settings (Node's `tls.connect` options that matter here). */
export interface KafkaTlsOptions {
  /** PEM CA certificate(s) to trust. @defaultValue Node's default CAs */
  readonly ca?: string | readonly string[];
  /** PEM client certificate (mutual TLS). @defaultValue none */
  readonly cert?: string;
  /** PEM client key (mutual TLS). @defaultValue none */
  readonly key?: string;
  /** Reject servers whose certificate does not verify. @defaultValue true */
  readonly rejectUnauthorized?: boolean;
  /** Server name for SNI and verification. @defaultValue the broker host */
  readonly servername?: string;
}

/** How to connect to the brokers. */
export interface KafkaConnectionOptions {
  /** `host:port` of one or more brokers (Kafka's `bootstrap.servers`). Required. */
  readonly bootstrapServers: readonly string[];
  /** Client id sent to the brokers. @defaultValue `'sluice'` */
  readonly clientId?: string;
  /** TLS: `true` for defaults, or options. @defaultValue false (plaintext) */
  readonly tls?: boolean | KafkaTlsOptions;
  /** SASL authentication. @defaultValue none */
  readonly sasl?: KafkaSaslOptions;
  /** Time to open a connection, ms. @defaultValue 3000 */
  readonly connectionTimeoutMs?: number;
  /** Time for one request, ms. @defaultValue 30000 */
  readonly requestTimeoutMs?: number;
}

const HOST_PORT = /^[^\s:]+:\d{1,5}$|^\[[0-9a-fA-F:.]+\]:\d{1,5}$/;

/** Validates connection options; errors name the option. */
export function validateConnectionOptions(options: KafkaConnectionOptions): void {
  if (options.bootstrapServers.length === 0) {
    throw invalidOption('bootstrapServers', 'bootstrapServers is required: give at least one broker as host:port.');
  }
  for (const server of options.bootstrapServers) {
    if (!HOST_PORT.test(server)) {
      throw invalidOption('bootstrapServers', `bootstrapServers entry "${server}" is not host:port.`);
    }
  }
  for (const [name, value] of [
    ['connectionTimeoutMs', options.connectionTimeoutMs],
    ['requestTimeoutMs', options.requestTimeoutMs],
  ] as const) {
    if (value !== undefined && !(Number.isInteger(value) && value > 0)) {
      throw invalidOption(name, `${name} is ${value}; it must be a positive integer of ms.`);
    }
  }
  const sasl = options.sasl;
  if (sasl !== undefined) {
    if (!['plain', 'scram-sha-256', 'scram-sha-512'].includes(sasl.mechanism)) {
      throw invalidOption('sasl.mechanism', `sasl.mechanism "${String(sasl.mechanism)}" is not one of plain, scram-sha-256, scram-sha-512.`);
    }
    if (sasl.username === '') throw invalidOption('sasl.username', 'sasl.username must not be empty.');
  }
}

function saslOptions(sasl: KafkaSaslOptions): SASLOptions {
  return { mechanism: sasl.mechanism, username: sasl.username, password: sasl.password } as SASLOptions;
}

/** A kafkajs client for `options`; kafkajs errors are routed to `logger.warn`, nothing to the console. */
export function createKafkaJsClient(options: KafkaConnectionOptions, logger: KafkaLogger): Kafka {
  const config: KafkaConfig = {
    clientId: options.clientId ?? 'sluice',
    brokers: [...options.bootstrapServers],
    connectionTimeout: options.connectionTimeoutMs ?? 3000,
    requestTimeout: options.requestTimeoutMs ?? 30_000,
    logLevel: kafkajs.logLevel.ERROR,
    logCreator: () => (entry) => {
      logger.warn(`kafkajs ${entry.namespace}: ${entry.log.message}`);
    },
  };
  if (options.tls !== undefined && options.tls !== false) {
    const tls = options.tls === true ? {} : options.tls;
    config.ssl = {
      ...(tls.ca === undefined ? {} : { ca: typeof tls.ca === 'string' ? [tls.ca] : [...tls.ca] }),
      ...(tls.cert === undefined ? {} : { cert: tls.cert }),
      ...(tls.key === undefined ? {} : { key: tls.key }),
      ...(tls.rejectUnauthorized === undefined ? {} : { rejectUnauthorized: tls.rejectUnauthorized }),
      ...(tls.servername === undefined ? {} : { servername: tls.servername }),
    };
  }
  if (options.sasl !== undefined) config.sasl = saslOptions(options.sasl);
  return new kafkajs.Kafka(config);
}
