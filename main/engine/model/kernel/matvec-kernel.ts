/**
 * A matrix–vector product in WebAssembly SIMD, for the LSTM recurrence. The recurrence is sequential, so
 * each time step is one small product (4H × H); through tfjs every such step costs a dozen ops whose
 * dispatch overhead dwarfs the arithmetic. This kernel does the product with f32x4 lanes, four rows at a
 * time (each input vector load serves four rows; 1.7× faster than one row at a time, measured).
 *
 * It also runs whole LSTM directions (`runLstm`): the product, the gates (sigmoid and tanh in SIMD from a
 * polynomial e^x) and the state update for every time step without leaving WebAssembly. The gates had
 * been a JavaScript loop with Math.exp and Math.tanh, which took more time than the products themselves.
 *
 * The module is compiled from matvec.wat beside this file (matvec-kernel.test.ts recompiles it with wabt
 * and checks that these bytes are what the source says).
 */
export const MATVEC_WASM_BASE64 =
  'AGFzbQEAAAABGgNgBX9/f39/AGABewF7YAl/f39/f39/f38AAwYFAAEBAQIFAwEAAQcaAwZtZW1vcnkCAAZtYXR2ZWMAAARsc3RtAAQK4wcF6AICB38FeyAEQQJ0IQYgASAGaiELQQAhBQJAA0AgBSADTw0BIAAgBmohByAHIAZqIQggCCAGaiEJQwAAAAD9EyENQwAAAAD9EyEOQwAAAAD9EyEPQwAAAAD9EyEQIAEhCgJAA0AgCiALTw0BIAr9AAQAIQwgDSAA/QAEACAM/eYB/eQBIQ0gDiAH/QAEACAM/eYB/eQBIQ4gDyAI/QAEACAM/eYB/eQBIQ8gECAJ/QAEACAM/eYB/eQBIRAgAEEQaiEAIAdBEGohByAIQRBqIQggCUEQaiEJIApBEGohCgwACwsgAiAN/R8AIA39HwGSIA39HwIgDf0fA5KSOAIAIAIgDv0fACAO/R8BkiAO/R8CIA79HwOSkjgCBCACIA/9HwAgD/0fAZIgD/0fAiAP/R8DkpI4AgggAiAQ/R8AIBD9HwGSIBD9HwIgEP0fA5KSOAIMIAkhACACQRBqIQIgBUEEaiEFDAALCwvuAQEDeyAAQwAAsEL9E/3oAUMAAK7C/RP96QEhACAAQzuquD/9E/3mAf1qIQEgACABQwCAMT/9E/3mAf3lASECIAIgAUODgF65/RP95gH95QEhAkNnaVA5/RMhAyADIAL95gFDzkO3Ov0T/eQBIQMgAyAC/eYBQwiJCDz9E/3kASEDIAMgAv3mAUPBqSo9/RP95AEhAyADIAL95gFDqqoqPv0T/eQBIQMgAyAC/eYBQwAAAD/9E/3kASEDIAMgAv3mASAC/eYBIAL95AFDAACAP/0T/eQBIQMgAyAB/fgBQf8A/RH9rgFBF/2rAf3mAQsdAEMAAIA//RNDAACAP/0TIAD94QEQAf3kAf3nAQspAEMAAIA//RNDAAAAQP0TQwAAgD/9EyAAIAD95AEQAf3kAf3nAf3lAQu+AgIGfwZ7IAdBAnQhC0EAIQkCQANAIAkgBk8NASAGQQFrIAlrIAkgCBshCiAAIAMgBSAHQQJ0IAcQACABIAogC0ECdGxqIQwgAiAKIAtsaiENQQAhDgJAA0AgDiALTw0BIAUgDmr9AAQAIAwgDmr9AAQA/eQBEAIhDyAFIAtqIA5q/QAEACAMIAtqIA5q/QAEAP3kARACIRAgBSALQQF0aiAOav0ABAAgDCALQQF0aiAOav0ABAD95AEQAyERIAUgC0EDbGogDmr9AAQAIAwgC0EDbGogDmr9AAQA/eQBEAIhEiAQIAQgDmr9AAQA/eYBIA8gEf3mAf3kASETIAQgDmogE/0LBAAgEiATEAP95gEhFCADIA5qIBT9CwQAIA0gDmogFP0LBAAgDkEQaiEODAALCyAJQQFqIQkMAAsLCw==';

