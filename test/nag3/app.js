// An app on aws-cdk-lib 2.257 with cdk-nag 3 as a validation plugin, run by test/nag3.test.ts in a
// child process: it prints what cdk-nag 3 finds on a stack that uses every feature of the library
// that writes a wildcard. The library's sources, cdk-nag and the app all get the aws-cdk-lib of
// test/nag3/deps (the project's own is 2.240, the lowest users may have).
'use strict';
const fs = require('node:fs');
const Module = require('node:module');
const path = require('node:path');

const DEPS = path.join(__dirname, 'deps', 'node_modules');
const resolve = Module._resolveFilename;
Module._resolveFilename = function (request, parent, ...rest) {
  if (/^(aws-cdk-lib|cdk-nag)(\/|$)/.test(request)) return resolve.call(this, request, { ...parent, paths: [DEPS] }, ...rest);
  return resolve.call(this, request, parent, ...rest);
};

// The library's sources, transpiled on the fly (the project's typescript, by absolute path).
const ts = require(process.env.NAG3_TYPESCRIPT);
require.extensions['.ts'] = (module, filename) => {
  const output = ts.transpileModule(fs.readFileSync(filename, 'utf8'), {
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
    fileName: filename,
  }).outputText;
  module._compile(output, filename);
};

const { App, Stack, Validations } = require('aws-cdk-lib');
const ec2 = require('aws-cdk-lib/aws-ec2');
const opensearch = require('aws-cdk-lib/aws-opensearchservice');
const { AwsSolutionsChecks } = require('cdk-nag');
const lib = require(path.join(__dirname, '..', '..', 'src', 'index.ts'));

const app = new App({ outdir: process.env.NAG3_OUTDIR });
const stack = new Stack(app, 'Nag3', { env: { account: '111122223333', region: 'us-east-1' } });
const domain = opensearch.Domain.fromDomainEndpoint(stack, 'Domain', 'https://search-nag-abc123.us-east-1.es.amazonaws.com');
const other = opensearch.Domain.fromDomainEndpoint(stack, 'Other', 'https://search-other-abc123.us-east-1.es.amazonaws.com');
const { BedrockModel, ComprehendApi, ConnectorBlueprint, MlConnector, MlModel } = lib;
const blueprints = {
  Profile: ConnectorBlueprint.bedrockAnthropicClaude({ model: BedrockModel.fromId('us.anthropic.claude-sonnet-4-20250514-v1:0') }),
  Comprehend: ConnectorBlueprint.comprehend({ api: ComprehendApi.DETECT_ENTITIES }),
  Textract: ConnectorBlueprint.textractDetectDocumentText(),
  Batch: ConnectorBlueprint.sageMakerBatchTransform({
    endpointName: 'embed', modelName: 'm', transformJobName: 'nightly', inputS3Uri: 's3://b/in/', outputS3Uri: 's3://b/out/', instanceType: 'ml.m5.xlarge',
  }),
  Titan: ConnectorBlueprint.bedrockTitanTextEmbeddingV2(),
};
for (const [id, blueprint] of Object.entries(blueprints)) new MlConnector(stack, id, { domain, blueprint });
const titan = new MlConnector(stack, 'OnOther', { domain: other, blueprint: ConnectorBlueprint.bedrockTitanTextEmbeddingV2() });
new MlModel(stack, 'Model', { connector: titan });
// A domain in a VPC: the provider's worker and its VpcAccess policy.
const vpc = ec2.Vpc.fromVpcAttributes(stack, 'Vpc', { vpcId: 'vpc-12345678', availabilityZones: ['us-east-1a'], privateSubnetIds: ['subnet-1'] });
const inVpc = opensearch.Domain.fromDomainEndpoint(stack, 'InVpc', 'https://vpc-private-abc123.us-east-1.es.amazonaws.com');
new MlConnector(stack, 'Private', {
  domain: inVpc, vpc, securityGroups: [ec2.SecurityGroup.fromSecurityGroupId(stack, 'Sg', 'sg-12345678')], blueprint: ConnectorBlueprint.bedrockTitanTextEmbeddingV2(),
});

// A domain of another stack: the grant's resource is an Fn::ImportValue only once the app is synthesized.
const env = { account: '111122223333', region: 'us-east-1' };
const domainStack = new Stack(app, 'Nag3Domain', { env });
const shared = new opensearch.Domain(domainStack, 'Shared', { version: opensearch.EngineVersion.OPENSEARCH_2_19 });
const user = new Stack(app, 'Nag3User', { env });
new MlConnector(user, 'Profile', { domain: shared, blueprint: ConnectorBlueprint.bedrockAnthropicClaude({ model: BedrockModel.fromId('us.anthropic.claude-sonnet-4-20250514-v1:0') }) });

// cdk-nag 3 runs as a validation plugin (Validations.of(app).addPlugins(new AwsSolutionsChecks(app)))
// on an aws-cdk-lib that gives plugins the construct tree; 2.257 does not yet (the pack then fails
// with 'NagPack requires a construct tree'), so the pack checks the synthesized tree directly, as
// cdk-nag 3 documents for tests: validateScope() after synth, when aspects and references are done.
app.synth();
const report = new AwsSolutionsChecks(app).validateScope(app);
const acknowledged = [stack, user].flatMap((s) => s.node.findAll()).flatMap((c) => c.node.metadata
  .filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
  .flatMap((m) => Object.entries(m.data).map(([id, reason]) => `${c.node.path} ${id}: ${reason}`)));
process.stdout.write(JSON.stringify({
  cdkNag: require('cdk-nag/package.json').version,
  awsCdkLib: require('aws-cdk-lib/package.json').version,
  synthesized: true,
  // The domain of Nag3Domain has findings of its own (a development-sized domain): not ours.
  violations: report.violations.flatMap((v) => v.violatingResources.map((r) => `${v.severity} ${v.ruleName} ${r.constructPath}`))
    .filter((finding) => !finding.includes('Nag3Domain/Shared')),
  acknowledged,
}));
