import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import {
  districtsOf,
  type Alert,
  type AlertRule,
  type AlertsUpdate,
  type BatchSummary,
  type ClientToServerEvents,
  type IncidentCategory,
  type MonitorEvent,
  type ServerToClientEvents,
} from '@district-monitor/streams';
import { KafkaSink } from '@district-monitor/streams/producers';
import pg from 'pg';
import { io, type Socket } from 'socket.io-client';
import { REPO_ROOT } from '../config/app-config.js';
import {
  configFor,
  consumerSettings,
  progress,
  regionOf,
  withPostgresDatabase,
  type BenchEnv,
  type BenchRow,
} from './bench-kit.js';

/**
 * Alerts section: publication of one event -> the firing alert it causes arriving at a Socket.IO
 * client, while 1,000 other events per second flow, beside the board's own live feed of the same event
 * (`ingest:batch`). The backend runs as its own process, so the load generator and the client here do
 * not share its event loop.
 */

const RATE = 1_000;
/** Categories a rule watches (one rule each); the background load uses none of them. */
const PROBED: readonly IncidentCategory[] = [
  'crime_body',
  'crime_property',
  'crime_women',
  'crime_children',
  'suicide',
  'harassment',
];
/** Passes over every (district, category) fingerprint; a third would mark the alerts flapping. */
const PASSES = 2;
const LOST_AFTER_MS = 5_000;
/**
 * A 1-minute category window reads the current minute only (whole minutes): a probe reported this close
 * to a minute's end could be evaluated in the next minute and never fire. No probe is sent then.
 */
const MINUTE_GUARD_MS = 2_000;
/** The start of a minute, when the previous minute's alerts resolve (reported apart in the progress output). */
const TURN_MS = 2_000;
const ADMIN_PASSWORD = 'bench-admin-password-0123';
const TICK_MS = 20;
const WARM_UP_MS = 10_000;

type BoardSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

const ruleId = (category: IncidentCategory) => `bench-${category.replaceAll('_', '-')}`;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Nearest-rank percentile; lost probes count as never arriving (Infinity). */
function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)] ?? Number.NaN;
}

const ascending = (values: readonly number[]) => [...values].sort((a, b) => a - b);

interface Backend {
  readonly url: string;
  /** The last lines the process printed. */
  tail(): string;
  /** The last error lines it printed. */
  errors(): readonly string[];
  /** CPU seconds the process has used (user + system). */
  cpuSeconds(): number;
  stop(): Promise<void>;
}

