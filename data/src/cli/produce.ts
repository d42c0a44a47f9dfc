#!/usr/bin/env node
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import {
  CATEGORIES,
  createEventValidator,
  type Category,
  type MonitorEvent,
  type Region,
} from '@district-monitor/streams';
import {
  HttpSink,
  KafkaSink,
  loadCsvStream,
  replay,
  type EventSink,
  type ReplaySpeed,
  type RowMapper,
} from '@district-monitor/streams/producers';
import { createSimulator, parseSurge } from '@district-monitor/streams/simulator';
import { chicagoRowMapper } from '../producers/chicago-format.js';
import { readRateTable } from '../rate-table-file.js';
import { readRegion } from '../registry.js';
import { columnRowMapper, parseColumnMapping, type ColumnMapping } from '../producers/column-format.js';
import { progressReporter } from './progress.js';

const REPO = new URL('../../../', import.meta.url);
const regionPath = (name: string) => new URL(`data/regions/${name}.json`, REPO).pathname;

const HELP = `npm run produce -- <command> [options]   publish incident and accident events

commands
  simulate              simulated events for every district of the region
  replay FILE           an incident CSV, in event-time order
  event                 one event (or a JSON array) given with --data or --file

destination (one of)
  --kafka BROKERS       Kafka bootstrap servers (default: $KAFKA_BROKERS)
  --http URL            a backend's base URL; events go to POST /api/events
  --prefix P            Kafka topic prefix (default: $KAFKA_TOPIC_PREFIX or none)
  --key KEY             API key for --http (default: $PRODUCER_KEY)
  --max-body-bytes N    the server's body limit: --http requests are split under it
                        (default: $INGEST_MAX_BODY_BYTES, else the backend's default 5242880);
                        a 413 naming a lower limit splits further

simulate
  --rate N              mean events per second across the region over a day (default 20);
                        the time-of-day profile makes nights quieter and evenings busier
  --rates FILE          rate table calibrating districts and categories
                        (default: data/rates/<region>.json when it exists)
  --seed N              simulator seed (default 1)
  --duration S          stop after S seconds of wall time (default: until Ctrl-C)
  --surge D:F:M[:CAT]   multiply district D's rate by F for M minutes (repeatable), e.g. TN-MDU:3:60
  --late P              share of events reported late, mean 36 h (default 0)
  --duplicates P        share of events sent twice (default 0)
  --amendments P        share of events corrected later by an amending event (default 0)
  --speed-up N          simulated time runs N times faster, starting at --from (needed with N > 1),
                        and stops on reaching the present
  --from ISO            simulated start time (default: now)

replay
  --format F            chicago (the City of Chicago export, default) or columns (see --columns)
  --columns SPEC        for --format columns: id=COL,time=COL,district=COL,category=COL[,lat=COL,lon=COL];
                        times ISO 8601 or YYYY-MM-DD hh:mm[:ss] in the region's zone; districts by code or
                        spelling; categories product categories or mapped by --category-map
  --category-map FILE   JSON object from the CSV's category values to product categories
  --speed S             max (default), realtime, or a factor such as 60 (one hour a minute)
  --checkpoint FILE     resume from, and record progress in, FILE
  --rejects FILE        write rejected rows as NDJSON (row, id, reason)
  --batch N             events per send (default 2000)

event
  --data JSON           the event as JSON text
  --file FILE           a file holding the event, or - for standard input

common
  --region FILE         region file (default: tamil-nadu; chicago for --format chicago)
  --json                print the summary as JSON on stdout
  --help                this text`;

class UsageError extends Error {}

const { values, positionals } = (() => {
  try {
    return parseArgs({
      allowPositionals: true,
      options: {
        kafka: { type: 'string' },
        http: { type: 'string' },
        'max-body-bytes': { type: 'string' },
        prefix: { type: 'string' },
        key: { type: 'string' },
        rate: { type: 'string' },
        rates: { type: 'string' },
        seed: { type: 'string' },
        duration: { type: 'string' },
        surge: { type: 'string', multiple: true },
        late: { type: 'string' },
        duplicates: { type: 'string' },
        amendments: { type: 'string' },
        'speed-up': { type: 'string' },
        from: { type: 'string' },
        format: { type: 'string' },
        columns: { type: 'string' },
        'category-map': { type: 'string' },
        speed: { type: 'string' },
        checkpoint: { type: 'string' },
        rejects: { type: 'string' },
        batch: { type: 'string' },
        data: { type: 'string' },
        file: { type: 'string' },
        region: { type: 'string' },
        json: { type: 'boolean' },
        help: { type: 'boolean' },
      },
    });
  } catch (error) {
    process.stderr.write(`produce: ${(error as Error).message}\n\n${HELP}\n`);
    process.exit(2);
  }
})();

