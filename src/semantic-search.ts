import { RemovalPolicy } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { ConnectorBlueprint } from './blueprint';
import { MlConnector } from './connector';
import { atLeast } from './engine-version';
import { MlValidationError, quote } from './errors';
import { IngestPipeline, IngestProcessor } from './ingest-pipeline';
import { MlModel, ModelVerification } from './model';
import { SINCE } from './search-facts';
import { SearchPipeline, SearchProcessor } from './search-pipeline';
import { MlTargetOptions } from './target';
import { IndexField, VectorIndex } from './vector-index';

/**
 * Properties of a `SemanticSearch`.
 */
export interface SemanticSearchProps extends MlTargetOptions {
  /** The embedding model's blueprint, for example `ConnectorBlueprint.bedrockTitanTextEmbeddingV2()`. */
  readonly embedding: ConnectorBlueprint;

  /**
   * A chat model's blueprint for retrieval-augmented generation: a second search pipeline (`ragPipelineName`)
   * whose searches the model answers. For Claude on Bedrock: `bedrockAnthropicClaude({ model, requestFormat:
   * ClaudeRequestFormat.INPUTS })`.
   *
   * @default - no RAG
   */
  readonly chat?: ConnectorBlueprint;

  /**
   * Hybrid search: the search pipelines normalize and combine the scores of `hybrid` queries (lexical
   * `match` on the text field and `neural` on its vectors).
   *
   * @default false
   */
  readonly hybrid?: boolean;

  /**
   * The index's name.
   *
   * @default - a name derived from the construct path, in lower case
   */
  readonly indexName?: string;

  /**
   * The field of the documents' text.
   *
   * @default 'text'
   */
  readonly textField?: string;

  /**
   * The field of the text's vectors.
   *
   * @default 'embedding'
   */
  readonly vectorField?: string;

  /**
   * Further fields of the index (metadata: `IndexField.keyword('category')`).
   *
   * @default - none
   */
  readonly fields?: IndexField[];

  /**
   * What happens to the index when the construct or stack is deleted.
   *
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;

  /**
   * Whether each model is smoke-tested with one `_predict` during the deployment.
   *
   * @default true
   */
  readonly verifyModels?: boolean;
}

/**
 * Semantic search end to end, as infrastructure: a connector and a deployed model for the embedding
 * blueprint, an ingest pipeline that embeds the text field, a vector index whose default pipeline it is,
 * a default search pipeline (neural query enricher, so that `neural` queries need no model ID; with
 * `hybrid`, score normalization) and, with a `chat` blueprint, a RAG search pipeline and its model.
 */
export class SemanticSearch extends Construct {
  /** The index's name. */
  public readonly indexName: string;

  /** The embedding model's ID. */
  public readonly modelId: string;

  /** The embedding connector. */
  public readonly embeddingConnector: MlConnector;

  /** The embedding model. */
  public readonly embeddingModel: MlModel;

  /** The ingest pipeline. */
  public readonly ingestPipeline: IngestPipeline;

  /** The index. */
  public readonly index: VectorIndex;

  /** The index's default search pipeline: absent when it would have no processor (OpenSearch 2.9 and 2.10 without hybrid). */
  public readonly searchPipeline?: SearchPipeline;

  /** The chat connector, with `chat`. */
  public readonly chatConnector?: MlConnector;

  /** The chat model, with `chat`. */
  public readonly chatModel?: MlModel;

  /** The RAG search pipeline, with `chat`: searches name it as `?search_pipeline=`. */
  public readonly ragPipeline?: SearchPipeline;

