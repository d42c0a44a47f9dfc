import type { LoggerService } from '@nestjs/common';
import { pino, type DestinationStream, type Logger as Pino } from 'pino';
import type { AppConfig } from '../config/app-config.js';
import { currentBatch } from './batch-context.js';

const PINO_LEVEL: Readonly<Record<AppConfig['logLevel'], string>> = {
  error: 'error',
  warn: 'warn',
  log: 'info',
  debug: 'debug',
};

type Level = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace';

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Error);

/**
 * Nest's logger over pino: one JSON object per line (`time`, `level`, `context`, `msg`, and the fields
 * of an object message), with the current batch's id, topic, partition and offsets added to every
 * line written while a batch is handled (logging/batch-context.ts).
 */
export class JsonLogger implements LoggerService {
  private readonly pino: Pino;

  constructor(level: AppConfig['logLevel'], destination?: DestinationStream) {
    this.pino = pino(
      {
        level: PINO_LEVEL[level],
        timestamp: pino.stdTimeFunctions.isoTime,
        formatters: { level: (label) => ({ level: label }) },
        mixin: () => ({ ...currentBatch() }),
      },
      // Synchronous: a line written just before process.exit() is not lost.
      destination ?? pino.destination({ fd: 1, sync: true }),
    );
  }

  log(message: unknown, ...params: unknown[]): void {
    this.write('info', message, params);
  }
  error(message: unknown, ...params: unknown[]): void {
    this.write('error', message, params);
  }
  warn(message: unknown, ...params: unknown[]): void {
    this.write('warn', message, params);
  }
  debug(message: unknown, ...params: unknown[]): void {
    this.write('debug', message, params);
  }
  verbose(message: unknown, ...params: unknown[]): void {
    this.write('trace', message, params);
  }
  fatal(message: unknown, ...params: unknown[]): void {
    this.write('fatal', message, params);
  }

  /** Nest passes `(message, ...extra, context)`; for errors the first extra is the stack. */
  private write(level: Level, message: unknown, params: readonly unknown[]): void {
    const rest = [...params];
    const context = rest.length > 0 && typeof rest[rest.length - 1] === 'string' ? rest.pop() : undefined;
    const fields: Record<string, unknown> = context === undefined ? {} : { context };
    const stack = level === 'error' || level === 'fatal' ? rest.shift() : undefined;
    if (typeof stack === 'string') fields.stack = stack;
    if (message instanceof Error) {
      this.pino[level]({ ...fields, err: message }, message.message);
    } else if (isRecord(message)) {
      const { msg, ...extra } = message;
      this.pino[level]({ ...fields, ...extra }, typeof msg === 'string' ? msg : '');
    } else {
      this.pino[level](fields, String(message));
    }
  }
}