function number(name: string, fallback: number, min = 0): number {
  const raw = values[name as keyof typeof values];
  if (raw === undefined) return fallback;
  const parsed = Number(raw);
  if (typeof raw !== 'string' || !Number.isFinite(parsed) || parsed < min) {
    throw new UsageError(`--${name} expects a number >= ${min}, got "${String(raw)}"`);
  }
  return parsed;
}

function loadRegion(fallback: string): Promise<Region> {
  return readRegion(values.region ?? regionPath(fallback));
}

function openSink(): EventSink {
  if (values.kafka !== undefined && values.http !== undefined)
    throw new UsageError('give --kafka or --http, not both');
  if (values.http !== undefined) {
    const apiKey = values.key ?? process.env.PRODUCER_KEY;
    const limit = values['max-body-bytes'] ?? process.env.INGEST_MAX_BODY_BYTES;
    const maxBodyBytes = limit === undefined || limit === '' ? undefined : Number(limit);
    if (maxBodyBytes !== undefined && (!Number.isSafeInteger(maxBodyBytes) || maxBodyBytes < 1024))
      throw new UsageError(`--max-body-bytes expects a whole number >= 1024, got "${limit ?? ''}"`);
    return new HttpSink(values.http, {
      ...(apiKey === undefined ? {} : { apiKey }),
      ...(maxBodyBytes === undefined ? {} : { maxBodyBytes }),
    });
  }
  const brokers = values.kafka ?? process.env.KAFKA_BROKERS;
  if (brokers === undefined || brokers === '')
    throw new UsageError('no destination: give --kafka BROKERS or --http URL');
  return new KafkaSink(brokers.split(','), values.prefix ?? process.env.KAFKA_TOPIC_PREFIX ?? '', {
    clientId: 'producer-cli',
  });
}

function parseSpeed(raw: string | undefined): ReplaySpeed {
  if (raw === undefined || raw === 'max') return { kind: 'max' };
  if (raw === 'realtime') return { kind: 'scaled', factor: 1 };
  const factor = Number(raw);
  if (!Number.isFinite(factor) || factor <= 0)
    throw new UsageError(`--speed expects max, realtime or a factor > 0, got "${raw}"`);
  return { kind: 'scaled', factor };
}

const stop = { requested: false };
process.once('SIGINT', () => (stop.requested = true));
process.once('SIGTERM', () => (stop.requested = true));

function report(summary: Record<string, unknown>, lines: string[]): void {
  process.stdout.write(values.json === true ? `${JSON.stringify(summary)}\n` : `${lines.join('\n')}\n`);
}