const PAGE_BYTES = 65536;

/** Floats a region of `floats` takes in kernel memory: each starts 16-byte aligned. */
const alignedFloats = (floats: number) => Math.ceil(floats / 4) * 4;

/**
 * The slice of the WebAssembly API this module uses. The Node build's type libraries (no DOM lib) do not
 * declare WebAssembly, though every supported Node and Electron has it.
 */
interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object) => { exports: unknown };
}
const wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

interface MatVecExports {
  memory: WasmMemory;
  matvec(w: number, x: number, y: number, rows: number, cols: number): void;
  lstm(
    w: number,
    gates: number,
    out: number,
    h: number,
    c: number,
    z: number,
    steps: number,
    units: number,
    reverse: number,
  ): void;
}

/** A matrix stored in the kernel's memory, row-major, rows × cols (both multiples of 4). */
export interface KernelMatrix {
  offset: number;
  rows: number;
  cols: number;
}

let compiled: object | null | undefined;

/** The compiled module, or null where WebAssembly SIMD is unavailable. */
function compile(): object | null {
  if (compiled === undefined) {
    try {
      compiled = new wasm.Module(Buffer.from(MATVEC_WASM_BASE64, 'base64'));
    } catch {
      compiled = null;
    }
  }
  return compiled ?? null;
}

export function matVecKernelAvailable(): boolean {
  return compile() !== null;
}

/**
 * One instance owns one linear memory, sized once for its matrices and a scratch input and output vector,
 * so views into it never go stale (the memory never grows after construction).
 */
export class MatVecKernel {
  private readonly exports: MatVecExports;
  private readonly heap: Float32Array;
  private next = 0;
  private readonly xOffset: number;
  private readonly yOffset: number;
  /** Scratch input vector (length maxCols) and output vector (length maxRows). */
  readonly x: Float32Array;
  readonly y: Float32Array;
  /** For runLstm: the cell state (maxCols), and blocks of gate inputs and outputs for `blockSteps` steps. */
  private readonly cellOffset: number;
  private readonly gatesOffset: number;
  private readonly outOffset: number;
  private readonly blockSteps: number;

  /**
   * `lstmBlockSteps`: how many time steps runLstm takes at a time (0: no room for runLstm). Its gates and
   * outputs pass through kernel memory in blocks of this many steps, so the memory is sized once here
   * whatever the length of the input.
   */
  constructor(totalMatrixFloats: number, maxRows: number, maxCols: number, lstmBlockSteps = 0) {
    const module = compile();
    if (!module) throw new Error('WebAssembly SIMD is not available');
    this.exports = new wasm.Instance(module).exports as unknown as MatVecExports;
    const lstmFloats =
      lstmBlockSteps > 0
        ? alignedFloats(maxCols) +
          alignedFloats(lstmBlockSteps * maxRows) +
          alignedFloats(lstmBlockSteps * maxCols)
        : 0;
    const bytes = (totalMatrixFloats + maxRows + maxCols + lstmFloats + 16) * 4;
    const pages = Math.ceil(bytes / PAGE_BYTES);
    const current = this.exports.memory.buffer.byteLength / PAGE_BYTES;
    if (pages > current) this.exports.memory.grow(pages - current);
    this.heap = new Float32Array(this.exports.memory.buffer);
    this.xOffset = this.allocate(maxCols);
    this.yOffset = this.allocate(maxRows);
    this.x = this.heap.subarray(this.xOffset, this.xOffset + maxCols);
    this.y = this.heap.subarray(this.yOffset, this.yOffset + maxRows);
    this.blockSteps = lstmBlockSteps;
    this.cellOffset = lstmBlockSteps > 0 ? this.allocate(maxCols) : 0;
    this.gatesOffset = lstmBlockSteps > 0 ? this.allocate(lstmBlockSteps * maxRows) : 0;
    this.outOffset = lstmBlockSteps > 0 ? this.allocate(lstmBlockSteps * maxCols) : 0;
  }

