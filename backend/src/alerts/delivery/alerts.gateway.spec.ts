import 'reflect-metadata';
import type { Server as HttpServer } from 'node:http';
import { Module, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { IoAdapter } from '@nestjs/platform-socket.io';
import type { Server, ServerOptions } from 'socket.io';
import { io, type Socket as ClientSocket } from 'socket.io-client';
import type {
  Alert,
  AlertNotification,
  AlertRoomAnswer,
  AlertRoomRequest,
  ClientToServerEvents,
  Region,
  ServerToClientEvents,
  Severity,
  UserInfo,
} from '@district-monitor/streams';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REGION } from '../../config/tokens.js';
import { AlertsGateway } from './alerts.gateway.js';

/**
 * The gateway in a real Nest app with Socket.IO: who joins which rooms and who receives what. A stand-in
 * for the auth handshake middleware puts the user named in `auth.user` on `socket.data.user`.
 */
const region: Region = {
  code: 'TN',
  name: 'Tamil Nadu (test)',
  timeZone: 'Asia/Kolkata',
  units: ['TN-CHN', 'TN-MDU', 'TN-CBE'].map((code) => ({
    code,
    name: code,
    kind: 'district',
    lat: 11,
    lon: 79,
  })),
};

const USERS: Record<string, UserInfo> = {
  hq: { id: '1', username: 'hq', role: 'viewer', districts: null, createdAt: '2024-01-01T00:00:00Z' },
  chennai: {
    id: '2',
    username: 'chennai',
    role: 'operator',
    districts: ['TN-CHN'],
    createdAt: '2024-01-01T00:00:00Z',
  },
};

class TestAdapter extends IoAdapter {
  override createIOServer(port: number, options?: ServerOptions): Server {
    const server = super.createIOServer(port, options) as Server;
    server.use((socket, next) => {
      const name = (socket.handshake.auth as { user?: string }).user;
      const user = name === undefined ? undefined : USERS[name];
      if (user !== undefined) (socket.data as { user?: UserInfo }).user = user;
      next();
    });
    return server;
  }
}

@Module({ providers: [AlertsGateway, { provide: REGION, useValue: region }] })
class TestModule {}

function alert(id: string, district: string, severity: Severity, category = '*'): Alert {
  return {
    id,
    fingerprint: `r|${district}|${category}`,
    labels: { rule: 'r', kind: 'category', district, category, severity },
    state: 'firing',
    value: 1,
    summary: '',
    startedAt: '2024-01-01T00:00:00.000Z',
    firedAt: null,
    acknowledgedAt: null,
    acknowledgedBy: null,
    resolvedAt: null,
    escalationLevel: 0,
    flapping: false,
    silencedBy: [],
    inhibitedBy: null,
    updatedAt: '2024-01-01T00:00:00.000Z',
  };
}

interface Client {
  socket: ClientSocket<ServerToClientEvents, ClientToServerEvents>;
  alerts: string[];
  notifications: string[];
  subscribe(request: AlertRoomRequest): Promise<AlertRoomAnswer>;
}

