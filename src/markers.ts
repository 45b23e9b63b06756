/*
 * How the constructs of this library recognise one another. An app may load two copies of the
 * library (two packages that each depend on it), and then `instanceof` and module-level maps of
 * one copy know nothing of the other's constructs. As aws-cdk does (`Stack.isStack`,
 * `Resource.isResource`), every construct carries a `Symbol.for()` marker, which both copies
 * share, and keeps its own state; shared per-stack state lives on constructs found by their ID.
 */

export const CONNECTOR = Symbol.for('cdk-opensearch-ml.MlConnector');
export const IMPORTED_CONNECTOR = Symbol.for('cdk-opensearch-ml.ImportedMlConnector');
export const MODEL_GROUP = Symbol.for('cdk-opensearch-ml.MlModelGroup');
export const MODEL = Symbol.for('cdk-opensearch-ml.MlModel');
export const INGEST_PIPELINE = Symbol.for('cdk-opensearch-ml.IngestPipeline');
export const VECTOR_INDEX = Symbol.for('cdk-opensearch-ml.VectorIndex');
export const SEARCH_PIPELINE = Symbol.for('cdk-opensearch-ml.SearchPipeline');
export const PROVIDER = Symbol.for('cdk-opensearch-ml.MlCommonsProvider');

/** Marks `construct` as one of this library's, of the kind `marker` names. */
export function mark(construct: object, marker: symbol): void {
  Object.defineProperty(construct, marker, { value: true });
}

/** Whether `x` carries `marker` (whichever copy of the library made it). */
export function isMarked(x: unknown, marker: symbol): boolean {
  return x !== null && typeof x === 'object' && marker in x;
}
