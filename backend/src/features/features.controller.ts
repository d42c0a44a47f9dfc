import { BadRequestException, Controller, Get, Inject, NotFoundException, Param } from '@nestjs/common';
import { UNIT_CODE_PATTERN, type Region } from '@district-monitor/streams';
import { CRIME_FEATURE_NAMES, type DistrictFeatures } from '@district-monitor/models';
import { REGION } from '../config/tokens.js';
import { FeatureService } from './feature.service.js';

export interface FeaturesResponse extends Omit<DistrictFeatures, 'vector'> {
  /** The 128-feature crime-statistics vector, in the order of `names` (models/src/features/catalog.ts). */
  vector: { names: readonly string[]; values: readonly number[] };
}

/** `GET /api/districts/:code/features`: a district's current rolling features and its 128-vector. */
@Controller('api/districts')
export class FeaturesController {
  constructor(
    @Inject(REGION) private readonly region: Region,
    @Inject(FeatureService) private readonly features: FeatureService,
  ) {}

  @Get(':code/features')
  get(@Param('code') code: string): FeaturesResponse {
    if (!UNIT_CODE_PATTERN.test(code)) {
      throw new BadRequestException(
        `code: "${code}" is not a district code (region prefix, dash, 2-10 capitals or digits, e.g. "TN-CHN")`,
      );
    }
    const unit = this.region.units.find((candidate) => candidate.code === code);
    if (unit === undefined) {
      throw new NotFoundException(`code: unknown district "${code}" in region ${this.region.code}`);
    }
    if (unit.kind !== 'district') {
      throw new NotFoundException(
        `code: ${code} is a police unit of ${unit.parent ?? 'no district'}; features are kept per district`,
      );
    }
    const { vector, ...named } = this.features.current(code);
    return { ...named, vector: { names: CRIME_FEATURE_NAMES, values: vector } };
  }
}
