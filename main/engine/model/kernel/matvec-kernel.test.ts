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

  it('runs LSTM directions like the textbook recurrence, in blocks, forwards and backwards', () => {
    const random = seededRandom(11);
    const H = 8;
    const G = 4 * H;
    const steps = 37; // blocks of 16: two whole and one partial
    const stride = 2 * H + 4; // the output is wider than H: columns [column, column + H) are written
    // Large values too, so the sigmoid and tanh saturate at both ends.
    const recurrent = Float32Array.from({ length: G * H }, () => (random() * 2 - 1) * 1.5);
    const gates = Float32Array.from({ length: steps * G }, () => (random() * 2 - 1) * 12);
    const kernel = new MatVecKernel(G * H, G, H, 16);
    const matrix = kernel.addMatrix(recurrent, G, H);
    const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));
    for (const reverse of [false, true]) {
      const column = reverse ? H + 4 : 0;
      const output = new Float32Array(steps * stride).fill(7);
      kernel.runLstm(matrix, gates, steps, output, stride, column, reverse);
      const h = new Float64Array(H);
      const c = new Float64Array(H);
      let maxDiff = 0;
      for (let s = 0; s < steps; s++) {
        const t = reverse ? steps - 1 - s : s;
        const z = Array.from({ length: G }, (_, r) => {
          let sum = gates[t * G + r];
          for (let k = 0; k < H; k++) sum += recurrent[r * H + k] * h[k];
          return sum;
        });
        for (let k = 0; k < H; k++) {
          c[k] = sigmoid(z[H + k]) * c[k] + sigmoid(z[k]) * Math.tanh(z[2 * H + k]);
          h[k] = sigmoid(z[3 * H + k]) * Math.tanh(c[k]);
          maxDiff = Math.max(maxDiff, Math.abs(output[t * stride + column + k] - h[k]));
        }
        // Columns outside [column, column + H) are left alone.
        for (let k = 0; k < stride; k++)
          if (k < column || k >= column + H) expect(output[t * stride + k]).toBe(7);
      }
      expect(maxDiff, reverse ? 'backwards' : 'forwards').toBeLessThan(2e-6);
    }
  });

  it('refuses LSTM inputs that do not fit', () => {
    const kernel = new MatVecKernel(32 * 8, 32, 8, 4);
    const matrix = kernel.addMatrix(new Float32Array(32 * 8), 32, 8);
    const square = kernel.addMatrix(new Float32Array(8 * 8), 8, 8);
    expect(() => kernel.runLstm(square, new Float32Array(64), 2, new Float32Array(16), 8, 0, false)).toThrow(
      /not an LSTM/,
    );
    expect(() => kernel.runLstm(matrix, new Float32Array(32), 2, new Float32Array(16), 8, 0, false)).toThrow(
      /do not match/,
    );
    expect(() => kernel.runLstm(matrix, new Float32Array(64), 2, new Float32Array(16), 8, 4, false)).toThrow(
      /do not match/,
    );
    expect(() =>
      new MatVecKernel(64, 8, 8).runLstm(matrix, new Float32Array(64), 2, new Float32Array(16), 8, 0, false),
    ).toThrow(/no room/);
  });

  it('refuses shapes it cannot run', () => {
    const kernel = new MatVecKernel(64, 8, 8);
    expect(() => kernel.addMatrix(new Float32Array(6), 2, 3)).toThrow(/multiples of 4/);
    expect(() => kernel.addMatrix(new Float32Array(24), 6, 4)).toThrow(/multiples of 4/);
    expect(() => kernel.addMatrix(new Float32Array(10), 4, 4)).toThrow(/does not match/);
    expect(() => kernel.addMatrix(new Float32Array(4 * 100_000), 100_000, 4)).toThrow(/exhausted/);
  });
});
