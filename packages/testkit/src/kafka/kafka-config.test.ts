import { describe, expect, it } from 'vitest';
import {
  generateClusterId,
  renderLog4j2Config,
  renderServerProperties,
  scramFormatArgs,
} from './kafka-config.js';

function parse(text: string): Map<string, string> {
  const map = new Map<string, string>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const eq = line.indexOf('=');
    map.set(line.slice(0, eq), line.slice(eq + 1));
  }
  return map;
}

describe('renderServerProperties', () => {
  it('renders a combined KRaft node with transactions on one replica', () => {
    const props = parse(
      renderServerProperties({ ports: { plaintext: 9092, controller: 9093 }, logDir: '/tmp/k' }),
    );
    expect(props.get('process.roles')).toBe('broker,controller');
    expect(props.get('controller.quorum.voters')).toBe('1@127.0.0.1:9093');
    expect(props.get('listeners')).toBe('PLAINTEXT://127.0.0.1:9092,CONTROLLER://127.0.0.1:9093');
    expect(props.get('advertised.listeners')).toBe('PLAINTEXT://127.0.0.1:9092');
    expect(props.get('listener.security.protocol.map')).toBe(
      'CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT',
    );
    expect(props.get('log.dirs')).toBe('/tmp/k');
    expect(props.get('offsets.topic.replication.factor')).toBe('1');
    expect(props.get('transaction.state.log.replication.factor')).toBe('1');
    expect(props.get('transaction.state.log.min.isr')).toBe('1');
    expect(props.get('transaction.max.timeout.ms')).toBe('3600000');
    expect(props.get('group.initial.rebalance.delay.ms')).toBe('0');
    expect(props.has('sasl.enabled.mechanisms')).toBe(false);
  });

  it('adds SASL_PLAINTEXT and SSL listeners when security is on', () => {
    const props = parse(
      renderServerProperties({
        ports: { plaintext: 1, controller: 2, saslPlaintext: 3, ssl: 4 },
        logDir: '/d',
        security: {
          keystorePath: '/ks.p12',
          keystorePassword: 'kp',
          username: 'u',
          password: 'p"w',
        },
      }),
    );
    expect(props.get('listeners')).toBe(
      'PLAINTEXT://127.0.0.1:1,CONTROLLER://127.0.0.1:2,SASL_PLAINTEXT://127.0.0.1:3,SSL://127.0.0.1:4',
    );
    expect(props.get('advertised.listeners')).toBe(
      'PLAINTEXT://127.0.0.1:1,SASL_PLAINTEXT://127.0.0.1:3,SSL://127.0.0.1:4',
    );
    expect(props.get('listener.security.protocol.map')).toContain('SASL_PLAINTEXT:SASL_PLAINTEXT');
    expect(props.get('sasl.enabled.mechanisms')).toBe('PLAIN,SCRAM-SHA-256,SCRAM-SHA-512');
    expect(props.get('listener.name.sasl_plaintext.plain.sasl.jaas.config')).toBe(
      'org.apache.kafka.common.security.plain.PlainLoginModule required user_u="p\\\\"w";',
    );
    expect(props.get('ssl.keystore.location')).toBe('/ks.p12');
    expect(props.get('ssl.keystore.type')).toBe('PKCS12');
  });

  it('lets overrides replace defaults', () => {
    const props = parse(
      renderServerProperties({
        ports: { plaintext: 1, controller: 2 },
        logDir: '/d',
        overrides: { 'num.io.threads': '8' },
      }),
    );
    expect(props.get('num.io.threads')).toBe('8');
  });
});

describe('generateClusterId', () => {
  it('is 22 base64url characters', () => {
    for (let i = 0; i < 200; i += 1)
      expect(generateClusterId()).toMatch(/^[A-Za-z0-9_][A-Za-z0-9_-]{21}$/);
  });

  it('draws again when the id would start with "-"', () => {
    const draws = [Buffer.alloc(16, 0xf8), Buffer.alloc(16, 0x04)];
    let calls = 0;
    const id = generateClusterId(() => {
      const next = draws[calls] ?? Buffer.alloc(16, 1);
      calls += 1;
      return next;
    });
    expect(Buffer.alloc(16, 0xf8).toString('base64url').startsWith('-')).toBe(true);
    expect(calls).toBe(2);
    expect(id).toBe(Buffer.alloc(16, 0x04).toString('base64url'));
  });
});

describe('scramFormatArgs and log4j config', () => {
  it('adds the user for both SCRAM mechanisms', () => {
    expect(scramFormatArgs('alice', 'secret')).toEqual([
      '--add-scram',
      'SCRAM-SHA-256=[name=alice,password=secret]',
      '--add-scram',
      'SCRAM-SHA-512=[name=alice,password=secret]',
    ]);
  });

  it('logs to the given file', () => {
    expect(renderLog4j2Config('/tmp/a&b.log')).toContain('fileName="/tmp/a&amp;b.log"');
  });
});
