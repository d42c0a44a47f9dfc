import type {
  BatchSummary,
  BoardSnapshot,
  BoardUnit,
  DistrictFeatures,
  DistrictScore,
} from '@district-monitor/streams';
import {
  SILENCE_IMPROBABILITY,
  silenceProbability,
  usualHourlyRate,
} from '@district-monitor/streams/silence';
import { defineStore } from 'pinia';
import { computed, ref, shallowRef } from 'vue';
import { MinuteWindow, type MinutePoint } from '../lib/minute-window';

export type ConnectionState = 'connecting' | 'live' | 'reconnecting' | 'offline';

export interface DistrictCount {
  readonly code: string;
  readonly name: string;
  readonly count: number;
}

export interface SessionTotals {
  readonly stored: number;
  readonly duplicates: number;
  readonly deadLettered: number;
}

/** Minutes in the per-minute series; the snapshot carries the same number. */
const MINUTES = 30;
/** Shown until the first snapshot names the region's zone. */
const DEFAULT_TIME_ZONE = 'Asia/Kolkata';
/**
 * A district from which nothing was reported for at least this long, and for longer than its usual rate
 * explains (P(silence) at most `SILENCE_IMPROBABILITY` at its usual rate; before the rate is known, this
 * long alone), is listed as "no data": the default district `no_data` alert rule's test, so the board shows
 * the silence while it alerts. At real volumes most districts send less than one event an hour.
 */
export const NO_DATA_MINUTES = 60;
const NO_DATA_MS = NO_DATA_MINUTES * 60_000;

/**
 * The board's state. Socket messages mutate plain working copies (no reactivity, no re-render per
 * message); `tick()` publishes them once a second into shallow refs that the view and the charts read.
 */
