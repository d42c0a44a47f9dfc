import {
  BadRequestException,
  ConflictException,
  Controller,
  Get,
  HttpCode,
  HttpStatus,
  Inject,
  NotFoundException,
  Param,
  Post,
  Query,
  ServiceUnavailableException,
} from '@nestjs/common';
import { ApiAcceptedResponse, ApiConflictResponse, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { ActiveModelResponse, ModelVersionsResponse, RetrainAccepted } from '@district-monitor/streams';
import { Access } from '../http/access.js';
import { ModelRegistryRepository, TrainingInProgressError } from './model-registry.repository.js';
import { ActivationRefusedError, ModelRegistryService } from './model-registry.service.js';

/** An ISO 8601 instant with a date, a time and a zone (`Z` or an offset). */
/** A version id: 'v' and its sequence number. */
const VERSION_ID = /^v[1-9]\d{0,9}$/;

const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

/**
 * The model registry: `GET /api/models` (every version, newest first, with its card and status, never
 * the bundle), `GET /api/models/active` (the version scoring now; 503 while there is none) and
 * `POST /api/models/retrain` (admin; 202 with the new version, 409 while another trains) and
 * `POST /api/models/:id/activate` (admin; makes an earlier ready version active on every replica).
 */
@ApiTags('models')
@Controller('api/models')
export class ModelsController {
  constructor(
    @Inject(ModelRegistryService) private readonly registry: ModelRegistryService,
    @Inject(ModelRegistryRepository) private readonly repository: ModelRegistryRepository,
  ) {}

  @Get()
  @Access('viewer')
  @ApiOperation({ summary: 'Every model version, newest first, with its card and status' })
  async list(): Promise<ModelVersionsResponse> {
    const versions = await this.repository.list();
    return {
      active: versions.find((version) => version.active)?.id ?? null,
      training: this.registry.trainingVersion,
      versions,
    };
  }

  @Get('active')
  @Access('viewer')
  @ApiOperation({ summary: 'The version scoring now; 503 while there is none' })
  active(): ActiveModelResponse {
    const active = this.registry.active;
    if (active === undefined) throw new ServiceUnavailableException(this.registry.unavailableReason);
    return {
      id: active.id,
      activatedAt: active.activatedAt.toISOString(),
      trainedUntil: active.trainedUntil.toISOString(),
      card: active.card,
    };
  }

  /**
   * Trains a new version on the events before `until` (an ISO instant, not in the future; default the
   * start of the current local hour). A second request while one trains is refused with 409 naming the
   * running version (`runningVersion`), not queued.
   */
  @Post('retrain')
  @Access('admin')
  @HttpCode(HttpStatus.ACCEPTED)
  @ApiOperation({ summary: 'Train a new version on the events before `until`' })
  @ApiQuery({
    name: 'until',
    type: 'string',
    required: false,
    description: 'ISO 8601 instant, not in the future',
  })
  @ApiAcceptedResponse({ description: 'training started' })
  @ApiConflictResponse({ description: 'another version is training' })
  async retrain(@Query('until') untilText?: string): Promise<RetrainAccepted> {
    let until: number | undefined;
    if (untilText !== undefined) {
      until = INSTANT.test(untilText) ? Date.parse(untilText) : Number.NaN;
      if (!Number.isFinite(until)) {
        throw new BadRequestException(
          `until: "${untilText}" is not an ISO 8601 instant with a zone (e.g. 2024-01-01T00:00:00Z)`,
        );
      }
      if (until > Date.now()) throw new BadRequestException(`until: ${untilText} lies in the future`);
    }
    try {
      const version = await this.registry.requestTraining('api', until === undefined ? {} : { until });
      return { id: version.id, status: 'training', trainedUntil: version.trainedUntil };
    } catch (error) {
      if (error instanceof TrainingInProgressError) {
        throw new ConflictException({
          statusCode: HttpStatus.CONFLICT,
          error: 'Conflict',
          message: `${error.message}: retry when it has finished (GET /api/models)`,
          runningVersion: error.runningVersion,
        });
      }
      throw error;
    }
  }

  /**
   * Makes a ready version the active one (a rollback, or back to a newer one): served here when the
   * answer comes, and by every other replica within seconds (the database notifies them).
   */
  @Post(':id/activate')
  @Access('admin')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: 'Make a ready version the active one, on every replica' })
  async activate(@Param('id') id: string): Promise<ActiveModelResponse> {
    if (!VERSION_ID.test(id)) {
      throw new BadRequestException(`id: "${id.slice(0, 40)}" is not a model version id (v1, v2, ...)`);
    }
    try {
      const active = await this.registry.activate(id);
      return {
        id: active.id,
        activatedAt: active.activatedAt.toISOString(),
        trainedUntil: active.trainedUntil.toISOString(),
        card: active.card,
      };
    } catch (error) {
      if (error instanceof ActivationRefusedError) {
        if (error.reason === 'unknown') throw new NotFoundException(error.message);
        throw new ConflictException(error.message);
      }
      throw error;
    }
  }
}
