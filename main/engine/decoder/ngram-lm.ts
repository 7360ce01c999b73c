/**
 * A word n-gram language model (trigram by default) with interpolated modified Kneser–Ney smoothing
 * (Chen & Goodman 1998: three discounts per order, continuation counts for the lower orders, n-grams that
 * start with <s> keep their raw counts) and a compact binary format that loads without parsing text.
 *
 * Every probability is stored pre-discounted, so a lookup is a few binary searches:
 *
 *   P(w | u v) = term3(u v w) + γ(u v) · [ term2(v w) + γ(v) · P1(w) ]
 *
 * where a missing term is 0 and a missing history has γ = 1. P1 interpolates with the uniform
 * distribution over the vocabulary, so every word — `</s>` and `<unk>` included — has mass, and the
 * distribution of each history sums to 1 over the vocabulary plus `</s>` and `<unk>`. Out-of-vocabulary
 * words are scored as `<unk>` plus an optional extra penalty (`unkPenalty`, natural log, ≤ 0).
 */

export const BOS = '<s>';
export const EOS = '</s>';
export const UNK = '<unk>';
const BOS_ID = 0;
const EOS_ID = 1;
const UNK_ID = 2;

export interface NgramBuildOptions {
  /** Only 3 is supported (the runtime format stores unigrams, bigrams and trigrams). */
  order?: 3;
  /** Added to log P(<unk> | h) for out-of-vocabulary words; natural log, default 0. */
  unkPenalty?: number;
  /**
   * Trigrams seen fewer times than this are not stored (default 1: all kept). Their discounted
   * probability moves to the history's back-off weight, so every history still sums to 1: a large text
   * costs far less memory (most trigrams are seen once) for a little of the model's sharpness.
   */
  minTrigramCount?: number;
  /**
   * The same for bigrams, by their Kneser–Ney count (how many distinct words come before them; `<s> w`
   * by its raw count). A bigram that is the history of a stored trigram is always kept.
   */
  minBigramCount?: number;
}

export interface NgramStats {
  order: number;
  /** Words that can be predicted: the vocabulary plus </s> and <unk> (not <s>). */
  vocabulary: number;
  unigrams: number;
  bigrams: number;
  trigrams: number;
  discounts: number[][];
}

const MAGIC = 0x4d4c4e53; // "SNLM"
const FORMAT_VERSION = 1;

/** Binary search for `key` in `arr[lo, hi)`; returns the index or -1. */
function search(arr: Int32Array, lo: number, hi: number, key: number): number {
  hi -= 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const v = arr[mid];
    if (v < key) lo = mid + 1;
    else if (v > key) hi = mid - 1;
    else return mid;
  }
  return -1;
}

/** Modified KN discounts D1, D2, D3+ from counts of counts n1..n4 (clamped to sensible values). */
function discounts(n: number[]): number[] {
  const [n1, n2, n3, n4] = n;
  if (n1 === 0 || n2 === 0 || n3 === 0 || n4 === 0) return [0.5, 1, 1.5];
  const y = n1 / (n1 + 2 * n2);
  const d = [1 - (2 * y * n2) / n1, 2 - (3 * y * n3) / n2, 3 - (4 * y * n4) / n3];
  return d.map((x, i) => Math.min(i + 1, Math.max(0.05, x)));
}

const discountFor = (d: number[], count: number) => (count >= 3 ? d[2] : d[count - 1]);

/**
 * For the n-grams keys[from..to) that share one history (keys sorted, last word = key mod V): stores the
 * word and discounted probability term of each one `keep` accepts, from index `out` on (out ≤ from, so a
 * pruning caller compacts its arrays in place), and returns the history's back-off weight γ and the index
 * after the last one stored. The terms of the n-grams not stored join γ, so the history still sums to 1.
 */
