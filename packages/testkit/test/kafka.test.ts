// Integration tests against a real broker started by the testkit (one per file, security on).
import { randomBytes } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { Kafka, logLevel } from 'kafkajs';
import type { Consumer, KafkaConfig, SASLOptions } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  KAFKA_PROVIDE_KEY,
  TESTKIT_ERROR_CODES,
  injectKafka,
  isTestkitError,
  kafkaGlobalSetup,
  createKafkaTopic,
  startKafka,
} from '../src/index.js';
import type { KafkaServer } from '../src/index.js';
import { resolveCacheDir, runDirOf } from '../src/internal/cache-dir.js';
import { waitFor } from '../src/internal/wait-for.js';

let kafka: KafkaServer;

beforeAll(async () => {
  kafka = await startKafka({ security: true });
});

afterAll(async () => {
  await kafka?.stop();
});

function client(config: Partial<KafkaConfig> = {}): Kafka {
  return new Kafka({
    clientId: 'testkit-test',
    brokers: kafka.bootstrapServers,
    logLevel: logLevel.NOTHING,
    ...config,
  });
}

const unique = (prefix: string): string => `${prefix}-${randomBytes(4).toString('hex')}`;

async function createTopic(topic: string, config: Partial<KafkaConfig> = {}): Promise<void> {
  const admin = client(config).admin();
  await admin.connect();
  try {
    // Not waitForLeaders: right after creation Kafka 4 may answer metadata with
    // UNKNOWN_TOPIC_OR_PARTITION, which kafkajs' leader wait does not retry. Wait until the
    // partition is really hosted (ListOffsets answers) instead.
    await admin.createTopics({
      waitForLeaders: false,
      topics: [{ topic, numPartitions: 1, replicationFactor: 1 }],
    });
    await waitFor(async () => (await admin.fetchTopicOffsets(topic)).length === 1, {
      description: `topic ${topic} to be hosted`,
      timeoutMs: 30_000,
      intervalMs: 100,
    });
  } finally {
    await admin.disconnect();
  }
}

/** Consumes `topic` from the beginning until `until` holds for the values seen, or the deadline. */
async function consumeUntil(options: {
  topic: string;
  readUncommitted: boolean;
  until: (values: string[]) => boolean;
}): Promise<string[]> {
  const values: string[] = [];
  // A short fetch wait: disconnect() waits for the fetch in flight.
  const consumer: Consumer = client().consumer({
    groupId: unique('g'),
    readUncommitted: options.readUncommitted,
    maxWaitTimeInMs: 250,
  });
  await consumer.connect();
  try {
    await consumer.subscribe({ topic: options.topic, fromBeginning: true });
    await consumer.run({
      eachMessage: ({ message }) => {
        values.push(message.value?.toString('utf8') ?? '');
        return Promise.resolve();
      },
    });
    await waitFor(() => options.until(values), {
      description: `records on ${options.topic} (seen so far: ${JSON.stringify(values)})`,
      timeoutMs: 60_000,
      intervalMs: 100,
    });
    return values;
  } finally {
    await consumer.disconnect();
  }
}

