import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../config/app-config.js';
import { Metrics } from './metrics.js';

const FILES = ['deploy/grafana/district-monitor.json', 'deploy/prometheus/alerts.yml'];

/** The names the registry exposes, with a histogram's `_bucket`, `_sum` and `_count` series. */
async function exposedNames(): Promise<Set<string>> {
  const metrics = new Metrics();
  const names = new Set<string>();
  for (const metric of await metrics.registry.getMetricsAsJSON()) {
    names.add(metric.name);
    for (const suffix of ['_bucket', '_sum', '_count']) names.add(`${metric.name}${suffix}`);
  }
  return names;
}

describe('the dashboard and the alerting rules in deploy/', () => {
  it.each(FILES)('%s names only metrics the backend exposes', async (file) => {
    const text = readFileSync(join(REPO_ROOT, file), 'utf8');
    const used = new Set(text.match(/\b(?:district_monitor|nodejs|process)_[a-z0-9_]+/g) ?? []);
    expect(used.size).toBeGreaterThan(3);
    const exposed = await exposedNames();
    expect([...used].filter((name) => !exposed.has(name))).toEqual([]);
  });

  it('the dashboard is valid JSON with one query per panel at least', () => {
    const dashboard = JSON.parse(readFileSync(join(REPO_ROOT, FILES[0] ?? ''), 'utf8')) as {
      panels: { targets: { expr: string }[] }[];
    };
    expect(dashboard.panels.length).toBeGreaterThan(10);
    for (const panel of dashboard.panels) expect(panel.targets.length).toBeGreaterThan(0);
  });
});
