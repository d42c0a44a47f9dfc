import { Module } from '@nestjs/common';
import { AuditLog } from './audit-log.js';

/** The append-only audit log, one instance for every module that writes or reads it. */
@Module({ providers: [AuditLog], exports: [AuditLog] })
export class AuditModule {}
