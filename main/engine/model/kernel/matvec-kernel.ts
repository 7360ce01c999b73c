/**
 * A matrix–vector product in WebAssembly SIMD, for the LSTM recurrence. The recurrence is sequential, so
 * each time step is one small product (4H × H); through tfjs every such step costs a dozen ops whose
 * dispatch overhead dwarfs the arithmetic. This kernel does the product with f32x4 lanes, four rows at a
 * time (each input vector load serves four rows; 1.7× faster than one row at a time, measured).
 *
 * The module is compiled from matvec.wat beside this file (matvec-kernel.test.ts recompiles it with wabt
 * and checks that these bytes are what the source says).
 */
export const MATVEC_WASM_BASE64 =
  'AGFzbQEAAAABCQFgBX9/f39/AAMCAQAFAwEAAQcTAgZtZW1vcnkCAAZtYXR2ZWMAAArrAgHoAgIHfwV7IARBAnQhBiABIAZqIQtBACEFAkADQCAFIANPDQEgACAGaiEHIAcgBmohCCAIIAZqIQlDAAAAAP0TIQ1DAAAAAP0TIQ5DAAAAAP0TIQ9DAAAAAP0TIRAgASEKAkADQCAKIAtPDQEgCv0ABAAhDCANIAD9AAQAIAz95gH95AEhDSAOIAf9AAQAIAz95gH95AEhDiAPIAj9AAQAIAz95gH95AEhDyAQIAn9AAQAIAz95gH95AEhECAAQRBqIQAgB0EQaiEHIAhBEGohCCAJQRBqIQkgCkEQaiEKDAALCyACIA39HwAgDf0fAZIgDf0fAiAN/R8DkpI4AgAgAiAO/R8AIA79HwGSIA79HwIgDv0fA5KSOAIEIAIgD/0fACAP/R8BkiAP/R8CIA/9HwOSkjgCCCACIBD9HwAgEP0fAZIgEP0fAiAQ/R8DkpI4AgwgCSEAIAJBEGohAiAFQQRqIQUMAAsLCw==';

const PAGE_BYTES = 65536;

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

  constructor(totalMatrixFloats: number, maxRows: number, maxCols: number) {
    const module = compile();
    if (!module) throw new Error('WebAssembly SIMD is not available');
    this.exports = new wasm.Instance(module).exports as unknown as MatVecExports;
    const bytes = (totalMatrixFloats + maxRows + maxCols + 16) * 4;
    const pages = Math.ceil(bytes / PAGE_BYTES);
    const current = this.exports.memory.buffer.byteLength / PAGE_BYTES;
    if (pages > current) this.exports.memory.grow(pages - current);
    this.heap = new Float32Array(this.exports.memory.buffer);
    this.xOffset = this.allocate(maxCols);
    this.yOffset = this.allocate(maxRows);
    this.x = this.heap.subarray(this.xOffset, this.xOffset + maxCols);
    this.y = this.heap.subarray(this.yOffset, this.yOffset + maxRows);
  }

  /** Reserves floats (16-byte aligned); returns the float offset. */
  private allocate(floats: number): number {
    const offset = this.next;
    this.next += Math.ceil(floats / 4) * 4;
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
}