async function until<T>(what: string, check: () => T | undefined, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('AlertsGateway', () => {
  let app: INestApplication;
  let gateway: AlertsGateway;
  let url: string;
  const clients: Client[] = [];

  async function connect(user?: string): Promise<Client> {
    const socket: Client['socket'] = io(url, {
      transports: ['websocket'],
      auth: user === undefined ? {} : { user },
    });
    const client: Client = {
      socket,
      alerts: [],
      notifications: [],
      subscribe: (request) => socket.timeout(5000).emitWithAck('alerts:subscribe', request),
    };
    socket.on('alerts', (update) => client.alerts.push(...update.alerts.map((a) => a.id)));
    socket.on('alerts:notification', (n) => client.notifications.push(n.id));
    clients.push(client);
    await until('the connection', () => (socket.connected ? true : undefined));
    return client;
  }

  beforeAll(async () => {
    app = await NestFactory.create(TestModule, { logger: false });
    app.useWebSocketAdapter(new TestAdapter(app));
    await app.listen(0, '127.0.0.1');
    const address = (app.getHttpServer() as HttpServer).address();
    url = `http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}`;
    gateway = app.get(AlertsGateway);
  });

  afterAll(async () => {
    for (const client of clients) client.socket.close();
    await app.close();
  });

  it('answers the rooms joined, or why not', async () => {
    const hq = await connect('hq');
    const chennai = await connect('chennai');
    const anonymous = await connect();
    expect(await hq.subscribe({})).toEqual({ ok: true, rooms: ['all'] });
    expect(await chennai.subscribe({ severities: ['critical'] })).toEqual({
      ok: true,
      rooms: ['district:TN-CHN/severity:critical'],
    });
    expect(await chennai.subscribe({ districts: ['TN-MDU'] })).toEqual({
      ok: false,
      error: 'districts: chennai may not see alerts of TN-MDU (allowed: TN-CHN)',
    });
    const refused = await anonymous.subscribe({});
    expect(refused.ok).toBe(false);
    expect(refused.ok ? '' : refused.error).toContain('unauthorized');
  });

  it('sends each socket the alerts of its rooms, each once, and nothing of districts it may not see', async () => {
    const hq = await connect('hq');
    const chennai = await connect('chennai');
    const mixed = await connect('hq');
    const anonymous = await connect();
    await hq.subscribe({});
    await chennai.subscribe({ severities: ['critical'] });
    // In three matching rooms at once: still one copy of each alert.
    await mixed.subscribe({ districts: ['TN-MDU'], severities: ['critical'], categories: ['*'] });
    await anonymous.subscribe({});

    gateway.publishAlerts([
      alert('chn-critical', 'TN-CHN', 'critical'),
      alert('mdu-critical', 'TN-MDU', 'critical'),
      alert('chn-low', 'TN-CHN', 'low', 'suicide'),
    ]);
    const notification: AlertNotification = {
      id: 'n-mdu',
      idempotencyKey: 'k-mdu',
      district: 'TN-MDU',
      kind: 'firing',
      level: 0,
      levelName: 'duty officer',
      createdAt: '2024-01-01T00:00:00.000Z',
      alerts: [alert('mdu-critical', 'TN-MDU', 'critical')],
    };
    gateway.notify(notification);
    // Socket.IO keeps order per socket: once the marker is in, everything before it has arrived.
    gateway.publishAlerts([alert('marker', 'TN-CHN', 'critical')]);
    for (const client of [hq, chennai, mixed])
      await until('the marker', () => (client.alerts.includes('marker') ? true : undefined));

    expect(hq.alerts.sort()).toEqual(['chn-critical', 'chn-low', 'marker', 'mdu-critical']);
    expect(hq.notifications).toEqual(['n-mdu']);
    expect(chennai.alerts.sort()).toEqual(['chn-critical', 'marker']);
    expect(chennai.notifications).toEqual([]);
    // chn-low is neither TN-MDU, critical nor of every category.
    expect(mixed.alerts.sort()).toEqual(['chn-critical', 'marker', 'mdu-critical']);
    expect(mixed.notifications).toEqual(['n-mdu']);
    expect(anonymous.alerts).toEqual([]);
  });

  it('replaces the rooms on a new subscribe', async () => {
    const hq = await connect('hq');
    await hq.subscribe({});
    await hq.subscribe({ districts: ['TN-CBE'] });
    gateway.publishAlerts([alert('chn', 'TN-CHN', 'critical'), alert('cbe', 'TN-CBE', 'low')]);
    await until('the CBE alert', () => (hq.alerts.includes('cbe') ? true : undefined));
    gateway.publishAlerts([alert('cbe-2', 'TN-CBE', 'low')]);
    await until('the second CBE alert', () => (hq.alerts.includes('cbe-2') ? true : undefined));
    expect(hq.alerts).toEqual(['cbe', 'cbe-2']);
  });
});
