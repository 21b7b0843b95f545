// The root README shows this example's job, core's README its task-thread variant; this test keeps them identical.
import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';

it('the README shows src/kafka-to-files.ts verbatim', () => {
  const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');
  const block = /<!-- example:kafka-to-files:begin -->\n```ts\n([\s\S]*?)\n```\n<!-- example:kafka-to-files:end -->/.exec(readme);
  expect(block, 'README.md has the example:kafka-to-files block').not.toBeNull();
  const source = readFileSync(new URL('../src/kafka-to-files.ts', import.meta.url), 'utf8').trimEnd();
  expect(block?.[1]).toBe(source);
});

it("core's README shows src/kafka-to-files-threads.ts verbatim", () => {
  const readme = readFileSync(new URL('../../../packages/core/README.md', import.meta.url), 'utf8');
  const block =
    /<!-- example:kafka-to-files-threads:begin -->\n```ts\n([\s\S]*?)\n```\n<!-- example:kafka-to-files-threads:end -->/.exec(readme);
  expect(block, 'packages/core/README.md has the example:kafka-to-files-threads block').not.toBeNull();
  const source = readFileSync(new URL('../src/kafka-to-files-threads.ts', import.meta.url), 'utf8').trimEnd();
  expect(block?.[1]).toBe(source);
});
