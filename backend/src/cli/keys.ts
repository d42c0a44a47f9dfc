#!/usr/bin/env node
import { Logger } from '@nestjs/common';
import { runKeysCommand } from '../producer-keys/keys-command.js';

process.env.TZ = 'UTC';

// Stdout carries only the command's answer (a new key, the list); migration and driver logs go to stderr.
const toStderr = (message: unknown) => process.stderr.write(`${String(message)}\n`);
Logger.overrideLogger({ log: toStderr, error: toStderr, warn: toStderr });

runKeysCommand(process.argv.slice(2), process.env, {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
}).then(
  (status) => {
    process.exitCode = status;
  },
  (error: unknown) => {
    process.stderr.write(
      `keys: failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exitCode = 1;
  },
);
