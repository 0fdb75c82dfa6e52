/**
 * A small SVG plot writer for experiment results: line plots (numeric x) and grouped bar plots
 * (categorical x), linear or log y, with axes, ticks, labels and a legend. Plain SVG 1.1 text.
 */
import type { ExperimentPlot } from './experiment.js';

const WIDTH = 720;
const HEIGHT = 420;
const MARGIN = { left: 72, right: 170, top: 40, bottom: 56 };
const COLORS = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f'];

export function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}

/** About `count` round tick values from at most `lo` to at least `hi` (1, 2 or 5 × 10^k steps). */
export function niceTicks(lo: number, hi: number, count = 5): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const ticks: number[] = [];
  const last = Math.ceil(hi / step - 1e-9) * step;
  for (let v = Math.floor(lo / step + 1e-9) * step; v <= last + step * 1e-9 && ticks.length < 50; v += step) ticks.push(Number(v.toPrecision(12)));
  return ticks;
}

function tickLabel(v: number): string {
  const abs = Math.abs(v);
  if (abs !== 0 && (abs >= 1e6 || abs < 1e-3)) return v.toExponential(0);
  return String(Number(v.toPrecision(6)));
}

interface YScale {
  map(v: number): number;
  ticks: number[];
}

function yScale(values: number[], log: boolean, top: number, bottom: number): YScale {
  if (log) {
    const pos = values.filter((v) => v > 0);
    const lo = Math.floor(Math.log10(Math.min(...pos, 1)));
    const hi = Math.max(Math.ceil(Math.log10(Math.max(...pos, 1))), lo + 1);
    const map = (v: number): number => bottom - ((Math.log10(Math.max(v, 10 ** lo)) - lo) / (hi - lo)) * (bottom - top);
    const ticks: number[] = [];
    for (let e = lo; e <= hi; e++) ticks.push(10 ** e);
    return { map, ticks };
  }
  const lo = Math.min(0, ...values);
  const ticks = niceTicks(lo, Math.max(...values, lo + 1e-9));
  const hi = Math.max(ticks[ticks.length - 1]!, ...values);
  const map = (v: number): number => bottom - ((v - lo) / (hi - lo || 1)) * (bottom - top);
  return { map, ticks };
}

/** The plot as an SVG document. */
export function renderSvgPlot(plot: ExperimentPlot): string {
  const left = MARGIN.left;
  const right = WIDTH - MARGIN.right;
  const top = MARGIN.top;
  const bottom = HEIGHT - MARGIN.bottom;
  const values = plot.series.flatMap((s) => s.points.map((p) => p.y)).filter(Number.isFinite);
  const y = yScale(values.length > 0 ? values : [0, 1], plot.logY === true, top, bottom);
  const out: string[] = [];
  out.push(`<?xml version="1.0" encoding="UTF-8"?>`);
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" font-family="sans-serif" font-size="12">`);
  out.push(`<rect x="0" y="0" width="${WIDTH}" height="${HEIGHT}" fill="white"/>`);
  out.push(`<text x="${(left + right) / 2}" y="22" text-anchor="middle" font-size="15">${escapeXml(plot.title)}</text>`);
  // Y axis, grid and ticks.
  for (const t of y.ticks) {
    const py = y.map(t).toFixed(1);
    out.push(`<line x1="${left}" y1="${py}" x2="${right}" y2="${py}" stroke="#e5e5e5"/>`);
    out.push(`<text x="${left - 6}" y="${py}" text-anchor="end" dominant-baseline="middle">${escapeXml(tickLabel(t))}</text>`);
  }
  out.push(`<line x1="${left}" y1="${top}" x2="${left}" y2="${bottom}" stroke="black"/>`);
  out.push(`<line x1="${left}" y1="${bottom}" x2="${right}" y2="${bottom}" stroke="black"/>`);
  out.push(`<text transform="translate(18 ${(top + bottom) / 2}) rotate(-90)" text-anchor="middle">${escapeXml(plot.yLabel + (plot.logY === true ? ' (log)' : ''))}</text>`);
  out.push(`<text x="${(left + right) / 2}" y="${HEIGHT - 12}" text-anchor="middle">${escapeXml(plot.xLabel)}</text>`);
  if (plot.kind === 'bar') out.push(...bars(plot, y, left, right, bottom));
  else out.push(...lines(plot, y, left, right, bottom));
  // Legend.
  plot.series.forEach((s, i) => {
    const ly = top + 10 + i * 20;
    out.push(`<rect x="${right + 16}" y="${ly - 6}" width="12" height="12" fill="${COLORS[i % COLORS.length]}"/>`);
    out.push(`<text x="${right + 34}" y="${ly}" dominant-baseline="middle">${escapeXml(s.label)}</text>`);
  });
  out.push('</svg>');
  return out.join('\n') + '\n';
}

function bars(plot: ExperimentPlot, y: YScale, left: number, right: number, bottom: number): string[] {
  const out: string[] = [];
  const categories: string[] = [];
  for (const s of plot.series) for (const p of s.points) if (!categories.includes(String(p.x))) categories.push(String(p.x));
  const band = (right - left) / Math.max(categories.length, 1);
  const barW = (band * 0.8) / Math.max(plot.series.length, 1);
  const base = plot.logY === true ? bottom : y.map(0);
  categories.forEach((c, ci) => {
    const cx = left + band * (ci + 0.5);
    out.push(`<text x="${cx.toFixed(1)}" y="${bottom + 18}" text-anchor="middle">${escapeXml(c)}</text>`);
    plot.series.forEach((s, si) => {
      const p = s.points.find((q) => String(q.x) === c);
      if (p === undefined || !Number.isFinite(p.y)) return;
      const x = left + band * ci + band * 0.1 + si * barW;
      const py = y.map(p.y);
      const h = Math.abs(base - py);
      out.push(`<rect x="${x.toFixed(1)}" y="${Math.min(py, base).toFixed(1)}" width="${barW.toFixed(1)}" height="${h.toFixed(1)}" fill="${COLORS[si % COLORS.length]}"><title>${escapeXml(`${s.label} ${c}: ${p.y}`)}</title></rect>`);
    });
  });
  return out;
}

function lines(plot: ExperimentPlot, y: YScale, left: number, right: number, bottom: number): string[] {
  const out: string[] = [];
  const xs = plot.series.flatMap((s) => s.points.map((p) => Number(p.x))).filter(Number.isFinite);
  const lo = Math.min(...xs, 0);
  const ticks = niceTicks(lo, Math.max(...xs, lo + 1));
  const hi = Math.max(ticks[ticks.length - 1]!, ...xs);
  const mapX = (v: number): number => left + ((v - lo) / (hi - lo || 1)) * (right - left);
  for (const t of ticks) out.push(`<text x="${mapX(t).toFixed(1)}" y="${bottom + 18}" text-anchor="middle">${escapeXml(tickLabel(t))}</text>`);
  plot.series.forEach((s, si) => {
    const pts = s.points.filter((p) => Number.isFinite(Number(p.x)) && Number.isFinite(p.y)).map((p) => `${mapX(Number(p.x)).toFixed(1)},${y.map(p.y).toFixed(1)}`);
    const color = COLORS[si % COLORS.length];
    out.push(`<polyline fill="none" stroke="${color}" stroke-width="2" points="${pts.join(' ')}"/>`);
    for (const pt of pts) {
      const [cx, cy] = pt.split(',');
      out.push(`<circle cx="${cx}" cy="${cy}" r="3" fill="${color}"/>`);
    }
  });
  return out;
}
