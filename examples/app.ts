/*
 * The default example: an OpenSearch 2.x domain and an ML connector to a SageMaker
 * endpoint. `npm run example` synthesizes it into examples/cdk.out and prints what it made.
 */
import { App, CfnOutput, RemovalPolicy, Stack, StackProps } from 'aws-cdk-lib';
import * as opensearch from 'aws-cdk-lib/aws-opensearchservice';
import { Construct } from 'constructs';
import { ConnectorBlueprint, MlConnector } from '../src';

export class SemanticSearchStack extends Stack {
  public readonly connector: MlConnector;

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

    this.connector = new MlConnector(this, 'QA', {
      domain,
      name: 'sagemaker: embedding',
      blueprint: ConnectorBlueprint.sageMakerEndpoint({
        endpointName: 'my-endpoint',
        requestBody: '{ "inputs": { "question": "${parameters.question}", "context": "${parameters.context}" } }',
      }),
    });

    new CfnOutput(this, 'ConnectorId', {
      value: this.connector.connectorId,
      description: 'ML Commons connector ID, for POST _plugins/_ml/models/_register',
    });
  }
}

if (require.main === module) {
  const app = new App({ outdir: process.env.CDK_OUTDIR ?? 'examples/cdk.out' });
  new SemanticSearchStack(app, 'SemanticSearchExample');
  app.synth();
}
