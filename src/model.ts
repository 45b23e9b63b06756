import { IResource, Names, Resource, Token } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import type { EmbeddingModelInfo } from './blueprints/types';
import { IMlConnector, MlConnector } from './connector';
import { MODEL_RESOURCE_TYPE, ModelBody, ModelResourceProperties, ModelVerificationSpec } from './contract';
import { createMlResource } from './custom-resource';
import { MlValidationError, quote, requireType } from './errors';
import { MODEL, isMarked, mark } from './markers';
import { IMlModelGroup, MlModelGroup, claimGroupName } from './model-group';
import { KnnSpaceType, ModelFacts, spaceTypeOf } from './search-facts';
import { TargetBinding, sameTarget } from './target';
import { typedValuePointers } from './typed-values';
import { validateMlText, validateName } from './validation';

/** The longest embedding a k-NN vector field holds (`dimension` of `knn_vector`). */
const MAX_EMBEDDING_DIMENSION = 16_000;

/** Types of ml-commons model frameworks (`model_config.framework_type`). */
export enum ModelFrameworkType {
  /** sentence-transformers models: the default for text embeddings */
  SENTENCE_TRANSFORMERS = 'SENTENCE_TRANSFORMERS',
  /** Hugging Face transformers models */
  HUGGINGFACE_TRANSFORMERS = 'HUGGINGFACE_TRANSFORMERS',
  /** Hugging Face transformers models that need their embeddings normalized */
  HUGGINGFACE_TRANSFORMERS_NEURON = 'HUGGINGFACE_TRANSFORMERS_NEURON',
}

/**
 * The model's `model_config`: what neural search needs to know about a text embedding model.
 */
export interface MlModelConfig {
  /**
   * The model type (`model_type`), for example `TEXT_EMBEDDING`.
   *
   * @default 'TEXT_EMBEDDING'
   */
  readonly modelType?: string;

  /**
   * The length of the vectors the model returns (`embedding_dimension`): the `dimension`
   * of the `knn_vector` field that stores them.
   *
   * @default - the blueprint's dimension (embedding blueprints know it); required otherwise
   */
  readonly embeddingDimension?: number;

  /**
   * The framework type (`framework_type`).
   *
   * @default ModelFrameworkType.SENTENCE_TRANSFORMERS
   */
  readonly frameworkType?: ModelFrameworkType;

  /**
   * Further settings (`additional_config`), for example `{ space_type: 'cosinesimil' }`.
   *
   * A TEXT_EMBEDDING model always carries `space_type`, how its vectors are compared (ml-commons
   * 3.x refuses a remote text embedding model without it): `innerproduct` when the blueprint says its
   * vectors are unit length (Titan Text Embeddings V2, Cohere Embed v3, OpenAI), `l2` otherwise. A
   * `VectorIndex` field of the model's vectors uses the same.
   *
   * @default - `{ space_type: <the blueprint's> }` for TEXT_EMBEDDING models, none for others
   */
  readonly additionalConfig?: { [key: string]: any };
}

/**
 * Options of `ModelVerification.predict()`.
 */
export interface PredictVerificationOptions {
  /**
   * The `parameters` of the `_predict` request.
   *
   * @default - the blueprint's probe: a short text to embed for embedding blueprints, a short question
   * for chat blueprints; required for other blueprints
   */
  readonly parameters?: { [key: string]: any };

  /**
   * The length the returned vector must have.
   *
   * @default - the model's embedding dimension, when it is a text embedding model
   */
  readonly expectEmbeddingDimension?: number;

  /**
   * A text the model's answer must contain.
   *
   * @default - any successful answer
   */
  readonly expectOutputContaining?: string;
}

/**
 * A deploy-time smoke test of a model: after the model is deployed (and after every update),
 * one `_predict` call. If it fails, the deployment fails with the model's answer and its likely
 * cause (the connector role cannot be assumed, the endpoint name is wrong, model access is not
 * enabled in Amazon Bedrock, the vector has another length).
 */
export class ModelVerification {
  /** One `_predict` call with `options.parameters` (by default the blueprint's probe). */
  public static predict(options: PredictVerificationOptions = {}): ModelVerification {
    return new ModelVerification(options);
  }

  private constructor(
    /** @internal */ public readonly _options: PredictVerificationOptions,
  ) {}
}

/**
 * A remote ML model on an OpenSearch domain.
 */
export interface IMlModel extends IResource {
  /**
   * The model ID that OpenSearch generated: what ingest and search pipelines name.
   *
   * @attribute
   */
  readonly modelId: string;
}

/**
 * Properties of an `MlModel`.
 */
export interface MlModelProps {
  /**
   * The connector the model calls. A connector of this app, or one imported with
   * `MlConnector.fromConnectorAttributes()` (which says which domain it is on).
   */
  readonly connector: IMlConnector;

  /**
   * The model's name. Without `modelGroup`, OpenSearch creates a group of this name, so it
   * must be unique on the domain.
   *
   * @default - a name derived from the construct path
   */
  readonly name?: string;

  /**
   * The model's description.
   *
   * @default - none
   */
  readonly description?: string;