function discountHistory(
  keys: Float64Array,
  counts: Map<number, number>,
  from: number,
  to: number,
  V: number,
  d: number[],
  words: Int32Array,
  terms: Float32Array,
  out: number,
  keep: (key: number, count: number) => boolean,
): { gamma: number; end: number } {
  let total = 0;
  const nk = [0, 0, 0];
  for (let k = from; k < to; k++) {
    const c = counts.get(keys[k])!;
    total += c;
    nk[Math.min(c, 3) - 1]++;
  }
  let gamma = (d[0] * nk[0] + d[1] * nk[1] + d[2] * nk[2]) / total;
  for (let k = from; k < to; k++) {
    const c = counts.get(keys[k])!;
    const term = Math.fround((c - discountFor(d, c)) / total);
    if (keep(keys[k], c)) {
      words[out] = keys[k] % V;
      terms[out] = term;
      out++;
    } else {
      gamma += term;
    }
  }
  return { gamma, end: out };
}

function countOfCounts(counts: Iterable<number>): number[] {
  const n = [0, 0, 0, 0];
  for (const c of counts) if (c >= 1 && c <= 4) n[c - 1]++;
  return n;
}

/** Splits a normalised sentence into words. */
export function tokenize(sentence: string): string[] {
  return sentence.split(/\s+/).filter(Boolean);
}

export class NgramLm {
  readonly order = 3;
  /** Word strings by id: 0 <s>, 1 </s>, 2 <unk>, then the vocabulary. */
  readonly words: readonly string[];
  private readonly ids: Map<string, number>;
  /** P1(w), full unigram probability, per word id (0 for <s>). */
  private readonly uni: Float32Array;
  /** γ(v) per word id (1 when v has no continuation). */
  private readonly uniGamma: Float32Array;
  /** Bigrams grouped by their first word: biOffsets[v]..biOffsets[v+1] index biWords/biTerms. */
  private readonly biOffsets: Uint32Array;
  private readonly biWords: Int32Array;
  private readonly biTerms: Float32Array;
  /** γ(u v) per bigram index (1 when u v has no continuation). */
  private readonly biGamma: Float32Array;
  /** Trigrams grouped by the bigram index of their history. */
  private readonly triOffsets: Uint32Array;
  private readonly triWords: Int32Array;
  private readonly triTerms: Float32Array;
  readonly unkPenalty: number;
  readonly discounts: number[][];

  private constructor(parts: {
    words: string[];
    uni: Float32Array;
    uniGamma: Float32Array;
    biOffsets: Uint32Array;
    biWords: Int32Array;
    biTerms: Float32Array;
    biGamma: Float32Array;
    triOffsets: Uint32Array;
    triWords: Int32Array;
    triTerms: Float32Array;
    unkPenalty: number;
    discounts: number[][];
  }) {
    this.words = parts.words;
    this.ids = new Map();
    for (let i = 0; i < parts.words.length; i++) this.ids.set(parts.words[i], i);
    this.uni = parts.uni;
    this.uniGamma = parts.uniGamma;
    this.biOffsets = parts.biOffsets;
    this.biWords = parts.biWords;
    this.biTerms = parts.biTerms;
    this.biGamma = parts.biGamma;
    this.triOffsets = parts.triOffsets;
    this.triWords = parts.triWords;
    this.triTerms = parts.triTerms;
    this.unkPenalty = parts.unkPenalty;
    this.discounts = parts.discounts;
  }

  get stats(): NgramStats {
    return {
      order: 3,
      vocabulary: this.words.length - 1,
      unigrams: this.words.length - 1,
      bigrams: this.biWords.length,
      trigrams: this.triWords.length,
      discounts: this.discounts,
    };
  }

  /** Word id, or -1 when the word is not in the vocabulary. */
  id(word: string): number {
    return this.ids.get(word) ?? -1;
  }

  has(word: string): boolean {
    return this.ids.has(word) && word !== BOS && word !== UNK;
  }

  /**
   * Natural-log P(word | history). Only the last two words of `history` are used; start a sentence with
   * `[BOS]`. An unknown word scores as <unk> plus `unkPenalty`; unknown history words back off.
   */
  logProb(history: readonly string[], word: string): number {
    let w = this.ids.get(word);
    let penalty = 0;
    if (w === undefined || w === BOS_ID) {
      w = UNK_ID;
      penalty = this.unkPenalty;
    }
    const n = history.length;
    const v = n >= 1 ? (this.ids.get(history[n - 1]) ?? UNK_ID) : -1;
    const u = n >= 2 ? (this.ids.get(history[n - 2]) ?? UNK_ID) : -1;
    return Math.log(this.probIds(u, v, w)) + penalty;
  }

