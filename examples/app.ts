/*
 * The default example: an OpenSearch 2.x domain, a connector to Amazon Titan Text
 * Embeddings V2 on Amazon Bedrock, and a remote model on it, deployed and smoke-tested
 * during `cdk deploy`; plus a connector to a SageMaker endpoint. `npm run example`
 * synthesizes it into examples/cdk.out and prints what it made.
 *
 * examples/python, examples/java and examples/go are this app, statement for statement:
 * `npm run test:languages` fails until their templates are this one's, byte for byte.
 */
import { App, CfnOutput, RemovalPolicy, Stack, StackProps } from 'aws-cdk-lib';
import * as opensearch from 'aws-cdk-lib/aws-opensearchservice';
import { NagSuppressions } from 'cdk-nag';
import { Construct } from 'constructs';
import { ConnectorBlueprint, MlConnector, MlModel, ModelVerification } from '../src';

export class SemanticSearchStack extends Stack {
  public readonly connector: MlConnector;
  public readonly embedding: MlConnector;
  public readonly model: MlModel;

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
    this.embedding = new MlConnector(this, 'TitanEmbedding', {
      domain,
      blueprint: ConnectorBlueprint.bedrockTitanTextEmbeddingV2({ dimensions: 1024 }),
    });
    this.model = new MlModel(this, 'EmbeddingModel', {
      connector: this.embedding,
      name: 'titan-embed-text-v2',
      verify: ModelVerification.predict(),
    });

    this.connector = new MlConnector(this, 'QA', {
      domain,
      name: 'sagemaker: question answering',
      blueprint: ConnectorBlueprint.sageMakerEndpoint({
        endpointName: 'my-endpoint',
        requestBody: '{ "inputs": { "question": "${parameters.question}", "context": "${parameters.context}" } }',
      }),
    });

    new CfnOutput(this, 'ConnectorId', {
      value: this.connector.connectorId,
      description: 'ML Commons connector ID of the SageMaker connector, for POST _plugins/_ml/models/_register',
    });
    new CfnOutput(this, 'ModelId', {
      value: this.model.modelId,
      description: 'Model ID of the deployed Titan embedding model, for neural ingest and search pipelines',
    });
  }
}

if (require.main === module) {
  const app = new App({ outdir: process.env.CDK_OUTDIR ?? 'examples/cdk.out' });
  new SemanticSearchStack(app, 'SemanticSearchExample');
  app.synth();
}