  /**
   * The model group the model is registered in.
   *
   * @default - OpenSearch creates a group named after the model (deleted with the model)
   */
  readonly modelGroup?: IMlModelGroup;

  /**
   * The model's `model_config`.
   *
   * @default - for an embedding blueprint, a TEXT_EMBEDDING configuration with the blueprint's
   * dimension; none otherwise
   */
  readonly modelConfig?: MlModelConfig;

  /**
   * Whether the model is deployed, so that it can serve predictions.
   *
   * @default true
   */
  readonly deploy?: boolean;

  /**
   * A smoke test run after every create and update, when the model is deployed.
   *
   * @default - none
   */
  readonly verify?: ModelVerification;
}

/**
 * A remote model registered on a connector, and deployed, with the stack. It is undeployed
 * and deleted before its connector (CloudFormation deletes it first, since it refers to the
 * connector), and moves to the new connector when its connector is replaced.
 *
 * @resource Custom::OpenSearchMlModel
 */
export class MlModel extends Resource implements IMlModel {
  /**
   * Whether `x` is an `MlModel` of this app (made by whichever copy of this library the app loaded).
   *
   * @param x any object
   */
  public static isMlModel(x: any): x is MlModel {
    return isMarked(x, MODEL);
  }

  /** Refers to a model that exists already, by its ID. */
  public static fromModelId(scope: Construct, id: string, modelId: string): IMlModel {
    return new ImportedModel(scope, id, modelId);
  }

  public readonly modelId: string;

  /** The model's name in OpenSearch. */
  public readonly modelName: string;

  /** @internal The model's domain or collection (its connector's), and how the provider reaches it. */
  public readonly _binding: TargetBinding;

  /** @internal What ingest pipelines, indexes and search pipelines need to know of the model. */
  public readonly _facts: ModelFacts;

  constructor(scope: Construct, id: string, props: MlModelProps) {
    super(scope, id);
    mark(this, MODEL);
    const registration = MlConnector._registrationOf(props.connector, this);
    if (!registration) {
      throw new MlValidationError(this,
        `connector ${props.connector.node.path} is not a connector of cdk-opensearch-ml, so it does not say which domain it is on; ` +
        'import it with MlConnector.fromConnectorAttributes({ connectorId, domain }) instead.');
    }
    const binding = this._binding = registration.binding;
    this.modelName = props.name ?? Names.uniqueResourceName(this, { maxLength: 128, separator: '-' });
    validateName(this, 'name', this.modelName);
    validateMlText(this, 'description', props.description);

    if (!props.modelGroup) claimGroupName(this, binding, this.modelName, 'model without a modelGroup');
    if (MlModelGroup.isMlModelGroup(props.modelGroup) && !sameTarget(props.modelGroup._binding, binding)) {
      throw new MlValidationError(this,
        `modelGroup ${props.modelGroup.node.path} is on another domain or collection than connector ${props.connector.node.path}; a model and its group must be on one.`);
    }

    const modelConfig = modelConfigBody(this, props.modelConfig, registration.embedding);
    const additional = modelConfig?.additional_config as Record<string, unknown> | undefined;
    this._facts = {
      path: this.node.path,
      modelType: modelConfig?.model_type as string | undefined,
      dimension: modelConfig?.embedding_dimension as number | undefined,
      spaceType: additional?.space_type as string | undefined,
      vectorDataType: registration.embedding?.vectorDataType,
      // false: the blueprint's embedding facts say it is not; undefined: no blueprint facts (the user's model_config).
      multimodal: registration.embedding ? registration.embedding.multimodal ?? false : undefined,
      generativeQa: registration.generativeQa,
      blueprint: registration.blueprint,
    };
    const verify = props.verify ? verificationSpec(this, props.verify._options, modelConfig, registration.embedding, registration.probe) : undefined;
    if (verify && props.deploy === false) {
      throw new MlValidationError(this, 'verify needs a deployed model; received deploy false. Remove verify, or deploy the model.');
    }

    const model: ModelBody = {
      name: this.modelName,
      function_name: 'remote',
      connector_id: props.connector.connectorId,
      ...(props.description !== undefined ? { description: props.description } : {}),
      ...(props.modelGroup ? { model_group_id: props.modelGroup.modelGroupId } : {}),
      ...(modelConfig ? { model_config: modelConfig } : {}),
    };
    requireType(this, 'deploy', props.deploy, 'boolean');
    const deploy = props.deploy ?? true;
    const resource = createMlResource<ModelResourceProperties>(this, 'Resource', MODEL_RESOURCE_TYPE, binding, {
      model,
      deploy,
      ...(verify ? { verify } : {}),
      typedValues: typedValuePointers({ model, deploy, verify }),
    });
    binding.provider.grantListOwnStack();
    this.modelId = resource.ref;
  }
}

class ImportedModel extends Resource implements IMlModel {
  constructor(scope: Construct, id: string, public readonly modelId: string) {
    super(scope, id);
  }
}

