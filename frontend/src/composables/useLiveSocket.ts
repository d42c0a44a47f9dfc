import type { ClientToServerEvents, ScoresResponse, ServerToClientEvents } from '@district-monitor/streams';
import { io, type Socket } from 'socket.io-client';
import { computed, onUnmounted, type ComputedRef } from 'vue';
import { useApi } from '../lib/api';
import { useAlertsStore } from '../stores/alerts';
import { useBoardStore, type ConnectionState } from '../stores/board';
import { SessionEndedError, useSessionStore } from '../stores/session';
import { useSimulationStore } from '../stores/simulation';

/** Publish cadence: charts and lists re-render at most this often, however fast batches arrive. */
const TICK_MS = 1_000;
/** Trying this long without getting back to live is reported as offline (retries continue). */
const OFFLINE_AFTER_MS = 15_000;
/** After the server closed the connection itself (Socket.IO does not retry that case). */
const RETRY_AFTER_SERVER_CLOSE_MS = 3_000;
/**
 * The 24-hour counts only grow from batch deltas; events ageing out of the window are dropped only by
 * the server, so the board re-syncs from a fresh snapshot this often.
 */
const RESYNC_MS = 5 * 60_000;

export interface LiveSocket {
  readonly state: ComputedRef<ConnectionState>;
  /** Reconnects at once (or re-syncs if connected): the "Reconnect now" button. */
  reconnectNow: () => void;
}

/** "open alerts: forbidden"; a session that ended is not a sync error (the login form says why). */
function describe(what: string, reason: unknown): string | undefined {
  if (reason instanceof SessionEndedError) return undefined;
  return `${what}: ${reason instanceof Error ? reason.message : String(reason)}`;
}

/**
 * Owns the app's one Socket.IO connection for the lifetime of the calling component (the shell, so
 * moving between views keeps it). Every snapshot re-syncs the alert rooms, the open alerts and the
 * scores, so a reconnect leaves nothing stale; deltas are applied from then on.
 */