describe('startKafka', () => {
  it('runs the broker in its own process group with a pid file and a log file', () => {
    const pid = kafka.pid();
    expect(pid).toBeTypeOf('number');
    const cmdline = readFileSync(`/proc/${String(pid)}/cmdline`, 'utf8');
    expect(cmdline).toContain('kafka.Kafka');
    expect(cmdline).toContain('-Dsluice.testkit.marker=');
    const stat = readFileSync(`/proc/${String(pid)}/stat`, 'utf8');
    const pgid = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2];
    expect(pgid).toBe(String(pid));
    expect(readdirSync(runDirOf(resolveCacheDir()))).toContain(`kafka-${String(pid)}.json`);
    expect(readFileSync(kafka.logFile ?? '', 'utf8')).toMatch(
      /Kafka Server started|started \(kafka\.server/,
    );
  });

  it('round-trips records with kafkajs', async () => {
    const topic = unique('roundtrip');
    await createTopic(topic);
    const producer = client().producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    await producer.send({
      topic,
      acks: -1,
      messages: [
        { key: 'k1', value: 'v1' },
        { key: 'k2', value: 'v2' },
      ],
    });
    await producer.disconnect();
    const values = await consumeUntil({
      topic,
      readUncommitted: false,
      until: (v) => v.length >= 2,
    });
    expect(values).toEqual(['v1', 'v2']);
  });

  it('createKafkaTopic returns once every partition is hosted', async () => {
    const topic = unique('created');
    await createKafkaTopic({ brokers: kafka.bootstrapServers, topic, partitions: 3 });
    const admin = client().admin();
    await admin.connect();
    try {
      expect((await admin.fetchTopicOffsets(topic)).map((p) => p.partition).sort()).toEqual([
        0, 1, 2,
      ]);
    } finally {
      await admin.disconnect();
    }
  });

  it('supports transactions: read_committed sees the committed records only', async () => {
    const topic = unique('txn');
    await createTopic(topic);
    const producer = client().producer({
      transactionalId: unique('tx'),
      idempotent: true,
      maxInFlightRequests: 1,
    });
    await producer.connect();
    try {
      const committed = await producer.transaction();
      await committed.send({
        topic,
        messages: [{ value: 'committed-1' }, { value: 'committed-2' }],
      });
      await committed.commit();
      const aborted = await producer.transaction();
      await aborted.send({ topic, messages: [{ value: 'aborted-1' }] });
      await aborted.abort();
      const last = await producer.transaction();
      await last.send({ topic, messages: [{ value: 'committed-end' }] });
      await last.commit();
    } finally {
      await producer.disconnect();
    }
    const readCommitted = await consumeUntil({
      topic,
      readUncommitted: false,
      until: (v) => v.includes('committed-end'),
    });
    expect(readCommitted).toEqual(['committed-1', 'committed-2', 'committed-end']);
    const readUncommitted = await consumeUntil({
      topic,
      readUncommitted: true,
      until: (v) => v.includes('committed-end'),
    });
    expect(readUncommitted).toEqual(['committed-1', 'committed-2', 'aborted-1', 'committed-end']);
  });

  it('accepts a transaction timeout of one hour (Flink exactly-once default)', async () => {
    const topic = unique('txn-timeout');
    await createTopic(topic);
    const producer = client().producer({
      transactionalId: unique('tx'),
      transactionTimeout: 3_600_000,
      maxInFlightRequests: 1,
      idempotent: true,
    });
    await producer.connect();
    try {
      const txn = await producer.transaction();
      await txn.send({ topic, messages: [{ value: 'x' }] });
      await txn.commit();
    } finally {
      await producer.disconnect();
    }
  });

  it.each(['plain', 'scram-sha-256', 'scram-sha-512'] as const)(
    'authenticates with SASL %s',
    async (mechanism) => {
      const security = kafka.security;
      if (security === undefined) throw new Error('security info missing');
      const admin = client({
        brokers: security.saslPlaintextBootstrapServers,
        sasl: {
          mechanism,
          username: security.username,
          password: security.password,
        } as SASLOptions,
      }).admin();
      await admin.connect();
      try {
        const topic = unique(`sasl-${mechanism}`);
        expect(await admin.createTopics({ waitForLeaders: false, topics: [{ topic }] })).toBe(true);
        expect(await admin.listTopics()).toContain(topic);
      } finally {
        await admin.disconnect();
      }
    },
  );

  it('rejects a wrong SASL password', async () => {
    const security = kafka.security;
    if (security === undefined) throw new Error('security info missing');
    const admin = client({
      brokers: security.saslPlaintextBootstrapServers,
      sasl: { mechanism: 'scram-sha-256', username: security.username, password: 'wrong' },
      retry: { retries: 0 },
    }).admin();
    await expect(admin.connect()).rejects.toThrow(/SASL|authentication/i);
    await admin.disconnect();
  });

  it('serves TLS with a certificate signed by the returned CA', async () => {
    const security = kafka.security;
    if (security === undefined) throw new Error('security info missing');
    const topic = unique('tls');
    await createTopic(topic, {
      brokers: security.sslBootstrapServers,
      ssl: { ca: [security.caPem] },
    });
    const untrusting = client({
      brokers: security.sslBootstrapServers,
      ssl: true,
      retry: { retries: 0 },
    }).admin();
    await expect(untrusting.connect()).rejects.toThrow(/certificate/i);
    await untrusting.disconnect();
  });

  it('keeps data across restart()', async () => {
    const topic = unique('restart');
    await createTopic(topic);
    const producer = client().producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    await producer.send({ topic, acks: -1, messages: [{ value: 'before-restart' }] });
    await producer.disconnect();
    const pidBefore = kafka.pid();
    await kafka.restart();
    expect(kafka.pid()).not.toBe(pidBefore);
    const after = client().producer({ idempotent: true, maxInFlightRequests: 1 });
    await after.connect();
    await after.send({ topic, acks: -1, messages: [{ value: 'after-restart' }] });
    await after.disconnect();
    const values = await consumeUntil({
      topic,
      readUncommitted: false,
      until: (v) => v.length >= 2,
    });
    expect(values).toEqual(['before-restart', 'after-restart']);
  });
});

