package com.example.semanticsearch;

import java.util.List;
import java.util.Map;

import io.github.cdklabs.cdknag.NagPackSuppression;
import io.github.cdklabs.cdknag.NagSuppressions;
import io.github.cdkopensearchml.BedrockAnthropicClaudeOptions;
import io.github.cdkopensearchml.BedrockModel;
import io.github.cdkopensearchml.BedrockTitanTextEmbeddingV2Options;
import io.github.cdkopensearchml.ClaudeRequestFormat;
import io.github.cdkopensearchml.ConnectorBlueprint;
import io.github.cdkopensearchml.FieldInferenceProcessorOptions;
import io.github.cdkopensearchml.IMlModel;
import io.github.cdkopensearchml.IndexField;
import io.github.cdkopensearchml.IngestPipeline;
import io.github.cdkopensearchml.IngestProcessor;
import io.github.cdkopensearchml.MlConnector;
import io.github.cdkopensearchml.MlModel;
import io.github.cdkopensearchml.ModelVerification;
import io.github.cdkopensearchml.NeuralQueryEnricherOptions;
import io.github.cdkopensearchml.NormalizationProcessorOptions;
import io.github.cdkopensearchml.RetrievalAugmentedGenerationOptions;
import io.github.cdkopensearchml.SearchPipeline;
import io.github.cdkopensearchml.SearchProcessor;
import io.github.cdkopensearchml.VectorIndex;
import software.amazon.awscdk.CfnOutput;
import software.amazon.awscdk.RemovalPolicy;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.StackProps;
import software.amazon.awscdk.services.opensearchservice.CapacityConfig;
import software.amazon.awscdk.services.opensearchservice.Domain;
import software.amazon.awscdk.services.opensearchservice.EbsOptions;
import software.amazon.awscdk.services.opensearchservice.EncryptionAtRestOptions;
import software.amazon.awscdk.services.opensearchservice.EngineVersion;
import software.constructs.Construct;

/**
 * The default example (examples/app.ts) in Java: semantic, hybrid and RAG search end to end on an
 * OpenSearch 2.19 domain. domain -> Amazon Titan Text Embeddings V2 connector -> model (deployed and
 * smoke-tested) -> ingest pipeline -> vector index -> hybrid search pipeline (the index's default),
 * and Anthropic Claude -> model -> RAG search pipeline.
 *
 * <p>Same stack name, construct IDs and properties as the TypeScript app, in the same order:
 * `npm run test:languages` synthesizes both and requires the same template.
 */
public class SemanticSearchStack extends Stack {
    private final MlConnector embedding;
    private final MlModel model;
    private final VectorIndex index;
    private final SearchPipeline rag;

    public SemanticSearchStack(final Construct scope, final String id) {
        this(scope, id, null);
    }

