import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';

it('installs every kafkajs replacement when the package is imported (dist, in a fresh process)', async () => {
  // A replacement that cannot apply is skipped silently (kafkajs then works as it is, only slower),
  // so an import cycle that runs one too late, after kafkajs's modules loaded, shows only here.
  const dist = new URL('../dist/', import.meta.url).href;
  const script =
    `await import(${JSON.stringify(`${dist}index.js`)});` +
    `const { replacedKafkaJsModules } = await import(${JSON.stringify(`${dist}internal/kafkajs-module-replacement.js`)});` +
    'console.log(JSON.stringify(replacedKafkaJsModules().sort()));';
  const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script]);
  expect(JSON.parse(stdout) as string[]).toEqual(
    [
      'kafkajs/src/consumer/batch.js',
      'kafkajs/src/producer/groupMessagesPerPartition.js',
      'kafkajs/src/protocol/recordBatch/record/v0/decoder.js',
      'kafkajs/src/protocol/request.js',
      'kafkajs/src/protocol/requests/fetch/v4/decodeMessages.js',
      'kafkajs/src/protocol/requests/produce/v3/request.js',
    ].sort(),
  );
}, 60_000);
