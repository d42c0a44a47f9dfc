import {
  Controller,
  Delete,
  Get,
  HttpCode,
  HttpStatus,
  Inject,
  Param,
  Patch,
  Post,
  Req,
} from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBody,
  ApiConflictResponse,
  ApiNotFoundResponse,
  ApiOperation,
  ApiParam,
  ApiTags,
} from '@nestjs/swagger';
import type { Request } from 'express';
import { ROLES, type Region, type UserAccount } from '@district-monitor/streams';
import { REGION } from '../config/tokens.js';
import { Access, actorOf } from '../http/access.js';
import { readJsonObject } from '../http/body.js';
import { parseNewUser, parseUserChanges } from './user-input.js';
import { UsersService } from './users.service.js';

const USER_FIELDS = {
  role: { type: 'string', enum: [...ROLES] },
  districts: {
    type: 'array',
    items: { type: 'string' },
    nullable: true,
    description: 'district codes whose alerts the user sees; null = every district',
  },
};

/** Admin: the users and their roles. Every change is written to the audit log. */
@ApiTags('users')
@Controller('api/users')
export class UsersController {
  private readonly districtCodes: ReadonlySet<string>;

  constructor(
    @Inject(UsersService) private readonly users: UsersService,
    @Inject(REGION) region: Region,
  ) {
    this.districtCodes = new Set(
      region.units.filter((unit) => unit.kind === 'district').map((unit) => unit.code),
    );
  }

  @Get()
  @Access('admin')
  @ApiOperation({ summary: 'Every user, with its role, districts and whether it is disabled' })
  async list(): Promise<{ users: UserAccount[] }> {
    return { users: await this.users.list() };
  }

  @Post()
  @Access('admin')
  @ApiOperation({ summary: 'Create a user (role viewer and every district unless given)' })
  @ApiBody({
    schema: {
      type: 'object',
      required: ['username', 'password'],
      properties: {
        username: { type: 'string', pattern: '^[a-z0-9][a-z0-9._@-]{0,63}$' },
        password: { type: 'string', format: 'password', minLength: 12 },
        ...USER_FIELDS,
      },
    },
  })
  @ApiBadRequestResponse({ description: 'a bad field, named in the message' })
  @ApiConflictResponse({ description: 'the username is taken' })
  async create(@Req() request: Request): Promise<UserAccount> {
    const input = parseNewUser(await readJsonObject(request), this.districtCodes);
    return this.users.create(actorOf(request), input);
  }

  @Patch(':id')
  @Access('admin')
  @ApiOperation({ summary: "Change a user's role, districts, disabled flag or password" })
  @ApiParam({ name: 'id', type: 'string' })
  @ApiBody({
    schema: {
      type: 'object',
      properties: {
        ...USER_FIELDS,
        disabled: { type: 'boolean' },
        password: { type: 'string', format: 'password', minLength: 12 },
      },
    },
  })
  @ApiBadRequestResponse({ description: 'a bad field, named in the message' })
  @ApiNotFoundResponse({ description: 'no such user' })
  @ApiConflictResponse({ description: 'the change would leave no enabled admin' })
  async update(@Req() request: Request, @Param('id') id: string): Promise<UserAccount> {
    const changes = parseUserChanges(await readJsonObject(request), this.districtCodes);
    return this.users.update(actorOf(request), id, changes);
  }

  @Delete(':id')
  @Access('admin')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({ summary: 'Delete a user; its sessions stop' })
  @ApiParam({ name: 'id', type: 'string' })
  @ApiNotFoundResponse({ description: 'no such user' })
  @ApiConflictResponse({ description: 'the last enabled admin' })
  async remove(@Req() request: Request, @Param('id') id: string): Promise<void> {
    await this.users.remove(actorOf(request), id);
  }
}
