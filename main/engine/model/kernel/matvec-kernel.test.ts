import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../testing/seeded-random';
import { MATVEC_WASM_BASE64, MatVecKernel, matVecKernelAvailable } from './matvec-kernel';

interface Wabt {
  parseWat(
    name: string,
    source: string,
    features: { simd: boolean },
  ): {
    toBinary(options: object): { buffer: Uint8Array };
    destroy(): void;
  };
}

describe('matvec kernel', () => {
  it('is built from matvec.wat (the committed bytes are what the source compiles to)', async () => {
    const require = createRequire(import.meta.url);
    const wabt = await (require('wabt') as () => Promise<Wabt>)();
    const source = await readFile(new URL('./matvec.wat', import.meta.url), 'utf8');
    const module = wabt.parseWat('matvec.wat', source, { simd: true });
    const { buffer } = module.toBinary({});
    module.destroy();
    expect(Buffer.from(buffer).toString('base64')).toBe(MATVEC_WASM_BASE64);
  });

  it('multiplies like the textbook loop', () => {
    expect(matVecKernelAvailable()).toBe(true);
    const random = seededRandom(7);
    const rows = 12;
    const cols = 8;
    const data = Float32Array.from({ length: rows * cols }, () => random() * 2 - 1);
    const x = Float32Array.from({ length: cols }, () => random() * 2 - 1);
    const kernel = new MatVecKernel(rows * cols + 16, rows, cols);
    // A second matrix before the one used checks that offsets are honoured.
    kernel.addMatrix(new Float32Array(16).fill(9), 4, 4);
    const matrix = kernel.addMatrix(data, rows, cols);
    kernel.x.set(x);
    kernel.multiply(matrix);
    for (let r = 0; r < rows; r++) {
      let expected = 0;
      for (let c = 0; c < cols; c++) expected += data[r * cols + c] * x[c];
      expect(kernel.y[r]).toBeCloseTo(expected, 5);
    }
  });

  it('refuses shapes it cannot run', () => {
    const kernel = new MatVecKernel(64, 8, 8);
    expect(() => kernel.addMatrix(new Float32Array(6), 2, 3)).toThrow(/multiples of 4/);
    expect(() => kernel.addMatrix(new Float32Array(24), 6, 4)).toThrow(/multiples of 4/);
    expect(() => kernel.addMatrix(new Float32Array(10), 4, 4)).toThrow(/does not match/);
    expect(() => kernel.addMatrix(new Float32Array(4 * 100_000), 100_000, 4)).toThrow(/exhausted/);
  });
});