/** A category map file: `{ "SOURCE VALUE": "product_category" }`, every target a known category. */
function readCategoryMap(file: string): Record<string, Category> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new UsageError(`--category-map ${file}: ${(error as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new UsageError(`--category-map ${file}: expected a JSON object`);
  }
  for (const [value, category] of Object.entries(parsed)) {
    if (typeof category !== 'string' || !(CATEGORIES as readonly string[]).includes(category)) {
      throw new UsageError(
        `--category-map ${file}: "${value}" maps to "${String(category)}", not one of ${CATEGORIES.join(', ')}`,
      );
    }
  }
  return parsed as Record<string, Category>;
}

async function runReplay(open: () => EventSink): Promise<number> {
  const file = positionals[1];
  if (file === undefined) throw new UsageError('replay needs a CSV file');
  const format = values.format ?? 'chicago';
  if (format !== 'chicago' && format !== 'columns') {
    throw new UsageError(`--format: unknown format "${format}" (chicago, columns)`);
  }
  const speed = parseSpeed(values.speed);
  const batchSize = number('batch', 2_000, 1);
  if (!existsSync(file)) throw new UsageError(`cannot read ${file}: no such file`);
  const region = await loadRegion(format === 'chicago' ? 'chicago' : 'tamil-nadu');
  let mapper: RowMapper;
  let idColumn: string;
  if (format === 'chicago') {
    mapper = chicagoRowMapper(region);
    idColumn = 'ID';
  } else {
    if (values.columns === undefined) throw new UsageError('--format columns needs --columns');
    let columns: ColumnMapping;
    try {
      columns = parseColumnMapping(values.columns);
    } catch (error) {
      throw new UsageError((error as Error).message);
    }
    const categoryMap = values['category-map'] === undefined ? {} : readCategoryMap(values['category-map']);
    mapper = columnRowMapper(region, columns, categoryMap);
    idColumn = columns.id;
  }
  const sink = open();
  const validator = createEventValidator({ region });
  process.stderr.write(`produce: reading ${file}\n`);
  const loaded = await loadCsvStream(file, mapper, idColumn);
  // Rows that map but break the contract are refused here with the validator's reason, like the backend would.
  const events: MonitorEvent[] = [];
  const rejected = [...loaded.rejected];
  loaded.events.forEach((event) => {
    const result = validator.check(event);
    if (result.ok) events.push(result.event);
    else rejected.push({ row: -1, id: event.eventId, reason: result.reason });
  });
  if (values.rejects !== undefined) {
    writeFileSync(
      values.rejects,
      rejected.map((row) => JSON.stringify(row)).join('\n') + (rejected.length > 0 ? '\n' : ''),
    );
  }
  const reasons = new Map<string, number>();
  for (const row of rejected) reasons.set(row.reason, (reasons.get(row.reason) ?? 0) + 1);
  process.stderr.write(
    `produce: ${loaded.rows} rows, ${events.length} events to send, ${rejected.length} rejected, to ${sink.description}\n`,
  );

  const progress = progressReporter('replay');
  const outcome = await replay({
    source: file,
    events,
    sink,
    speed,
    batchSize,
    ...(values.checkpoint === undefined ? {} : { checkpointFile: values.checkpoint }),
    onProgress: (sent, total) => {
      progress.update(sent, total);
    },
    stopRequested: () => stop.requested,
  });
  progress.done();
  const summary = {
    file,
    rows: loaded.rows,
    valid: events.length,
    rejectedRows: rejected.length,
    rejectReasons: Object.fromEntries(reasons),
    resumedFrom: outcome.resumedFrom,
    sent: outcome.sent,
    accepted: outcome.accepted,
    refusedByDestination: outcome.rejected.length,
    seconds: Math.round(outcome.seconds * 100) / 100,
    eventsPerSecond: Math.round(outcome.sent / Math.max(outcome.seconds, 1e-3)),
    stopped: outcome.stopped,
  };
  report(summary, [
    `replayed ${outcome.sent} of ${events.length} valid events in ${summary.seconds} s (${summary.eventsPerSecond}/s)${outcome.stopped ? ', stopped early' : ''}`,
    `${rejected.length} rows rejected${[...reasons].map(([reason, n]) => `\n  ${n} x ${reason}`).join('')}`,
    ...(outcome.rejected.length > 0
      ? [`${outcome.rejected.length} events refused by ${sink.description}`]
      : []),
  ]);
  return outcome.rejected.length > 0 ? 1 : 0;
}

async function runSimulate(open: () => EventSink): Promise<number> {
  const region = await loadRegion('tamil-nadu');
  const rate = number('rate', 20);
  const duration = number('duration', Infinity);
  const speedUp = number('speed-up', 1, 1);
  const wallStart = Date.now();
  const from = values.from === undefined ? wallStart : Date.parse(values.from);
  if (!Number.isFinite(from))
    throw new UsageError(`--from expects an ISO 8601 date-time, got "${values.from ?? ''}"`);
  if (from > wallStart)
    throw new UsageError('--from lies in the future; events may not be reported from the future');
  if (speedUp > 1 && values.from === undefined)
    throw new UsageError('--speed-up needs --from: a past start for the faster clock');
  const share = (name: string) => {
    const value = number(name, 0);
    if (value > 1) throw new UsageError(`--${name} is a share from 0 to 1, got ${value}`);
    return value;
  };
  // A run id in the source keeps event ids unique across runs with the same seed.
  const ratesFile =
    values.rates ??
    new URL(`data/rates/${region.name.toLowerCase().replaceAll(' ', '-')}.json`, REPO).pathname;
  if (values.rates !== undefined && !existsSync(ratesFile))
    throw new UsageError(`cannot read ${ratesFile}: no such file`);
  const rates = readRateTable(ratesFile, region);
  if (values.rates !== undefined && rates === undefined) {
    throw new UsageError(`${ratesFile} is not a rate table for region ${region.code}`);
  }
  const simulator = createSimulator({
    region,
    ratePerSecond: rate,
    ...(rates === undefined ? {} : { rates }),
    seed: number('seed', 1),
    source: `sim${wallStart.toString(36)}`,
    dirt: { late: share('late'), duplicate: share('duplicates'), amendment: share('amendments') },
  });
  for (const spec of values.surge ?? []) {
    try {
      simulator.addSurge(parseSurge(spec, from));
    } catch (error) {
      throw new UsageError((error as Error).message);
    }
  }
  const sink = open();
  /** Simulated time: `from` plus wall time elapsed times the speed-up, never past the present. */
  const simulatedNow = () => Math.min(Date.now(), from + (Date.now() - wallStart) * speedUp);
  let sent = 0;
  simulator.tick(from);
  process.stderr.write(
    `produce: ${rate} events/s across ${region.name}${speedUp > 1 ? ` at x${speedUp} from ${new Date(from).toISOString()}` : ''} to ${sink.description}\n`,
  );
  const progress = progressReporter('simulate');
  while (!stop.requested && Date.now() - wallStart < duration * 1000) {
    await new Promise((resolve) => setTimeout(resolve, 250));
    const result = await sink.send(simulator.tick(simulatedNow()));
    sent += result.accepted;
    progress.update(sent);
    if (speedUp > 1 && simulatedNow() >= Date.now()) break;
  }
  progress.done();
  report({ sent, seconds: (Date.now() - wallStart) / 1000 }, [`sent ${sent} simulated events`]);
  return 0;
}

async function runEvent(open: () => EventSink): Promise<number> {
  const text =
    values.data ??
    (values.file === '-'
      ? readFileSync(0, 'utf8')
      : values.file === undefined
        ? undefined
        : readFileSync(values.file, 'utf8'));
  if (text === undefined) throw new UsageError('event needs --data JSON or --file FILE');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`the event is not valid JSON: ${(error as Error).message}`);
  }
  const validator = createEventValidator({ region: await loadRegion('tamil-nadu') });
  const items = Array.isArray(parsed) ? (parsed as unknown[]) : [parsed];
  const events: MonitorEvent[] = [];
  const problems: string[] = [];
  items.forEach((item, index) => {
    const result = validator.check(item);
    if (result.ok) events.push(result.event);
    else problems.push(`event ${index}: ${result.reason}`);
  });
  if (problems.length > 0) throw new UsageError(`not sent, fix first:\n  ${problems.join('\n  ')}`);
  const sink = open();
  const result = await sink.send(events);
  report({ accepted: result.accepted, rejected: result.rejected }, [
    `${result.accepted} accepted by ${sink.description}`,
    ...result.rejected.map((r) => `rejected ${r.eventId ?? ''}: ${r.reason}`),
  ]);
  return result.rejected.length > 0 ? 1 : 0;
}

async function main(): Promise<number> {
  const command = positionals[0];
  if (values.help === true || command === undefined) {
    process.stdout.write(`${HELP}\n`);
    return command === undefined && values.help !== true ? 2 : 0;
  }
  const run = { simulate: runSimulate, replay: runReplay, event: runEvent }[command];
  if (run === undefined) throw new UsageError(`unknown command "${command}" (simulate, replay, event)`);
  // Commands open the destination once their own arguments are known to be good, and it is always closed.
  let sink: EventSink | undefined;
  try {
    return await run(() => (sink = openSink()));
  } finally {
    await sink?.close();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    const usage = error instanceof UsageError;
    process.stderr.write(
      `produce: ${error instanceof Error ? error.message : String(error)}\n${usage ? '(--help lists the options)\n' : ''}`,
    );
    process.exit(usage ? 2 : 1);
  },
);
