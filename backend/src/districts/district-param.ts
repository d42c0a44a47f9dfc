import { BadRequestException, NotFoundException } from '@nestjs/common';
import { UNIT_CODE_PATTERN, type Region, type RegionUnit } from '@district-monitor/streams';

/**
 * The district a `:code` route parameter names: 400 for a malformed code, 404 for an unknown code or a
 * police unit (`what` says what is kept per district, for the message).
 */
export function districtParam(region: Region, code: string, what: string): RegionUnit {
  if (!UNIT_CODE_PATTERN.test(code)) {
    throw new BadRequestException(
      `code: "${code}" is not a district code (region prefix, dash, 2-10 capitals or digits, e.g. "TN-CHN")`,
    );
  }
  const unit = region.units.find((candidate) => candidate.code === code);
  if (unit === undefined) {
    throw new NotFoundException(`code: unknown district "${code}" in region ${region.code}`);
  }
  if (unit.kind !== 'district') {
    throw new NotFoundException(
      `code: ${code} is a police unit of ${unit.parent ?? 'no district'}; ${what} are kept per district`,
    );
  }
  return unit;
}