  constructor(scope: Construct, id: string, props: SemanticSearchProps) {
    super(scope, id);
    const textField = props.textField ?? 'text';
    const vectorField = props.vectorField ?? 'embedding';
    const verify = props.verifyModels === false ? undefined : ModelVerification.predict();
    const target: MlTargetOptions = {
      domain: props.domain,
      collection: props.collection,
      collectionDataAccess: props.collectionDataAccess,
      fineGrainedAccess: props.fineGrainedAccess,
      vpc: props.vpc,
      vpcSubnets: props.vpcSubnets,
      securityGroups: props.securityGroups,
    };

    this.embeddingConnector = new MlConnector(this, 'EmbeddingConnector', { ...target, blueprint: props.embedding });
    if (!this.embeddingConnector._embedding) {
      throw new MlValidationError(this,
        `embedding must be an embedding blueprint whose vector length is known; received ${quote(this.embeddingConnector._blueprint)}. ` +
        'Use ConnectorBlueprint.bedrockTitanTextEmbeddingV2() (or another embedding blueprint with a known model), or build the chain with IngestPipeline and VectorIndex.');
    }
    this.embeddingModel = new MlModel(this, 'EmbeddingModel', { connector: this.embeddingConnector, verify });
    this.modelId = this.embeddingModel.modelId;
    this.ingestPipeline = new IngestPipeline(this, 'IngestPipeline', {
      processors: [IngestProcessor.textEmbedding({ model: this.embeddingModel, fieldMap: { [textField]: vectorField } })],
    });

    // Before 2.11 there is no enricher: neural queries then name the model ID.
    const version = this.embeddingModel._binding.engineVersion;
    const enricher = !version || atLeast(version, SINCE.neural_query_enricher)
      ? [SearchProcessor.neuralQueryEnricher({ fieldModels: { [vectorField]: this.embeddingModel } })] : [];
    const normalization = props.hybrid ? [SearchProcessor.normalization()] : [];
    if (enricher.length + normalization.length > 0) {
      this.searchPipeline = new SearchPipeline(this, 'SearchPipeline', { processors: [...enricher, ...normalization] });
    }

    this.index = new VectorIndex(this, 'Index', {
      indexName: props.indexName,
      fields: [IndexField.text(textField), ...(props.fields ?? [])],
      ingestPipeline: this.ingestPipeline,
      defaultSearchPipeline: this.searchPipeline,
      removalPolicy: props.removalPolicy,
    });
    this.indexName = this.index.indexName;

    if (props.chat) {
      this.chatConnector = new MlConnector(this, 'ChatConnector', { ...target, blueprint: props.chat });
      if (!this.chatConnector._generativeQa) {
        throw new MlValidationError(this,
          `chat must be a chat blueprint that the RAG processor can call; received ${quote(this.chatConnector._blueprint)}. ` +
          'For Claude on Amazon Bedrock: requestFormat: ClaudeRequestFormat.INPUTS; or build the RAG pipeline with SearchProcessor.retrievalAugmentedGeneration({ llmModel }).');
      }
      this.chatModel = new MlModel(this, 'ChatModel', { connector: this.chatConnector });
      this.ragPipeline = new SearchPipeline(this, 'RagPipeline', {
        processors: [
          ...enricher, ...normalization, SearchProcessor.retrievalAugmentedGeneration({ model: this.chatModel, contextFields: [textField] }),
        ],
      });
      // Not a default pipeline, so nothing orders it: after the index, as the chain reads.
      this.ragPipeline.node.addDependency(this.index);
    }
  }

  /** The RAG pipeline's name, with `chat`. */
  public get ragPipelineName(): string | undefined {
    return this.ragPipeline?.pipelineName;
  }

  /**
   * The field that each RAG search names as `ext.generative_qa_parameters.llm_response_field`, when the
   * chat blueprint needs one (Claude with `requestFormat: ClaudeRequestFormat.INPUTS`: `response`).
   */
  public get llmResponseField(): string | undefined {
    return this.ragPipeline?.llmResponseField;
  }

  /** The default search pipeline's name, when there is one. */
  public get searchPipelineName(): string | undefined {
    return this.searchPipeline?.pipelineName;
  }
}
