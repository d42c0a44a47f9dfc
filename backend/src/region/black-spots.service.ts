import { Inject, Injectable, Logger } from '@nestjs/common';
import type { BlackSpotsResponse, Region } from '@district-monitor/streams';
import { REGION } from '../config/tokens.js';
import { clusterBlackSpots, DEFAULT_SPOT_PARAMETERS } from './black-spots.js';
import { BlackSpotRepository } from './black-spots.repository.js';

/** Most accidents one clustering reads (the newest); beyond it the oldest of the window are left out. */
export const MAX_SPOT_ACCIDENTS = 20_000;

/**
 * Black spots of a window over every district: the located accidents clustered with the parameters of
 * the region's enabled `black_spot` alert rule (else 3 accidents within 1 km). Callers filter the spots
 * to the districts their user may see.
 */
@Injectable()
export class BlackSpotService {
  private readonly logger = new Logger(BlackSpotService.name);

  constructor(
    @Inject(REGION) private readonly region: Region,
    @Inject(BlackSpotRepository) private readonly repository: BlackSpotRepository,
  ) {}

  async find(from: Date, to: Date): Promise<BlackSpotsResponse> {
    const [parameters, accidents] = await Promise.all([
      this.repository.ruleParameters(this.region.code),
      this.repository.locatedAccidents(from, to, MAX_SPOT_ACCIDENTS + 1),
    ]);
    const { minAccidents, radiusKm } = parameters ?? DEFAULT_SPOT_PARAMETERS;
    if (accidents.length > MAX_SPOT_ACCIDENTS) {
      accidents.length = MAX_SPOT_ACCIDENTS;
      this.logger.warn(
        `black spots of ${from.toISOString()}..${to.toISOString()}: more than ${MAX_SPOT_ACCIDENTS} located accidents; ` +
          `clustered the newest ${MAX_SPOT_ACCIDENTS} (from ${accidents.at(-1)?.occurredAt.toISOString() ?? '?'})`,
      );
    }
    return {
      from: from.toISOString(),
      to: to.toISOString(),
      minAccidents,
      radiusKm,
      spots: clusterBlackSpots(accidents, { minAccidents, radiusKm }),
    };
  }
}
