import { join } from 'node:path';

/** A file inside a directory given as a path or a `file:` URL (a URL directory must end with a slash). */
export function inDirectory(directory: string | URL, file: string): string | URL {
  return typeof directory === 'string' ? join(directory, file) : new URL(encodeURIComponent(file), directory);
}
