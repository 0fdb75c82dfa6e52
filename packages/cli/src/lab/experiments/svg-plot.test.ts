import { describe, expect, it } from 'vitest';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { escapeXml, niceTicks, renderSvgPlot } from './svg-plot.js';
import { formatCell, renderTable } from './table.js';
import type { ExperimentPlot } from './experiment.js';

const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' });

type Node = Record<string, unknown>;
const list = (v: unknown): Node[] => (v === undefined ? [] : Array.isArray(v) ? (v as Node[]) : [v as Node]);
const texts = (svg: Node): string[] => list(svg['text']).map((t) => String(typeof t === 'object' ? t['#text'] : t));

describe('SVG plot writer', () => {
  const bar: ExperimentPlot = {
    title: 'RPS <off> & "on"',
    kind: 'bar',
    xLabel: 'CPU',
    yLabel: 'load %',
    series: [
      { label: 'off', points: [{ x: 'CPU0', y: 100 }, { x: 'CPU1', y: 0 }] },
      { label: 'on', points: [{ x: 'CPU0', y: 40 }, { x: 'CPU1', y: 60 }] },
    ],
  };

  it('writes a bar plot as well-formed SVG: one bar per series and category, heights by value, axes labels, legend, escaped text', () => {
    const text = renderSvgPlot(bar);
    expect(XMLValidator.validate(text)).toBe(true);
    const svg = parser.parse(text).svg as Node;
    expect(svg['xmlns']).toBe('http://www.w3.org/2000/svg');
    const rects = list(svg['rect']).filter((r) => r['title'] !== undefined);
    expect(rects.map((r) => r['title'])).toEqual(['off CPU0: 100', 'on CPU0: 40', 'off CPU1: 0', 'on CPU1: 60']);
    const h = (i: number) => Number(rects[i]!['height']);
    expect(h(0)).toBeGreaterThan(h(3));
    expect(h(3)).toBeGreaterThan(h(1));
    expect(h(2)).toBe(0);
    expect(h(0) / h(1)).toBeCloseTo(100 / 40, 1);
    const t = texts(svg);
    expect(t).toContain('RPS <off> & "on"');
    expect(t).toEqual(expect.arrayContaining(['CPU', 'CPU0', 'CPU1', 'off', 'on', '0', '100']));
  });

  it('writes a line plot with numeric x ticks, and a log y axis by decades', () => {
    const line: ExperimentPlot = {
      title: 'latency',
      kind: 'line',
      xLabel: 'requests',
      yLabel: 'µs',
      logY: true,
      series: [{ label: 'busy poll', points: [{ x: 1, y: 2 }, { x: 10, y: 300 }] }],
    };
    const text = renderSvgPlot(line);
    expect(XMLValidator.validate(text)).toBe(true);
    const svg = parser.parse(text).svg as Node;
    const poly = list(svg['polyline']);
    expect(poly).toHaveLength(1);
    const pts = String(poly[0]!['points']).split(' ').map((p) => p.split(',').map(Number));
    // Higher values are drawn higher (smaller y); x grows left to right.
    expect(pts[1]![0]).toBeGreaterThan(pts[0]![0]!);
    expect(pts[1]![1]).toBeLessThan(pts[0]![1]!);
    expect(texts(svg)).toEqual(expect.arrayContaining(['1', '10', '100', '1000', 'µs (log)']));
  });

  it('picks round ticks and escapes XML', () => {
    expect(niceTicks(0, 100)).toEqual([0, 20, 40, 60, 80, 100]);
    expect(niceTicks(0, 0.7)).toEqual([0, 0.2, 0.4, 0.6, 0.8]);
    expect(niceTicks(3, 97)).toEqual([0, 20, 40, 60, 80, 100]);
    expect(escapeXml(`a<b>&"'`)).toBe('a&lt;b&gt;&amp;&quot;&apos;');
  });
});

describe('text tables', () => {
  it('aligns numbers right and text left, under a rule as wide as each column', () => {
    const out = renderTable({ columns: ['GRO', 'Gbit/s', 'packets'], rows: [['off', 1.234567, 508], ['on', 12.5, 35]] }, '');
    expect(out).toBe(['GRO  Gbit/s  packets', '---  ------  -------', 'off    1.23      508', 'on     12.5       35', ''].join('\n'));
  });

  it('formats numbers by size', () => {
    expect([formatCell(1234.5), formatCell(12.345), formatCell(1.2345), formatCell(0.012345), formatCell(7), formatCell('x')]).toEqual(['1235', '12.3', '1.23', '0.0123', '7', 'x']);
  });
});
