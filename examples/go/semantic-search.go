// The default example (examples/app.ts) in Go: semantic, hybrid and RAG search end to end on an
// OpenSearch 2.19 domain. domain -> Amazon Titan Text Embeddings V2 connector -> model (deployed and
// smoke-tested) -> ingest pipeline -> vector index -> hybrid search pipeline (the index's default),
// and Anthropic Claude -> model -> RAG search pipeline.
//
// Same stack name, construct IDs and properties as the TypeScript app, in the same order:
// `npm run test:languages` synthesizes both and requires the same template.
package main

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsopensearchservice"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdk-opensearch-ml/cdk-opensearch-ml-go/cdkopensearchml"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"
)

type SemanticSearchStack struct {
	awscdk.Stack
	Embedding cdkopensearchml.MlConnector
	Model     cdkopensearchml.MlModel
	Index     cdkopensearchml.VectorIndex
	Rag       cdkopensearchml.SearchPipeline
}

func NewSemanticSearchStack(scope constructs.Construct, id string, props *awscdk.StackProps) *SemanticSearchStack {
	stack := awscdk.NewStack(scope, &id, props)

	domain := awsopensearchservice.NewDomain(stack, jsii.String("Domain"), &awsopensearchservice.DomainProps{
		Version:              awsopensearchservice.EngineVersion_OPENSEARCH_2_19(),
		Capacity:             &awsopensearchservice.CapacityConfig{DataNodes: jsii.Number(1), DataNodeInstanceType: jsii.String("r6g.large.search"), MultiAzWithStandbyEnabled: jsii.Bool(false)},
		Ebs:                  &awsopensearchservice.EbsOptions{VolumeSize: jsii.Number(20)},
		EnforceHttps:         jsii.Bool(true),
		NodeToNodeEncryption: jsii.Bool(true),
		EncryptionAtRest:     &awsopensearchservice.EncryptionAtRestOptions{Enabled: jsii.Bool(true)},
		RemovalPolicy:        awscdk.RemovalPolicy_DESTROY,
	})

	// cdk-nag AwsSolutions finds nothing in what MlConnector creates; these findings are about
	// the example's own development-sized domain, and say what production would change.
	cdknag.NagSuppressions_AddResourceSuppressions(domain, &[]*cdknag.NagPackSuppression{
		{Id: jsii.String("AwsSolutions-OS1"), Reason: jsii.String("A public endpoint keeps the example deployable without a VPC; for a domain in a VPC, MlConnector runs its provider in the domain's subnets (README: Domains in a VPC).")},
		{Id: jsii.String("AwsSolutions-OS3"), Reason: jsii.String("Access is by IAM (SigV4-signed requests of identities allowed es:ESHttp*), not by IP: the provider Lambda has no fixed address to allowlist.")},
		{Id: jsii.String("AwsSolutions-OS4"), Reason: jsii.String("A single data node keeps the example cheap; dedicated master nodes are for production clusters and change nothing for the connector.")},
		{Id: jsii.String("AwsSolutions-OS5"), Reason: jsii.String("The domain has no access policy, so no anonymous or unsigned request is allowed: only IAM identities of this account granted es:ESHttp* (the provider role) can call it.")},
		{Id: jsii.String("AwsSolutions-OS7"), Reason: jsii.String("A single data node in one Availability Zone keeps the example cheap; zone awareness is for production clusters and changes nothing for the connector.")},
		{Id: jsii.String("AwsSolutions-OS9"), Reason: jsii.String("Slow logs need CloudWatch log groups and a resource policy that are not part of what the example shows; enable them (logging: { slowSearchLogEnabled, slowIndexLogEnabled }) in production.")},
	}, nil)

	// domain -> Bedrock connector -> model, with a smoke test: the deployment fails with
	// the model's answer if the model cannot be called (for example, model access not enabled).
	titan := cdkopensearchml.NewMlConnector(stack, jsii.String("TitanEmbedding"), &cdkopensearchml.MlConnectorProps{
		Domain:    domain,
		Blueprint: cdkopensearchml.ConnectorBlueprint_BedrockTitanTextEmbeddingV2(&cdkopensearchml.BedrockTitanTextEmbeddingV2Options{Dimensions: jsii.Number(1024)}),
	})
	model := cdkopensearchml.NewMlModel(stack, jsii.String("EmbeddingModel"), &cdkopensearchml.MlModelProps{
		Connector: titan,
		Name:      jsii.String("titan-embed-text-v2"),
		Verify:    cdkopensearchml.ModelVerification_Predict(nil),
	})

	// -> ingest pipeline -> index: every document's text is embedded on its way in; the vector
	// field's dimension (1024) and space type (inner product: Titan V2 vectors are unit length)
	// come from the model. The index is retained when the stack is deleted.
	embed := cdkopensearchml.NewIngestPipeline(stack, jsii.String("Embed"), &cdkopensearchml.IngestPipelineProps{
		PipelineName: jsii.String("titan-embed"),
		Processors: &[]cdkopensearchml.IngestProcessor{
			cdkopensearchml.IngestProcessor_TextEmbedding(&cdkopensearchml.FieldInferenceProcessorOptions{
				Model:    model,
				FieldMap: &map[string]*string{"text": jsii.String("embedding")},
			}),
		},
	})
	hybrid := cdkopensearchml.NewSearchPipeline(stack, jsii.String("Hybrid"), &cdkopensearchml.SearchPipelineProps{
		PipelineName: jsii.String("hybrid"),
		Processors: &[]cdkopensearchml.SearchProcessor{
			cdkopensearchml.SearchProcessor_NeuralQueryEnricher(&cdkopensearchml.NeuralQueryEnricherOptions{
				FieldModels: &map[string]cdkopensearchml.IMlModel{"embedding": model},
			}),
			cdkopensearchml.SearchProcessor_Normalization(&cdkopensearchml.NormalizationProcessorOptions{
				Weights: &[]*float64{jsii.Number(0.3), jsii.Number(0.7)},
			}),
		},
	})
	index := cdkopensearchml.NewVectorIndex(stack, jsii.String("Documents"), &cdkopensearchml.VectorIndexProps{
		IndexName:             jsii.String("documents"),
		Fields:                &[]cdkopensearchml.IndexField{cdkopensearchml.IndexField_Text(jsii.String("text"), nil), cdkopensearchml.IndexField_Keyword(jsii.String("category"))},
		IngestPipeline:        embed,
		DefaultSearchPipeline: hybrid,
	})

	// -> Claude -> RAG: searches with ?search_pipeline=rag are answered from their hits.
	claude := cdkopensearchml.NewMlConnector(stack, jsii.String("Claude"), &cdkopensearchml.MlConnectorProps{
		Domain: domain,
		Blueprint: cdkopensearchml.ConnectorBlueprint_BedrockAnthropicClaude(&cdkopensearchml.BedrockAnthropicClaudeOptions{
			Model:         cdkopensearchml.BedrockModel_FoundationModel(jsii.String("anthropic.claude-3-haiku-20240307-v1:0")),
			RequestFormat: cdkopensearchml.ClaudeRequestFormat_INPUTS,
		}),
	})
	chat := cdkopensearchml.NewMlModel(stack, jsii.String("ChatModel"), &cdkopensearchml.MlModelProps{Connector: claude, Name: jsii.String("claude-3-haiku")})
	rag := cdkopensearchml.NewSearchPipeline(stack, jsii.String("Rag"), &cdkopensearchml.SearchPipelineProps{
		PipelineName: jsii.String("rag"),
		Processors: &[]cdkopensearchml.SearchProcessor{
			cdkopensearchml.SearchProcessor_NeuralQueryEnricher(&cdkopensearchml.NeuralQueryEnricherOptions{
				FieldModels: &map[string]cdkopensearchml.IMlModel{"embedding": model},
			}),
			cdkopensearchml.SearchProcessor_RetrievalAugmentedGeneration(&cdkopensearchml.RetrievalAugmentedGenerationOptions{
				Model:         chat,
				ContextFields: &[]*string{jsii.String("text")},
			}),
		},
	})
	// Nothing else orders it: after the index, as the chain reads.
	rag.Node().AddDependency(index)

	awscdk.NewCfnOutput(stack, jsii.String("ModelId"), &awscdk.CfnOutputProps{
		Value:       model.ModelId(),
		Description: jsii.String("Model ID of the deployed Titan embedding model"),
	})
	awscdk.NewCfnOutput(stack, jsii.String("IndexName"), &awscdk.CfnOutputProps{
		Value:       index.IndexName(),
		Description: jsii.String("The vector index: documents go in through the titan-embed pipeline, searches go through the hybrid pipeline"),
	})
	awscdk.NewCfnOutput(stack, jsii.String("RagPipeline"), &awscdk.CfnOutputProps{
		Value:       rag.PipelineName(),
		Description: jsii.String("?search_pipeline= of RAG searches, with ext.generative_qa_parameters { llm_question, llm_response_field: '" + *rag.LlmResponseField() + "' }"),
	})

	return &SemanticSearchStack{Stack: stack, Embedding: titan, Model: model, Index: index, Rag: rag}
}

func main() {
	defer jsii.Close()

	app := awscdk.NewApp(nil)
	NewSemanticSearchStack(app, "SemanticSearchExample", nil)
	app.Synth(nil)
}
