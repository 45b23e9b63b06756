#!/usr/bin/env python3
"""The default example (examples/app.ts) in Python: semantic, hybrid and RAG search end to end on an
OpenSearch 2.19 domain. domain -> Amazon Titan Text Embeddings V2 connector -> model (deployed and
smoke-tested) -> ingest pipeline -> vector index -> hybrid search pipeline (the index's default), and
Anthropic Claude -> model -> RAG search pipeline.

Same stack name, construct IDs and properties as the TypeScript app, in the same order:
`npm run test:languages` synthesizes both and requires the same template.
"""
from aws_cdk import App, CfnOutput, RemovalPolicy, Stack
from aws_cdk import aws_opensearchservice as opensearch
from cdk_nag import NagPackSuppression, NagSuppressions
from constructs import Construct
from cdk_opensearch_ml import (
    BedrockModel, ClaudeRequestFormat, ConnectorBlueprint, IndexField, IngestPipeline, IngestProcessor,
    MlConnector, MlModel, ModelVerification, SearchPipeline, SearchProcessor, VectorIndex,
)


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
        titan = MlConnector(self, "TitanEmbedding",
            domain=domain,
            blueprint=ConnectorBlueprint.bedrock_titan_text_embedding_v2(dimensions=1024),
        )
        model = MlModel(self, "EmbeddingModel",
            connector=titan,
            name="titan-embed-text-v2",
            verify=ModelVerification.predict(),
        )

        # -> ingest pipeline -> index: every document's text is embedded on its way in; the vector
        # field's dimension (1024) and space type (inner product: Titan V2 vectors are unit length)
        # come from the model. The index is retained when the stack is deleted.
        embed = IngestPipeline(self, "Embed",
            pipeline_name="titan-embed",
            processors=[IngestProcessor.text_embedding(model=model, field_map={"text": "embedding"})],
        )
        hybrid = SearchPipeline(self, "Hybrid",
            pipeline_name="hybrid",
            processors=[
                SearchProcessor.neural_query_enricher(field_models={"embedding": model}),
                SearchProcessor.normalization(weights=[0.3, 0.7]),
            ],
        )
        index = VectorIndex(self, "Documents",
            index_name="documents",
            fields=[IndexField.text("text"), IndexField.keyword("category")],
            ingest_pipeline=embed,
            default_search_pipeline=hybrid,
        )

        # -> Claude -> RAG: searches with ?search_pipeline=rag are answered from their hits.
        claude = MlConnector(self, "Claude",
            domain=domain,
            blueprint=ConnectorBlueprint.bedrock_anthropic_claude(
                model=BedrockModel.foundation_model("anthropic.claude-3-haiku-20240307-v1:0"),
                request_format=ClaudeRequestFormat.INPUTS,
            ),
        )
        chat = MlModel(self, "ChatModel", connector=claude, name="claude-3-haiku")
        rag = SearchPipeline(self, "Rag",
            pipeline_name="rag",
            processors=[
                SearchProcessor.neural_query_enricher(field_models={"embedding": model}),
                SearchProcessor.retrieval_augmented_generation(model=chat, context_fields=["text"]),
            ],
        )
        # Nothing else orders it: after the index, as the chain reads.
        rag.node.add_dependency(index)

        self.embedding = titan
        self.model = model
        self.index = index
        self.rag = rag

        CfnOutput(self, "ModelId",
            value=model.model_id,
            description="Model ID of the deployed Titan embedding model",
        )
        CfnOutput(self, "IndexName",
            value=index.index_name,
            description="The vector index: documents go in through the titan-embed pipeline, searches go through the hybrid pipeline",
        )
        CfnOutput(self, "RagPipeline",
            value=rag.pipeline_name,
            description=f"?search_pipeline= of RAG searches, with ext.generative_qa_parameters {{ llm_question, llm_response_field: '{rag.llm_response_field}' }}",
        )

if __name__ == "__main__":
    app = App()
    SemanticSearchStack(app, "SemanticSearchExample")
    app.synth()
