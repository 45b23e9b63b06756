/**
 * How neural-search, the ml_inference processor and the RAG processor call a model: the ML Commons predict transport
 * action, run with the caller's identity (so under fine-grained access control the caller needs
 * cluster:admin/opensearch/ml/predict, and on a serverless collection aoss:ExecuteMLResource). The model's own
 * rules apply unchanged (predict.ts): "Failed to find model" (404), "Model not ready yet..." without auto-deploy,
 * relayed remote-service errors, and the fake models' outputs.
 */
import { mlPermission, serverlessForbidden } from './aoss';
import { RequestContext } from './context';
import { HttpError, ParsedRequest } from './http';
import { fail, javaException } from './os-exception';
import { predict } from './predict';
import { JsonObject } from './xcontent';

const PREDICT_ACTION = 'cluster:admin/opensearch/ml/predict';

export interface PredictOutput {
  readonly inference_results: Array<{ output: Array<{ name?: string; data?: number[]; dataAsMap?: JsonObject }>; status_code?: number }>;
}

/** Run predict on the model as the caller; a refusal or model error is thrown as the HttpError predict answers with. */
export function predictAs(ctx: RequestContext, modelId: string, body: JsonObject): PredictOutput {
  const denied = ctx.emulator.security.checkAction(ctx.caller, PREDICT_ACTION);
  if (denied) throw new HttpError(denied);
  const { serverless } = ctx.emulator;
  if (serverless && ctx.caller.kind === 'iam' && !serverless.allowsMl(ctx.caller.roleArn, mlPermission(PREDICT_ACTION))) {
    throw new HttpError(serverlessForbidden());
  }
  const bodyText = JSON.stringify(body);
  const path = `/_plugins/_ml/models/${encodeURIComponent(modelId)}/_predict`;
  const request: ParsedRequest = {
    method: 'POST',
    url: path,
    path,
    query: '',
    params: new URLSearchParams(),
    headers: {},
    signingHeaders: {},
    body: Buffer.from(bodyText),
    bodyText,
  };
  const response = predict({ emulator: ctx.emulator, request, caller: ctx.caller, params: [modelId] })();
  if (response.status !== 200) throw new HttpError(response);
  return JSON.parse(response.body) as PredictOutput;
}

/** MLCommonsClientAccessor.inferenceSentences: one vector per text, from the tensors' data. */
export function embedTexts(ctx: RequestContext, modelId: string, texts: readonly string[]): number[][] {
  const output = predictAs(ctx, modelId, { text_docs: texts, return_number: true, target_response: ['sentence_embedding'] });
  const vectors = output.inference_results.flatMap((result) => result.output.map((tensor) => tensor.data));
  if (vectors.length < texts.length || vectors.some((vector) => !Array.isArray(vector))) {
    // The model answered something that is not an embedding (e.g. a chat model): neural-search finds no vector.
    fail(javaException('null_pointer_exception', 'embedding failed, inference returns null result!', 500));
  }
  return vectors.slice(0, texts.length) as number[][];
}

/** MLCommonsClientAccessor.inferenceSentencesWithMapResult (sparse encoders): one {token: weight} map per text. */
export function sparseEncode(ctx: RequestContext, modelId: string, texts: readonly string[]): Array<Record<string, number>> {
  const output = predictAs(ctx, modelId, { text_docs: texts });
  const maps = output.inference_results.flatMap((result) => result.output.flatMap((tensor) => {
    const response = tensor.dataAsMap?.response;
    return Array.isArray(response) ? response : [];
  }));
  if (maps.length < texts.length || maps.some((map) => map === null || typeof map !== 'object' || Array.isArray(map))) {
    fail(javaException('illegal_argument_exception', 'wrong type of response from the sparse encoding model: expected a list of token weight maps', 400));
  }
  return maps.slice(0, texts.length) as Array<Record<string, number>>;
}
