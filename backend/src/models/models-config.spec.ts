import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../config/app-config.js';

describe('model settings of loadConfig', () => {
  it('retrains every 24 hours on 730 days of counts by default', () => {
    const config = loadConfig({});
    expect(config.models).toEqual({ retrainHours: 24, trainingDays: 730 });
  });

  it('reads MODEL_RETRAIN_HOURS (0 = off) and MODEL_TRAINING_DAYS', () => {
    const config = loadConfig({ MODEL_RETRAIN_HOURS: '0', MODEL_TRAINING_DAYS: '365' });
    expect(config.models).toEqual({ retrainHours: 0, trainingDays: 365 });
  });

  it('names a bad value of each', () => {
    let error: unknown;
    try {
      loadConfig({ MODEL_RETRAIN_HOURS: '-1', MODEL_TRAINING_DAYS: '7' });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toEqual([
      'MODEL_RETRAIN_HOURS=-1: expected a whole number from 0 to 8760',
      'MODEL_TRAINING_DAYS=7: expected a whole number from 28 to 3650',
    ]);
  });
});
