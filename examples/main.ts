/*
 * `npm run example`: synthesizes the default example app into examples/cdk.out and
 * prints what it created, read back from the synthesized template.
 */
import * as path from 'node:path';
import { App } from 'aws-cdk-lib';
import { SemanticSearchStack } from './app';

const outdir = path.join(__dirname, 'cdk.out');
const app = new App({ outdir });
const stack = new SemanticSearchStack(app, 'SemanticSearchExample');
const assembly = app.synth();
const template = assembly.getStackByName(stack.stackName).template as { Resources: Record<string, any>; Outputs?: Record<string, any> };

/** Intrinsic functions as CloudFormation substitution syntax: { Ref: X } → ${X}, GetAtt → ${X.Arn}. */
function show(value: unknown): string {
  if (typeof value !== 'object' || value === null) return String(value);
  if (Array.isArray(value)) return value.map(show).join(', ');
  const v = value as Record<string, any>;
  if (v && 'Ref' in v) return `\${${v.Ref}}`;
  if (v && 'Fn::GetAtt' in v) return `\${${v['Fn::GetAtt'].join('.')}}`;
  if (v && 'Fn::Join' in v) return (v['Fn::Join'][1] as unknown[]).map(show).join(v['Fn::Join'][0]);
  return JSON.stringify(value);
}
const resources = Object.entries(template.Resources);
const byType = (type: string) => resources.filter(([, r]) => r.Type === type);

console.log(`Synthesized ${stack.stackName} to ${path.relative(process.cwd(), outdir)}/${stack.templateFile}`);
console.log(`${resources.length} resources: ${[...new Set(resources.map(([, r]) => r.Type))].join(', ')}\n`);

for (const [id, r] of byType('Custom::OpenSearchMlConnector')) {
  const c = r.Properties.connector;
  console.log(`Connector ${id} (Custom::OpenSearchMlConnector)`);
  console.log(`  name:        ${c.name}`);
  console.log(`  protocol:    ${c.protocol}, service ${c.parameters.service_name}, region ${show(c.parameters.region)}`);
  for (const a of c.actions) {
    console.log(`  action:      ${a.action_type} ${a.method} ${a.url}`);
    if (a.request_body) console.log(`  body:        ${a.request_body}`);
  }
  console.log(`  credential:  roleArn = ${show(c.credential.roleArn)}`);
  console.log(`  domain:      ${show(r.Properties.endpoint)} (SigV4 service ${r.Properties.signingService})\n`);
}

for (const [id, r] of byType('Custom::OpenSearchMlModel')) {
  const m = r.Properties.model;
  console.log(`Model ${id} (Custom::OpenSearchMlModel)`);
  console.log(`  name:        ${m.name} (${m.function_name}), on connector ${show(m.connector_id)}`);
  if (m.model_config) console.log(`  config:      ${m.model_config.model_type}, dimension ${m.model_config.embedding_dimension}, ${m.model_config.framework_type}, space type ${m.model_config.additional_config?.space_type}`);
  console.log(`  deploy:      ${r.Properties.deploy}`);
  if (r.Properties.verify) console.log(`  smoke test:  _predict ${JSON.stringify(r.Properties.verify.parameters)} → vector of ${r.Properties.verify.embeddingDimension}`);
  console.log('');
}

for (const [id, r] of byType('Custom::OpenSearchIngestPipeline')) {
  console.log(`Ingest pipeline ${id} (Custom::OpenSearchIngestPipeline): ${r.Properties.name}`);
  for (const processor of r.Properties.pipeline.processors) {
    const [type, config] = Object.entries<any>(processor)[0];
    console.log(`  processor:   ${type}, model ${show(config.model_id)}, ${JSON.stringify(config.field_map)}`);
  }
  console.log('');
}

for (const [id, r] of byType('Custom::OpenSearchIndex')) {
  const { settings, mappings } = r.Properties.index;
  console.log(`Index ${id} (Custom::OpenSearchIndex): ${r.Properties.name}, ${r.DeletionPolicy === 'Retain' ? 'retained when the stack is deleted' : 'deleted with the stack'}`);
  for (const [field, mapping] of Object.entries<any>(mappings.properties)) {
    const method = mapping.method ? `, ${mapping.method.engine} ${mapping.method.name}, ${mapping.method.space_type}` : '';
    console.log(`  field:       ${field}: ${mapping.type}${mapping.dimension ? ` of ${mapping.dimension}` : ''}${method}`);
  }
  for (const [key, value] of Object.entries(settings)) console.log(`  setting:     ${key} = ${show(value)}`);
  console.log('');
}

for (const [id, r] of byType('Custom::OpenSearchSearchPipeline')) {
  console.log(`Search pipeline ${id} (Custom::OpenSearchSearchPipeline): ${r.Properties.name}`);
  for (const [list, processors] of Object.entries<any[]>(r.Properties.pipeline)) {
    for (const processor of processors) console.log(`  ${`${list.replace(/_processors$/, '').replace('_', ' ')}:`.padEnd(15)}${Object.keys(processor)[0]}`);
  }
  console.log('');
}

for (const [id, r] of byType('AWS::IAM::Role')) {
  const trust = r.Properties.AssumeRolePolicyDocument.Statement[0];
  console.log(`Role ${id}: ${r.Properties.Description}`);
  console.log(`  trusted by:  ${trust.Principal.Service}`);
  for (const [operator, conditions] of Object.entries(trust.Condition ?? {})) {
    for (const [key, value] of Object.entries(conditions as Record<string, unknown>)) {
      console.log(`  condition:   ${operator} ${key} = ${show(value)}`);
    }
  }
  for (const policy of r.Properties.Policies ?? []) {
    for (const s of policy.PolicyDocument.Statement) {
      console.log(`  may:         ${[s.Action].flat().join(', ')} on ${show(s.Resource)}`);
    }
  }
  console.log('');
}

const [[fnId, fn]] = byType('AWS::Lambda::Function').filter(([, r]) => r.Properties.Description?.startsWith('cdk-opensearch-ml'));
console.log(`Provider ${fnId}: one per stack, ${fn.Properties.Runtime} on ${fn.Properties.Architectures}, timeout ${fn.Properties.Timeout} s`);
for (const [, p] of byType('AWS::IAM::Policy')) {
  for (const s of p.Properties.PolicyDocument.Statement) {
    console.log(`  may:         ${[s.Action].flat().join(', ')} on ${show(s.Resource)}`);
  }
}
for (const [name, output] of Object.entries(template.Outputs ?? {})) {
  console.log(`\nOutput ${name} = ${show(output.Value)} (${output.Description})`);
}
