import { readFileSync } from 'node:fs';
import type { Server as HttpServer } from 'node:http';
import { fileURLToPath } from 'node:url';
import { Global, Module, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import type { NextFunction, Request, Response } from 'express';
import {
  parseRegion,
  type BlackSpotsResponse,
  type MonitorEvent,
  type RecentEventsResponse,
  type RegionMap,
  type UserInfo,
} from '@district-monitor/streams';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuthenticatedRequest } from '../http/access.js';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG, DATABASE, REGION } from '../config/tokens.js';
import { bucketContext, migrate } from '../database/migrate.js';
import { PgliteDatabase } from '../database/pglite.repository.js';
import { EventStoreRepository } from '../database/event-store.repository.js';
import { RegionModule } from './region.module.js';
import { DistrictsModule } from '../districts/districts.module.js';

const REGION_FILE = fileURLToPath(new URL('../../../data/regions/tamil-nadu.json', import.meta.url));
const region = parseRegion(JSON.parse(readFileSync(REGION_FILE, 'utf8')), 'tamil-nadu.json');

/** Users by the `x-user` header: `hq` sees every district, `chennai` only TN-CHN. */
const USERS: Record<string, UserInfo> = {
  hq: { id: 'u1', username: 'hq', role: 'viewer', districts: null, createdAt: '2025-01-01T00:00:00Z' },
  chennai: {
    id: 'u2',
    username: 'chennai',
    role: 'viewer',
    districts: ['TN-CHN'],
    createdAt: '2025-01-01T00:00:00Z',
  },
};

/** A located accident (1 killed) at minute `minute` of 2025-06-01. */
function accident(id: string, district: string, lat: number, lon: number, minute: number): MonitorEvent {
  const at = new Date(Date.UTC(2025, 5, 1, 0, minute)).toISOString();
  return {
    eventId: id,
    schemaVersion: 1,
    kind: 'accident',
    category: 'road_accident',
    district,
    severity: 'high',
    occurredAt: at,
    reportedAt: at,
    location: { lat, lon },
    killed: 1,
    injured: 1,
    vehicles: 2,
  };
}

