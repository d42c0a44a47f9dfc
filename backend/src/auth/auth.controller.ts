import {
  Controller,
  Get,
  HttpCode,
  HttpStatus,
  Inject,
  Post,
  Req,
  Res,
  UnauthorizedException,
} from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBody,
  ApiOperation,
  ApiTags,
  ApiTooManyRequestsResponse,
} from '@nestjs/swagger';
import type { Request, Response } from 'express';
import type { LoginResponse, UserInfo } from '@district-monitor/streams';
import { Access, userOf } from '../http/access.js';
import { readJsonObject } from '../http/body.js';
import { parseLogin, parsePasswordChange } from './user-input.js';
import { LoginLimiter, loginThrottled } from './login-limiter.js';
import { UsersService } from './users.service.js';

/** Sessions: log in, who am I, change my password. */
@ApiTags('auth')
@Controller('api/auth')
export class AuthController {
  constructor(
    @Inject(UsersService) private readonly users: UsersService,
    @Inject(LoginLimiter) private readonly limiter: LoginLimiter,
  ) {}

  /**
   * 200 with a session token; 401 with the reason on bad credentials; 400 for a malformed body; 429
   * with Retry-After after too many failures for the account or the client address, decided before
   * the password is hashed.
   */
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
  @ApiTooManyRequestsResponse({ description: 'too many failed logins for the account or the address' })
  async login(
    @Req() request: Request,
    @Res({ passthrough: true }) response: Response,
  ): Promise<LoginResponse> {
    const credentials = parseLogin(await readJsonObject(request));
    const admission = this.limiter.admit(
      credentials.username,
      request.ip ?? request.socket.remoteAddress ?? 'unknown',
    );
    if (!admission.ok) {
      response.setHeader('Retry-After', String(admission.retryAfterSeconds));
      throw loginThrottled(admission);
    }
    let succeeded = false;
    try {
      const session = await this.users.login(credentials);
      succeeded = true;
      return session;
    } catch (error) {
      // Only a refused credential uses up the allowance; a database failure does not.
      if (!(error instanceof UnauthorizedException)) succeeded = true;
      throw error;
    } finally {
      admission.release(succeeded);
    }
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
