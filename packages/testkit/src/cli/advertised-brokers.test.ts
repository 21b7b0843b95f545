import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { advertiseBrokers, findAdvertisedBrokers } from './advertised-brokers.js';

const cache = mkdtempSync(join(tmpdir(), 'sluice-advertise-'));
afterAll(() => rmSync(cache, { recursive: true, force: true }));

describe('advertised brokers of a running sluice-testkit kafka', () => {
  it('finds what a live CLI advertises, and nothing once it is withdrawn', () => {
    expect(findAdvertisedBrokers(cache)).toBeUndefined();
    const withdraw = advertiseBrokers(cache, ['127.0.0.1:39092']);
    expect(findAdvertisedBrokers(cache)).toEqual(['127.0.0.1:39092']);
    withdraw();
    expect(findAdvertisedBrokers(cache)).toBeUndefined();
  });

  it('ignores and removes the record of a CLI that is gone (or a malformed one)', () => {
    writeFileSync(
      join(cache, 'cli', 'kafka-999999.json'),
      JSON.stringify({ version: 1, pid: 999_999, startTime: '1', bootstrapServers: ['x:1'] }),
    );
    writeFileSync(join(cache, 'cli', 'kafka-1.json'), 'not json');
    expect(findAdvertisedBrokers(cache)).toBeUndefined();
    expect(readdirSync(join(cache, 'cli'))).toEqual([]);
  });
});
