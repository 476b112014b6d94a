/**
 * Marker shapes as SVG path data (many markers of one series become one `<path>`, which keeps files small).
 */
import { num } from './svg.js';

export type MarkerShape = 'circle' | 'square' | 'diamond' | 'triangle';

/** Path data for one marker of radius `r` centred at (x, y). */
export function markerPath(shape: MarkerShape, x: number, y: number, r: number): string {
  switch (shape) {
    case 'square': {
      const s = r * 0.88;
      return `M${num(x - s)} ${num(y - s)}h${num(2 * s)}v${num(2 * s)}h${num(-2 * s)}Z`;
    }
    case 'diamond': {
      const s = r * 1.2;
      return `M${num(x)} ${num(y - s)}l${num(s)} ${num(s)}l${num(-s)} ${num(s)}l${num(-s)} ${num(-s)}Z`;
    }
    case 'triangle': {
      const s = r * 1.25;
      return `M${num(x)} ${num(y - s)}l${num(s * 0.866)} ${num(s * 1.5)}h${num(-s * 1.732)}Z`;
    }
    default:
      return `M${num(x - r)} ${num(y)}a${num(r)} ${num(r)} 0 1 0 ${num(2 * r)} 0a${num(r)} ${num(r)} 0 1 0 ${num(-2 * r)} 0Z`;
  }
}
