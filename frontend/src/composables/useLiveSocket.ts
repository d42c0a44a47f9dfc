import type { ClientToServerEvents, ServerToClientEvents } from '@district-monitor/streams';
import { io, type Socket } from 'socket.io-client';
import { computed, onUnmounted, type ComputedRef } from 'vue';
import { useBoardStore, type ConnectionState } from '../stores/board';
import { useSessionStore } from '../stores/session';

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

/** Owns the board's one Socket.IO connection for the lifetime of the calling component. */
export function useLiveSocket(): LiveSocket {
  const board = useBoardStore();
  const session = useSessionStore();
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

  // Live only once the snapshot is in: a connected board without its state is not live yet.
  socket.on('snapshot', (snapshot) => {
    board.applySnapshot(snapshot);
    synced = true;
    clearTimers();
    board.setConnection('live');
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
