import { Controller, Get, HttpCode, HttpStatus, Inject, Post, Req } from '@nestjs/common';
import { ApiBadRequestResponse, ApiBody, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import type { LoginResponse, UserInfo } from '@district-monitor/streams';
import { Access, userOf } from './access.js';
import { readJsonObject } from './json-body.js';
import { parseLogin, parsePasswordChange } from './user-input.js';
import { UsersService } from './users.service.js';

/** Sessions: log in, who am I, change my password. */
@ApiTags('auth')
@Controller('api/auth')
export class AuthController {
  constructor(@Inject(UsersService) private readonly users: UsersService) {}

  /** 200 with a session token; 401 with the reason on bad credentials; 400 for a malformed body. */
  @Post('login')
  @Access('public')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: 'Log in: a session token (JWT) for Authorization: Bearer and the Socket.IO auth' })
  @ApiBody({
    schema: {
      type: 'object',
      required: ['username', 'password'],
      properties: { username: { type: 'string' }, password: { type: 'string', format: 'password' } },
    },
  })
  @ApiBadRequestResponse({ description: 'the body is not {username, password}' })
  async login(@Req() request: Request): Promise<LoginResponse> {
    return this.users.login(parseLogin(await readJsonObject(request)));
  }

  @Get('me')
  @Access('viewer')
  @ApiOperation({ summary: 'The user of this session' })
  me(@Req() request: Request): UserInfo {
    return userOf(request);
  }

  /** Ends every other session of the user, and answers a new one. */
  @Post('password')
  @Access('viewer')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: 'Change your own password; other sessions end and a new token is returned' })
  @ApiBody({
    schema: {
      type: 'object',
      required: ['current', 'next'],
      properties: {
        current: { type: 'string', format: 'password' },
        next: { type: 'string', format: 'password', minLength: 12 },
      },
    },
  })
  @ApiBadRequestResponse({
    description: 'a malformed body, a wrong current password or a too short next one',
  })
  async changePassword(@Req() request: Request): Promise<LoginResponse> {
    const user = userOf(request);
    const { current, next } = parsePasswordChange(await readJsonObject(request));
    return this.users.changePassword(user, current, next);
  }
}
