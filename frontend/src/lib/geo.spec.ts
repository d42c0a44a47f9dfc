import type { RegionMap } from '@district-monitor/streams';
import { describe, expect, it } from 'vitest';
import { naturalHeight, projectMap, projection, ringPath, shapePath } from './geo';

const frame = { width: 100, height: 100, padding: 10 };

describe('geo', () => {
  it('fits a square bbox on the equator into the frame, north up', () => {
    const project = projection([0, -5, 10, 5], frame);
    expect(project(0, 5)).toEqual([10, 10]); // north-west corner at the padding
    expect(project(10, -5)).toEqual([90, 90]); // south-east corner
    expect(project(5, 0)).toEqual([50, 50]);
  });

  it('narrows longitude by cos(mid-latitude) and centres the result', () => {
    // Mid-latitude 60°: a degree of longitude is half as wide as a degree of latitude.
    const project = projection([0, 55, 10, 65], frame);
    const [west] = project(0, 60);
    const [east] = project(10, 60);
    expect(east - west).toBeCloseTo(40, 9);
    expect(west).toBeCloseTo(30, 9);
    expect(project(5, 65)[1]).toBeCloseTo(10, 9);
    expect(project(5, 55)[1]).toBeCloseTo(90, 9);
  });

  it('gives the height that leaves no empty band', () => {
    expect(naturalHeight([0, -5, 10, 5], 100, 10)).toBe(100);
    expect(naturalHeight([0, 55, 10, 65], 100, 10)).toBe(180);
  });

  it('rejects an empty bbox or a frame without room', () => {
    expect(() => projection([1, 0, 1, 10], frame)).toThrow(RangeError);
    expect(() => projection([0, -5, 10, 5], { width: 10, height: 10, padding: 5 })).toThrow(RangeError);
  });

  it('writes rings with fixed decimals, dropping repeated points and the closing point', () => {
    const project = projection([0, -5, 10, 5], frame);
    const ring = [
      [0, -5],
      [10, -5],
      [10, -4.9999],
      [10, 5],
      [0, -5],
    ] as const;
    expect(ringPath(ring, project)).toBe('M10.0,90.0L90.0,90.0L90.0,10.0Z');
    expect(ringPath(ring, project, 3)).toBe('M10.000,90.000L90.000,90.000L90.000,89.999L90.000,10.000Z');
    expect(
      ringPath(
        [
          [0, 0],
          [1, 1],
        ],
        project,
      ),
    ).toBe('');
  });

  it('joins polygons and holes into one path', () => {
    const project = projection([0, -5, 10, 5], frame);
    const square = (a: number, b: number) =>
      [
        [a, a - 5],
        [b, a - 5],
        [b, b - 5],
        [a, b - 5],
      ] as const;
    const path = shapePath([[square(0, 10), square(4, 6)], [square(8, 9)]], project);
    expect(path.match(/M/g)).toHaveLength(3);
    expect(path.startsWith('M10.0,90.0L90.0,90.0')).toBe(true);
  });

  it('projects every district of a map with its headquarters', () => {
    const map: RegionMap = {
      region: 'XX',
      source: 'schematic',
      attribution: 'cells',
      bbox: [0, -5, 10, 5],
      districts: [
        {
          code: 'XX-A',
          name: 'A',
          hq: [5, 0],
          polygons: [
            [
              [
                [0, -5],
                [10, -5],
                [10, 5],
              ],
            ],
          ],
          approximate: true,
        },
      ],
    };
    const projected = projectMap(map, frame);
    expect(projected.districts).toEqual([
      { code: 'XX-A', name: 'A', path: 'M10.0,90.0L90.0,90.0L90.0,10.0Z', hq: [50, 50], approximate: true },
    ]);
  });
});