/** Starts the built backend as its own process on a free port and waits until it is healthy. */
async function startBackend(env: Record<string, string>): Promise<Backend> {
  const child = spawn(process.execPath, [`${REPO_ROOT}backend/dist/main.js`], {
    env: { PATH: process.env.PATH ?? '', PORT: '0', LOG_LEVEL: 'log', ...consumerSettings(), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  const errors: string[] = [];
  const keep = (chunk: Buffer) => {
    const fresh = chunk.toString().split('\n').filter(Boolean);
    lines.push(...fresh);
    errors.push(...fresh.filter((line) => /\bERROR\b/.test(line)));
    if (lines.length > 200) lines.splice(0, lines.length - 200);
    if (errors.length > 20) errors.splice(0, errors.length - 20);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const exited = new Promise<void>((resolve) => {
    child.once('exit', () => {
      resolve();
    });
  });
  const tail = () => lines.slice(-40).join('\n');
  const url = await new Promise<string>((resolve, reject) => {
    const look = () => {
      const match = /board at (http:\/\/[\d.:a-z]+)\//.exec(lines.join('\n'));
      if (match?.[1] !== undefined) resolve(match[1]);
    };
    child.stdout.on('data', look);
    child.once('exit', (code) => {
      reject(new Error(`backend exited with ${String(code)}:\n${tail()}`));
    });
  });
  for (let i = 0; ; i++) {
    const status = await fetch(`${url}/api/health`)
      .then((r) => r.json() as Promise<{ status: string }>)
      .then((body) => body.status)
      .catch(() => undefined);
    if (status === 'ok') break;
    if (i > 300) throw new Error(`backend not healthy after a minute:\n${tail()}`);
    await sleep(200);
  }
  return {
    url,
    tail,
    errors: () => errors,
    cpuSeconds: () => {
      // /proc/<pid>/stat: utime and stime are the 14th and 15th fields, in clock ticks (100 per second).
      const fields =
        readFileSync(`/proc/${String(child.pid)}/stat`, 'utf8')
          .split(') ')[1]
          ?.split(' ') ?? [];
      return (Number(fields[11]) + Number(fields[12])) / 100;
    },
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

/** JSON over the backend's REST API as the admin. */
function restClient(url: string, token: string) {
  return async <T>(path: string, method = 'GET', body?: unknown): Promise<T> => {
    const response = await fetch(`${url}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${text}`);
    return (text === '' ? undefined : JSON.parse(text)) as T;
  };
}

async function login(url: string): Promise<string> {
  const response = await fetch(`${url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'admin', password: ADMIN_PASSWORD }),
  });
  if (!response.ok) throw new Error(`login: ${response.status} ${await response.text()}`);
  return ((await response.json()) as { token: string }).token;
}

/**
 * Publishes `RATE` events per second, spread over every district, of categories no rule watches: every
 * `TICK_MS` it sends what is due, one send in flight (a slow send makes the next batch larger).
 */
function startBackground(sink: KafkaSink, districts: readonly string[], runId: string) {
  let sent = 0;
  const state = { running: true };
  const started = performance.now();
  const eventAt = (n: number, now: string): MonitorEvent => {
    const district = districts[n % districts.length] ?? '';
    const common = {
      eventId: `bench-bg-${runId}-${n}`,
      schemaVersion: 1 as const,
      district,
      severity: 'low' as const,
      occurredAt: now,
      reportedAt: now,
      source: 'bench-load',
    };
    return n % 5 === 4
      ? { ...common, kind: 'accident', category: 'road_accident', killed: 0, injured: 1, vehicles: 2 }
      : { ...common, kind: 'incident', category: 'other' };
  };
  const loop = (async () => {
    while (state.running) {
      const due = Math.floor(((performance.now() - started) / 1000) * RATE) - sent;
      if (due > 0) {
        const now = new Date().toISOString();
        const batch = Array.from({ length: due }, (_, i) => eventAt(sent + i, now));
        await sink.send(batch);
        sent += due;
      }
      await sleep(TICK_MS);
    }
  })();
  return {
    /** Events sent so far and the seconds since the start. */
    sample: () => ({ sent, seconds: (performance.now() - started) / 1000 }),
    stop: async () => {
      state.running = false;
      await loop;
    },
  };
}

interface Probe {
  readonly eventId: string;
  readonly rule: string;
  readonly district: string;
  readonly category: IncidentCategory;
  readonly t0: number;
  /** Wall clock at t0, to place the alert's own `firedAt` (same machine, same clock). */
  readonly wall0: number;
  alertAt?: number;
  firedAt?: number;
  batchAt?: number;
  done: () => void;
}

export async function alertsSection(env: BenchEnv): Promise<BenchRow[]> {
  const prefix = `${env.prefix}alerts-`;
  const region = await regionOf(configFor(env, prefix, 'bench'));
  const districts = districtsOf(region).map((unit) => unit.code);
  const runId = Date.now().toString(36);
  const brokers = env.brokers.split(',');

  return withPostgresDatabase(env.adminUrl, async (url) => {
    progress(`alerts: starting the backend on ${prefix}* topics`);
    const backend = await startBackend({
      DATABASE_URL: url,
      KAFKA_BROKERS: env.brokers,
      KAFKA_TOPIC_PREFIX: prefix,
      KAFKA_GROUP_ID: `${prefix}ingest`,
      SIMULATOR: 'off',
      MODEL_RETRAIN_HOURS: '0',
      ALERT_EVALUATION_SECONDS: '1',
      ADMIN_PASSWORD,
    });
    const background = new KafkaSink(brokers, prefix, { clientId: 'bench-alerts-load' });
    const probes = new KafkaSink(brokers, prefix, { clientId: 'bench-alerts-probe' });
    let socket: BoardSocket | undefined;
    let load: ReturnType<typeof startBackground> | undefined;
    try {
      const token = await login(backend.url);
      const api = restClient(backend.url, token);

      // Only the bench's rules: the defaults are switched off, one category rule per probed category.
      const { rules } = await api<{ rules: AlertRule[] }>('/api/rules');
      for (const rule of rules) {
        const { id, region: _region, updatedAt: _at, updatedBy: _by, ...input } = rule;
        await api(`/api/rules/${id}`, 'PUT', { ...input, enabled: false });
      }
      for (const category of PROBED) {
        await api('/api/rules', 'POST', {
          id: ruleId(category),
          name: `Bench: any ${category} within a minute`,
          severity: 'high',
          category,
          condition: { kind: 'category', windowMinutes: 1, threshold: 1, clear: 1 },
          forSeconds: 0,
          keepFiringForSeconds: 0,
          escalation: [{ name: 'station', afterSeconds: 0 }],
        });
      }

      // The client: every alert room, and the board feed every socket gets.
      let waiting: Probe | undefined;
      /** Fingerprints the client last saw open (rule|district). */
      const open = new Set<string>();
      let disconnects = 0;
      const counted = new Set<string>();
      const onAlerts = (update: AlertsUpdate) => {
        const now = performance.now();
        for (const alert of update.alerts) {
          const key = `${alert.labels.rule}|${alert.labels.district}`;
          if (alert.state === 'resolved') open.delete(key);
          else open.add(key);
          if (waiting === undefined || !isProbeAlert(alert, waiting) || counted.has(alert.id)) continue;
          counted.add(alert.id);
          waiting.alertAt = now;
          waiting.firedAt = alert.firedAt === null ? undefined : Date.parse(alert.firedAt);
          if (waiting.batchAt !== undefined) waiting.done();
        }
      };
      const onBatch = (summary: BatchSummary) => {
        if (waiting === undefined || waiting.batchAt !== undefined) return;
        if ((summary.byCategory[waiting.category] ?? 0) < 1) return;
        waiting.batchAt = performance.now();
        if (waiting.alertAt !== undefined) waiting.done();
      };
      const client: BoardSocket = io(backend.url, { transports: ['websocket'], auth: { token } });
      socket = client;
      client.on('alerts', onAlerts);
      client.on('ingest:batch', onBatch);
      // A reconnected socket has left its rooms: it joins them again (and the disconnect is reported).
      client.on('disconnect', () => disconnects++);
      await new Promise<void>((resolve, reject) => {
        client.on('connect', () => {
          client.emit('alerts:subscribe', {}, (answer) => {
            if (answer.ok) resolve();
            else reject(new Error(answer.error));
          });
        });
        client.once('connect_error', reject);
      });

      progress(`alerts: ${RATE} events/s of background load, warming up for ${WARM_UP_MS / 1000} s`);
      load = startBackground(background, districts, runId);
      for (;;) {
        await sleep(500);
        const health = await api<{ alerts: { owned: number } }>('/api/health');
        if (health.alerts.owned === districts.length && load.sample().seconds * 1000 >= WARM_UP_MS) break;
        if (load.sample().seconds > 90) throw new Error(`the backend owns ${health.alerts.owned} districts`);
      }

      const loopDelay = monitorEventLoopDelay({ resolution: 10 });
      loopDelay.enable();
      const loadStart = load.sample();
      const cpuStart = backend.cpuSeconds();
      const alertMs: number[] = [];
      const batchMs: number[] = [];
      const arrivals: Required<Pick<Probe, 'eventId' | 'wall0' | 't0' | 'alertAt' | 'firedAt'>>[] = [];
      let lost = 0;
      let batchLost = 0;
      const total = PASSES * districts.length * PROBED.length;
      progress(
        `alerts: ${total} probes (${PASSES} passes over ${districts.length} districts x ${PROBED.length} categories)`,
      );
      for (let pass = 0; pass < PASSES; pass++) {
        if (pass > 0) {
          // The 1-minute windows clear at the next minute; every alert of the pass must resolve first,
          // in the backend and as the client saw it.
          const until = performance.now() + 150_000;
          for (;;) {
            const { alerts: stuck } = await api<{ alerts: Alert[] }>(
              '/api/alerts?state=pending,firing,acknowledged&limit=3',
            );
            if (stuck.length === 0 && open.size === 0) break;
            if (performance.now() > until) {
              throw new Error(
                `after a pass, open on the client: ${open.size} (${[...open].slice(0, 3).join(', ')}); open in the backend: ${JSON.stringify(stuck)}`,
              );
            }
            await sleep(500);
          }
        }
        let n = 0;
        for (const district of districts) {
          for (const category of PROBED) {
            const msIntoMinute = Date.now() % 60_000;
            if (msIntoMinute > 60_000 - MINUTE_GUARD_MS) await sleep(60_000 - msIntoMinute + 50);
            const now = new Date();
            const event: MonitorEvent = {
              eventId: `bench-probe-${runId}-${pass}-${district}-${category}`,
              schemaVersion: 1,
              kind: 'incident',
              category,
              district,
              severity: 'high',
              occurredAt: now.toISOString(),
              reportedAt: now.toISOString(),
              source: 'bench-probe',
            };
            let timer: NodeJS.Timeout | undefined;
            let finish: () => void = () => undefined;
            const settled = new Promise<void>((resolve) => {
              finish = resolve;
              timer = setTimeout(resolve, LOST_AFTER_MS);
            });
            const probe: Probe = {
              eventId: event.eventId,
              rule: ruleId(category),
              district,
              category,
              t0: performance.now(),
              wall0: now.getTime(),
              done: () => {
                finish();
              },
            };
            waiting = probe;
            await probes.send([event]);
            await settled;
            clearTimeout(timer);
            waiting = undefined;
            if (probe.alertAt === undefined) lost++;
            else {
              alertMs.push(probe.alertAt - probe.t0);
              const { eventId, wall0, t0, alertAt, firedAt } = probe;
              if (firedAt !== undefined) arrivals.push({ eventId, wall0, t0, alertAt, firedAt });
            }
            if (probe.batchAt === undefined) batchLost++;
            else batchMs.push(probe.batchAt - probe.t0);
            if (++n % 57 === 0)
              progress(
                `alerts: pass ${pass + 1}, ${n} of ${districts.length * PROBED.length} probes, ${lost} lost so far`,
              );
            await sleep(50 + Math.random() * 100); // jitter: no lock-step with the board's 200 ms flush
          }
        }
      }
      loopDelay.disable();
      const loadEnd = load.sample();
      const cpu = (backend.cpuSeconds() - cpuStart) / (loadEnd.seconds - loadStart.seconds);
      const rate = (loadEnd.sent - loadStart.sent) / (loadEnd.seconds - loadStart.seconds);
      await load.stop();
      load = undefined;

      const health = await api<{ transport: { lag: number | null }; alerts: Record<string, number> }>(
        '/api/health',
      );
      const alerts = ascending([...alertMs, ...Array<number>(lost).fill(Number.POSITIVE_INFINITY)]);
      const batches = ascending([...batchMs, ...Array<number>(batchLost).fill(Number.POSITIVE_INFINITY)]);
      const ms = (v: number) => `${v.toFixed(1)} ms`;
      progress(
        `alerts: ${total} probes, ${lost} lost (no alert within ${LOST_AFTER_MS / 1000} s), ${batchLost} without an ingest:batch push; max ${ms(alerts.at(-1) ?? Number.NaN)}`,
      );
      for (const line of await stages(url, arrivals)) progress(`alerts: ${line}`);
      if (disconnects > 0) progress(`alerts: the client was disconnected ${disconnects} times`);
      progress(
        `alerts: this process's event-loop delay p99 ${ms(loopDelay.percentile(99) / 1e6)}, max ${ms(loopDelay.max / 1e6)}`,
      );
      progress(`alerts: the backend process used ${(cpu * 100).toFixed(0)}% of one core during the probes`);
      progress(
        `alerts: backend health: lag ${String(health.transport.lag)}, alerts ${JSON.stringify(health.alerts)}`,
      );
      for (const line of backend.errors()) progress(`alerts: backend error: ${line}`);

      const p50 = percentile(alerts, 0.5);
      const p99 = percentile(alerts, 0.99);
      const b50 = percentile(batches, 0.5);
      const b99 = percentile(batches, 0.99);
      const samples = `${total} probes, ${lost} lost`;
      const row = (
        path: string,
        value: number,
        unit: string,
        vs: number | null,
        goal: string | null = null,
      ): BenchRow => ({
        section: 'alerts',
        path,
        value,
        unit,
        vsBaseline: vs,
        goal,
      });
      return [
        row(`publication -> firing alert at a Socket.IO client, p50 (${samples})`, p50, 'ms', p50 / b50),
        row('the same, p99', p99, 'ms', p99 / b99, '<= 150 ms'),
        row('the same, max', alerts.at(-1) ?? Number.NaN, 'ms', null),
        row(
          'baseline: publication -> the ingest:batch push carrying it (200 ms coalescing), p50',
          b50,
          'ms',
          1,
        ),
        row('baseline: the same, p99', b99, 'ms', 1),
        row('background load achieved during the probes (target 1,000)', rate, 'events/s', null),
      ];
    } catch (error) {
      progress(`alerts: the backend's last lines:\n${backend.tail()}`);
      throw error;
    } finally {
      await load?.stop();
      socket?.close();
      await background.close();
      await probes.close();
      await backend.stop();
    }
  });
}

function isProbeAlert(alert: Alert, probe: Probe): boolean {
  return (
    alert.state === 'firing' &&
    alert.labels.rule === probe.rule &&
    alert.labels.district === probe.district &&
    alert.labels.category === probe.category
  );
}

/**
 * Where a probe's time went, from clocks of the same machine: publication -> its store transaction
 * (`ingested_at`, the consumer's fetch and decode), -> the engine's evaluation that fired it (`firedAt`:
 * commit, feature upkeep, the engine's queue), -> the client (rule evaluation, alert write, emit).
 * `firedAt` is the instant the evaluation started with, so a tick that began just before the store
 * transaction (and read the counts the batch updated after it) gives a small negative middle stage.
 */
async function stages(
  url: string,
  arrivals: readonly { eventId: string; wall0: number; t0: number; alertAt: number; firedAt: number }[],
): Promise<string[]> {
  if (arrivals.length === 0) return [];
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ event_id: string; ingested: Date }>(
      'SELECT event_id, ingested_at AS ingested FROM incidents WHERE event_id = ANY($1)',
      [arrivals.map((a) => a.eventId)],
    );
    const stored = new Map(rows.map((row) => [row.event_id, row.ingested.getTime()]));
    const toStore: number[] = [];
    const toEvaluation: number[] = [];
    const toSocket: number[] = [];
    for (const a of arrivals) {
      const at = stored.get(a.eventId);
      if (at === undefined) continue;
      toStore.push(at - a.wall0);
      toEvaluation.push(a.firedAt - at);
      toSocket.push(a.alertAt - a.t0 - (a.firedAt - a.wall0));
    }
    const line = (name: string, values: readonly number[]) => {
      const sorted = ascending(values);
      return `${name}: p50 ${percentile(sorted, 0.5).toFixed(1)} ms, p99 ${percentile(sorted, 0.99).toFixed(1)} ms (${sorted.length} probes)`;
    };
    // The same first stage for every background event, and the store transactions behind it.
    const from = new Date(Math.min(...arrivals.map((a) => a.wall0)));
    const { rows: load } = await client.query<{ p50: number; p99: number; tx: string; seconds: number }>(
      `SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY ms) AS p50,
              percentile_cont(0.99) WITHIN GROUP (ORDER BY ms) AS p99,
              count(DISTINCT ingested_at) AS tx,
              extract(epoch FROM max(ingested_at) - min(ingested_at))::float8 AS seconds
         FROM (SELECT ingested_at, 1000 * extract(epoch FROM ingested_at - reported_at)::float8 AS ms
                 FROM incidents WHERE source = 'bench-load' AND reported_at >= $1) AS background`,
      [from],
    );
    const background = load[0];
    const slowest = [...arrivals]
      .sort((a, b) => b.alertAt - b.t0 - (a.alertAt - a.t0))
      .slice(0, 3)
      .map((a) => {
        const at = stored.get(a.eventId) ?? Number.NaN;
        const second = ((a.wall0 % 60_000) / 1000).toFixed(1);
        return `${(a.alertAt - a.t0).toFixed(0)} ms at second ${second} of its minute (to store / to evaluation / to socket: ${(at - a.wall0).toFixed(0)} / ${(a.firedAt - at).toFixed(0)} / ${(a.alertAt - a.t0 - (a.firedAt - a.wall0)).toFixed(0)} ms)`;
      });
    // At each minute's turn the engine resolves every alert of the minute before (the probes' own) in one
    // evaluation, and pushes nothing of it until all are written.
    const turn = (a: (typeof arrivals)[number]) => a.wall0 % 60_000 < TURN_MS;
    const atTurn = ascending(arrivals.filter(turn).map((a) => a.alertAt - a.t0));
    const others = ascending(arrivals.filter((a) => !turn(a)).map((a) => a.alertAt - a.t0));
    return [
      `slowest probes: ${slowest.join('; ')}`,
      `probes sent in the first ${TURN_MS / 1000} s of a minute: ${atTurn.length}, p50 ${percentile(atTurn, 0.5).toFixed(1)} ms, max ${(atTurn.at(-1) ?? Number.NaN).toFixed(1)} ms; the other ${others.length}: p50 ${percentile(others, 0.5).toFixed(1)} ms, p99 ${percentile(others, 0.99).toFixed(1)} ms`,
      ...(background === undefined
        ? []
        : [
            `background events, publication -> store transaction: p50 ${background.p50.toFixed(1)} ms, p99 ${background.p99.toFixed(1)} ms; ${(Number(background.tx) / background.seconds).toFixed(1)} incident store transactions/s`,
          ]),
      line('publication -> store transaction', toStore),
      line('store -> evaluation (firedAt)', toEvaluation),
      line('evaluation -> socket', toSocket),
    ];
  } finally {
    await client.end();
  }
}
