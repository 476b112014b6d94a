/**
 * Module tree of the nn engine: named parameters, named children, and reusable workspace buffers.
 *
 * Parameters of a whole tree live in two contiguous arenas (values and gradients) allocated by `materialize`, so an
 * optimiser step, gradient clipping, zeroing and EMA are one kernel call each. Hierarchical names follow PyTorch's
 * `state_dict` convention (`down.0.resnets.1.conv1.weight`) and key the safetensors files.
 *
 * Conventions for layers:
 *   - `forward(x)` caches what `backward` needs (pointers to inputs it does not own, saved statistics) and returns a
 *     tensor in a workspace buffer of the layer, valid until the next `forward` of that layer;
 *   - `backward(dy)` *accumulates* parameter gradients (zero them once per step with `zeroGrad`) and returns a fresh
 *     input gradient in another workspace buffer;
 *   - workspaces are kept between calls and only reallocated when a larger batch arrives, so steady-state training
 *     allocates nothing.
 */
import { at, NONE, type Backend, type Ptr } from '../kernels/backend.js';
import type { Rng } from '../../random/rng.js';

/** How a parameter is initialised: PyTorch's defaults for Conv2d/Linear (uniform in +-1/sqrt(fan_in)) and norms. */
export type Init =
  { kind: 'uniform'; bound: number } | { kind: 'const'; value: number } | { kind: 'normal'; std: number };

export class Param {
  /** Element offsets of the value and the gradient in the backend heap (set by `materialize`). */
  ptr: Ptr = NONE;
  grad: Ptr = NONE;
  readonly size: number;
  constructor(
    readonly shape: readonly number[],
    public init: Init,
  ) {
    this.size = shape.reduce((a, b) => a * b, 1);
  }
}

/** The contiguous storage of a materialised tree. */
export interface ParamArena {
  values: Ptr;
  grads: Ptr;
  size: number;
}

export abstract class Module {
  private readonly ownParams = new Map<string, Param>();
  private readonly kids = new Map<string, Module>();
  private readonly workspaces = new Map<string, { ptr: Ptr; cap: number }>();
  private arena: ParamArena | undefined;

  constructor(readonly be: Backend) {}

  protected param(name: string, shape: readonly number[], init: Init): Param {
    if (this.ownParams.has(name) || this.kids.has(name)) throw new Error(`duplicate parameter name ${name}`);
    const p = new Param(shape, init);
    this.ownParams.set(name, p);
    return p;
  }

  protected child<T extends Module>(name: string, m: T): T {
    if (this.ownParams.has(name) || this.kids.has(name)) throw new Error(`duplicate child name ${name}`);
    if (m.be !== this.be) throw new Error(`child ${name} lives on another backend`);
    this.kids.set(name, m);
    return m;
  }

  /** All parameters of the subtree with hierarchical names, in registration order (deterministic). */
  namedParams(prefix = ''): [string, Param][] {
    const out: [string, Param][] = [];
    for (const [n, p] of this.ownParams) out.push([prefix + n, p]);
    for (const [n, m] of this.kids) out.push(...m.namedParams(`${prefix}${n}.`));
    return out;
  }

  children(): [string, Module][] {
    return [...this.kids];
  }

  /** Number of scalar parameters in the subtree. */
  paramCount(): number {
    return this.namedParams().reduce((s, [, p]) => s + p.size, 0);
  }

  /**
   * Allocates the parameter and gradient arenas of this subtree, points every Param into them and initialises the
   * values from `rng` (gradients zeroed). Call once, on the root.
   */
  materialize(rng: Rng): ParamArena {
    if (this.arena) throw new Error('module already materialised');
    const params = this.namedParams();
    let size = 0;
    for (const [, p] of params) {
      if (p.ptr !== 0) throw new Error('a parameter of this subtree is already materialised elsewhere');
      size += Math.ceil(p.size / 4) * 4; // keep every parameter 16-byte aligned for the vector kernels
    }
    const values = this.be.alloc(size);
    const grads = this.be.alloc(size);
    this.be.fill(values, size, 0);
    this.be.fill(grads, size, 0);
    let off = 0;
    for (const [, p] of params) {
      p.ptr = at(values, off);
      p.grad = at(grads, off);
      off += Math.ceil(p.size / 4) * 4;
      this.be.write(p.ptr, initValues(p, rng));
    }
    this.arena = { values, grads, size };
    return this.arena;
  }

  /** The arenas of a materialised root. */
  get params(): ParamArena {
    if (!this.arena) throw new Error('module is not materialised (call materialize(rng) on the root)');
    return this.arena;
  }

  zeroGrad(): void {
    this.be.fill(this.params.grads, this.params.size, 0);
  }

  /**
   * A workspace buffer of at least n elements, kept across calls under `key` and only reallocated when it must grow.
   * The pointer may change between calls, so callers fetch it every call.
   */
  protected ws(key: string, n: number): Ptr {
    const cur = this.workspaces.get(key);
    if (cur && cur.cap >= n) return cur.ptr;
    if (cur) this.be.free(cur.ptr);
    const ptr = this.be.alloc(Math.max(n, 1));
    this.workspaces.set(key, { ptr, cap: Math.max(n, 1) });
    return ptr;
  }

  /** Frees workspaces (and the arenas on a materialised root) of the whole subtree. */
  dispose(): void {
    for (const { ptr } of this.workspaces.values()) this.be.free(ptr);
    this.workspaces.clear();
    for (const m of this.kids.values()) m.dispose();
    if (this.arena) {
      this.be.free(this.arena.values);
      this.be.free(this.arena.grads);
      for (const [, p] of this.namedParams()) p.ptr = p.grad = NONE;
      this.arena = undefined;
    }
  }
}

function initValues(p: Param, rng: Rng): Float64Array {
  const v = new Float64Array(p.size);
  const init = p.init;
  if (init.kind === 'const') v.fill(init.value);
  else if (init.kind === 'uniform') for (let i = 0; i < v.length; i++) v[i] = (2 * rng.uniform() - 1) * init.bound;
  else for (let i = 0; i < v.length; i++) v[i] = rng.normal() * init.std;
  return v;
}

/** PyTorch's default bound for Conv2d / Linear weights and biases: 1 / sqrt(fan_in). */
export function fanInBound(fanIn: number): Init {
  return { kind: 'uniform', bound: 1 / Math.sqrt(fanIn) };
}
