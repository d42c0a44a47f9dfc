import { describe, expect, it } from 'vitest';
import { csvField, csvFileName, flattenHeader, layoutGrid, parseCsv, toCsv } from './csv';

describe('CSV fields (RFC 4180)', () => {
  it.each([
    ['plain', 'plain'],
    ['a,b', '"a,b"'],
    ['say "hi"', '"say ""hi"""'],
    ['two\nlines', '"two\nlines"'],
    ['cr\rhere', '"cr\rhere"'],
    ['', ''],
    ['Kancheepuram – Tambaram', 'Kancheepuram – Tambaram'],
  ])('%j is written %j', (value, expected) => {
    expect(csvField(value)).toBe(expected);
  });

  it('writes numbers as they are and empty fields for null, undefined and non-finite numbers', () => {
    expect(csvField(12)).toBe('12');
    expect(csvField(-3.5)).toBe('-3.5');
    expect(csvField(0)).toBe('0');
    expect(csvField(null)).toBe('');
    expect(csvField(undefined)).toBe('');
    expect(csvField(Number.NaN)).toBe('');
  });

  it('defuses text a spreadsheet would run as a formula, but not negative figures', () => {
    expect(csvField('=HYPERLINK("http://x","y")')).toBe('"\'=HYPERLINK(""http://x"",""y"")"');
    expect(csvField('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(csvField('+1+1')).toBe("'+1+1");
    expect(csvField('-1+cmd')).toBe("'-1+cmd");
    expect(csvField('-12')).toBe('-12');
    expect(csvField('-12.5 %')).toBe('-12.5 %');
    expect(csvField('+3%')).toBe('+3%');
    expect(csvField('-1,234')).toBe('"-1,234"');
  });

  it('ends every record with CRLF', () => {
    expect(
      toCsv([
        ['District', 'Events'],
        ['Chennai', 1234],
        ['Salem, rural', null],
      ]),
    ).toBe('District,Events\r\nChennai,1234\r\n"Salem, rural",\r\n');
    expect(toCsv([])).toBe('');
  });

  it('reads back what it writes, byte-order mark skipped', () => {
    const rows = [
      ['a', 'b,c', 'd "e"'],
      ['line\r\nbreak', '', 'x'],
    ];
    expect(parseCsv(`\uFEFF${toCsv(rows)}`)).toEqual(rows);
    expect(parseCsv('a,b\nc,d')).toEqual([
      ['a', 'b'],
      ['c', 'd'],
    ]);
    expect(() => parseCsv('"open')).toThrow(/quoted/);
  });
});

describe('table grid', () => {
  it('repeats a header group over its columns and joins header rows per column', () => {
    const grid = layoutGrid(
      [
        [{ text: '' }, { text: 'Week', colSpan: 2 }, { text: 'Year', colSpan: 2 }],
        [{ text: 'Category' }, { text: 'Now' }, { text: 'Before' }, { text: 'Now' }, { text: 'Before' }],
      ],
      true,
    );
    expect(flattenHeader(grid)).toEqual([
      'Category',
      'Week · Now',
      'Week · Before',
      'Year · Now',
      'Year · Before',
    ]);
  });

  it('places cells under a row span and leaves spanned body slots empty', () => {
    expect(
      layoutGrid(
        [
          [{ text: 'A', rowSpan: 2 }, { text: 'b1' }, { text: 'c1' }],
          [{ text: 'b2' }, { text: 'c2' }],
          [{ text: 'wide', colSpan: 3 }],
        ],
        false,
      ),
    ).toEqual([
      ['A', 'b1', 'c1'],
      ['', 'b2', 'c2'],
      ['wide', '', ''],
    ]);
  });

  it('does not repeat a label a column already has', () => {
    expect(
      flattenHeader([
        ['District', 'Rate'],
        ['District', 'per 100,000'],
      ]),
    ).toEqual(['District', 'Rate · per 100,000']);
  });
});

describe('CSV file names', () => {
  it('keeps letters, digits, dots, dashes and underscores', () => {
    expect(csvFileName('Districts by risk 2024-05-01 14:05 IST')).toBe(
      'districts-by-risk-2024-05-01-14-05-ist.csv',
    );
    expect(csvFileName('Tiruppūr / IPC')).toBe('tiruppur-ipc.csv');
    expect(csvFileName('///')).toBe('table.csv');
  });
});
