// The Figure-2 cube as SVG: the cells of three faces (each knows its set) and the highlighted set as a block.
// Hover or click a cell (or focus it and press Enter) to select its set.
import { axisLabels, cubeCells, DEFAULT_VIEW, highlightPolygons, viewBox, type CubeSpec, type Point } from '../../kernels/figure2';

const SVG = 'http://www.w3.org/2000/svg';
const pts = (p: Point[]) => p.map((q) => `${q.x.toFixed(1)},${q.y.toFixed(1)}`).join(' ');

function el<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string>): SVGElementTagNameMap[K] {
  const e = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  return e;
}

export class CubeView {
  readonly svg: SVGSVGElement;
  private spec: CubeSpec | undefined;
  private readonly cellsGroup: SVGGElement;
  private readonly highlight: SVGGElement;
  private readonly labels: SVGGElement;

  constructor(private readonly onSelect: (set: number) => void) {
    const { width, height } = viewBox(DEFAULT_VIEW);
    this.svg = el('svg', { viewBox: `0 0 ${width.toFixed(0)} ${height.toFixed(0)}`, 'data-testid': 'cube', class: 'cube', role: 'group' });
    this.cellsGroup = el('g', {});
    this.highlight = el('g', { class: 'highlight' });
    this.labels = el('g', { class: 'axis-labels' });
    this.svg.append(this.cellsGroup, this.highlight, this.labels);
  }

  draw(spec: CubeSpec, selected: number, label: string): void {
    this.spec = spec;
    this.svg.setAttribute('aria-label', label);
    this.cellsGroup.replaceChildren();
    for (const cell of cubeCells(spec)) {
      const poly = el('polygon', { points: pts(cell.points), class: `cell ${cell.face}`, 'data-set': String(cell.set), 'data-n': String(cell.n), 'data-c': String(cell.c) });
      poly.addEventListener('mouseenter', () => this.onSelect(cell.set));
      poly.addEventListener('click', () => this.onSelect(cell.set));
      this.cellsGroup.append(poly);
    }
    // Keyboard: the cube is one tab stop; arrows move through the sets.
    this.svg.setAttribute('tabindex', '0');
    this.svg.onkeydown = (e) => {
      if (!this.spec) return;
      const cur = Number(this.svg.dataset.selected ?? 0);
      const delta = e.key === 'ArrowRight' || e.key === 'ArrowDown' ? 1 : e.key === 'ArrowLeft' || e.key === 'ArrowUp' ? -1 : 0;
      if (!delta) return;
      e.preventDefault();
      this.onSelect((cur + delta + this.spec.numSets) % this.spec.numSets);
    };
    const a = axisLabels(DEFAULT_VIEW);
    this.labels.replaceChildren(
      this.text(a.C, `C = ${spec.C}`, 'middle'),
      this.text(a.S, `H·W = ${spec.S}`, 'middle', true),
      this.text(a.N, `N = ${spec.N}`, 'start'),
    );
    this.select(selected);
  }

  private text(p: Point, s: string, anchor: string, rotate = false): SVGTextElement {
    const t = el('text', { x: p.x.toFixed(1), y: p.y.toFixed(1), 'text-anchor': anchor, class: 'axis-label' });
    if (rotate) t.setAttribute('transform', `rotate(-90 ${p.x.toFixed(1)} ${p.y.toFixed(1)})`);
    t.textContent = s;
    return t;
  }

  select(set: number): void {
    if (!this.spec) return;
    this.svg.dataset.selected = String(set);
    const h = highlightPolygons(this.spec, set);
    this.highlight.replaceChildren(
      el('polygon', { points: pts(h.front), class: 'hl front' }),
      el('polygon', { points: pts(h.top), class: 'hl top' }),
      el('polygon', { points: pts(h.side), class: 'hl side' }),
    );
    for (const cell of this.cellsGroup.children) cell.classList.toggle('in-set', (cell as SVGElement).dataset.set === String(set));
  }
}
