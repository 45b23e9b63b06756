package com.example.semanticsearch;

import java.util.List;

import io.github.cdklabs.cdknag.NagPackSuppression;
import io.github.cdklabs.cdknag.NagSuppressions;
import io.github.cdkopensearchml.BedrockTitanTextEmbeddingV2Options;
import io.github.cdkopensearchml.ConnectorBlueprint;
import io.github.cdkopensearchml.MlConnector;
import io.github.cdkopensearchml.MlModel;
import io.github.cdkopensearchml.ModelVerification;
import io.github.cdkopensearchml.SageMakerEndpointOptions;
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
 * The default example (examples/app.ts) in Java: an OpenSearch 2.x domain, a connector to
 * Amazon Titan Text Embeddings V2 on Amazon Bedrock, and a remote model on it, deployed and
 * smoke-tested during `cdk deploy`; plus a connector to a SageMaker endpoint.
 *
 * <p>Same stack name, construct IDs and properties as the TypeScript app, in the same order:
 * `npm run test:languages` synthesizes both and requires the same template.
 */
public class SemanticSearchStack extends Stack {
    private final MlConnector connector;
    private final MlConnector embedding;
    private final MlModel model;

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
        this.embedding = MlConnector.Builder.create(this, "TitanEmbedding")
            .domain(domain)
            .blueprint(ConnectorBlueprint.bedrockTitanTextEmbeddingV2(BedrockTitanTextEmbeddingV2Options.builder().dimensions(1024).build()))
            .build();
        this.model = MlModel.Builder.create(this, "EmbeddingModel")
            .connector(this.embedding)
            .name("titan-embed-text-v2")
            .verify(ModelVerification.predict())
            .build();

        this.connector = MlConnector.Builder.create(this, "QA")
            .domain(domain)
            .name("sagemaker: embedding")
            .blueprint(ConnectorBlueprint.sageMakerEndpoint(SageMakerEndpointOptions.builder()
                .endpointName("my-endpoint")
                .requestBody("{ \"inputs\": { \"question\": \"${parameters.question}\", \"context\": \"${parameters.context}\" } }")
                .build()))
            .build();

        CfnOutput.Builder.create(this, "ConnectorId")
            .value(this.connector.getConnectorId())
            .description("ML Commons connector ID of the SageMaker connector, for POST _plugins/_ml/models/_register")
            .build();
        CfnOutput.Builder.create(this, "ModelId")
            .value(this.model.getModelId())
            .description("Model ID of the deployed Titan embedding model, for neural ingest and search pipelines")
            .build();
    }

    public MlConnector getConnector() {
        return connector;
    }

    public MlConnector getEmbedding() {
        return embedding;
    }

    public MlModel getModel() {
        return model;
    }
}
