import {
  BadRequestException,
  ConflictException,
  Controller,
  HttpCode,
  Inject,
  Post,
  Req,
} from '@nestjs/common';
import { ApiBody, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { parseSurge, type Surge } from '@district-monitor/streams/simulator';
import { parseStrictJson } from '@district-monitor/streams';
import { Access } from '../http/access.js';
import { bodyProblem, readBody } from '../http/body.js';
import { SimulatorService } from './simulator.service.js';

/**
 * `POST /api/simulator/surges` with `{ "district": "TN-MDU", "factor": 3, "minutes": 60, "category"?: "crime_women" }`:
 * multiplies one district's simulated rate from now, for demos and alert tests. 409 when the simulator is off.
 */
@ApiTags('simulator')
@Controller('api/simulator')
export class SimulatorController {
  constructor(@Inject(SimulatorService) private readonly simulator: SimulatorService) {}

  @Post('surges')
  @Access('admin')
  @HttpCode(201)
  @ApiOperation({ summary: "Multiply one district's simulated rate for a while (demos, alert tests)" })
  @ApiBody({
    schema: {
      type: 'object',
      required: ['district', 'factor', 'minutes'],
      properties: {
        district: { type: 'string', example: 'TN-MDU' },
        factor: { type: 'number', example: 3 },
        minutes: { type: 'number', example: 60 },
        category: { type: 'string' },
      },
    },
  })
  async addSurge(@Req() request: Request): Promise<{ surge: Surge }> {
    const parsed = parseStrictJson(await readBody(request, 4096));
    if (!parsed.ok) throw new BadRequestException(bodyProblem(parsed.reason));
    const body = parsed.value;
    const { district, factor, minutes, category } = (body ?? {}) as Record<string, unknown>;
    let surge: Surge;
    try {
      const spec = [district, factor, minutes, ...(category === undefined ? [] : [category])]
        .map(String)
        .join(':');
      surge = parseSurge(spec, Date.now());
    } catch (error) {
      throw new BadRequestException((error as Error).message);
    }
    try {
      if (!this.simulator.addSurge(surge))
        throw new ConflictException('the simulator is not running (SIMULATOR=off)');
    } catch (error) {
      if (error instanceof ConflictException) throw error;
      throw new BadRequestException((error as Error).message);
    }
    return { surge };
  }
}
