import { Inject, Injectable, Logger } from '@nestjs/common';
import type { BlackSpotsResponse, Region } from '@district-monitor/streams';
import { REGION } from '../config/tokens.js';
import { clusterBlackSpots, DEFAULT_SPOT_PARAMETERS } from './black-spots.js';
import { BlackSpotRepository } from './black-spots.repository.js';

/** Most accidents one clustering reads (the newest); beyond it the oldest of the window are left out. */
export const MAX_SPOT_ACCIDENTS = 20_000;

/**
 * Black spots of a window: the located accidents of the districts a user may see, clustered with the
 * parameters of the region's enabled `black_spot` alert rule (else 3 accidents within 1 km). Spots are
 * clustered per district, so reading only some districts changes no spot of theirs.
 */
@Injectable()
export class BlackSpotService {
  private readonly logger = new Logger(BlackSpotService.name);

  constructor(
    @Inject(REGION) private readonly region: Region,
    @Inject(BlackSpotRepository) private readonly repository: BlackSpotRepository,
  ) {}

  /** `scope`: the districts to read (null: every district). */
  async find(
    from: Date,
    to: Date,
    scope: readonly string[] | null,
    maxAccidents = MAX_SPOT_ACCIDENTS,
  ): Promise<BlackSpotsResponse> {
    const [parameters, accidents] = await Promise.all([
      this.repository.ruleParameters(this.region.code),
      this.repository.locatedAccidents(from, to, maxAccidents + 1, scope),
    ]);
    const { minAccidents, radiusKm } = parameters ?? DEFAULT_SPOT_PARAMETERS;
    let truncatedBefore: string | null = null;
    if (accidents.length > maxAccidents) {
      accidents.length = maxAccidents;
      truncatedBefore = accidents.at(-1)?.occurredAt.toISOString() ?? null;
      this.logger.warn(
        `black spots of ${from.toISOString()}..${to.toISOString()}: more than ${maxAccidents} located accidents; ` +
          `clustered the newest ${maxAccidents} (from ${truncatedBefore ?? '?'})`,
      );
    }
    return {
      from: from.toISOString(),
      to: to.toISOString(),
      minAccidents,
      radiusKm,
      spots: clusterBlackSpots(accidents, { minAccidents, radiusKm }),
      truncatedBefore,
    };
  }
}