export const useBoardStore = defineStore('board', () => {
  // Working state.
  const counts = new Map<string, number>();
  const minuteWindow = new MinuteWindow(MINUTES, Date.now());
  let total = 0;
  let session: SessionTotals = { stored: 0, duplicates: 0, deadLettered: 0 };
  let received: number | undefined;
  /** Server clock minus ours, so minutes roll on the server's clock even if the wall PC's is off. */
  let clockOffsetMs = 0;
  /** Server time of the current snapshot: batches committed by then are already in it. */
  let snapshotAt = Number.NEGATIVE_INFINITY;
  let countsChanged = false;
  let minutesChanged = false;
  const featureWork = new Map<string, DistrictFeatures>();
  /** Events each district usually sends an hour: from the snapshot, then from each features update. */
  const usualRates = new Map<string, number>();
  const scoreWork = new Map<string, DistrictScore>();
  let featuresChanged = false;
  let scoresChanged = false;
  /** Newest `reportedAt` per district code (epoch ms, server clock): one entry per district at most. */
  const reportedWork = new Map<string, number>();

  // Published state.
  const connection = ref<ConnectionState>('connecting');
  const region = shallowRef<BoardSnapshot['region']>();
  const districts = shallowRef<readonly BoardUnit[]>([]);
  const windowHours = ref(24);
  const districtCounts = shallowRef<readonly DistrictCount[]>([]);
  const minutes = shallowRef<readonly MinutePoint[]>(minuteWindow.points());
  const totalStored = ref(0);
  const sinceLoad = shallowRef<SessionTotals>(session);
  /** Local time the last snapshot or batch arrived (data freshness). */
  const lastUpdateAt = ref<number>();
  /** The latest rolling features per district code (from `features` pushes). */
  const features = shallowRef<ReadonlyMap<string, DistrictFeatures>>(new Map());
  /** The active model's latest score per district code (`GET /api/scores`, then `scores` pushes). */
  const scores = shallowRef<ReadonlyMap<string, DistrictScore>>(new Map());
  /** Local time of the last tick; drives "updated 3 s ago" and the clock. */
  const now = ref(Date.now());
  /** Server time minus the newest `reportedAt` of the region; null until anything was reported. */
  const feedLagMs = ref<number | null>(null);
  /** Districts silent for longer than their usual rate explains (see `NO_DATA_MINUTES`), in registry order. */
  const noDataDistricts = shallowRef<readonly BoardUnit[]>([]);
  /** Why the last re-sync over REST (open alerts, scores) failed; undefined when it succeeded. */
  const syncError = ref<string>();
  /** Why there are no scores (no model trained yet), as `GET /api/scores` says; undefined otherwise. */
  const scoresReason = ref<string>();

  const timeZone = computed(() => region.value?.timeZone ?? DEFAULT_TIME_ZONE);
  const hasSnapshot = computed(() => region.value !== undefined);
  const eventsInWindow = computed(() => districtCounts.value.reduce((sum, d) => sum + d.count, 0));
  /** The newest minute is still filling; the one before it is the last complete minute. */
  const eventsLastFullMinute = computed(() => minutes.value.at(-2)?.count ?? 0);

  function setConnection(state: ConnectionState): void {
    connection.value = state;
  }

  function setSyncError(message: string | undefined): void {
    syncError.value = message;
  }

  function setScoresReason(reason: string | null): void {
    scoresReason.value = reason ?? undefined;
  }

  /** Replaces the whole state: sent on every (re)connect, so nothing is replayed or patched. */
  function applySnapshot(snapshot: BoardSnapshot, receivedAt = Date.now()): void {
    const at = Date.parse(snapshot.at);
    clockOffsetMs = Number.isFinite(at) ? at - receivedAt : 0;
    snapshotAt = Number.isFinite(at) ? at : Number.NEGATIVE_INFINITY;
    region.value = snapshot.region;
    districts.value = snapshot.districts;
    windowHours.value = snapshot.windowHours;
    counts.clear();
    reportedWork.clear();
    usualRates.clear();
    for (const [code, rate] of Object.entries(snapshot.usualHourlyRate)) usualRates.set(code, rate);
    for (const district of snapshot.districts) {
      counts.set(district.code, snapshot.countsByDistrict[district.code] ?? 0);
      const reported = Date.parse(snapshot.lastReportedAt[district.code] ?? '');
      if (Number.isFinite(reported)) reportedWork.set(district.code, reported);
    }
    minuteWindow.reset(snapshot.minutes, receivedAt + clockOffsetMs);
    total = snapshot.totalStored;
    received = receivedAt;
    countsChanged = true;
    minutesChanged = true;
    tick(receivedAt);
  }

  function applyBatch(batch: BatchSummary, receivedAt = Date.now()): void {
    session = {
      stored: session.stored + batch.stored,
      duplicates: session.duplicates + batch.duplicates,
      deadLettered: session.deadLettered + batch.deadLettered,
    };
    received = receivedAt;
    const at = Date.parse(batch.at);
    // Committed before the snapshot was taken but delivered after it (coalescing delay): already counted.
    if (at <= snapshotAt) return;
    for (const [code, n] of Object.entries(batch.byDistrict)) {
      const current = counts.get(code);
      if (current !== undefined) counts.set(code, current + n);
    }
    // Freshness per district from its own newest report: a late event says nothing of the others.
    for (const [code, iso] of Object.entries(batch.newestReportedByDistrict)) {
      const reported = Date.parse(iso);
      if (counts.has(code) && reported > (reportedWork.get(code) ?? Number.NEGATIVE_INFINITY))
        reportedWork.set(code, reported);
    }
    minuteWindow.add(Number.isFinite(at) ? at : receivedAt + clockOffsetMs, batch.stored);
    total += batch.stored;
    countsChanged = true;
    minutesChanged = true;
  }

  /** Keeps the newest features per district; published on the next tick. */
  function applyFeatures(items: readonly DistrictFeatures[]): void {
    for (const item of items) {
      featureWork.set(item.district, item);
      usualRates.set(item.district, usualHourlyRate(item));
    }
    featuresChanged ||= items.length > 0;
  }

  /** Keeps the newest score per district (an older `asOf` never replaces a newer one). */
  function applyScores(items: readonly DistrictScore[], replace = false): void {
    if (replace) scoreWork.clear();
    for (const item of items) {
      const known = scoreWork.get(item.district);
      if (known === undefined || Date.parse(known.asOf) <= Date.parse(item.asOf))
        scoreWork.set(item.district, item);
    }
    scoresChanged ||= replace || items.length > 0;
  }

  /** Publishes the working state; called once a second and right after a snapshot. */
  function tick(localNow = Date.now()): void {
    now.value = localNow;
    // Not live: keep the last known minutes rather than rolling in zeros for minutes we never saw.
    if (connection.value === 'live' && minuteWindow.advance(localNow + clockOffsetMs)) minutesChanged = true;
    if (countsChanged) {
      districtCounts.value = districts.value
        .map(({ code, name }) => ({ code, name, count: counts.get(code) ?? 0 }))
        .sort((a, b) => b.count - a.count || a.name.localeCompare(b.name));
      countsChanged = false;
    }
    if (minutesChanged) {
      minutes.value = minuteWindow.points();
      minutesChanged = false;
    }
    if (featuresChanged) {
      features.value = new Map(featureWork);
      featuresChanged = false;
    }
    if (scoresChanged) {
      scores.value = new Map(scoreWork);
      scoresChanged = false;
    }
    publishReported(localNow + clockOffsetMs);
    totalStored.value = total;
    sinceLoad.value = session;
    lastUpdateAt.value = received;
  }

  /** Feed lag and the silent districts at server time `serverNow`; the list is replaced only when it changes. */
  function publishReported(serverNow: number): void {
    let newest = Number.NEGATIVE_INFINITY;
    for (const reported of reportedWork.values()) newest = Math.max(newest, reported);
    feedLagMs.value = Number.isFinite(newest) ? Math.max(0, serverNow - newest) : null;
    const silent = districts.value.filter(({ code }) => {
      const reported = reportedWork.get(code);
      if (reported === undefined) return true;
      const silentMs = serverNow - reported;
      if (silentMs <= NO_DATA_MS) return false;
      const rate = usualRates.get(code);
      return rate === undefined || silenceProbability(silentMs, rate) <= SILENCE_IMPROBABILITY;
    });
    const previous = noDataDistricts.value;
    if (silent.length !== previous.length || silent.some((district, i) => district !== previous[i]))
      noDataDistricts.value = silent;
  }

  return {
    connection,
    region,
    districts,
    windowHours,
    districtCounts,
    minutes,
    totalStored,
    sinceLoad,
    lastUpdateAt,
    features,
    scores,
    now,
    feedLagMs,
    noDataDistricts,
    syncError,
    scoresReason,
    timeZone,
    hasSnapshot,
    eventsInWindow,
    eventsLastFullMinute,
    setConnection,
    setSyncError,
    setScoresReason,
    applySnapshot,
    applyBatch,
    applyFeatures,
    applyScores,
    tick,
  };
});
