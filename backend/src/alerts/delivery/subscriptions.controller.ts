import {
  BadRequestException,
  Controller,
  Delete,
  Get,
  HttpCode,
  HttpStatus,
  Inject,
  NotFoundException,
  Param,
  Patch,
  Post,
  Query,
  Req,
} from '@nestjs/common';
import {
  ApiBody,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiQuery,
  ApiTags,
} from '@nestjs/swagger';
import type { Request } from 'express';
import {
  DELIVERY_STATES,
  districtsOf,
  type CreatedSubscription,
  type DeliveryState,
  type Region,
  type WebhookDelivery,
  type WebhookSubscription,
} from '@district-monitor/streams';
import { Access, actorOf } from '../../http/access.js';
import { readJsonObject } from '../../http/body.js';
import { REGION } from '../../config/tokens.js';
import { parseCreate, parseUpdate } from './subscription-filter.js';
import { SubscriptionsService } from './subscriptions.service.js';

const FILTER_SCHEMA = {
  type: 'object',
  description: 'Which notifications the subscription receives; a null or empty list matches everything.',
  properties: {
    districts: { type: 'array', items: { type: 'string' }, nullable: true, example: ['TN-CHN'] },
    severities: {
      type: 'array',
      items: { type: 'string', enum: ['low', 'medium', 'high', 'critical'] },
      nullable: true,
    },
    categories: { type: 'array', items: { type: 'string' }, nullable: true },
    minLevel: { type: 'integer', minimum: 0, maximum: 5, default: 0 },
  },
};

const SUBSCRIPTION_SCHEMA = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    name: { type: 'string' },
    url: { type: 'string', format: 'uri' },
    filter: FILTER_SCHEMA,
    enabled: { type: 'boolean' },
    createdBy: { type: 'string' },
    createdAt: { type: 'string', format: 'date-time' },
  },
};

const DELIVERY_SCHEMA = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    subscriptionId: { type: 'string' },
    notificationId: { type: 'string' },
    idempotencyKey: { type: 'string' },
    state: { type: 'string', enum: [...DELIVERY_STATES] },
    attempts: { type: 'integer' },
    nextAttemptAt: { type: 'string', format: 'date-time', nullable: true },
    lastStatus: { type: 'integer', nullable: true },
    lastError: { type: 'string', nullable: true },
    deliveredAt: { type: 'string', format: 'date-time', nullable: true },
    createdAt: { type: 'string', format: 'date-time' },
  },
};

const MAX_LOG_PAGE = 1000;

/**
 * Webhook subscriptions (admin only): `GET/POST /api/subscriptions`, `PATCH/DELETE
 * /api/subscriptions/:id` and the delivery log `GET /api/subscriptions/:id/deliveries`. Requests are
 * signed as described in the README ("Webhooks").
 */
@ApiTags('subscriptions')
@Controller('api/subscriptions')
export class SubscriptionsController {
  private readonly districts: ReadonlySet<string>;

  constructor(
    @Inject(SubscriptionsService) private readonly subscriptions: SubscriptionsService,
    @Inject(REGION) region: Region,
  ) {
    this.districts = new Set(districtsOf(region).map((unit) => unit.code));
  }

  @Get()
  @Access('admin')
  @ApiOperation({ summary: 'List webhook subscriptions (without their secrets)' })
  @ApiOkResponse({ schema: { type: 'array', items: SUBSCRIPTION_SCHEMA } })
  list(): Promise<WebhookSubscription[]> {
    return this.subscriptions.list();
  }

