#!/usr/bin/env python3
"""The default example (examples/app.ts) in Python: an OpenSearch 2.x domain, a connector to
Amazon Titan Text Embeddings V2 on Amazon Bedrock, and a remote model on it, deployed and
smoke-tested during `cdk deploy`; plus a connector to a SageMaker endpoint.

Same stack name, construct IDs and properties as the TypeScript app, in the same order:
`npm run test:languages` synthesizes both and requires the same template.
"""
from aws_cdk import App, CfnOutput, RemovalPolicy, Stack
from aws_cdk import aws_opensearchservice as opensearch
from cdk_nag import NagPackSuppression, NagSuppressions
from constructs import Construct
from cdk_opensearch_ml import ConnectorBlueprint, MlConnector, MlModel, ModelVerification


class SemanticSearchStack(Stack):
    def __init__(self, scope: Construct, id: str, **kwargs) -> None:
        super().__init__(scope, id, **kwargs)

        domain = opensearch.Domain(self, "Domain",
            version=opensearch.EngineVersion.OPENSEARCH_2_19,
            capacity=opensearch.CapacityConfig(data_nodes=1, data_node_instance_type="r6g.large.search", multi_az_with_standby_enabled=False),
            ebs=opensearch.EbsOptions(volume_size=20),
            enforce_https=True,
            node_to_node_encryption=True,
            encryption_at_rest=opensearch.EncryptionAtRestOptions(enabled=True),
            removal_policy=RemovalPolicy.DESTROY,
        )

        # cdk-nag AwsSolutions finds nothing in what MlConnector creates; these findings are about
        # the example's own development-sized domain, and say what production would change.
        NagSuppressions.add_resource_suppressions(domain, [
            NagPackSuppression(id="AwsSolutions-OS1", reason="A public endpoint keeps the example deployable without a VPC; for a domain in a VPC, MlConnector runs its provider in the domain's subnets (README: Domains in a VPC)."),
            NagPackSuppression(id="AwsSolutions-OS3", reason="Access is by IAM (SigV4-signed requests of identities allowed es:ESHttp*), not by IP: the provider Lambda has no fixed address to allowlist."),
            NagPackSuppression(id="AwsSolutions-OS4", reason="A single data node keeps the example cheap; dedicated master nodes are for production clusters and change nothing for the connector."),
            NagPackSuppression(id="AwsSolutions-OS5", reason="The domain has no access policy, so no anonymous or unsigned request is allowed: only IAM identities of this account granted es:ESHttp* (the provider role) can call it."),
            NagPackSuppression(id="AwsSolutions-OS7", reason="A single data node in one Availability Zone keeps the example cheap; zone awareness is for production clusters and changes nothing for the connector."),
            NagPackSuppression(id="AwsSolutions-OS9", reason="Slow logs need CloudWatch log groups and a resource policy that are not part of what the example shows; enable them (logging: { slowSearchLogEnabled, slowIndexLogEnabled }) in production."),
        ])

        # domain -> Bedrock connector -> model, with a smoke test: the deployment fails with
        # the model's answer if the model cannot be called (for example, model access not enabled).
        self.embedding = MlConnector(self, "TitanEmbedding",
            domain=domain,
            blueprint=ConnectorBlueprint.bedrock_titan_text_embedding_v2(dimensions=1024),
        )
        self.model = MlModel(self, "EmbeddingModel",
            connector=self.embedding,
            name="titan-embed-text-v2",
            verify=ModelVerification.predict(),
        )

        self.connector = MlConnector(self, "QA",
            domain=domain,
            name="sagemaker: embedding",
            blueprint=ConnectorBlueprint.sage_maker_endpoint(
                endpoint_name="my-endpoint",
                request_body='{ "inputs": { "question": "${parameters.question}", "context": "${parameters.context}" } }',
            ),
        )

        CfnOutput(self, "ConnectorId",
            value=self.connector.connector_id,
            description="ML Commons connector ID of the SageMaker connector, for POST _plugins/_ml/models/_register",
        )
        CfnOutput(self, "ModelId",
            value=self.model.model_id,
            description="Model ID of the deployed Titan embedding model, for neural ingest and search pipelines",
        )


if __name__ == "__main__":
    app = App()
    SemanticSearchStack(app, "SemanticSearchExample")
    app.synth()
