// The default example (examples/app.ts) in Go: an OpenSearch 2.x domain, a connector to
// Amazon Titan Text Embeddings V2 on Amazon Bedrock, and a remote model on it, deployed and
// smoke-tested during `cdk deploy`; plus a connector to a SageMaker endpoint.
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
	Connector cdkopensearchml.MlConnector
	Embedding cdkopensearchml.MlConnector
	Model     cdkopensearchml.MlModel
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
	embedding := cdkopensearchml.NewMlConnector(stack, jsii.String("TitanEmbedding"), &cdkopensearchml.MlConnectorProps{
		Domain:    domain,
		Blueprint: cdkopensearchml.ConnectorBlueprint_BedrockTitanTextEmbeddingV2(&cdkopensearchml.BedrockTitanTextEmbeddingV2Options{Dimensions: jsii.Number(1024)}),
	})
	model := cdkopensearchml.NewMlModel(stack, jsii.String("EmbeddingModel"), &cdkopensearchml.MlModelProps{
		Connector: embedding,
		Name:      jsii.String("titan-embed-text-v2"),
		Verify:    cdkopensearchml.ModelVerification_Predict(nil),
	})

	connector := cdkopensearchml.NewMlConnector(stack, jsii.String("QA"), &cdkopensearchml.MlConnectorProps{
		Domain: domain,
		Name:   jsii.String("sagemaker: embedding"),
		Blueprint: cdkopensearchml.ConnectorBlueprint_SageMakerEndpoint(&cdkopensearchml.SageMakerEndpointOptions{
			EndpointName: jsii.String("my-endpoint"),
			RequestBody:  jsii.String(`{ "inputs": { "question": "${parameters.question}", "context": "${parameters.context}" } }`),
		}),
	})

	awscdk.NewCfnOutput(stack, jsii.String("ConnectorId"), &awscdk.CfnOutputProps{
		Value:       connector.ConnectorId(),
		Description: jsii.String("ML Commons connector ID of the SageMaker connector, for POST _plugins/_ml/models/_register"),
	})
	awscdk.NewCfnOutput(stack, jsii.String("ModelId"), &awscdk.CfnOutputProps{
		Value:       model.ModelId(),
		Description: jsii.String("Model ID of the deployed Titan embedding model, for neural ingest and search pipelines"),
	})

	return &SemanticSearchStack{Stack: stack, Connector: connector, Embedding: embedding, Model: model}
}

func main() {
	defer jsii.Close()

	app := awscdk.NewApp(nil)
	NewSemanticSearchStack(app, "SemanticSearchExample", nil)
	app.Synth(nil)
}
