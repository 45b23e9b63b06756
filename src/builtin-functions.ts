import { Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import type { ConnectorAction } from './blueprints/types';
import { EngineVersionNumber, atLeast, formatVersion } from './engine-version';
import { MlValidationError, quote } from './errors';

/**
 * The built-in pre- and post-process functions of ml-commons, with the first OpenSearch release
 * that has each (read from ml-commons' MLPreProcessFunction and MLPostProcessFunction at the
 * release tags). An older domain takes an unknown name for a Painless script and fails only when
 * the model is called, so a function the domain does not have is refused at synth time.
 */
export const BUILTIN_FUNCTIONS_SINCE: Readonly<Record<string, EngineVersionNumber>> = {
  'connector.pre_process.openai.embedding': [2, 9],
  'connector.post_process.openai.embedding': [2, 9],
  'connector.pre_process.cohere.embedding': [2, 9],
  'connector.post_process.cohere.embedding': [2, 9],
  'connector.pre_process.default.embedding': [2, 11],
  'connector.post_process.default.embedding': [2, 11],
  'connector.pre_process.bedrock.embedding': [2, 12],
  'connector.post_process.bedrock.embedding': [2, 12],
  'connector.pre_process.default.rerank': [2, 12],
  'connector.post_process.default.rerank': [2, 12],
  'connector.pre_process.cohere.rerank': [2, 12],
  'connector.post_process.cohere.rerank': [2, 12],
  'connector.pre_process.bedrock.multimodal_embedding': [2, 16],
  'connector.post_process.bedrock.batch_job_arn': [2, 18],
  'connector.pre_process.bedrock.rerank': [2, 19],
  'connector.post_process.bedrock.rerank': [2, 19],
  'connector.pre_process.cohere.multimodal_embedding': [2, 19],
  'connector.post_process.bedrock_v2.embedding.float': [3, 0],
  'connector.post_process.bedrock_v2.embedding.binary': [3, 0],
  'connector.post_process.cohere_v2.embedding.float': [3, 0],
  'connector.post_process.cohere_v2.embedding.int8': [3, 0],
  'connector.post_process.cohere_v2.embedding.uint8': [3, 0],
  'connector.post_process.cohere_v2.embedding.binary': [3, 0],
  'connector.post_process.cohere_v2.embedding.ubinary': [3, 0],
  'connector.post_process.mlcommons.passthrough': [3, 3],
  'connector.pre_process.bedrock.nova.text_embedding': [3, 4],
  'connector.pre_process.bedrock.nova.image_embedding': [3, 4],
  'connector.pre_process.bedrock.nova.video_embedding': [3, 4],
  'connector.pre_process.bedrock.nova.audio_embedding': [3, 4],
  'connector.post_process.bedrock.nova.embedding': [3, 4],
  'connector.pre_process.bedrock.nova.embedding': [3, 5],
};

/** Rejects a built-in function that the domain's known version does not have (an unknown version has all of them). */
export function validateBuiltinFunctions(
  scope: IConstruct, at: string, action: ConnectorAction, engineVersion: EngineVersionNumber | undefined,
): void {
  if (engineVersion === undefined) return;
  for (const [property, name] of [['preProcessFunction', action.preProcessFunction], ['postProcessFunction', action.postProcessFunction]] as const) {
    if (name === undefined || Token.isUnresolved(name)) continue;
    const since = BUILTIN_FUNCTIONS_SINCE[name.trim()];
    if (since !== undefined && !atLeast(engineVersion, since)) {
      throw new MlValidationError(scope,
        `${at}.${property} ${quote(name)} is built into OpenSearch ${formatVersion(since)} and later, but the domain runs ${formatVersion(engineVersion)}, ` +
        `which would run it as a Painless script and fail at the first prediction. Upgrade the domain, or give the blueprint's ${property} as a Painless script.`);
    }
  }
}
