import { Inject, Injectable } from '@nestjs/common';
import { HourClock, hourOriginIso } from '@district-monitor/models';
import { districtsOf, type BoardHistory, type Region } from '@district-monitor/streams';
import { toWire } from '../alerts/engine/record.js';
import { REGION } from '../config/tokens.js';
import { BlackSpotService } from '../region/black-spots.service.js';
import { BoardHistoryRepository } from './board-history.repository.js';
import { historicDistricts } from './historic-districts.js';
import { bucketStarts, fillSeries, type HistoryWindow } from './history-window.js';

/** Most alerts one answer lists (the per-district counts are exact whatever the list holds). */
export const MAX_HISTORY_ALERTS = 500;

/** Time travel: the board over a past window, rebuilt from the stored events, scores and alerts. */
@Injectable()
export class BoardHistoryService {
  private readonly districts: readonly string[];
  /** Buckets start at the region's local hours (and at local midnight for 6-hour buckets). */
  private readonly origin: string;

  constructor(
    @Inject(REGION) region: Region,
    @Inject(BoardHistoryRepository) private readonly repository: BoardHistoryRepository,
    @Inject(BlackSpotService) private readonly blackSpots: BlackSpotService,
  ) {
    this.districts = districtsOf(region).map((unit) => unit.code);
    this.origin = hourOriginIso(new HourClock(region.timeZone));
  }

  /** The window as `scope` may see it: its districts (null = every district), their alerts and spots. */
  async history(window: HistoryWindow, scope: readonly string[] | null): Promise<BoardHistory> {
    const { from, to, bucketMinutes } = window;
    const codes = scope === null ? this.districts : this.districts.filter((code) => scope.includes(code));
    const [series, counts, scores, openAlerts, alerts, blackSpots] = await Promise.all([
      this.repository.series(codes, from, to, bucketMinutes, this.origin),
      this.repository.categoryCounts(codes, from, to),
      this.repository.scoresAt(codes, to),
      this.repository.openAlertCounts(scope, from, to),
      this.repository.openAlerts(scope, from, to, MAX_HISTORY_ALERTS),
      this.blackSpots.find(from, to, scope),
    ]);
    const districts = historicDistricts(codes, counts, scores, openAlerts);
    return {
      from: from.toISOString(),
      to: to.toISOString(),
      bucketMinutes,
      series: fillSeries(bucketStarts(from, to, bucketMinutes, Date.parse(this.origin)), series),
      districts,
      alerts: alerts.map(toWire),
      blackSpots: blackSpots.spots,
      blackSpotsTruncatedBefore: blackSpots.truncatedBefore,
      total: districts.reduce((sum, district) => sum + district.count, 0),
    };
  }
}
