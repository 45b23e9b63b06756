/*
 * The default example: semantic, hybrid and RAG search end to end on an OpenSearch 2.19 domain.
 * domain → Amazon Titan Text Embeddings V2 connector → model (deployed and smoke-tested) → ingest
 * pipeline → vector index → hybrid search pipeline (the index's default), and Anthropic Claude →
 * model → RAG search pipeline. `npm run example` synthesizes it into examples/cdk.out and prints
 * what it made.
 *
 * examples/python, examples/java and examples/go are this app, statement for statement:
 * `npm run test:languages` fails until their templates are this one's, byte for byte.
 */
import { App, CfnOutput, RemovalPolicy, Stack, StackProps } from 'aws-cdk-lib';
import * as opensearch from 'aws-cdk-lib/aws-opensearchservice';
import { NagSuppressions } from 'cdk-nag';
import { Construct } from 'constructs';
import {
  BedrockModel, ClaudeRequestFormat, ConnectorBlueprint, IndexField, IngestPipeline, IngestProcessor, MlConnector, MlModel, ModelVerification,
  SearchPipeline, SearchProcessor, VectorIndex,
} from '../src';

export class SemanticSearchStack extends Stack {
  public readonly embedding: MlConnector;
  public readonly model: MlModel;
  public readonly index: VectorIndex;
  public readonly rag: SearchPipeline;

  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);

    const domain = new opensearch.Domain(this, 'Domain', {
      version: opensearch.EngineVersion.OPENSEARCH_2_19,
      capacity: { dataNodes: 1, dataNodeInstanceType: 'r6g.large.search', multiAzWithStandbyEnabled: false },
      ebs: { volumeSize: 20 },
      enforceHttps: true,
      nodeToNodeEncryption: true,
      encryptionAtRest: { enabled: true },
      removalPolicy: RemovalPolicy.DESTROY,
    });

    // cdk-nag AwsSolutions (test/nag-apps.test.ts) finds nothing in what MlConnector creates; these
    // findings are about the example's own development-sized domain, and say what production would change.
    NagSuppressions.addResourceSuppressions(domain, [
      { id: 'AwsSolutions-OS1', reason: 'A public endpoint keeps the example deployable without a VPC; for a domain in a VPC, MlConnector runs its provider in the domain\'s subnets (README: Domains in a VPC).' },
      { id: 'AwsSolutions-OS3', reason: 'Access is by IAM (SigV4-signed requests of identities allowed es:ESHttp*), not by IP: the provider Lambda has no fixed address to allowlist.' },
      { id: 'AwsSolutions-OS4', reason: 'A single data node keeps the example cheap; dedicated master nodes are for production clusters and change nothing for the connector.' },
      { id: 'AwsSolutions-OS5', reason: 'The domain has no access policy, so no anonymous or unsigned request is allowed: only IAM identities of this account granted es:ESHttp* (the provider role) can call it.' },
      { id: 'AwsSolutions-OS7', reason: 'A single data node in one Availability Zone keeps the example cheap; zone awareness is for production clusters and changes nothing for the connector.' },
      { id: 'AwsSolutions-OS9', reason: 'Slow logs need CloudWatch log groups and a resource policy that are not part of what the example shows; enable them (logging: { slowSearchLogEnabled, slowIndexLogEnabled }) in production.' },
    ]);

    // domain → Bedrock connector → model, with a smoke test: the deployment fails with
    // the model's answer if the model cannot be called (for example, model access not enabled).
    const titan = new MlConnector(this, 'TitanEmbedding', {
      domain,
      blueprint: ConnectorBlueprint.bedrockTitanTextEmbeddingV2({ dimensions: 1024 }),
    });
    const model = new MlModel(this, 'EmbeddingModel', {
      connector: titan,
      name: 'titan-embed-text-v2',
      verify: ModelVerification.predict(),
    });

    // → ingest pipeline → index: every document's text is embedded on its way in; the vector
    // field's dimension (1024) and space type (inner product: Titan V2 vectors are unit length)
    // come from the model. The index is retained when the stack is deleted.
    const embed = new IngestPipeline(this, 'Embed', {
      pipelineName: 'titan-embed',
      processors: [IngestProcessor.textEmbedding({ model, fieldMap: { text: 'embedding' } })],
    });
    const hybrid = new SearchPipeline(this, 'Hybrid', {
      pipelineName: 'hybrid',
      processors: [
        SearchProcessor.neuralQueryEnricher({ fieldModels: { embedding: model } }),
        SearchProcessor.normalization({ weights: [0.3, 0.7] }),
      ],
    });
    const index = new VectorIndex(this, 'Documents', {
      indexName: 'documents',
      fields: [IndexField.text('text'), IndexField.keyword('category')],
      ingestPipeline: embed,
      defaultSearchPipeline: hybrid,
    });

    // → Claude → RAG: searches with ?search_pipeline=rag are answered from their hits.
    const claude = new MlConnector(this, 'Claude', {
      domain,
      blueprint: ConnectorBlueprint.bedrockAnthropicClaude({
        model: BedrockModel.foundationModel('anthropic.claude-3-haiku-20240307-v1:0'),
        requestFormat: ClaudeRequestFormat.INPUTS,
      }),
    });
    const chat = new MlModel(this, 'ChatModel', { connector: claude, name: 'claude-3-haiku' });
    const rag = new SearchPipeline(this, 'Rag', {
      pipelineName: 'rag',
      processors: [
        SearchProcessor.neuralQueryEnricher({ fieldModels: { embedding: model } }),
        SearchProcessor.retrievalAugmentedGeneration({ model: chat, contextFields: ['text'] }),
      ],
    });
    // Nothing else orders it: after the index, as the chain reads.
    rag.node.addDependency(index);

    this.embedding = titan;
    this.model = model;
    this.index = index;
    this.rag = rag;

    new CfnOutput(this, 'ModelId', {
      value: model.modelId,
      description: 'Model ID of the deployed Titan embedding model',
    });
    new CfnOutput(this, 'IndexName', {
      value: index.indexName,
      description: 'The vector index: documents go in through the titan-embed pipeline, searches go through the hybrid pipeline',
    });
    new CfnOutput(this, 'RagPipeline', {
      value: rag.pipelineName,
      description: `?search_pipeline= of RAG searches, with ext.generative_qa_parameters { llm_question, llm_response_field: '${rag.llmResponseField}' }`,
    });
  }
}

if (require.main === module) {
  const app = new App({ outdir: process.env.CDK_OUTDIR ?? 'examples/cdk.out' });
  new SemanticSearchStack(app, 'SemanticSearchExample');
  app.synth();
}
