import type { ApexOptions } from 'apexcharts';

/**
 * What every board chart shares: dark, transparent, still (no animation, toolbar, zoom or selection),
 * redrawn with its box, and keyboard-navigable with a description (its figures are also in a table or
 * a visually hidden summary). `id` names the chart for ApexCharts; `description` is read by screen readers.
 */
export function boardChart(
  id: string,
  description: string,
  extra: NonNullable<ApexOptions['chart']> = {},
): Pick<ApexOptions, 'chart' | 'theme'> {
  return {
    chart: {
      id,
      background: 'transparent',
      foreColor: '#93a3bd',
      fontFamily: 'inherit',
      animations: { enabled: false },
      toolbar: { show: false },
      zoom: { enabled: false },
      selection: { enabled: false },
      redrawOnParentResize: true,
      accessibility: {
        enabled: true,
        description,
        announcements: { enabled: false },
        keyboard: { enabled: true, navigation: { enabled: true } },
      },
      ...extra,
    },
    theme: { mode: 'dark' },
  };
}
