/** Hand-written SVG bar charts rendered to PNG with @resvg/resvg-js (no canvas, no browser). */
import { writeFile } from 'node:fs/promises';
import { Resvg } from '@resvg/resvg-js';

export interface BarGroup {
  label: string;
  /** One value per series (NaN = not measured). */
  values: number[];
}

export interface BarChart {
  title: string;
  unit: string;
  series: { name: string; color: string }[];
  groups: BarGroup[];
  /** Optional horizontal reference per group (e.g. Kafka's own tools). */
  ceiling?: { name: string; values: number[] };
}

const escape = (text: string): string =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function niceMax(value: number): number {
  if (!(value > 0)) return 1;
  const power = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 2.5, 5, 10]) if (step * power >= value) return step * power;
  return 10 * power;
}

const short = (value: number): string =>
  value >= 1e6
    ? `${(value / 1e6).toFixed(1)}M`
    : value >= 1e3
      ? `${(value / 1e3).toFixed(value >= 1e5 ? 0 : 1)}k`
      : value.toFixed(value >= 10 ? 0 : 1);

export function renderSvg(chart: BarChart): string {
  const width = 900;
  const height = 460;
  const left = 80;
  const right = 20;
  const top = 60;
  const bottom = 90;
  const plotW = width - left - right;
  const plotH = height - top - bottom;
  const all = chart.groups
    .flatMap((g) => g.values)
    .concat(chart.ceiling?.values ?? [])
    .filter((v) => Number.isFinite(v));
  const max = niceMax(Math.max(0, ...all));
  const y = (v: number): number => top + plotH - (v / max) * plotH;
  const parts: string[] = [];
  parts.push(`<rect width="${width}" height="${height}" fill="white"/>`);
  parts.push(
    `<text x="${width / 2}" y="28" font-size="18" text-anchor="middle" font-family="DejaVu Sans, sans-serif" font-weight="bold">${escape(chart.title)}</text>`,
  );
  for (let i = 0; i <= 5; i += 1) {
    const v = (max / 5) * i;
    parts.push(
      `<line x1="${left}" x2="${width - right}" y1="${y(v)}" y2="${y(v)}" stroke="#ddd"/>`,
    );
    parts.push(
      `<text x="${left - 6}" y="${y(v) + 4}" font-size="12" text-anchor="end" font-family="DejaVu Sans, sans-serif">${short(v)}</text>`,
    );
  }
  parts.push(
    `<text x="18" y="${top + plotH / 2}" font-size="12" text-anchor="middle" font-family="DejaVu Sans, sans-serif" transform="rotate(-90 18 ${top + plotH / 2})">${escape(chart.unit)}</text>`,
  );
  const groupW = plotW / Math.max(1, chart.groups.length);
  const barW = (groupW * 0.75) / Math.max(1, chart.series.length);
  chart.groups.forEach((group, g) => {
    const x0 = left + g * groupW + groupW * 0.125;
    group.values.forEach((value, s) => {
      if (!Number.isFinite(value)) return;
      const x = x0 + s * barW;
      parts.push(
        `<rect x="${x}" y="${y(value)}" width="${barW - 2}" height="${top + plotH - y(value)}" fill="${chart.series[s]?.color ?? '#888'}"/>`,
      );
      // Narrow bars (4 or more series) get their value written upwards, so that labels do not overlap.
      const lx = x + barW / 2 - 1;
      const ly = y(value) - 4;
      parts.push(
        barW < 28
          ? `<text x="${lx + 3}" y="${ly}" font-size="10" text-anchor="start" font-family="DejaVu Sans, sans-serif" transform="rotate(-90 ${lx + 3} ${ly})">${short(value)}</text>`
          : `<text x="${lx}" y="${ly}" font-size="10" text-anchor="middle" font-family="DejaVu Sans, sans-serif">${short(value)}</text>`,
      );
    });
    const ceiling = chart.ceiling?.values[g];
    if (ceiling !== undefined && Number.isFinite(ceiling)) {
      const cy = Math.max(top, y(ceiling));
      parts.push(
        `<line x1="${x0 - 4}" x2="${x0 + groupW * 0.75 + 4}" y1="${cy}" y2="${cy}" stroke="#222" stroke-width="2" stroke-dasharray="6 4"/>`,
      );
    }
    parts.push(
      `<text x="${left + g * groupW + groupW / 2}" y="${top + plotH + 18}" font-size="12" text-anchor="middle" font-family="DejaVu Sans, sans-serif">${escape(group.label)}</text>`,
    );
  });
  parts.push(
    `<line x1="${left}" x2="${width - right}" y1="${top + plotH}" y2="${top + plotH}" stroke="#333"/>`,
  );
  const legend = [...chart.series.map((s) => ({ name: s.name, color: s.color, dashed: false }))];
  if (chart.ceiling !== undefined)
    legend.push({ name: chart.ceiling.name, color: '#222', dashed: true });
  // Left to right, in a second row when the first is full.
  let lx = left;
  let ly = height - 40;
  for (const item of legend) {
    const itemW = 40 + item.name.length * 7;
    if (lx > left && lx + itemW > width - right) {
      lx = left;
      ly += 20;
    }
    if (item.dashed)
      parts.push(
        `<line x1="${lx}" x2="${lx + 24}" y1="${ly - 4}" y2="${ly - 4}" stroke="${item.color}" stroke-width="2" stroke-dasharray="6 4"/>`,
      );
    else parts.push(`<rect x="${lx}" y="${ly - 12}" width="16" height="12" fill="${item.color}"/>`);
    parts.push(
      `<text x="${lx + 28}" y="${ly - 2}" font-size="12" font-family="DejaVu Sans, sans-serif">${escape(item.name)}</text>`,
    );
    lx += itemW;
  }
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">${parts.join('')}</svg>`;
}

export async function writePng(file: string, chart: BarChart): Promise<void> {
  const png = new Resvg(renderSvg(chart), {
    font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans' },
  })
    .render()
    .asPng();
  await writeFile(file, png);
}
