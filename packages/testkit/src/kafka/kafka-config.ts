import { randomBytes } from 'node:crypto';

/** The ports one broker listens on. */
export interface KafkaPorts {
  plaintext: number;
  controller: number;
  /** Present when security listeners are on. */
  saslPlaintext?: number;
  /** Present when security listeners are on. */
  ssl?: number;
}

/** What the security listeners need. */
export interface KafkaSecurityConfig {
  /** PKCS12 keystore with the broker key and certificate. */
  keystorePath: string;
  keystorePassword: string;
  /** The user accepted by SASL/PLAIN (SCRAM users are added at format time). */
  username: string;
  password: string;
}

/** Options of {@link renderServerProperties}. */
export interface ServerPropertiesOptions {
  ports: KafkaPorts;
  logDir: string;
  security?: KafkaSecurityConfig;
  /** Extra or replacing `server.properties` entries. */
  overrides?: Readonly<Record<string, string>>;
}

/** The SASL mechanisms the security listener enables. */
export const SASL_MECHANISMS = ['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512'] as const;

function escapeJaas(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"');
}

/** Escapes a value for a Java `.properties` file. */
export function escapeProperty(value: string): string {
  return value
    .replace(/\\/g, '\\\\')
    .replace(/\n/g, '\\n')
    .replace(/^\s/, (s) => `\\${s}`);
}

/** Renders a KRaft single-node (combined broker + controller) `server.properties`. */
export function renderServerProperties(options: ServerPropertiesOptions): string {
  const { ports, security } = options;
  const host = '127.0.0.1';
  const listeners = [
    `PLAINTEXT://${host}:${ports.plaintext}`,
    `CONTROLLER://${host}:${ports.controller}`,
  ];
  const advertised = [`PLAINTEXT://${host}:${ports.plaintext}`];
  const protocols = ['CONTROLLER:PLAINTEXT', 'PLAINTEXT:PLAINTEXT'];
  const props: Record<string, string> = {
    'process.roles': 'broker,controller',
    'node.id': '1',
    'controller.quorum.voters': `1@${host}:${ports.controller}`,
    'controller.listener.names': 'CONTROLLER',
    'inter.broker.listener.name': 'PLAINTEXT',
    'log.dirs': options.logDir,
    'num.partitions': '1',
    'default.replication.factor': '1',
    'offsets.topic.replication.factor': '1',
    'offsets.topic.num.partitions': '1',
    'transaction.state.log.replication.factor': '1',
    'transaction.state.log.num.partitions': '1',
    'transaction.state.log.min.isr': '1',
    'min.insync.replicas': '1',
    'transaction.max.timeout.ms': '3600000',
    'group.initial.rebalance.delay.ms': '0',
    'num.network.threads': '2',
    'num.io.threads': '4',
    'auto.create.topics.enable': 'true',
    'delete.topic.enable': 'true',
    'share.coordinator.state.topic.replication.factor': '1',
    'share.coordinator.state.topic.min.isr': '1',
  };
  if (security !== undefined && ports.saslPlaintext !== undefined && ports.ssl !== undefined) {
    listeners.push(`SASL_PLAINTEXT://${host}:${ports.saslPlaintext}`, `SSL://${host}:${ports.ssl}`);
    advertised.push(
      `SASL_PLAINTEXT://${host}:${ports.saslPlaintext}`,
      `SSL://${host}:${ports.ssl}`,
    );
    protocols.push('SASL_PLAINTEXT:SASL_PLAINTEXT', 'SSL:SSL');
    const user = escapeJaas(security.username);
    const password = escapeJaas(security.password);
    Object.assign(props, {
      'sasl.enabled.mechanisms': SASL_MECHANISMS.join(','),
      'listener.name.sasl_plaintext.plain.sasl.jaas.config': `org.apache.kafka.common.security.plain.PlainLoginModule required user_${user}="${password}";`,
      'listener.name.sasl_plaintext.scram-sha-256.sasl.jaas.config':
        'org.apache.kafka.common.security.scram.ScramLoginModule required;',
      'listener.name.sasl_plaintext.scram-sha-512.sasl.jaas.config':
        'org.apache.kafka.common.security.scram.ScramLoginModule required;',
      'ssl.keystore.type': 'PKCS12',
      'ssl.keystore.location': security.keystorePath,
      'ssl.keystore.password': security.keystorePassword,
      'ssl.key.password': security.keystorePassword,
      'ssl.client.auth': 'none',
      'ssl.endpoint.identification.algorithm': '',
    });
  }
  props['listeners'] = listeners.join(',');
  props['advertised.listeners'] = advertised.join(',');
  props['listener.security.protocol.map'] = protocols.join(',');
  Object.assign(props, options.overrides ?? {});
  const lines = ['# Written by @sluice/testkit; one KRaft node (broker + controller).'];
  for (const [key, value] of Object.entries(props)) lines.push(`${key}=${escapeProperty(value)}`);
  return `${lines.join('\n')}\n`;
}

function escapeXml(value: string): string {
  return value
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
}

/** A log4j2 configuration that sends the broker's log to one file. */
export function renderLog4j2Config(logFile: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<Configuration status="WARN">
  <Appenders>
    <File name="file" fileName="${escapeXml(logFile)}" append="true" immediateFlush="true">
      <PatternLayout pattern="[%d{ISO8601}] %p %m (%c)%n"/>
    </File>
  </Appenders>
  <Loggers>
    <Logger name="state.change.logger" level="WARN"/>
    <Logger name="kafka.request.logger" level="WARN"/>
    <Logger name="org.apache.kafka.controller" level="INFO"/>
    <Root level="INFO">
      <AppenderRef ref="file"/>
    </Root>
  </Loggers>
</Configuration>
`;
}

/**
 * A KRaft cluster id: base64url of 16 random bytes (22 characters). Ids starting with `-` are
 * drawn again, since StorageTool's argument parser takes them for an option.
 */
export function generateClusterId(random: (size: number) => Uint8Array = randomBytes): string {
  for (;;) {
    const id = Buffer.from(random(16)).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}

/** The `--add-scram` arguments of `StorageTool format` for one user and both SCRAM mechanisms. */
export function scramFormatArgs(username: string, password: string): string[] {
  return ['SCRAM-SHA-256', 'SCRAM-SHA-512'].flatMap((mechanism) => [
    '--add-scram',
    `${mechanism}=[name=${username},password=${password}]`,
  ]);
}
