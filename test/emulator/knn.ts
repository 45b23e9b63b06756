/**
 * Facts of the k-NN plugin the emulator applies: engines and the space types each method supports, dimension limits,
 * defaults by version, and the scores k-NN reports for each space type. Sources (opensearch-project/k-NN, by tag):
 * - default engine: KNNEngine.DEFAULT = NMSLIB up to 2.17.x, FAISS from 2.18.0.0; EngineResolver (2.19) picks faiss
 *   for mode/compression unless 4x compression (lucene);
 * - maximum dimension: MAX_DIMENSIONS_BY_ENGINE = 16,000 for nmslib and faiss since 2.9; lucene
 *   VectorValues.MAX_DIMENSIONS (1,024) until 2.11, 16,000 from 2.12.0.0;
 * - supported spaces: faiss hnsw/ivf l2, innerproduct (+hamming for binary 2.16, +cosinesimil 2.19); lucene hnsw
 *   l2, cosinesimil (+innerproduct 2.13, +hamming 2.19); nmslib hnsw l2, l1, linf, cosinesimil, innerproduct;
 * - nmslib refused for new indexes from 3.0.0 (KNNEngine restrictedFromVersion, k-NN #2573);
 * - SpaceType.scoreTranslation: l2/l1/linf/hamming 1/(1+d) with d the squared L2 distance for l2;
 *   cosinesimil (2 - (1 - cos)) / 2; innerproduct ip + 1 when ip >= 0, else 1 / (1 - ip) (faiss negates the raw
 *   inner product, lucene's MAXIMUM_INNER_PRODUCT scales the same way);
 * - HNSW defaults m 16, ef_construction and ef_search 512 until 2.11, 100 from 2.12 (KNNSettings).
 */
/* eslint-disable no-bitwise -- hashing and bit counting, as Java and Lucene do them */
import { EngineVersion } from './version';

export type KnnEngine = 'nmslib' | 'faiss' | 'lucene';
export type SpaceType = 'l2' | 'l1' | 'linf' | 'cosinesimil' | 'innerproduct' | 'hamming';

export const ENGINES: readonly KnnEngine[] = ['nmslib', 'faiss', 'lucene'];
export const SPACE_TYPES: readonly SpaceType[] = ['l2', 'l1', 'linf', 'cosinesimil', 'innerproduct', 'hamming'];

/** The engine a knn_vector field gets when its method names none (nor mode/compression). */
export function defaultEngine(version: EngineVersion): KnnEngine {
  return version.atLeast(2, 18) ? 'faiss' : 'nmslib';
}

export function defaultSpaceType(dataType: string): SpaceType {
  return dataType === 'binary' ? 'hamming' : 'l2';
}

export function maxDimension(engine: KnnEngine, version: EngineVersion): number {
  return engine === 'lucene' && !version.atLeast(2, 12) ? 1024 : 16000;
}

/** Methods per engine; ivf needs training (a model), which the emulator does not offer. */
export function methodsOf(engine: KnnEngine): readonly string[] {
  return engine === 'faiss' ? ['hnsw', 'ivf'] : ['hnsw'];
}

export function supportedSpaces(engine: KnnEngine, version: EngineVersion): readonly SpaceType[] {
  switch (engine) {
    case 'nmslib': return ['l2', 'l1', 'linf', 'cosinesimil', 'innerproduct'];
    case 'faiss': return [
      'l2', 'innerproduct',
      ...(version.atLeast(2, 16) ? ['hamming' as const] : []),
      ...(version.atLeast(2, 19) ? ['cosinesimil' as const] : []),
    ];
    case 'lucene': return [
      'l2', 'cosinesimil',
      ...(version.atLeast(2, 13) ? ['innerproduct' as const] : []),
      ...(version.atLeast(2, 19) ? ['hamming' as const] : []),
    ];
  }
}

/** Method parameters each engine's hnsw accepts (KNN*HNSWMethod); values must be positive integers except encoder. */
export function methodParameters(engine: KnnEngine, method: string): readonly string[] {
  if (method === 'ivf') return ['nlist', 'nprobes', 'encoder'];
  switch (engine) {
    case 'faiss': return ['m', 'ef_construction', 'ef_search', 'encoder'];
    case 'lucene': return ['m', 'ef_construction', 'encoder'];
    case 'nmslib': return ['m', 'ef_construction'];
  }
}

export function defaultEf(version: EngineVersion): number {
  return version.atLeast(2, 12) ? 100 : 512;
}

/** The _score k-NN reports for a document vector against the query vector. */
export function knnScore(space: SpaceType, query: readonly number[], doc: readonly number[]): number {
  switch (space) {
    case 'l2': return Math.fround(1 / (1 + sum(query, doc, (a, b) => (a - b) ** 2)));
    case 'l1': return Math.fround(1 / (1 + sum(query, doc, (a, b) => Math.abs(a - b))));
    case 'linf': return Math.fround(1 / (1 + Math.max(...query.map((a, i) => Math.abs(a - doc[i])))));
    case 'hamming': return Math.fround(1 / (1 + sum(query, doc, (a, b) => bitCount((a ^ b) & 0xff))));
    case 'cosinesimil': {
      const norms = Math.sqrt(sum(query, query, (a) => a * a)) * Math.sqrt(sum(doc, doc, (a) => a * a));
      const cosine = norms === 0 ? 0 : sum(query, doc, (a, b) => a * b) / norms;
      return Math.fround(Math.max((2 - (1 - cosine)) / 2, 0));
    }
    case 'innerproduct': {
      const ip = sum(query, doc, (a, b) => a * b);
      return Math.fround(ip >= 0 ? ip + 1 : 1 / (1 - ip));
    }
  }
}

function sum(a: readonly number[], b: readonly number[], term: (x: number, y: number) => number): number {
  let total = 0;
  for (let i = 0; i < a.length; i += 1) total += term(a[i], b[i]);
  return total;
}

function bitCount(value: number): number {
  let count = 0;
  for (let v = value; v; v >>= 1) count += v & 1;
  return count;
}
