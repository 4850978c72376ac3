// Status colours and category symbols. The map's icons and the legend's
// pictures are drawn by the same code, so they always agree.

export const STATUS_COLORS: Record<string, string> = {
  proposed: '#7b5fb0',
  preparatory: '#d99a00',
  under_construction: '#e8590c',
  completed: '#2b8a3e',
  ongoing: '#1c6fc9',
  delayed: '#c92a2a',
};
export const UNKNOWN_COLOR = '#666666';

export function statusColor(status: string): string {
  return STATUS_COLORS[status] ?? UNKNOWN_COLOR;
}

export type Shape = 'circle' | 'square' | 'triangle' | 'diamond' | 'pentagon' | 'hexagon' | 'octagon' | 'star' | 'cross';
export type Mark = 'none' | 'dot' | 'bar';

/** The shape and inner mark for each symbol name of the category vocabulary. */
const SYMBOLS: Record<string, [Shape, Mark]> = {
  industry: ['square', 'none'],
  factory: ['square', 'dot'],
  bank: ['square', 'bar'],
  town: ['pentagon', 'none'],
  city: ['pentagon', 'dot'],
  region: ['pentagon', 'bar'],
  border: ['diamond', 'none'],
  harbor: ['triangle', 'none'],
  airport: ['cross', 'none'],
  highway: ['cross', 'bar'],
  rail: ['cross', 'dot'],
  dam: ['hexagon', 'none'],
  water: ['hexagon', 'dot'],
  waterway: ['hexagon', 'bar'],
  hydro: ['octagon', 'none'],
  nuclear: ['octagon', 'dot'],
  'power-line': ['octagon', 'bar'],
  farm: ['triangle', 'dot'],
  park: ['triangle', 'bar'],
  monument: ['star', 'none'],
  'hot-spring': ['star', 'dot'],
  flag: ['circle', 'dot'],
  stadium: ['circle', 'bar'],
  'diamond-dot': ['diamond', 'dot'],
};

export function symbolOf(symbolName: string | undefined): [Shape, Mark] {
  return (symbolName && SYMBOLS[symbolName]) || ['circle', 'none'];
}

function polygon(ctx: CanvasRenderingContext2D, cx: number, cy: number, r: number, n: number, rot: number): void {
  ctx.beginPath();
  for (let i = 0; i < n; i++) {
    const a = rot + (i * 2 * Math.PI) / n;
    const x = cx + r * Math.cos(a),
      y = cy + r * Math.sin(a);
    if (i === 0) ctx.moveTo(x, y);
    else ctx.lineTo(x, y);
  }
  ctx.closePath();
}

function shapePath(ctx: CanvasRenderingContext2D, shape: Shape, c: number, r: number): void {
  const up = -Math.PI / 2;
  switch (shape) {
    case 'circle':
      ctx.beginPath();
      ctx.arc(c, c, r, 0, 2 * Math.PI);
      break;
    case 'square':
      ctx.beginPath();
      ctx.rect(c - r * 0.85, c - r * 0.85, r * 1.7, r * 1.7);
      break;
    case 'triangle':
      polygon(ctx, c, c + r * 0.15, r * 1.1, 3, up);
      break;
    case 'diamond':
      polygon(ctx, c, c, r * 1.1, 4, up);
      break;
    case 'pentagon':
      polygon(ctx, c, c + r * 0.05, r, 5, up);
      break;
    case 'hexagon':
      polygon(ctx, c, c, r, 6, 0);
      break;
    case 'octagon':
      polygon(ctx, c, c, r, 8, Math.PI / 8);
      break;
    case 'star': {
      ctx.beginPath();
      for (let i = 0; i < 10; i++) {
        const a = up + (i * Math.PI) / 5;
        const rr = i % 2 === 0 ? r * 1.15 : r * 0.5;
        const x = c + rr * Math.cos(a),
          y = c + rr * Math.sin(a);
        if (i === 0) ctx.moveTo(x, y);
        else ctx.lineTo(x, y);
      }
      ctx.closePath();
      break;
    }
    case 'cross': {
      const w = r * 0.45;
      ctx.beginPath();
      ctx.moveTo(c - w, c - r);
      ctx.lineTo(c + w, c - r);
      ctx.lineTo(c + w, c - w);
      ctx.lineTo(c + r, c - w);
      ctx.lineTo(c + r, c + w);
      ctx.lineTo(c + w, c + w);
      ctx.lineTo(c + w, c + r);
      ctx.lineTo(c - w, c + r);
      ctx.lineTo(c - w, c + w);
      ctx.lineTo(c - r, c + w);
      ctx.lineTo(c - r, c - w);
      ctx.lineTo(c - w, c - w);
      ctx.closePath();
      break;
    }
  }
}

/** CSS pixels of one icon's side. */
export const ICON_SIZE = 22;

/**
 * Draws one project symbol: filled with the status colour for an exact site,
 * hollow (white inside, coloured outline) for an approximate location.
 */
export function drawSymbol(
  ctx: CanvasRenderingContext2D,
  shape: Shape,
  mark: Mark,
  color: string,
  hollow: boolean,
  ratio: number,
): void {
  const size = ICON_SIZE * ratio;
  const c = size / 2;
  const r = size * 0.36;
  ctx.clearRect(0, 0, size, size);
  ctx.lineJoin = 'round';
  shapePath(ctx, shape, c, r);
  if (hollow) {
    ctx.fillStyle = '#ffffff';
    ctx.fill();
    ctx.lineWidth = 3 * ratio;
    ctx.strokeStyle = color;
    ctx.stroke();
  } else {
    ctx.fillStyle = color;
    ctx.fill();
    ctx.lineWidth = 1.5 * ratio;
    ctx.strokeStyle = '#ffffff';
    ctx.stroke();
  }
  const inner = hollow ? color : '#ffffff';
  if (mark === 'dot') {
    ctx.beginPath();
    ctx.arc(c, c, r * 0.3, 0, 2 * Math.PI);
    ctx.fillStyle = inner;
    ctx.fill();
  } else if (mark === 'bar') {
    ctx.fillStyle = inner;
    ctx.fillRect(c - r * 0.55, c - r * 0.14, r * 1.1, r * 0.28);
  }
}

/** The image id the map asks for; parsed back by parseIconId. */
export function iconId(symbolName: string, status: string, hollow: boolean): string {
  return `sym|${symbolName}|${status}|${hollow ? 'h' : 's'}`;
}

export function parseIconId(id: string): { symbol: string; status: string; hollow: boolean } | null {
  const m = /^sym\|([^|]*)\|([^|]*)\|([hs])$/.exec(id);
  return m ? { symbol: m[1], status: m[2], hollow: m[3] === 'h' } : null;
}

/** An icon as a canvas, for the legend. */
export function symbolCanvas(symbolName: string, status: string, hollow: boolean, ratio = 2): HTMLCanvasElement {
  const cv = document.createElement('canvas');
  cv.width = cv.height = ICON_SIZE * ratio;
  cv.className = 'sym';
  const ctx = cv.getContext('2d');
  if (ctx) {
    const [shape, mark] = symbolOf(symbolName);
    drawSymbol(ctx, shape, mark, statusColor(status), hollow, ratio);
  }
  return cv;
}