  /** P(w | u v) by ids; u and/or v may be -1 (no such history word). */
  probIds(u: number, v: number, w: number): number {
    let p = this.uni[w];
    if (v < 0) return p;
    const bLo = this.biOffsets[v];
    const bHi = this.biOffsets[v + 1];
    const bw = search(this.biWords, bLo, bHi, w);
    p = (bw >= 0 ? this.biTerms[bw] : 0) + this.uniGamma[v] * p;
    if (u < 0) return p;
    const hist = search(this.biWords, this.biOffsets[u], this.biOffsets[u + 1], v);
    if (hist < 0) return p;
    const tLo = this.triOffsets[hist];
    const tHi = this.triOffsets[hist + 1];
    const tw = search(this.triWords, tLo, tHi, w);
    return (tw >= 0 ? this.triTerms[tw] : 0) + this.biGamma[hist] * p;
  }

  static build(sentences: Iterable<string>, options: NgramBuildOptions = {}): NgramLm {
    if ((options.order ?? 3) !== 3) throw new RangeError('NgramLm supports order 3 only');
    const words = [BOS, EOS, UNK];
    const ids = new Map<string, number>(words.map((w, i) => [w, i]));
    const sentencesIds: Int32Array[] = [];
    for (const sentence of sentences) {
      const tokens = tokenize(sentence);
      if (tokens.length === 0) continue;
      const row = new Int32Array(tokens.length + 2);
      row[0] = BOS_ID;
      tokens.forEach((t, i) => {
        let id = ids.get(t);
        if (id === undefined || id === BOS_ID || id === EOS_ID || id === UNK_ID) {
          if (t === BOS || t === EOS || t === UNK) {
            id = UNK_ID;
          } else {
            id = words.length;
            words.push(t);
            ids.set(t, id);
          }
        }
        row[i + 1] = id;
      });
      row[tokens.length + 1] = EOS_ID;
      sentencesIds.push(row);
    }
    const V = words.length;
    if (V * V * V >= Number.MAX_SAFE_INTEGER) throw new RangeError(`vocabulary of ${V} is too large`);

    // Raw trigram counts and raw counts of bigrams that start with <s>.
    const tri = new Map<number, number>();
    const bosBi = new Map<number, number>();
    for (const row of sentencesIds) {
      bosBi.set(row[1], (bosBi.get(row[1]) ?? 0) + 1);
      for (let i = 2; i < row.length; i++) {
        const key = (row[i - 2] * V + row[i - 1]) * V + row[i];
        tri.set(key, (tri.get(key) ?? 0) + 1);
      }
    }
    // Adjusted bigram counts: distinct left extensions, or the raw count for <s> v.
    const bi = new Map<number, number>();
    for (const key of tri.keys()) {
      const vw = key % (V * V);
      bi.set(vw, (bi.get(vw) ?? 0) + 1);
    }
    for (const [w, c] of bosBi) bi.set(BOS_ID * V + w, c);
    // Adjusted unigram counts: distinct left extensions.
    const uniCount = new Float64Array(V);
    for (const key of bi.keys()) uniCount[key % V]++;

    const d3 = discounts(countOfCounts(tri.values()));
    const d2 = discounts(countOfCounts(bi.values()));
    const d1 = discounts(countOfCounts(uniCount));

    // Unigrams: interpolate with the uniform distribution over the V − 1 predictable words.
    const uni = new Float32Array(V);
    {
      let total = 0;
      const nk = [0, 0, 0];
      for (let w = 1; w < V; w++) {
        const c = uniCount[w];
        total += c;
        if (c > 0) nk[Math.min(c, 3) - 1]++;
      }
      const gamma = (d1[0] * nk[0] + d1[1] * nk[1] + d1[2] * nk[2]) / total;
      for (let w = 1; w < V; w++) {
        const c = uniCount[w];
        uni[w] = (c > 0 ? (c - discountFor(d1, c)) / total : 0) + gamma / (V - 1);
      }
    }

    const minTrigramCount = options.minTrigramCount ?? 1;
    const minBigramCount = options.minBigramCount ?? 1;
    // Histories (u, v) of the trigrams that will be stored: their bigrams must stay to be found.
    const keptHistories = new Set<number>();
    if (minBigramCount > 1) {
      for (const [key, c] of tri) if (c >= minTrigramCount) keptHistories.add(Math.floor(key / V));
    }
    const keepBigram = (key: number, c: number) => c >= minBigramCount || keptHistories.has(key);
    const keepTrigram = (_key: number, c: number) => c >= minTrigramCount;

    // Bigrams, sorted by (v, w); the rare ones not stored.
    const allBiKeys = Float64Array.from(bi.keys()).sort();
    const biOffsets = new Uint32Array(V + 1);
    const biWords = new Int32Array(allBiKeys.length);
    const biTerms = new Float32Array(allBiKeys.length);
    const keptBiKeys = new Float64Array(allBiKeys.length);
    const uniGamma = new Float32Array(V).fill(1);
    let keptBi = 0;
    for (let i = 0; i < allBiKeys.length;) {
      const v = Math.floor(allBiKeys[i] / V);
      let j = i;
      while (j < allBiKeys.length && Math.floor(allBiKeys[j] / V) === v) j++;
      const stored = discountHistory(allBiKeys, bi, i, j, V, d2, biWords, biTerms, keptBi, keepBigram);
      uniGamma[v] = stored.gamma;
      for (let k = keptBi; k < stored.end; k++) keptBiKeys[k] = v * V + biWords[k];
      keptBi = stored.end;
      i = j;
    }
    const biKeys = keptBiKeys.subarray(0, keptBi);
    const nb = keptBi;
    {
      let k = 0;
      for (let v = 0; v <= V; v++) {
        while (k < nb && Math.floor(biKeys[k] / V) < v) k++;
        biOffsets[v] = k;
      }
    }

    // Trigrams, sorted by (u, v, w): the same order as the bigram index of their history (u, v).
    const triKeys = Float64Array.from(tri.keys()).sort();
    const nt = triKeys.length;
    const triOffsets = new Uint32Array(nb + 1);
    const triWords = new Int32Array(nt);
    const triTerms = new Float32Array(nt);
    const biGamma = new Float32Array(nb).fill(1);
    let hist = 0;
    let kept = 0; // trigrams stored so far (kept ≤ i)
    for (let i = 0; i < nt;) {
      const uv = Math.floor(triKeys[i] / V);
      let j = i;
      while (j < nt && Math.floor(triKeys[j] / V) === uv) j++;
      while (hist < nb && biKeys[hist] < uv) triOffsets[++hist] = kept;
      if (biKeys[hist] !== uv) {
        // A pruned history: none of its trigrams is stored, and P(w | u v) is P(w | v).
        if (minBigramCount > 1) {
          i = j;
          continue;
        }
        throw new Error('trigram history missing from the bigrams');
      }
      const stored = discountHistory(triKeys, tri, i, j, V, d3, triWords, triTerms, kept, keepTrigram);
      biGamma[hist] = stored.gamma;
      kept = stored.end;
      i = j;
    }
    while (hist < nb) triOffsets[++hist] = kept;

    return new NgramLm({
      words,
      uni,
      uniGamma,
      biOffsets,
      biWords: biWords.slice(0, nb),
      biTerms: biTerms.slice(0, nb),
      biGamma,
      triOffsets,
      triWords: triWords.slice(0, kept),
      triTerms: triTerms.slice(0, kept),
      unkPenalty: options.unkPenalty ?? 0,
      discounts: [d1, d2, d3],
    });
  }

