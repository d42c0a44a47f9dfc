import { onMounted, onUnmounted } from 'vue';

interface Saved {
  readonly svg: SVGSVGElement;
  readonly width: string | null;
  readonly height: string | null;
  readonly viewBox: string | null;
  readonly style: string;
}

/**
 * Charts scale to the paper when the page is printed. ApexCharts draws each chart at the pixel width
 * it had on screen, so on a narrower A4 page the right edge is cut off. Before printing, every chart SVG
 * inside `root()` gets a viewBox of its drawn size and a width of 100%, so the browser scales it; after
 * printing the attributes are put back, and the live chart carries on as it was.
 */
export function usePrintableCharts(root: () => Element | null | undefined): void {
  let saved: Saved[] = [];

  const beforePrint = (): void => {
    const container = root();
    if (container === null || container === undefined) return;
    saved = [...container.querySelectorAll<SVGSVGElement>('svg.apexcharts-svg')].map((svg) => ({
      svg,
      width: svg.getAttribute('width'),
      height: svg.getAttribute('height'),
      viewBox: svg.getAttribute('viewBox'),
      style: svg.getAttribute('style') ?? '',
    }));
    for (const { svg, width, height, viewBox } of saved) {
      const w = Number.parseFloat(width ?? '');
      const h = Number.parseFloat(height ?? '');
      if (viewBox === null && Number.isFinite(w) && Number.isFinite(h) && w > 0 && h > 0) {
        svg.setAttribute('viewBox', `0 0 ${w} ${h}`);
      }
      svg.setAttribute('width', '100%');
      svg.removeAttribute('height');
      svg.setAttribute('style', `${svg.getAttribute('style') ?? ''};max-width:100%;height:auto`);
    }
  };

  const afterPrint = (): void => {
    for (const { svg, width, height, viewBox, style } of saved) {
      for (const [name, value] of [
        ['width', width],
        ['height', height],
        ['viewBox', viewBox],
      ] as const) {
        if (value === null) svg.removeAttribute(name);
        else svg.setAttribute(name, value);
      }
      svg.setAttribute('style', style);
    }
    saved = [];
  };

  onMounted(() => {
    window.addEventListener('beforeprint', beforePrint);
    window.addEventListener('afterprint', afterPrint);
  });
  onUnmounted(() => {
    window.removeEventListener('beforeprint', beforePrint);
    window.removeEventListener('afterprint', afterPrint);
    afterPrint();
  });
}
