import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../config/app-config.js';

describe('model settings of loadConfig', () => {
  it('retrains every 24 hours on 730 days of counts, with admin routes off, by default', () => {
    const config = loadConfig({});
    expect(config.models).toEqual({ retrainHours: 24, trainingDays: 730 });
    expect(config.adminToken).toBeUndefined();
  });

  it('reads MODEL_RETRAIN_HOURS (0 = off), MODEL_TRAINING_DAYS and ADMIN_TOKEN', () => {
    const config = loadConfig({
      MODEL_RETRAIN_HOURS: '0',
      MODEL_TRAINING_DAYS: '365',
      ADMIN_TOKEN: 'x'.repeat(16),
    });
    expect(config.models).toEqual({ retrainHours: 0, trainingDays: 365 });
    expect(config.adminToken).toBe('xxxxxxxxxxxxxxxx');
  });

  it('names a bad value of each', () => {
    let error: unknown;
    try {
      loadConfig({ MODEL_RETRAIN_HOURS: '-1', MODEL_TRAINING_DAYS: '7', ADMIN_TOKEN: 'short' });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toEqual([
      'ADMIN_TOKEN: expected 16 to 256 printable characters without spaces',
      'MODEL_RETRAIN_HOURS=-1: expected a whole number from 0 to 8760',
      'MODEL_TRAINING_DAYS=7: expected a whole number from 28 to 3650',
    ]);
  });
});
