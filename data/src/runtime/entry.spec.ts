import { readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SRC = fileURLToPath(new URL('../', import.meta.url));

/** The modules a file loads at run time, transitively: relative imports and re-exports, `import type` left out. */
function loadedFrom(entries: readonly string[]): string[] {
  const seen = new Set<string>();
  const stack = entries.map((entry) => join(SRC, entry));
  for (let file = stack.pop(); file !== undefined; file = stack.pop()) {
    if (seen.has(file)) continue;
    seen.add(file);
    const source = readFileSync(file, 'utf8');
    for (const match of source.matchAll(/^(import|export)(?!\s+type\b)[^;]*?from\s+'(\.[^']+)\.js';/gms)) {
      stack.push(join(dirname(file), `${match[2] ?? ''}.ts`));
    }
  }
  return [...seen].map((file) => relative(SRC, file)).sort();
}

describe('the runtime entries of the data package (what the backend imports)', () => {
  it('load none of the evaluation, the benches or the CLIs', () => {
    const loaded = loadedFrom(['runtime/index.ts', 'history-analysis/index.ts']);
    expect(loaded).toContain('registry.ts');
    expect(loaded).toContain('tier/tier-stack.ts');
    expect(loaded.filter((file) => /^(eval|bench|cli)\//.test(file))).toEqual([]);
  });

  it('would see an evaluation module if one were loaded (the walk follows re-exports)', () => {
    expect(loadedFrom(['eval/run.ts'])).toContain('eval/reference.ts');
  });
});