describe('region routes over HTTP', () => {
  let app: INestApplication;
  let db: PgliteDatabase;
  let url: string;

  const get = async <T>(path: string, user = 'hq'): Promise<{ status: number; body: T }> => {
    const response = await fetch(`${url}${path}`, { headers: { 'x-user': user } });
    return { status: response.status, body: (await response.json()) as T };
  };

  beforeAll(async () => {
    db = await PgliteDatabase.open('memory://');
    await migrate(db, bucketContext(region));
    // Three accidents within 200 m in Chennai and in Madurai; one lone accident in Chennai.
    await new EventStoreRepository(db).insert([
      accident('c1', 'TN-CHN', 13.05, 80.25, 1),
      accident('c2', 'TN-CHN', 13.051, 80.25, 2),
      accident('c3', 'TN-CHN', 13.052, 80.25, 3),
      accident('c4', 'TN-CHN', 13.2, 80.25, 4),
      accident('m1', 'TN-MDU', 9.92, 78.12, 5),
      accident('m2', 'TN-MDU', 9.921, 78.12, 6),
      accident('m3', 'TN-MDU', 9.922, 78.12, 7),
    ]);
    const config = {
      regionFile: REGION_FILE,
      board: { geojsonFile: undefined, geojsonKey: 'censuscode' },
    } as unknown as AppConfig;

    @Global()
    @Module({
      providers: [
        { provide: APP_CONFIG, useValue: config },
        { provide: REGION, useValue: region },
        { provide: DATABASE, useValue: db },
      ],
      exports: [APP_CONFIG, REGION, DATABASE],
    })
    class DriversModule {}

    @Module({ imports: [DriversModule, RegionModule, DistrictsModule] })
    class TestModule {}

    app = await NestFactory.create(TestModule, { logger: false });
    // What the access guard leaves on the request: the user of the `x-user` header.
    app.use((request: Request, _response: Response, next: NextFunction) => {
      const user = USERS[String(request.headers['x-user'])];
      if (user !== undefined) (request as AuthenticatedRequest).principal = { kind: 'user', user };
      next();
    });
    await app.listen(0, '127.0.0.1');
    const address = (app.getHttpServer() as HttpServer).address();
    url = `http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}`;
  });

  afterAll(async () => {
    await app.close();
    await db.close();
  });

  it("serves the region's own map of the 38 districts", async () => {
    const { status, body } = await get<RegionMap>('/api/region/map');
    expect(status).toBe(200);
    expect(body.source).toBe('geojson');
    expect(body.districts).toHaveLength(38);
  });

  it('finds the black spots of a window, only in the districts the user may see', async () => {
    const window = 'from=2025-06-01T00:00:00Z&to=2025-06-01T01:00:00Z';
    const all = await get<BlackSpotsResponse>(`/api/black-spots?${window}`);
    expect(all.status).toBe(200);
    expect(all.body).toMatchObject({
      from: '2025-06-01T00:00:00.000Z',
      to: '2025-06-01T01:00:00.000Z',
      minAccidents: 3,
      radiusKm: 1,
    });
    expect(all.body.spots.map((s) => [s.district, s.accidents, s.killed])).toEqual([
      ['TN-CHN', 3, 3],
      ['TN-MDU', 3, 3],
    ]);
    expect(all.body.spots[0]?.lat).toBeCloseTo(13.051, 9);
    const chennai = await get<BlackSpotsResponse>(`/api/black-spots?${window}`, 'chennai');
    expect(chennai.body.spots.map((s) => s.district)).toEqual(['TN-CHN']);
    // The default window is the last 24 hours: nothing of June 2025.
    expect((await get<BlackSpotsResponse>('/api/black-spots')).body.spots).toEqual([]);
    const bad = await get<{ message: string }>('/api/black-spots?from=yesterday');
    expect(bad.status).toBe(400);
    expect(bad.body.message).toContain('from: expected an ISO 8601 instant');
  });

  it("lists a district's events, 404 for an unknown district, 403 outside the user's scope, 400 for a bad limit", async () => {
    const chennai = await get<RecentEventsResponse>('/api/districts/TN-CHN/events?limit=2', 'chennai');
    expect(chennai.status).toBe(200);
    expect(chennai.body.district).toBe('TN-CHN');
    expect(chennai.body.events.map((e) => e.eventId)).toEqual(['c4', 'c3']);
    // The severity split counts the last 28 days: these June 2025 accidents are older than that.
    const sinceAgo = Date.now() - Date.parse(chennai.body.accidentSeverity.since);
    expect(sinceAgo).toBeGreaterThanOrEqual(28 * 86_400_000);
    expect(sinceAgo).toBeLessThan(28 * 86_400_000 + 60_000);
    expect(chennai.body.accidentSeverity.counts).toEqual({ low: 0, medium: 0, high: 0, critical: 0 });
    expect((await get('/api/districts/TN-XYZ/events')).status).toBe(404);
    const refused = await get<{ message: string }>('/api/districts/TN-MDU/events', 'chennai');
    expect(refused.status).toBe(403);
    expect(refused.body.message).toContain('TN-MDU');
    const bad = await get<{ message: string }>('/api/districts/TN-CHN/events?limit=500');
    expect(bad.status).toBe(400);
    expect(bad.body.message).toBe('limit: expected a whole number from 1 to 200');
  });

  it('documents the three routes in OpenAPI as viewer routes', () => {
    const document = SwaggerModule.createDocument(app, new DocumentBuilder().build());
    const access = (path: string) =>
      (document.paths[path]?.get as Record<string, unknown> | undefined)?.['x-access'];
    expect(access('/api/region/map')).toBe('viewer');
    expect(access('/api/black-spots')).toBe('viewer');
    expect(access('/api/districts/{code}/events')).toBe('viewer');
  });
});
