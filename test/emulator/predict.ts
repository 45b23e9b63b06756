/**
 * POST /_plugins/_ml/models/{id}/_predict for remote models: auto-deploy on first use (2.13+ default), the
 * "Model not ready yet" refusal otherwise, embeddings of the declared (or overridden) dimension, and remote-service
 * failures relayed the way ml-commons does: status of the remote answer, reason "Error from remote service: <body>".
 */
import { EmulatorContext, RequestContext, TransportPhase } from './context';
import { illegalArgument, openSearchError, statusException } from './errors';
import { fakeModelOutput, semanticEmbedding } from './fake-models';
import { EmulatorResponse, HttpError, json } from './http';
import { PredictBehaviour, RemoteError, RemoteErrorPreset } from './ml-runtime';
import { findModel, markDeployed, isDeployedState } from './models';
import { StoredDoc } from './store';
import { expectObject, JsonObject, parseJsonBody } from './xcontent';

/** ml-commons' CommonValue.REMOTE_SERVICE_ERROR prefix. */
export const REMOTE_SERVICE_ERROR = 'Error from remote service: ';

export function predict(ctx: RequestContext): TransportPhase {
  const text = parseJsonBody(ctx.request);
  if (text === undefined) throw new HttpError(openSearchError(400, 'parse_exception', 'Request body is empty'));
  const body = expectObject(text);
  return () => {
    const { emulator } = ctx;
    const model = findModel(ctx);
    if (model.source.is_enabled === false) throw statusException(403, 'Model is disabled.');
    if (!isDeployedState(model.source.model_state)) {
      if (model.source.model_state === 'DEPLOYING' || !emulator.ml.autoDeployEnabled(emulator.version.atLeast(2, 13))) {
        throw illegalArgument(`Model not ready yet. Please run this first: POST /_plugins/_ml/models/${model.id}/_deploy`);
      }
      markDeployed(emulator, model);
    }
    const connectorId = typeof model.source.connector_id === 'string' ? model.source.connector_id : undefined;
    const behaviour = emulator.ml.takePredictBehaviour(model.id, connectorId) ?? {};
    return answer(emulator, model, body, behaviour);
  };
}

function answer(emulator: EmulatorContext, model: StoredDoc, body: JsonObject, behaviour: PredictBehaviour): EmulatorResponse {
  if (behaviour.response) return json(behaviour.response.status, behaviour.response.body);
  if (behaviour.remoteError !== undefined) {
    const error = typeof behaviour.remoteError === 'string' ? presetError(emulator, model, behaviour.remoteError) : behaviour.remoteError;
    return remoteServiceError(error);
  }
  const config = (model.source.model_config ?? {}) as JsonObject;
  const declared = typeof config.embedding_dimension === 'number' ? config.embedding_dimension : undefined;
  const dimension = behaviour.dimension ?? declared;
  if (dimension === undefined) {
    // Sparse encoders and chat models answer in their own shapes (fake-models.ts); anything else generically.
    return json(200, fakeModelOutput(emulator, model, body)
      ?? { inference_results: [{ output: [{ name: 'response', dataAsMap: { response: 'ok' } }], status_code: 200 }] });
  }
  const output = inputTexts(body).map((input) => ({
    name: 'sentence_embedding',
    data_type: 'FLOAT32',
    shape: [dimension],
    data: semanticEmbedding(input, dimension),
  }));
  return json(200, { inference_results: [{ output, status_code: 200 }] });
}

/** The remote answer relayed by ml-commons: OpenSearchStatusException(REMOTE_SERVICE_ERROR + body, status). */
export function remoteServiceError(error: RemoteError): EmulatorResponse {
  const body = typeof error.body === 'string' ? error.body : JSON.stringify(error.body);
  return openSearchError(error.status, 'status_exception', `${REMOTE_SERVICE_ERROR}${body}`);
}

/** The texts a predict call embeds: text_docs, or the usual blueprint parameters; one empty text otherwise. */
function inputTexts(body: JsonObject): string[] {
  const parameters = (body.parameters ?? {}) as JsonObject;
  const candidates = [body.text_docs, parameters.texts, parameters.input, parameters.inputText, parameters.text];
  for (const candidate of candidates) {
    if (Array.isArray(candidate) && candidate.length > 0) return candidate.map(String);
    if (typeof candidate === 'string') return [candidate];
  }
  return [''];
}

/** Status and body each remote service answers with in these situations. */
function presetError(emulator: EmulatorContext, model: StoredDoc, preset: RemoteErrorPreset): RemoteError {
  const connector = typeof model.source.connector_id === 'string' ? emulator.connectors.get(model.source.connector_id) : undefined;
  switch (preset) {
    case 'bedrock-access-denied':
      return { status: 403, body: { message: "You don't have access to the model with the specified model ID." } };
    case 'bedrock-invoke-denied': {
      // The connector's role lacks bedrock:InvokeModel: Bedrock names the assumed role and the foundation model.
      const credential = (connector?.source.credential ?? {}) as JsonObject;
      const parameters = (connector?.source.parameters ?? {}) as JsonObject;
      const roleArn = String(credential.roleArn ?? `arn:aws:iam::${emulator.account}:role/unknown`);
      const caller = roleArn.replace(/^arn:([^:]+):iam::(\d*):role\/(?:.*\/)?([^/]+)$/, 'arn:$1:sts::$2:assumed-role/$3/opensearch-ml');
      const resource = `arn:aws:bedrock:${String(parameters.region ?? emulator.region)}::foundation-model/${String(parameters.model ?? 'unknown')}`;
      return {
        status: 403,
        body: {
          message: `User: ${caller} is not authorized to perform: bedrock:InvokeModel on resource: ${resource} `
            + 'because no identity-based policy allows the bedrock:InvokeModel action',
        },
      };
    }
    case 'bedrock-invalid-model':
      return { status: 400, body: { message: 'The provided model identifier is invalid.' } };
    case 'bedrock-throttled':
      return { status: 429, body: { message: 'Too many requests, please wait before trying again.' } };
    case 'sagemaker-endpoint-not-found':
      return { status: 400, body: { message: `Endpoint ${endpointName(connector) ?? 'unknown'} of account ${emulator.account} not found.` } };
    case 'assume-role-denied': {
      const roleArn = (connector?.source.credential as JsonObject | undefined)?.roleArn ?? `arn:aws:iam::${emulator.account}:role/unknown`;
      return {
        status: 403,
        body: {
          message: `User: arn:aws:sts::${emulator.account}:assumed-role/AWSServiceRoleForAmazonOpenSearchService/OpenSearchService `
            + `is not authorized to perform: sts:AssumeRole on resource: ${String(roleArn)}`,
        },
      };
    }
  }
}

/** The SageMaker endpoint name in the connector's predict URL (.../endpoints/<name>/invocations). */
function endpointName(connector: StoredDoc | undefined): string | undefined {
  const actions = (connector?.source.actions ?? []) as JsonObject[];
  for (const action of actions) {
    const match = /\/endpoints\/([^/]+)\//.exec(String(action.url ?? ''));
    if (match) return match[1];
  }
  return undefined;
}
