/**
 * The correlation heatmap's cell model and its diverging colour scale. Pure (no Vue): the view draws
 * an accessible <table> from it, with r written in every cell, so colour is never the only signal.
 */
import type { CorrelationMatrix, CorrelationVariable } from '@district-monitor/streams';

export type VariableGroup = CorrelationVariable['group'];

/** The order the groups are drawn in, and their headings. */
export const GROUP_ORDER: readonly VariableGroup[] = ['crime', 'accident', 'socioeconomic'];
export const GROUP_LABEL: Readonly<Record<VariableGroup, string>> = {
  crime: 'Crime',
  accident: 'Road accidents',
  socioeconomic: 'Socioeconomic',
};

type Rgb = readonly [number, number, number];

/**
 * Blue (negative) through the panel's dark neutral to orange-red (positive): a ColorBrewer RdBu-like
 * ramp whose ends differ in hue and lightness, readable on the dark theme.
 */
const NEGATIVE: Rgb = [67, 147, 195];
const NEUTRAL: Rgb = [26, 36, 58];
const POSITIVE: Rgb = [214, 96, 77];
const MISSING = '#111a2e';

function mix(a: Rgb, b: Rgb, t: number): Rgb {
  return [0, 1, 2].map((i) => Math.round((a[i] ?? 0) + ((b[i] ?? 0) - (a[i] ?? 0)) * t)) as unknown as Rgb;
}

function hex([r, g, b]: Rgb): string {
  return `#${[r, g, b].map((v) => v.toString(16).padStart(2, '0')).join('')}`;
}

/** Relative luminance (WCAG 2) of an sRGB colour. */
function luminance([r, g, b]: Rgb): number {
  const lin = (v: number): number => {
    const c = v / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
}

export interface CellColour {
  readonly background: string;
  /** Dark or light text, whichever contrasts more with the background. */
  readonly text: string;
}

const DARK_TEXT = '#070d19';
const LIGHT_TEXT = '#e8eef8';

/** The colour of r in [-1, 1] (clamped); null (a constant variable) gets a flat "no value" colour. */
export function correlationColour(r: number | null): CellColour {
  if (r === null || !Number.isFinite(r)) return { background: MISSING, text: '#93a3bd' };
  const t = Math.min(1, Math.abs(r));
  const rgb = mix(NEUTRAL, r < 0 ? NEGATIVE : POSITIVE, t);
  const l = luminance(rgb);
  // Contrast against each text colour: (L1 + 0.05) / (L2 + 0.05).
  const onDark = (l + 0.05) / (luminance([7, 13, 25]) + 0.05);
  const onLight = (luminance([232, 238, 248]) + 0.05) / (l + 0.05);
  return { background: hex(rgb), text: onDark > onLight ? DARK_TEXT : LIGHT_TEXT };
}

/** "0.42", "−0.13" (a real minus sign), "—" when there is no value. */
export function formatR(r: number | null): string {
  if (r === null || !Number.isFinite(r)) return '—';
  const text = Math.abs(r).toFixed(2);
  return r < 0 && text !== '0.00' ? `−${text}` : text;
}

/** Words for |r|: the usual rough bands (Evans 1996), with the sign. */
export function describeR(r: number | null): string {
  if (r === null || !Number.isFinite(r)) return 'no value (a constant variable)';
  const a = Math.abs(r);
  const strength =
    a >= 0.8 ? 'very strong' : a >= 0.6 ? 'strong' : a >= 0.4 ? 'moderate' : a >= 0.2 ? 'weak' : 'very weak';
  if (a < 0.005) return 'none';
  return `${strength} ${r < 0 ? 'negative' : 'positive'}`;
}

export interface HeatmapCell {
  readonly column: CorrelationVariable;
  readonly r: number | null;
  readonly text: string;
  readonly colour: CellColour;
  /** Whether it is the diagonal (a variable with itself). */
  readonly self: boolean;
  /** A full sentence, for the cell's title and screen readers. */
  readonly description: string;
}

export interface HeatmapRow {
  readonly variable: CorrelationVariable;
  readonly cells: readonly HeatmapCell[];
}

export interface HeatmapGroup {
  readonly group: VariableGroup;
  readonly label: string;
  /** How many variables (columns) the group spans. */
  readonly span: number;
}

export interface HeatmapModel {
  readonly groups: readonly HeatmapGroup[];
  readonly columns: readonly CorrelationVariable[];
  readonly rows: readonly HeatmapRow[];
}

/**
 * The table of the matrix, variables ordered by group (crime, accident, socioeconomic; the server's
 * order within a group). Missing or ragged values read as null.
 */
export function heatmapModel(matrix: CorrelationMatrix): HeatmapModel {
  const order = matrix.variables
    .map((variable, index) => ({ variable, index }))
    .sort((a, b) => rank(a.variable.group) - rank(b.variable.group) || a.index - b.index);
  const columns = order.map(({ variable }) => variable);
  const rows = order.map(({ variable, index: i }) => ({
    variable,
    cells: order.map(({ variable: column, index: j }) => {
      const raw = matrix.values[i]?.[j];
      const r = typeof raw === 'number' && Number.isFinite(raw) ? raw : null;
      return {
        column,
        r,
        text: formatR(r),
        colour: correlationColour(r),
        self: i === j,
        description:
          i === j
            ? `${variable.label} with itself`
            : `${variable.label} and ${column.label}: r = ${formatR(r)}, ${describeR(r)}`,
      };
    }),
  }));
  const groups: HeatmapGroup[] = [];
  for (const column of columns) {
    const last = groups.at(-1);
    if (last?.group === column.group) groups[groups.length - 1] = { ...last, span: last.span + 1 };
    else groups.push({ group: column.group, label: GROUP_LABEL[column.group], span: 1 });
  }
  return { groups, columns, rows };
}

function rank(group: VariableGroup): number {
  const index = GROUP_ORDER.indexOf(group);
  return index === -1 ? GROUP_ORDER.length : index;
}

/** Stops of the legend, from -1 to 1. */
export function legendStops(steps = 9): { readonly r: number; readonly colour: string }[] {
  return Array.from({ length: steps }, (_, i) => {
    const r = -1 + (2 * i) / (steps - 1);
    return { r, colour: correlationColour(r).background };
  });
}