export function useLiveSocket(): LiveSocket {
  const board = useBoardStore();
  const alerts = useAlertsStore();
  const session = useSessionStore();
  const simulation = useSimulationStore();
  const api = useApi();
  // WebSocket only: no HTTP long-polling, so no sticky sessions behind several backend instances.
  const socket: Socket<ServerToClientEvents, ClientToServerEvents> = io({
    transports: ['websocket'],
    reconnectionDelay: 1_000,
    reconnectionDelayMax: 10_000,
    // Read at every (re)connection, so a reconnect carries the current session.
    auth: (send) => {
      send({ token: session.token ?? '' });
    },
  });

  let offlineTimer: ReturnType<typeof setTimeout> | undefined;
  let retryTimer: ReturnType<typeof setTimeout> | undefined;
  /** A snapshot arrived on the current connection: the board holds current state. */
  let synced = false;

  function clearTimers(): void {
    clearTimeout(offlineTimer);
    clearTimeout(retryTimer);
    offlineTimer = undefined;
    retryTimer = undefined;
  }

  /** Enters 'connecting' or 'reconnecting' and starts the clock towards 'offline'. */
  function trying(state: 'connecting' | 'reconnecting'): void {
    board.setConnection(navigator.onLine ? state : 'offline');
    offlineTimer ??= setTimeout(() => {
      offlineTimer = undefined;
      if (board.connection !== 'live') board.setConnection('offline');
    }, OFFLINE_AFTER_MS);
  }

  /** For the cases Socket.IO does not retry by itself (the server closed or refused us). */
  function retryLater(): void {
    clearTimeout(retryTimer);
    retryTimer = setTimeout(() => {
      retryTimer = undefined;
      socket.connect();
    }, RETRY_AFTER_SERVER_CLOSE_MS);
  }

  /** Counts re-syncs so that an older one finishing late does not overwrite a newer one. */
  let resyncs = 0;
  let roomsError: string | undefined;
  let restErrors: string[] = [];

  function publishSyncError(): void {
    const errors = roomsError === undefined ? restErrors : [roomsError, ...restErrors];
    board.setSyncError(errors.length === 0 ? undefined : errors.join('; '));
  }

  /** The REST half of a (re)connect: open alerts and every score, replacing what the board holds. */
  async function resyncOverRest(): Promise<void> {
    const generation = ++resyncs;
    const [alertsResult, scoresResult] = await Promise.allSettled([
      alerts.load(),
      api.get<ScoresResponse>('/api/scores'),
    ]);
    if (generation !== resyncs) return;
    if (scoresResult.status === 'fulfilled') {
      board.applyScores(scoresResult.value.districts, true);
      board.setScoresReason(scoresResult.value.reason);
    }
    restErrors = [
      alertsResult.status === 'rejected' ? describe('open alerts', alertsResult.reason) : undefined,
      scoresResult.status === 'rejected' ? describe('scores', scoresResult.reason) : undefined,
    ].filter((error) => error !== undefined);
    publishSyncError();
  }

  // Live only once the snapshot is in: a connected board without its state is not live yet.
  socket.on('snapshot', (snapshot) => {
    board.applySnapshot(snapshot);
    simulation.apply(snapshot.simulation);
    synced = true;
    clearTimers();
    board.setConnection('live');
    // Rooms first, so no alert change falls between the REST read and the subscription.
    socket.emit('alerts:subscribe', {}, (answer) => {
      roomsError = answer.ok ? undefined : `alert updates: ${answer.error}`;
      publishSyncError();
    });
    void resyncOverRest();
  });
  socket.on('simulation', (status) => {
    simulation.apply(status);
  });
  socket.on('features', (update) => {
    board.applyFeatures(update.districts);
  });
  socket.on('scores', (update) => {
    board.applyScores(update.districts);
    // Scores pushed: a model is active now, whatever the REST read at connect said.
    if (update.districts.length > 0) board.setScoresReason(null);
  });
  socket.on('alerts', (update) => {
    alerts.applyUpdate(update);
  });
  socket.on('ingest:batch', (batch) => {
    board.applyBatch(batch);
    // Data still flowing after the browser claimed to be offline: the claim was wrong.
    if (synced && board.connection === 'offline') board.setConnection('live');
  });
  socket.on('disconnect', (reason) => {
    synced = false;
    trying('reconnecting');
    if (reason === 'io server disconnect') retryLater();
  });
  socket.on('connect_error', (error) => {
    // The handshake refused the session (expired, user disabled, password changed): back to the login form.
    if (error.message.startsWith('unauthorized:')) {
      session.logout(error.message.slice('unauthorized:'.length).trim());
      return;
    }
    // `active` false: the server refused this connection and the client will not retry on its own.
    if (!socket.active) retryLater();
  });

  function onBrowserOffline(): void {
    board.setConnection('offline');
  }
  function onBrowserOnline(): void {
    if (synced && socket.connected) board.setConnection('live');
    else reconnectNow();
  }
  window.addEventListener('offline', onBrowserOffline);
  window.addEventListener('online', onBrowserOnline);

  function reconnectNow(): void {
    if (socket.connected) {
      socket.emit('snapshot:request');
      return;
    }
    clearTimers();
    trying(board.hasSnapshot ? 'reconnecting' : 'connecting');
    // disconnect() stops the back-off schedule; connect() starts a fresh attempt immediately.
    socket.disconnect();
    socket.connect();
  }

  const ticker = setInterval(() => {
    board.tick();
  }, TICK_MS);
  const resync = setInterval(() => {
    if (socket.connected) socket.emit('snapshot:request');
  }, RESYNC_MS);

  trying('connecting');

  onUnmounted(() => {
    clearInterval(ticker);
    clearInterval(resync);
    clearTimers();
    window.removeEventListener('offline', onBrowserOffline);
    window.removeEventListener('online', onBrowserOnline);
    socket.removeAllListeners();
    socket.disconnect();
  });

  return { state: computed(() => board.connection), reconnectNow };
}