  /** Reserves floats (16-byte aligned); returns the float offset. */
  private allocate(floats: number): number {
    const offset = this.next;
    this.next += alignedFloats(floats);
    if (this.next > this.heap.length) throw new Error('kernel memory exhausted');
    return offset;
  }

  /** Copies a row-major matrix into kernel memory. */
  addMatrix(data: Float32Array, rows: number, cols: number): KernelMatrix {
    // The kernel works on four rows and four columns at a time.
    if (cols % 4 !== 0 || rows % 4 !== 0)
      throw new Error(`matrix rows and columns must be multiples of 4, got ${rows} × ${cols}`);
    if (data.length !== rows * cols) throw new Error('matrix data does not match its shape');
    const offset = this.allocate(rows * cols);
    this.heap.set(data, offset);
    return { offset, rows, cols };
  }

  /** Overwrites a matrix added before with new values of the same shape. */
  writeMatrix(matrix: KernelMatrix, data: Float32Array): void {
    if (data.length !== matrix.rows * matrix.cols) throw new Error('matrix data does not match its shape');
    this.heap.set(data, matrix.offset);
  }

  /** y[0..rows) = M · x[0..cols), on the scratch vectors. */
  multiply(matrix: KernelMatrix): void {
    this.exports.matvec(matrix.offset * 4, this.xOffset * 4, this.yOffset * 4, matrix.rows, matrix.cols);
  }

  /**
   * One LSTM direction over all steps (Keras gate order i, f, c, o; zero initial state). `recurrent` is
   * the recurrent kernel transposed ([4H, H]); `gates` the input part of the gate pre-activations
   * ([steps, 4H]); the hidden states go to `output` ([steps, stride]) at column `column`, H wide.
   */
  runLstm(
    recurrent: KernelMatrix,
    gates: Float32Array,
    steps: number,
    output: Float32Array,
    stride: number,
    column: number,
    reverse: boolean,
  ): void {
    const H = recurrent.cols;
    const G = recurrent.rows;
    if (this.blockSteps === 0) throw new Error('this kernel has no room for LSTM sequences');
    if (G !== 4 * H || G > this.y.length) throw new Error(`not an LSTM recurrent kernel: ${G} × ${H}`);
    if (gates.length < steps * G || output.length < steps * stride || column + H > stride)
      throw new Error('LSTM gates or output do not match the steps');
    this.x.fill(0, 0, H);
    this.heap.fill(0, this.cellOffset, this.cellOffset + H);
    const blocks = Math.ceil(steps / this.blockSteps);
    for (let b = 0; b < blocks; b++) {
      // Backwards, the last block runs first (and each block from its end).
      const block = reverse ? blocks - 1 - b : b;
      const first = block * this.blockSteps;
      const count = Math.min(this.blockSteps, steps - first);
      this.heap.set(gates.subarray(first * G, (first + count) * G), this.gatesOffset);
      this.exports.lstm(
        recurrent.offset * 4,
        this.gatesOffset * 4,
        this.outOffset * 4,
        this.xOffset * 4,
        this.cellOffset * 4,
        this.yOffset * 4,
        count,
        H,
        reverse ? 1 : 0,
      );
      for (let s = 0; s < count; s++) {
        const from = this.outOffset + s * H;
        output.set(this.heap.subarray(from, from + H), (first + s) * stride + column);
      }
    }
  }
}
