import { IConstruct } from 'constructs';
import { apiKey, ApiKeyOptions, httpConfig } from './api-key';
import { ProcessFunctionOptions, processFunctions } from './aws-model';
import { checkBoolean, checkEnum, checkHost, checkName } from './checks';
import type { BlueprintContext } from './context';
import { AlephAlphaRepresentation } from './third-party-enums';
import type { ConnectorBlueprintConfig } from './types';

/*
 * Aleph Alpha semantic embeddings (`/semantic_embed`), as ml-commons' luminous-base blueprint
 * calls them. api.aleph-alpha.com is not among ml-commons' default trusted endpoints.
 */

/**
 * ml-commons' blueprint turns the first text into `${parameters.input}` and the embedding into
 * a FLOAT32 tensor with these Painless scripts (the catalog's own, whitespace included).
 */
const PRE_PROCESS = [
  '',
  '    StringBuilder builder = new StringBuilder();',
  '    builder.append("\\"");',
  '    String first = params.text_docs[0];',
  '    builder.append(first);',
  '    builder.append("\\"");',
  '    def parameters = "{" +"\\"input\\":" + builder + "}";',
  '    return  "{" +"\\"parameters\\":" + parameters + "}";',
].join('\n');

const POST_PROCESS = [
  '',
  '      def name = "sentence_embedding";',
  '      def dataType = "FLOAT32";',
  '      if (params.embedding == null || params.embedding.length == 0) {',
  '        return params.message;',
  '      }',
  '      def shape = [params.embedding.length];',
  '      def json = "{" +',
  '                 "\\"name\\":\\"" + name + "\\"," +',
  '                 "\\"data_type\\":\\"" + dataType + "\\"," +',
  '                 "\\"shape\\":" + shape + "," +',
  '                 "\\"data\\":" + params.embedding +',
  '                 "}";',
  '      return json;',
  '    ',
].join('\n');

/**
 * Options for `ConnectorBlueprint.alephAlphaEmbedding()`.
 */
export interface AlephAlphaEmbeddingOptions extends ApiKeyOptions, ProcessFunctionOptions {
  /**
   * The model, written into the request body.
   *
   * @default 'luminous-base'
   */
  readonly model?: string;

  /**
   * The representation to embed for.
   *
   * @default AlephAlphaRepresentation.DOCUMENT
   */
  readonly representation?: AlephAlphaRepresentation;

  /**
   * Return normalized embeddings.
   *
   * @default true
   */
  readonly normalize?: boolean;

  /**
   * The host of the API.
   *
   * @default 'api.aleph-alpha.com'
   */
  readonly endpoint?: string;
}

export function alephAlphaEmbeddingConfig(
  scope: IConstruct, options: AlephAlphaEmbeddingOptions, context: BlueprintContext,
): ConnectorBlueprintConfig {
  const key = apiKey(scope, options, 'AlephAlpha_API_Token');
  const endpoint = options.endpoint ?? 'api.aleph-alpha.com';
  checkHost(scope, 'endpoint', endpoint, 'api.aleph-alpha.com');
  const model = options.model ?? 'luminous-base';
  checkName(scope, 'model', model, 'luminous-base');
  const representation = options.representation ?? AlephAlphaRepresentation.DOCUMENT;
  checkEnum(scope, 'representation', representation, AlephAlphaRepresentation);
  checkBoolean(scope, 'normalize', options.normalize);
  return httpConfig(context.domainRegion, key, {
    provider: 'aleph-alpha',
    defaultName: `Aleph Alpha: ${model}, representation: ${representation}`,
    defaultDescription: `Aleph Alpha ${model} semantic embeddings`,
    parameters: { endpoint, representation, normalize: options.normalize ?? true },
    actions: [{
      actionType: 'predict',
      method: 'POST',
      url: 'https://${parameters.endpoint}/semantic_embed',
      headers: { 'Content-Type': 'application/json', 'Accept': 'application/json', 'Authorization': `Bearer ${key.placeholder}` },
      requestBody: `{ "model": "${model}", "prompt": "\${parameters.input}", "representation": "\${parameters.representation}", "normalize": \${parameters.normalize}}`,
      ...processFunctions(scope, context, options, { pre: PRE_PROCESS, post: POST_PROCESS }),
    }],
  });
}
