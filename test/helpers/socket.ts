import { io, type Socket } from 'socket.io-client';
import type {
  BatchSummary,
  BoardSnapshot,
  ClientToServerEvents,
  ServerToClientEvents,
} from '@district-monitor/streams';
import { waitFor } from './services.js';

export interface BoardClient {
  readonly socket: Socket<ServerToClientEvents, ClientToServerEvents>;
  readonly snapshots: BoardSnapshot[];
  readonly totals: { stored: number; duplicates: number; deadLettered: number; batches: number };
  close(): void;
}

/**
 * A socket.io-client connected like the board, with a session token (`backend.login()`): counts what
 * the backend pushes.
 */
export async function connectBoard(url: string, token: string): Promise<BoardClient> {
  const socket: Socket<ServerToClientEvents, ClientToServerEvents> = io(url, {
    transports: ['websocket'],
    auth: { token },
  });
  const snapshots: BoardSnapshot[] = [];
  const totals = { stored: 0, duplicates: 0, deadLettered: 0, batches: 0 };
  socket.on('snapshot', (snapshot) => snapshots.push(snapshot));
  socket.on('ingest:batch', (summary: BatchSummary) => {
    totals.stored += summary.stored;
    totals.duplicates += summary.duplicates;
    totals.deadLettered += summary.deadLettered;
    totals.batches++;
  });
  await waitFor('the first snapshot', () => (snapshots.length > 0 ? true : undefined), { timeoutMs: 20_000 });
  return { socket, snapshots, totals, close: () => socket.close() };
}
