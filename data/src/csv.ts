import { createReadStream } from 'node:fs';
import { basename } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'csv-parse';

/** One record of a CSV file, keyed by header, with its position for messages. */
export interface CsvRecord {
  /** 1-based position among the data records (the header is not counted). */
  readonly row: number;
  readonly values: Readonly<Record<string, string | undefined>>;
}

/**
 * Streams a CSV file's records keyed by its header. Accepts a BOM and any mix of CRLF, LF and bare
 * CR line ends (one MoRTH file mixes them).
 */
export async function* readCsv(file: string | URL): AsyncGenerator<CsvRecord> {
  const parser = createReadStream(file).pipe(
    parse({
      columns: true,
      bom: true,
      record_delimiter: ['\r\n', '\n', '\r'],
      skip_empty_lines: true,
    }),
  );
  let row = 0;
  for await (const values of parser as AsyncIterable<Record<string, string>>) {
    row += 1;
    yield { row, values };
  }
}

/** The header row of a CSV file. */
export async function readCsvHeader(file: string | URL): Promise<string[]> {
  const parser = createReadStream(file).pipe(
    parse({ bom: true, to_line: 1, record_delimiter: ['\r\n', '\n', '\r'] }),
  );
  for await (const record of parser as AsyncIterable<string[]>) return record;
  return [];
}

/** A file's name without its directory, for reports. */
export function fileName(file: string | URL): string {
  return basename(typeof file === 'string' ? file : fileURLToPath(file));
}

/**
 * A source count cell as a whole number: undefined when blank or "NA"; NaN when it is anything else
 * that is not a non-negative whole number (the caller reports it).
 */
export function countCell(raw: string | undefined): number | undefined {
  const text = raw?.trim() ?? '';
  if (text === '' || text.toUpperCase() === 'NA') return undefined;
  const value = Number(text);
  return Number.isInteger(value) && value >= 0 ? value : Number.NaN;
}
