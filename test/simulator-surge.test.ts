import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BatchSummary } from '@district-monitor/streams';
import { startBackend, type RunningBackend } from './helpers/backend.js';
import { waitFor } from './helpers/services.js';
import { connectBoard } from './helpers/socket.js';

describe('a surge injected through the API', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'surge-it-'));
  let backend: RunningBackend;

  const surge = (body: unknown) =>
    backend.fetch('/api/simulator/surges', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });

  beforeAll(async () => {
    backend = await startBackend({ DATA_DIR: dataDir, SIMULATOR_RATE: '40' });
  });
  afterAll(async () => {
    await backend.stop('SIGTERM');
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('raises that district far above every other on the live feed', async () => {
    const response = await surge({ district: 'TN-MDU', factor: 20, minutes: 60 });
    expect(response.status).toBe(201);
    const board = await connectBoard(backend.url, await backend.login());
    const byDistrict = new Map<string, number>();
    board.socket.on('ingest:batch', (summary: BatchSummary) => {
      for (const [code, n] of Object.entries(summary.byDistrict))
        byDistrict.set(code, (byDistrict.get(code) ?? 0) + n);
    });
    await waitFor('enough surged events', () => ((byDistrict.get('TN-MDU') ?? 0) >= 120 ? true : undefined), {
      timeoutMs: 30_000,
    });
    board.close();
    const others = [...byDistrict].filter(([code]) => code !== 'TN-MDU').map(([, n]) => n);
    // x20 on 1 of 38 districts: Madurai expects 20 events for each one of any other district.
    expect(byDistrict.get('TN-MDU')).toBeGreaterThan(3 * Math.max(...others));
  });

  it('refuses a bad surge with 400 and the reason', async () => {
    const unknown = await surge({ district: 'TN-NOPE', factor: 3, minutes: 10 });
    expect(unknown.status).toBe(400);
    expect(((await unknown.json()) as { message: string }).message).toBe(
      'surge district TN-NOPE is not simulated',
    );
    const badFactor = await surge({ district: 'TN-MDU', factor: 'lots', minutes: 10 });
    expect(((await badFactor.json()) as { message: string }).message).toMatch(/factor must be a number >= 0/);
  });
});
