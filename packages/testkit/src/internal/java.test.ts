import { describe, expect, it } from 'vitest';
import { parseJavaVersion } from './java.js';

describe('parseJavaVersion', () => {
  it.each([
    ['openjdk version "17.0.15" 2025-04-15', 17],
    ['openjdk version "21" 2023-09-19', 21],
    ['java version "1.8.0_392"', 8],
    ['openjdk version "25-ea" 2025-09-16', 25],
  ])('%s → %i', (output, version) => {
    expect(parseJavaVersion(output)).toBe(version);
  });

  it('returns undefined for unrelated output', () => {
    expect(parseJavaVersion('command not found')).toBeUndefined();
  });
});
