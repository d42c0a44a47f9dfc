import pg from 'pg';
import type { MonitorEvent } from '@district-monitor/streams';
import { startBackend, type RunningBackend } from './backend.js';
import { waitFor } from './services.js';

/** What the fault tests read of `GET /api/health`. */
export interface Health {
  status: 'ok' | 'degraded';
  reasons: string[];
  transport: { state: string; lag: number | null; stalled: boolean; brokers: { reachable: boolean } | null };
}

/** Health with its details: read with the admin's session (anonymous callers get the status alone). */
export const health = async (backend: RunningBackend): Promise<{ code: number; body: Health }> => {
  const { exitCode, signalCode } = backend.child;
  if (exitCode !== null || signalCode !== null) {
    // Nothing will answer again: say why at once instead of timing out on refused connections.
    const tail = backend.output().split('\n').slice(-80).join('\n');
    throw new Error(
      `the backend exited (code ${exitCode ?? 'none'}, signal ${signalCode ?? 'none'}); its last lines:\n${tail}`,
    );
  }
  const response = await backend.fetch('/api/health');
  return { code: response.status, body: (await response.json()) as Health };
};

/** An event's JSON padded (in `source`) to exactly `bytes` bytes. */
export function paddedTo(event: MonitorEvent, bytes: number): string {
  const base = Buffer.byteLength(JSON.stringify({ ...event, source: '' }));
  const value = JSON.stringify({ ...event, source: 'x'.repeat(bytes - base) });
  if (Buffer.byteLength(value) !== bytes)
    throw new Error(`padding missed: ${Buffer.byteLength(value)} bytes, not ${bytes}`);
  return value;
}

/** Counts stored events and ledger rows over a fresh connection (the server may be restarting). */
export async function counts(url: string): Promise<{ stored: number; ledger: number; distinct: number }> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const row = (
      await client.query<{ stored: string; ledger: string; distinct: string }>(
        `SELECT (SELECT count(*) FROM incidents) + (SELECT count(*) FROM accidents) AS stored,
                (SELECT count(*) FROM event_ids) AS ledger,
                (SELECT count(DISTINCT event_id) FROM (SELECT event_id FROM incidents UNION ALL
                   SELECT event_id FROM accidents) AS e) AS distinct`,
      )
    ).rows[0];
    return { stored: Number(row?.stored), ledger: Number(row?.ledger), distinct: Number(row?.distinct) };
  } finally {
    await client.end();
  }
}

/**
 * Starts the backend again after a SIGKILL and measures, from the spawn: the first 200 of
 * `/api/health/live`, the first answer of `/api/health` (any status), and the first event stored
 * beyond `storedBefore` (consumption resumed).
 */
export async function restartTimings(
  env: Record<string, string>,
  databaseUrl: string,
  storedBefore: number,
): Promise<{
  backend: RunningBackend;
  ms: { listening: number; live: number; health: number; consuming: number };
}> {
  const backend = await startBackend(env, { until: 'listening' });
  const listening = performance.now() - backend.spawnedAt;
  await waitFor(
    '/api/health/live 200',
    async () => ((await fetch(`${backend.url}/api/health/live`)).ok ? true : undefined),
    {
      intervalMs: 20,
    },
  );
  const live = performance.now() - backend.spawnedAt;
  await waitFor('/api/health answering', async () => (await fetch(`${backend.url}/api/health`)).status, {
    intervalMs: 20,
  });
  const healthMs = performance.now() - backend.spawnedAt;
  await waitFor(
    'consumption resumed',
    async () => ((await counts(databaseUrl)).stored > storedBefore ? true : undefined),
    {
      intervalMs: 50,
    },
  );
  const consuming = performance.now() - backend.spawnedAt;
  return {
    backend,
    ms: {
      listening: Math.round(listening),
      live: Math.round(live),
      health: Math.round(healthMs),
      consuming: Math.round(consuming),
    },
  };
}
