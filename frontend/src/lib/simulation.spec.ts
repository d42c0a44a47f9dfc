import type { SimulationStatus } from '@district-monitor/streams';
import { describe, expect, it } from 'vitest';
import { simulationNotice } from './simulation';

const base: SimulationStatus = {
  simulated: true,
  ratePerSecond: 0.0058,
  eventsPerYear: 183_076,
  rateSource: 'real-volumes',
  backfill: {
    state: 'running',
    reason: null,
    from: '2026-06-07T10:00:00.000Z',
    until: '2026-12-06T10:00:00.000Z',
    reached: '2026-09-01T00:00:00.000Z',
    events: 42_000,
    expectedEvents: 91_300,
    fraction: 0.466,
    eventsPerSecond: 5_123.4,
  },
  firstModel: 'waiting',
};

describe('simulationNotice', () => {
  it('says nothing when the live data is real', () => {
    expect(simulationNotice(undefined)).toBeNull();
    expect(simulationNotice({ ...base, simulated: false })).toBeNull();
  });

  it('shows the backfill in progress with its share, events and speed', () => {
    const notice = simulationNotice(base);
    expect(notice).toMatchObject({ badge: 'Simulated data', progress: 0.466, busy: true });
    expect(notice?.detail).toContain('46% (42,000 of ~91,300 events, 5,123 events/s)');
  });

  it('says the first model is training once the history is written', () => {
    const notice = simulationNotice({
      ...base,
      backfill: { ...base.backfill, state: 'done' },
      firstModel: 'training',
    });
    expect(notice).toMatchObject({ progress: null, busy: true });
    expect(notice?.detail).toContain('training the first risk model');
  });

  it('then says plainly that the live feed and its history are simulated, at what volume', () => {
    const notice = simulationNotice({
      ...base,
      backfill: { ...base.backfill, state: 'done' },
      firstModel: 'ready',
    });
    expect(notice?.busy).toBe(false);
    expect(notice?.detail).toBe(
      'The live feed is simulated events at 183,076 a year (calibrated to real yearly volumes), not real reports. The history since 2026-06-07 is simulated too.',
    );
  });

  it('does not call a rate set by SIMULATOR_RATE calibrated', () => {
    const ready = {
      ...base,
      backfill: { ...base.backfill, state: 'done' as const },
      firstModel: 'ready' as const,
    };
    expect(simulationNotice({ ...ready, eventsPerYear: 315_576_000, rateSource: 'configured' })?.detail).toBe(
      'The live feed is simulated events at 315,576,000 a year (a rate set by SIMULATOR_RATE, not the real yearly volume), not real reports. The history since 2026-06-07 is simulated too.',
    );
    expect(simulationNotice({ ...ready, rateSource: 'uncalibrated' })?.detail).toContain(
      '(not calibrated: no rate table for this region)',
    );
    expect(simulationNotice({ ...ready, rateSource: null })?.detail).not.toContain('calibrated to real');
  });

  it('names a failed backfill', () => {
    const notice = simulationNotice({
      ...base,
      backfill: { ...base.backfill, state: 'failed', reason: 'disk full' },
      firstModel: 'none',
    });
    expect(notice?.detail).toContain('The backfill of simulated history failed: disk full');
  });
});