  /**
   * Binary layout (little endian): u32 magic, u32 version, u32 V, u32 bigrams, u32 trigrams,
   * u32 string-table bytes, f64 unkPenalty, 9 × f64 discounts, then the arrays (each 4-byte aligned):
   * uni f32[V], uniGamma f32[V], biOffsets u32[V+1], biWords i32[nb], biTerms f32[nb], biGamma f32[nb],
   * triOffsets u32[nb+1], triWords i32[nt], triTerms f32[nt], then the words as UTF-8 joined by "\n".
   */
  toBuffer(): Buffer {
    const V = this.words.length;
    const nb = this.biWords.length;
    const nt = this.triWords.length;
    const table = Buffer.from(this.words.join('\n'), 'utf8');
    const arrays = [
      this.uni,
      this.uniGamma,
      this.biOffsets,
      this.biWords,
      this.biTerms,
      this.biGamma,
      this.triOffsets,
      this.triWords,
      this.triTerms,
    ];
    const headerBytes = 6 * 4 + 8 + 9 * 8;
    const arrayBytes = arrays.reduce((n, a) => n + a.byteLength, 0);
    const out = Buffer.alloc(headerBytes + arrayBytes + table.length);
    out.writeUInt32LE(MAGIC, 0);
    out.writeUInt32LE(FORMAT_VERSION, 4);
    out.writeUInt32LE(V, 8);
    out.writeUInt32LE(nb, 12);
    out.writeUInt32LE(nt, 16);
    out.writeUInt32LE(table.length, 20);
    out.writeDoubleLE(this.unkPenalty, 24);
    this.discounts.flat().forEach((d, i) => out.writeDoubleLE(d, 32 + i * 8));
    let offset = headerBytes;
    for (const a of arrays) {
      out.set(new Uint8Array(a.buffer, a.byteOffset, a.byteLength), offset);
      offset += a.byteLength;
    }
    table.copy(out, offset);
    return out;
  }

