import type { NestApplicationOptions } from '@nestjs/common';
import { ExpressAdapter } from '@nestjs/platform-express';
import type { EarlyHttp } from './early-http.js';

/** Nest's Express adapter on the server `EarlyHttp` already listens with, instead of a new one. */
export class EarlyHttpAdapter extends ExpressAdapter {
  constructor(private readonly early: EarlyHttp) {
    super();
  }

  override initHttpServer(options: NestApplicationOptions): void {
    if (options.httpsOptions !== undefined) throw new Error('EarlyHttpAdapter serves plain HTTP only');
    this.setHttpServer(this.early.server);
  }
}
