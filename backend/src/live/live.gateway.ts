import { Inject, Logger, type OnModuleDestroy } from '@nestjs/common';
import {
  ConnectedSocket,
  SubscribeMessage,
  WebSocketGateway,
  WebSocketServer,
  type OnGatewayConnection,
} from '@nestjs/websockets';
import type { Server, Socket } from 'socket.io';
import type {
  BatchSummary,
  Category,
  ClientToServerEvents,
  DistrictFeatures,
  DistrictScore,
  ServerToClientEvents,
} from '@district-monitor/streams';
import { BoardService } from './board.service.js';
import type { SocketData } from '../http/access.js';
import { SimulationStatusStore } from './simulation-status.js';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/tokens.js';
import { OnEvent } from '../events/event-bus.js';

type BoardSocket = Socket<ClientToServerEvents, ServerToClientEvents, never, Partial<SocketData>>;

/** The room of region-wide users: every district's summaries, features and scores. */
export const REGION_ROOM = 'live:region';
/** The room of the users who may see district `code`: that district's part only. */
export const districtRoom = (code: string) => `live:district:${code}`;

/**
 * The board's Socket.IO endpoint: a snapshot on every (re)connect, then coalesced batch summaries and
 * the recomputed features of the districts that changed (`features`, the latest per district).
 * Replay of missed events is not attempted: a reconnecting board re-syncs from the snapshot.
 * Scoped by the user's districts: a region-wide user's socket joins {@link REGION_ROOM}; a scoped
 * user's joins one room per district and receives that district's part alone (batchPartOf).
 */
@WebSocketGateway({ serveClient: false })
export class LiveGateway implements OnGatewayConnection, OnModuleDestroy {
  private readonly logger = new Logger('LiveGateway');
  @WebSocketServer() private readonly server!: Server<ClientToServerEvents, ServerToClientEvents>;
  private pending: BatchSummary | undefined;
  private readonly pendingFeatures = new Map<string, DistrictFeatures>();
  private readonly pendingScores = new Map<string, DistrictScore>();
  private timer: NodeJS.Timeout | undefined;

  /** Batch summaries, features and scores are coalesced and pushed this often: boards need a few updates a second, not hundreds. */
  private readonly flushMs: number;

  constructor(
    @Inject(BoardService) private readonly board: BoardService,
    @Inject(APP_CONFIG) config: AppConfig,
    @Inject(SimulationStatusStore) simulation: SimulationStatusStore,
  ) {
    this.flushMs = config.board.pushIntervalMs;
    // Rare (the backfill throttles its progress to about once a second): sent as it comes.
    simulation.onChange((status) => {
      // Before the HTTP server listens there is no Socket.IO server and no board to tell.
      (this.server as typeof this.server | undefined)?.emit('simulation', status);
    });
  }

  async handleConnection(client: BoardSocket): Promise<void> {
    const districts = client.data.user?.districts;
    if (districts === undefined) {
      client.disconnect(true); // the handshake middleware admits no socket without a user
      return;
    }
    await client.join(districts === null ? REGION_ROOM : districts.map(districtRoom));
    await this.sendSnapshot(client);
  }

  @SubscribeMessage('snapshot:request')
  async onSnapshotRequest(@ConnectedSocket() client: BoardSocket): Promise<void> {
    await this.sendSnapshot(client);
  }

  /** Queues a committed batch's summary; summaries within one flush interval are merged. */
  @OnEvent('batch.handled')
  publishBatch(summary: BatchSummary): void {
    this.pending = this.pending === undefined ? summary : mergeBatchSummaries(this.pending, summary);
    this.scheduleFlush();
  }

  /** Queues recomputed district features; within one flush interval only the latest per district is sent. */
  @OnEvent('features.changed')
  publishFeatures(features: readonly DistrictFeatures[]): void {
    for (const item of features) this.pendingFeatures.set(item.district, item);
    this.scheduleFlush();
  }

  /** Queues new district scores (`scores`), coalesced like the features: the latest per district. */
  @OnEvent('scores.changed')
  publishScores(scores: readonly DistrictScore[]): void {
    for (const item of scores) this.pendingScores.set(item.district, item);
    this.scheduleFlush();
  }

  flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const at = new Date().toISOString();
    if (this.pending !== undefined) {
      const summary = this.pending;
      this.server.to(REGION_ROOM).emit('ingest:batch', summary);
      const touched = new Set([
        ...Object.keys(summary.byDistrict),
        ...Object.keys(summary.newestReportedByDistrict),
      ]);
      for (const code of touched)
        this.server.to(districtRoom(code)).emit('ingest:batch', batchPartOf(summary, code));
      this.pending = undefined;
    }
    if (this.pendingFeatures.size > 0) {
      this.server.to(REGION_ROOM).emit('features', { at, districts: [...this.pendingFeatures.values()] });
      for (const item of this.pendingFeatures.values()) {
        this.server.to(districtRoom(item.district)).emit('features', { at, districts: [item] });
      }
      this.pendingFeatures.clear();
    }
    if (this.pendingScores.size > 0) {
      this.server.to(REGION_ROOM).emit('scores', { at, districts: [...this.pendingScores.values()] });
      for (const item of this.pendingScores.values()) {
        this.server.to(districtRoom(item.district)).emit('scores', { at, districts: [item] });
      }
      this.pendingScores.clear();
    }
  }

  private scheduleFlush(): void {
    this.timer ??= setTimeout(() => {
      this.flush();
    }, this.flushMs);
  }

  onModuleDestroy(): void {
    this.flush();
  }

  private async sendSnapshot(client: BoardSocket): Promise<void> {
    // null: a region-wide reader, who gets every district (not `?? []`, which would give them none).
    const districts = client.data.user?.districts;
    if (districts === undefined) {
      client.disconnect(true);
      return;
    }
    try {
      client.emit('snapshot', await this.board.snapshot(new Date(), districts));
    } catch (error) {
      this.logger.error(`snapshot for ${client.id} failed: ${String(error)}`);
      client.disconnect(true);
    }
  }
}

/**
 * District `code`'s part of a batch summary, for the users scoped to it: its count change and newest
 * report; the events stored (its new events), and no duplicate, dead-letter or category counts, which
 * cannot be told apart by district.
 */
export function batchPartOf(summary: BatchSummary, code: string): BatchSummary {
  const change = summary.byDistrict[code];
  const newest = summary.newestReportedByDistrict[code];
  return {
    at: summary.at,
    transport: summary.transport,
    stored: Math.max(0, change ?? 0),
    duplicates: 0,
    deadLettered: 0,
    byDistrict: change === undefined ? {} : { [code]: change },
    byCategory: {},
    newestReportedByDistrict: newest === undefined ? {} : { [code]: newest },
  };
}

/** Two batch summaries as one: counts added, per-district newest reports the later of the two. */
export function mergeBatchSummaries(a: BatchSummary, b: BatchSummary): BatchSummary {
  const byDistrict: Record<string, number> = { ...a.byDistrict };
  for (const [code, n] of Object.entries(b.byDistrict)) byDistrict[code] = (byDistrict[code] ?? 0) + n;
  const byCategory: Partial<Record<Category, number>> = { ...a.byCategory };
  for (const [category, n] of Object.entries(b.byCategory) as [Category, number][]) {
    byCategory[category] = (byCategory[category] ?? 0) + n;
  }
  return {
    at: b.at,
    transport: b.transport,
    stored: a.stored + b.stored,
    duplicates: a.duplicates + b.duplicates,
    deadLettered: a.deadLettered + b.deadLettered,
    byDistrict,
    byCategory,
    newestReportedByDistrict: latest(a.newestReportedByDistrict, b.newestReportedByDistrict),
  };
}

/** Per key, the later of two ISO instants. */
function latest(
  a: Readonly<Record<string, string>>,
  b: Readonly<Record<string, string>>,
): Record<string, string> {
  const merged: Record<string, string> = { ...a };
  for (const [code, at] of Object.entries(b)) {
    const current = merged[code];
    if (current === undefined || Date.parse(at) > Date.parse(current)) merged[code] = at;
  }
  return merged;
}