  static fromBuffer(buf: Uint8Array): NgramLm {
    // Copy once into an aligned buffer so the typed arrays can view it directly.
    const bytes = new Uint8Array(buf.byteLength);
    bytes.set(buf);
    const view = new DataView(bytes.buffer);
    if (bytes.byteLength < 104 || view.getUint32(0, true) !== MAGIC) {
      throw new Error('not a Speech Studio n-gram LM file');
    }
    const version = view.getUint32(4, true);
    if (version !== FORMAT_VERSION) throw new Error(`unsupported LM format version ${version}`);
    const V = view.getUint32(8, true);
    const nb = view.getUint32(12, true);
    const nt = view.getUint32(16, true);
    const tableBytes = view.getUint32(20, true);
    const unkPenalty = view.getFloat64(24, true);
    const flat = Array.from({ length: 9 }, (_, i) => view.getFloat64(32 + i * 8, true));
    let offset = 104;
    const take = <T>(make: (b: ArrayBuffer, o: number, n: number) => T, n: number): T => {
      const a = make(bytes.buffer, offset, n);
      offset += n * 4;
      return a;
    };
    const f32 = (b: ArrayBuffer, o: number, n: number) => new Float32Array(b, o, n);
    const u32 = (b: ArrayBuffer, o: number, n: number) => new Uint32Array(b, o, n);
    const i32 = (b: ArrayBuffer, o: number, n: number) => new Int32Array(b, o, n);
    const uni = take(f32, V);
    const uniGamma = take(f32, V);
    const biOffsets = take(u32, V + 1);
    const biWords = take(i32, nb);
    const biTerms = take(f32, nb);
    const biGamma = take(f32, nb);
    const triOffsets = take(u32, nb + 1);
    const triWords = take(i32, nt);
    const triTerms = take(f32, nt);
    if (offset + tableBytes !== bytes.byteLength) throw new Error('LM file is truncated or corrupt');
    const words = new TextDecoder().decode(bytes.subarray(offset, offset + tableBytes)).split('\n');
    if (words.length !== V) throw new Error(`LM string table has ${words.length} words, expected ${V}`);
    return new NgramLm({
      words,
      uni,
      uniGamma,
      biOffsets,
      biWords,
      biTerms,
      biGamma,
      triOffsets,
      triWords,
      triTerms,
      unkPenalty,
      discounts: [flat.slice(0, 3), flat.slice(3, 6), flat.slice(6, 9)],
    });
  }
}
