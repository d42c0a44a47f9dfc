import type {
  BatchSummary,
  BoardSnapshot,
  BoardUnit,
  DistrictFeatures,
  DistrictScore,
} from '@district-monitor/streams';
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
  const scoreWork = new Map<string, DistrictScore>();
  let featuresChanged = false;
  let scoresChanged = false;

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

  const timeZone = computed(() => region.value?.timeZone ?? DEFAULT_TIME_ZONE);
  const hasSnapshot = computed(() => region.value !== undefined);
  const eventsInWindow = computed(() => districtCounts.value.reduce((sum, d) => sum + d.count, 0));
  /** The newest minute is still filling; the one before it is the last complete minute. */
  const eventsLastFullMinute = computed(() => minutes.value.at(-2)?.count ?? 0);

  function setConnection(state: ConnectionState): void {
    connection.value = state;
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
    for (const district of snapshot.districts) {
      counts.set(district.code, snapshot.countsByDistrict[district.code] ?? 0);
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
    minuteWindow.add(Number.isFinite(at) ? at : receivedAt + clockOffsetMs, batch.stored);
    total += batch.stored;
    countsChanged = true;
    minutesChanged = true;
  }

  /** Keeps the newest features per district; published on the next tick. */
  function applyFeatures(items: readonly DistrictFeatures[]): void {
    for (const item of items) featureWork.set(item.district, item);
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
    totalStored.value = total;
    sinceLoad.value = session;
    lastUpdateAt.value = received;
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
    timeZone,
    hasSnapshot,
    eventsInWindow,
    eventsLastFullMinute,
    setConnection,
    applySnapshot,
    applyBatch,
    applyFeatures,
    applyScores,
    tick,
  };
});
