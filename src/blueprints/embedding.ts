import { Token } from 'aws-cdk-lib';
import type { EmbeddingModelInfo } from './types';

/** A short text to embed in a deploy-time smoke test (`ModelVerification.predict()`). */
export const PROBE_TEXT = 'cdk-opensearch-ml smoke test';

/** The embedding facts of a model whose vector length is known by its ID; nothing for other IDs. */
export function embeddingOf(
  dimensions: Record<string, number>, model: string, probeParameters: { [key: string]: any }, facts: Partial<EmbeddingModelInfo> = {},
): { embedding?: EmbeddingModelInfo } {
  const dimension = Token.isUnresolved(model) ? undefined : dimensions[model];
  return dimension === undefined ? {} : { embedding: { dimension, probeParameters, ...facts } };
}
