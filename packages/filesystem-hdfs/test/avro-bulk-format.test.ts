// Bulk format: Avro object container part files (AvroWriters from @sluice/serialization-avro) written
// by a bounded FileSink job on local disk and a real HDFS, read back by Apache Avro's Java tools
// (avro-tools concat / tojson / getmeta): every record exactly once, in its bucket, codec as configured.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AvroWriters } from '@sluice/serialization-avro';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FileSink, OutputFileConfig } from '../src/index.js';
import type { BucketAssigner, FileSystem } from '../src/index.js';
import { avroTools, avroToolsJar } from './helpers/avro-tools.js';
import { boundedSource, runBoundedJob } from './helpers/bounded-job.js';
import { fileSystemTargets, useTarget } from './helpers/targets.js';

interface Event {
  id: number;
  key: string;
}
const SCHEMA = {
  type: 'record',
  name: 'Event',
  namespace: 'dev.sluice.test',
  fields: [
    { name: 'id', type: 'int' },
    { name: 'key', type: 'string' },
  ],
};
const RECORDS = 700;
const events = boundedSource<Event>(RECORDS, (i) => ({ id: i, key: i % 3 === 0 ? 'x' : 'y' }));
const byKey: BucketAssigner<Event> = { getBucketId: (event) => event.key };

let local: string;
beforeAll(async () => {
  local = await mkdtemp(join(tmpdir(), 'sluice-avro-parts-'));
  await avroToolsJar();
}, 600_000);
afterAll(async () => {
  await rm(local, { recursive: true, force: true });
});

for (const target of fileSystemTargets('avro')) {
  describe(`Avro bulk format on ${target.name}`, () => {
    const target$ = useTarget(target);
    let fs: FileSystem;
    beforeAll(() => {
      fs = target$.fs;
    });

    it('part files are Avro container files that avro-tools reads: every record once, in its bucket', async () => {
      const base = target$.fresh();
      const sink = FileSink.forBulkFormat(base, AvroWriters.forGenericRecord<Event>(SCHEMA, { codec: 'deflate', blockRecords: 64 }))
        .withFileSystem(fs)
        .withBucketAssigner(byKey)
        .withOutputFileConfig(new OutputFileConfig({ partSuffix: '.avro' }))
        .build();
      await runBoundedJob(events, sink);

      // Every finished part copied out, joined by avro-tools concat (it reads each file's header
      // and blocks), then read with tojson; getmeta shows the codec.
      const dir = await mkdtemp(join(local, 'run-'));
      const copies: string[] = [];
      for (const bucket of ['x', 'y']) {
        const parts = (await fs.list(`${base}/${bucket}`)).filter((entry) => !entry.name.startsWith('.'));
        expect(parts.length).toBeGreaterThan(0);
        expect(parts.map((part) => part.name).every((name) => /^part-[01]-\d+\.avro$/.test(name))).toBe(true);
        for (const part of parts) {
          const copy = join(dir, `${bucket}-${part.name}`);
          await writeFile(copy, await fs.readFile(part.path));
          copies.push(copy);
        }
      }
      const all = join(dir, 'all.avro');
      await avroTools('concat', [...copies, all]);
      expect(await avroTools('getmeta', [all])).toMatch(/avro\.codec\s+deflate/);
      const seen = (await avroTools('tojson', [all]))
        .split('\n')
        .filter((line) => line !== '')
        .map((line) => JSON.parse(line) as Event);
      for (const event of seen) expect(event.key).toBe(event.id % 3 === 0 ? 'x' : 'y');
      expect(seen.map((event) => event.id).sort((a, b) => a - b)).toEqual(Array.from({ length: RECORDS }, (_, i) => i));
    });
  });
}