/** The `model_config` body: the user's, filled in (and checked) with what the blueprint knows. */
function modelConfigBody(
  scope: Construct, config: MlModelConfig | undefined, embedding: EmbeddingModelInfo | undefined,
): Record<string, unknown> | undefined {
  if (!config && !embedding) return undefined;
  const modelType = config?.modelType ?? 'TEXT_EMBEDDING';
  if (!Token.isUnresolved(modelType) && !/^[A-Z][A-Z_]*$/.test(modelType)) {
    throw new MlValidationError(scope, `modelConfig.modelType must be an ml-commons model type in capitals such as 'TEXT_EMBEDDING'; received ${quote(modelType)}.`);
  }
  const dimension = config?.embeddingDimension ?? embedding?.dimension;
  if (dimension !== undefined) checkDimension(scope, 'modelConfig.embeddingDimension', dimension);
  if (config?.embeddingDimension !== undefined && embedding && !Token.isUnresolved(config.embeddingDimension)
    && config.embeddingDimension !== embedding.dimension) {
    throw new MlValidationError(scope,
      `modelConfig.embeddingDimension is ${config.embeddingDimension}, but the connector's blueprint returns vectors of ${embedding.dimension}; ` +
      'leave it out, or change the blueprint\'s dimensions.');
  }
  if (modelType === 'TEXT_EMBEDDING' && dimension === undefined) {
    throw new MlValidationError(scope,
      'modelConfig.embeddingDimension is required for a TEXT_EMBEDDING model whose blueprint does not know its dimension; received none. Give the length of the vectors the model returns, for example 768.');
  }
  const frameworkType = config?.frameworkType ?? ModelFrameworkType.SENTENCE_TRANSFORMERS;
  if (!Object.values(ModelFrameworkType).includes(frameworkType)) {
    throw new MlValidationError(scope,
      `modelConfig.frameworkType must be one of ${Object.values(ModelFrameworkType).map(quote).join(', ')}; received ${quote(frameworkType)}.`);
  }
  return {
    model_type: modelType,
    ...(dimension !== undefined ? { embedding_dimension: dimension } : {}),
    framework_type: frameworkType,
    ...additionalConfig(scope, modelType, config?.additionalConfig, embedding),
  };
}

/** TEXT_EMBEDDING models carry their space type (ml-commons 3.x requires it of remote text embedding models). */
function additionalConfig(
  scope: Construct, modelType: string, given: { [key: string]: any } | undefined, embedding: EmbeddingModelInfo | undefined,
): { additional_config?: { [key: string]: any } } {
  const space = given?.space_type;
  if (space !== undefined && !Token.isUnresolved(space) && !Object.values(KnnSpaceType).includes(space)) {
    throw new MlValidationError(scope,
      `modelConfig.additionalConfig.space_type must be one of ${Object.values(KnnSpaceType).map(quote).join(', ')}; received ${quote(space)}.`);
  }
  if (modelType === 'TEXT_EMBEDDING') return { additional_config: { space_type: spaceTypeOf(embedding?.normalized), ...given } };
  return given ? { additional_config: given } : {};
}

function checkDimension(scope: Construct, property: string, value: number): void {
  requireType(scope, property, value, 'number');
  if (Token.isUnresolved(value)) return;
  if (!Number.isInteger(value) || value < 1 || value > MAX_EMBEDDING_DIMENSION) {
    throw new MlValidationError(scope, `${property} must be a whole number from 1 to ${MAX_EMBEDDING_DIMENSION}; received ${quote(value)}.`);
  }
}

function verificationSpec(
  scope: Construct, options: PredictVerificationOptions, modelConfig: Record<string, unknown> | undefined,
  embedding: EmbeddingModelInfo | undefined, probe: { [key: string]: any } | undefined,
): ModelVerificationSpec {
  const parameters = options.parameters ?? embedding?.probeParameters ?? probe;
  if (!parameters) {
    throw new MlValidationError(scope,
      'verify needs parameters for the _predict call: the connector\'s blueprint has no probe input; received none. ' +
      'Pass ModelVerification.predict({ parameters: { ... } }) with the parameters the connector\'s request body reads.');
  }
  const known = modelConfig?.model_type === 'TEXT_EMBEDDING' ? modelConfig.embedding_dimension as number | undefined : undefined;
  const expected = options.expectEmbeddingDimension;
  if (expected !== undefined) {
    checkDimension(scope, 'verify expectEmbeddingDimension', expected);
    if (known !== undefined && !Token.isUnresolved(expected) && !Token.isUnresolved(known) && expected !== known) {
      throw new MlValidationError(scope,
        `verify expectEmbeddingDimension is ${expected}, but the model returns vectors of ${known} (${embedding?.dimension === known ? 'the connector\'s blueprint' : 'modelConfig.embeddingDimension'}), ` +
        `so the smoke test could never pass; received ${quote(expected)}. Leave it out to check for ${known}.`);
    }
  }
  const dimension = expected ?? known;
  return {
    parameters,
    ...(dimension !== undefined ? { embeddingDimension: dimension } : {}),
    ...(options.expectOutputContaining !== undefined ? { outputContains: options.expectOutputContaining } : {}),
  };
}