    public SemanticSearchStack(final Construct scope, final String id, final StackProps props) {
        super(scope, id, props);

        Domain domain = Domain.Builder.create(this, "Domain")
            .version(EngineVersion.OPENSEARCH_2_19)
            .capacity(CapacityConfig.builder().dataNodes(1).dataNodeInstanceType("r6g.large.search").multiAzWithStandbyEnabled(false).build())
            .ebs(EbsOptions.builder().volumeSize(20).build())
            .enforceHttps(true)
            .nodeToNodeEncryption(true)
            .encryptionAtRest(EncryptionAtRestOptions.builder().enabled(true).build())
            .removalPolicy(RemovalPolicy.DESTROY)
            .build();

        // cdk-nag AwsSolutions finds nothing in what MlConnector creates; these findings are about
        // the example's own development-sized domain, and say what production would change.
        NagSuppressions.addResourceSuppressions(domain, List.of(
            NagPackSuppression.builder().id("AwsSolutions-OS1").reason("A public endpoint keeps the example deployable without a VPC; for a domain in a VPC, MlConnector runs its provider in the domain's subnets (README: Domains in a VPC).").build(),
            NagPackSuppression.builder().id("AwsSolutions-OS3").reason("Access is by IAM (SigV4-signed requests of identities allowed es:ESHttp*), not by IP: the provider Lambda has no fixed address to allowlist.").build(),
            NagPackSuppression.builder().id("AwsSolutions-OS4").reason("A single data node keeps the example cheap; dedicated master nodes are for production clusters and change nothing for the connector.").build(),
            NagPackSuppression.builder().id("AwsSolutions-OS5").reason("The domain has no access policy, so no anonymous or unsigned request is allowed: only IAM identities of this account granted es:ESHttp* (the provider role) can call it.").build(),
            NagPackSuppression.builder().id("AwsSolutions-OS7").reason("A single data node in one Availability Zone keeps the example cheap; zone awareness is for production clusters and changes nothing for the connector.").build(),
            NagPackSuppression.builder().id("AwsSolutions-OS9").reason("Slow logs need CloudWatch log groups and a resource policy that are not part of what the example shows; enable them (logging: { slowSearchLogEnabled, slowIndexLogEnabled }) in production.").build()));

        // domain -> Bedrock connector -> model, with a smoke test: the deployment fails with
        // the model's answer if the model cannot be called (for example, model access not enabled).
        MlConnector titan = MlConnector.Builder.create(this, "TitanEmbedding")
            .domain(domain)
            .blueprint(ConnectorBlueprint.bedrockTitanTextEmbeddingV2(BedrockTitanTextEmbeddingV2Options.builder().dimensions(1024).build()))
            .build();
        MlModel model = MlModel.Builder.create(this, "EmbeddingModel")
            .connector(titan)
            .name("titan-embed-text-v2")
            .verify(ModelVerification.predict())
            .build();

        // -> ingest pipeline -> index: every document's text is embedded on its way in; the vector
        // field's dimension (1024) and space type (inner product: Titan V2 vectors are unit length)
        // come from the model. The index is retained when the stack is deleted.
        IngestPipeline embed = IngestPipeline.Builder.create(this, "Embed")
            .pipelineName("titan-embed")
            .processors(List.of(IngestProcessor.textEmbedding(FieldInferenceProcessorOptions.builder()
                .model(model).fieldMap(Map.of("text", "embedding")).build())))
            .build();
        SearchPipeline hybrid = SearchPipeline.Builder.create(this, "Hybrid")
            .pipelineName("hybrid")
            .processors(List.of(
                SearchProcessor.neuralQueryEnricher(NeuralQueryEnricherOptions.builder().fieldModels(Map.<String, IMlModel>of("embedding", model)).build()),
                SearchProcessor.normalization(NormalizationProcessorOptions.builder().weights(List.<Number>of(0.3, 0.7)).build())))
            .build();
        VectorIndex index = VectorIndex.Builder.create(this, "Documents")
            .indexName("documents")
            .fields(List.of(IndexField.text("text"), IndexField.keyword("category")))
            .ingestPipeline(embed)
            .defaultSearchPipeline(hybrid)
            .build();

        // -> Claude -> RAG: searches with ?search_pipeline=rag are answered from their hits.
        MlConnector claude = MlConnector.Builder.create(this, "Claude")
            .domain(domain)
            .blueprint(ConnectorBlueprint.bedrockAnthropicClaude(BedrockAnthropicClaudeOptions.builder()
                .model(BedrockModel.foundationModel("anthropic.claude-3-haiku-20240307-v1:0"))
                .requestFormat(ClaudeRequestFormat.INPUTS)
                .build()))
            .build();
        MlModel chat = MlModel.Builder.create(this, "ChatModel").connector(claude).name("claude-3-haiku").build();
        SearchPipeline rag = SearchPipeline.Builder.create(this, "Rag")
            .pipelineName("rag")
            .processors(List.of(
                SearchProcessor.neuralQueryEnricher(NeuralQueryEnricherOptions.builder().fieldModels(Map.<String, IMlModel>of("embedding", model)).build()),
                SearchProcessor.retrievalAugmentedGeneration(RetrievalAugmentedGenerationOptions.builder().model(chat).contextFields(List.of("text")).build())))
            .build();
        // Nothing else orders it: after the index, as the chain reads.
        rag.getNode().addDependency(index);

        this.embedding = titan;
        this.model = model;
        this.index = index;
        this.rag = rag;

        CfnOutput.Builder.create(this, "ModelId")
            .value(model.getModelId())
            .description("Model ID of the deployed Titan embedding model")
            .build();
        CfnOutput.Builder.create(this, "IndexName")
            .value(index.getIndexName())
            .description("The vector index: documents go in through the titan-embed pipeline, searches go through the hybrid pipeline")
            .build();
        CfnOutput.Builder.create(this, "RagPipeline")
            .value(rag.getPipelineName())
            .description("?search_pipeline= of RAG searches, with ext.generative_qa_parameters { llm_question, llm_response_field: '" + rag.getLlmResponseField() + "' }")
            .build();
    }

    public MlConnector getEmbedding() {
        return embedding;
    }

    public MlModel getModel() {
        return model;
    }

    public VectorIndex getIndex() {
        return index;
    }

    public SearchPipeline getRag() {
        return rag;
    }
}
