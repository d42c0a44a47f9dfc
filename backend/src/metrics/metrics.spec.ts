import { describe, expect, it } from 'vitest';
import { Metrics, reasonClass } from './metrics.js';

describe('reasonClass', () => {
  it.each([
    ['invalid JSON: Unexpected end of JSON input', 'invalid_json'],
    ['event is 20000 bytes; the limit is 16384', 'oversized'],
    ['reportedAt: required', 'reportedAt'],
    ['severity: expected one of "low", "medium", "high"', 'severity'],
    ['district: unknown district "TN-ZZZ" in region TN', 'district'],
    ['occurredWindow.start: expected a date-time', 'occurredWindow.start'],
    ['coordinates.0: too small', 'coordinates.[]'],
    ['database refused the event: value too long', 'database_refused'],
    ['message has no value', 'no_value'],
    ['something else entirely', 'other'],
  ])('%s -> %s', (reason, expected) => {
    expect(reasonClass(reason)).toBe(expected);
  });
});

describe('Metrics', () => {
  it('counts a batch by outcome and its dead letters by reason class', async () => {
    const metrics = new Metrics();
    metrics.recordIngest('kafka', { stored: 7, duplicates: 2 }, [
      'district: unknown district "X" in region TN',
      'district: unknown district "Y" in region TN',
      'invalid JSON: Unexpected token',
    ]);
    const text = await metrics.registry.metrics();
    expect(text).toContain('district_monitor_ingest_events_total{outcome="stored",transport="kafka"} 7');
    expect(text).toContain('district_monitor_ingest_events_total{outcome="duplicate",transport="kafka"} 2');
    expect(text).toContain(
      'district_monitor_ingest_events_total{outcome="dead_lettered",transport="kafka"} 3',
    );
    expect(text).toContain('district_monitor_dead_letters_total{reason="district"} 2');
    expect(text).toContain('district_monitor_dead_letters_total{reason="invalid_json"} 1');
  });

  it('reads the consumer lag and the alert states from their probes at scrape time', async () => {
    const metrics = new Metrics();
    metrics.probes.consumer = () =>
      Promise.resolve({
        running: true,
        lastProgressAt: '2026-01-01T00:00:10.000Z',
        lagByPartition: [{ topic: 'incidents', partition: 3, lag: 42 }],
      });
    metrics.probes.alertStates = () => ({ firing: 2, pending: 1 });
    const text = await metrics.registry.metrics();
    expect(text).toContain('district_monitor_consumer_lag{topic="incidents",partition="3"} 42');
    expect(text).toContain('district_monitor_consumer_running 1');
    expect(text).toContain(
      `district_monitor_consumer_last_progress_seconds ${Date.UTC(2026, 0, 1, 0, 0, 10) / 1000}`,
    );
    expect(text).toContain('district_monitor_alerts{state="firing"} 2');
    expect(text).toContain('district_monitor_alerts{state="pending"} 1');
  });
});
