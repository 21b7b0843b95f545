// The root README shows this example's job; this test keeps the two identical.
import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';

it('the README shows src/kafka-to-files.ts verbatim', () => {
  const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');
  const block = /<!-- example:kafka-to-files:begin -->\n```ts\n([\s\S]*?)\n```\n<!-- example:kafka-to-files:end -->/.exec(readme);
  expect(block, 'README.md has the example:kafka-to-files block').not.toBeNull();
  const source = readFileSync(new URL('../src/kafka-to-files.ts', import.meta.url), 'utf8').trimEnd();
  expect(block?.[1]).toBe(source);
});