describe('kafkaGlobalSetup and injectKafka', () => {
  it('provides the broker to tests (here: an external one from SLUICE_KAFKA_BROKERS)', async () => {
    const provided = new Map<string, unknown>();
    const saved = process.env['SLUICE_KAFKA_BROKERS'];
    process.env['SLUICE_KAFKA_BROKERS'] = kafka.bootstrapServers.join(',');
    try {
      const teardown = await kafkaGlobalSetup({
        provide: (key, value) => provided.set(key, value),
      });
      const inject = ((key: string) => provided.get(key)) as (key: never) => unknown;
      const info = injectKafka(inject);
      expect(info).toEqual({ bootstrapServers: kafka.bootstrapServers, external: true });
      expect(provided.has(KAFKA_PROVIDE_KEY)).toBe(true);
      const external = await startKafka();
      const error = await external.restart().catch((e: unknown) => e);
      expect(isTestkitError(error) && error.code).toBe(TESTKIT_ERROR_CODES.EXTERNAL_SERVER);
      await teardown();
      await external.stop();
    } finally {
      if (saved === undefined) delete process.env['SLUICE_KAFKA_BROKERS'];
      else process.env['SLUICE_KAFKA_BROKERS'] = saved;
    }
    // The broker is still ours and running: the external teardown stopped nothing.
    expect(kafka.pid()).toBeTypeOf('number');
  });

  it('fails with a clear error when nothing was provided', () => {
    const error = (() => {
      try {
        injectKafka((() => undefined) as (key: never) => unknown);
        return undefined;
      } catch (e) {
        return e;
      }
    })();
    expect(isTestkitError(error) && error.code).toBe(TESTKIT_ERROR_CODES.NOT_PROVIDED);
    expect((error as Error).message).toContain('globalSetup');
  });

  it('refuses SLUICE_TESTKIT=containers with a documented error', async () => {
    const saved = process.env['SLUICE_TESTKIT'];
    process.env['SLUICE_TESTKIT'] = 'containers';
    try {
      const error = await startKafka({ useExternal: false }).catch((e: unknown) => e);
      expect(isTestkitError(error) && error.code).toBe(TESTKIT_ERROR_CODES.NOT_SUPPORTED);
    } finally {
      if (saved === undefined) delete process.env['SLUICE_TESTKIT'];
      else process.env['SLUICE_TESTKIT'] = saved;
    }
  });
});
