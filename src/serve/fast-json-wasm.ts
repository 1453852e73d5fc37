/**
 * The wasm twin of fast-json's number loop (kernel `parseDecimalRun`, src/engine/kernels/assembly/decimal.ts): the
 * request body is copied once into a small instance of the kernels module with its own memory, and each run of
 * numbers is parsed there into float64s. It gives the same values as the plain-TS loop (tests compare them) and is
 * used when build/kernels.wasm exists.
 */
import { kernelsModule } from '../engine/backend/kernels-module.js';
import { type WasmMemory, wasmApi } from '../engine/backend/wasm-api.js';

const PAGE = 65536;
const MAX_PAGES = 65536;

type ParseFn = (src: number, out: number, maxOut: number, state: number) => number;

export class WasmDecimals {
  private readonly memory: WasmMemory;
  private readonly parse: ParseFn;
  /** state (8 bytes), then the body and its 0 sentinel, then the output float64s. */
  private readonly state: number;
  private readonly body: number;
  private out = 0;
  private maxOut = 0;
  private u8: Uint8Array;
  private f64: Float64Array;
  private u32: Uint32Array;

  constructor() {
    const module = kernelsModule();
    this.memory = new wasmApi.Memory({ initial: 16, maximum: MAX_PAGES, shared: true });
    const inst = new wasmApi.Instance(module, { env: { memory: this.memory } });
    const ex = inst.exports as { parseDecimalRun: ParseFn; heapBase: () => number };
    this.parse = ex.parseDecimalRun;
    this.state = Math.ceil(Math.max(64, ex.heapBase()) / 64) * 64;
    this.body = this.state + 64;
    this.u8 = new Uint8Array(this.memory.buffer);
    this.f64 = new Float64Array(this.memory.buffer);
    this.u32 = new Uint32Array(this.memory.buffer);
  }

  /** Copy a body in (with its sentinel); the output area after it can hold every number the body could have. */
  load(bytes: Uint8Array): void {
    const out = Math.ceil((this.body + bytes.length + 1) / 8) * 8;
    const maxOut = Math.ceil(bytes.length / 2) + 1; // each number takes ≥ 2 bytes with its separator
    const need = out + maxOut * 8;
    if (need > this.memory.buffer.byteLength) {
      this.memory.grow(Math.ceil((need - this.memory.buffer.byteLength) / PAGE));
    }
    if (this.u8.buffer !== this.memory.buffer || this.u8.length < need) {
      this.u8 = new Uint8Array(this.memory.buffer);
      this.f64 = new Float64Array(this.memory.buffer);
      this.u32 = new Uint32Array(this.memory.buffer);
    }
    this.u8.set(bytes, this.body);
    this.u8[this.body + bytes.length] = 0;
    this.out = out;
    this.maxOut = maxOut;
  }

  /**
   * Parse the run of numbers at body position `pos`: the values as a new array and where the run ended, or undefined
   * when the input leaves the fast subset.
   */
  run(pos: number): { values: number[]; end: number; closed: boolean } | undefined {
    const k = this.parse(this.body + pos, this.out, this.maxOut, this.state);
    if (k < 0) return undefined;
    const values = new Array<number>(k);
    const f = this.f64;
    const o = this.out >> 3;
    for (let t = 0; t < k; t++) values[t] = f[o + t];
    const s = this.state >> 2;
    return { values, end: this.u32[s] - this.body, closed: this.u32[s + 1] === 1 };
  }
}
