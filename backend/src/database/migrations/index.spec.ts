import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { MIGRATIONS } from './index.js';

describe('MIGRATIONS', () => {
  it('lists one migration per NNN-name.ts file, in the order of their numbers, versions 1..n', () => {
    const files = readdirSync(fileURLToPath(new URL('.', import.meta.url)))
      .filter((name) => /^\d{3}-[a-z0-9-]+\.ts$/.test(name))
      .sort();
    expect(files.map((name) => Number(name.slice(0, 3)))).toEqual(MIGRATIONS.map((m) => m.version));
    expect(MIGRATIONS.map((m) => m.version)).toEqual(MIGRATIONS.map((_, i) => i + 1));
    expect(new Set(MIGRATIONS.map((m) => m.name)).size).toBe(MIGRATIONS.length);
  });
});