  @Post()
  @Access('admin')
  @ApiOperation({
    summary: 'Create a webhook subscription; the answer holds its signing secret, shown only once',
  })
  @ApiBody({
    schema: {
      type: 'object',
      required: ['name', 'url'],
      properties: {
        name: { type: 'string', maxLength: 120 },
        url: { type: 'string', format: 'uri', description: 'http:// or https://' },
        filter: FILTER_SCHEMA,
        enabled: { type: 'boolean', default: true },
      },
    },
  })
  @ApiCreatedResponse({
    schema: {
      ...SUBSCRIPTION_SCHEMA,
      properties: { ...SUBSCRIPTION_SCHEMA.properties, secret: { type: 'string' } },
    },
  })
  async create(@Req() request: Request): Promise<CreatedSubscription> {
    const parsed = parseCreate(await readJsonObject(request), this.districts);
    if (!parsed.ok) throw new BadRequestException(parsed.reason);
    return this.subscriptions.create(parsed.value, actorOf(request));
  }

  @Patch(':id')
  @Access('admin')
  @ApiOperation({ summary: 'Change name, url, filter (replaced whole) or enabled' })
  @ApiParam({ name: 'id' })
  @ApiBody({
    schema: {
      type: 'object',
      properties: {
        name: { type: 'string' },
        url: { type: 'string', format: 'uri' },
        filter: FILTER_SCHEMA,
        enabled: { type: 'boolean' },
      },
    },
  })
  @ApiOkResponse({ schema: SUBSCRIPTION_SCHEMA })
  @ApiNotFoundResponse({ description: 'no subscription with this id' })
  async update(@Param('id') id: string, @Req() request: Request): Promise<WebhookSubscription> {
    const parsed = parseUpdate(await readJsonObject(request), this.districts);
    if (!parsed.ok) throw new BadRequestException(parsed.reason);
    const updated = await this.subscriptions.update(id, parsed.value, actorOf(request));
    if (updated === undefined) throw notFound(id);
    return updated;
  }

  @Delete(':id')
  @Access('admin')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({ summary: 'Delete a subscription and its delivery log; pending deliveries are dropped' })
  @ApiParam({ name: 'id' })
  @ApiNoContentResponse({ description: 'deleted' })
  @ApiNotFoundResponse({ description: 'no subscription with this id' })
  async delete(@Param('id') id: string, @Req() request: Request): Promise<void> {
    if (!(await this.subscriptions.delete(id, actorOf(request)))) throw notFound(id);
  }

  @Get(':id/deliveries')
  @Access('admin')
  @ApiOperation({ summary: 'The delivery log of a subscription, newest first' })
  @ApiParam({ name: 'id' })
  @ApiQuery({ name: 'state', required: false, enum: [...DELIVERY_STATES] })
  @ApiQuery({
    name: 'limit',
    required: false,
    schema: { type: 'integer', minimum: 1, maximum: MAX_LOG_PAGE, default: 100 },
  })
  @ApiQuery({ name: 'before', required: false, description: 'only deliveries with a lower id (next page)' })
  @ApiOkResponse({ schema: { type: 'array', items: DELIVERY_SCHEMA } })
  @ApiNotFoundResponse({ description: 'no subscription with this id' })
  async deliveries(
    @Param('id') id: string,
    @Query('state') state?: string,
    @Query('limit') limitText?: string,
    @Query('before') before?: string,
  ): Promise<WebhookDelivery[]> {
    if (state !== undefined && !(DELIVERY_STATES as readonly string[]).includes(state)) {
      throw new BadRequestException(`state: expected one of ${DELIVERY_STATES.join(', ')}, got "${state}"`);
    }
    const limit = limitText === undefined ? 100 : Number(limitText);
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LOG_PAGE) {
      throw new BadRequestException(`limit: expected a whole number from 1 to ${MAX_LOG_PAGE}`);
    }
    if (before !== undefined && !/^\d{1,18}$/.test(before)) {
      throw new BadRequestException('before: expected a delivery id (digits)');
    }
    if ((await this.subscriptions.find(id)) === undefined) throw notFound(id);
    return this.subscriptions.deliveries(id, {
      ...(state === undefined ? {} : { state: state as DeliveryState }),
      ...(before === undefined ? {} : { before }),
      limit,
    });
  }
}

function notFound(id: string): NotFoundException {
  return new NotFoundException(`id: no webhook subscription "${id}"`);
}
