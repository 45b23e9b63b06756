import { App, Aspects, SecretValue, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as opensearch from 'aws-cdk-lib/aws-opensearchservice';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { AwsSolutionsChecks } from 'cdk-nag';
import { ConnectorBlueprint, FineGrainedAccess, MlConnector, MlModel, MlModelGroup } from '../src';
import { resourcesOfType, testStack } from './util';

const blueprint = (name = 'e') => ConnectorBlueprint.sageMakerEndpoint({ endpointName: name });

function fgacDomain(stack: Stack, fineGrainedAccessControl: opensearch.AdvancedSecurityOptions, extra: Partial<opensearch.DomainProps> = {}) {
  return new opensearch.Domain(stack, 'Domain', {
    version: opensearch.EngineVersion.OPENSEARCH_2_19,
    enforceHttps: true,
    nodeToNodeEncryption: true,
    encryptionAtRest: { enabled: true },
    fineGrainedAccessControl,
    ...extra,
  });
}

function imported(stack: Stack) {
  return opensearch.Domain.fromDomainEndpoint(stack, 'Imported', 'https://search-x-abc123.us-east-1.es.amazonaws.com');
}

const mappings = (stack: Stack) => resourcesOfType(stack, 'Custom::OpenSearchMlRoleMapping');
const logicalId = (stack: Stack, c: { node: { defaultChild?: any } }) => stack.getLogicalId(c.node.defaultChild);

describe('fine-grained access control', () => {
  test('an L2 domain without it: no mapping, no security API grant', () => {
    const stack = testStack();
    const domain = new opensearch.Domain(stack, 'Domain', { version: opensearch.EngineVersion.OPENSEARCH_2_19 });
    new MlConnector(stack, 'QA', { domain, blueprint: blueprint() });
    expect(mappings(stack)).toHaveLength(0);
    expect(JSON.stringify(Template.fromStack(stack).toJSON())).not.toContain('_plugins/_security');
  });

  test('an L2 domain with a generated master user: mapped with that secret, read at deploy time by ARN', () => {
    const stack = testStack();
    const domain = fgacDomain(stack, { masterUserName: 'admin' }, { useUnsignedBasicAuth: true });
    const connector = new MlConnector(stack, 'QA', { domain, blueprint: blueprint() });
    const secret = domain.node.findChild('MasterUser') as secretsmanager.Secret;
    const [[mappingId, mapping]] = mappings(stack);
    expect(mapping.Properties).toEqual({
      ServiceToken: { 'Fn::GetAtt': [expect.stringMatching(/^OpenSearchMlProviderHandler/), 'Arn'] },
      ServiceTimeout: '360',
      contractVersion: '1',
      endpoint: { 'Fn::GetAtt': [logicalId(stack, domain), 'DomainEndpoint'] },
      region: 'us-east-1',
      signingService: 'es',
      role: 'ml_full_access',
      backendRole: { 'Fn::GetAtt': [expect.stringMatching(/^OpenSearchMlProviderRole/), 'Arn'] },
      auth: 'masterUserSecret',
      masterUserSecretArn: { Ref: logicalId(stack, secret) },
    });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Action: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'], Resource: { Ref: logicalId(stack, secret) } })]) },
    });
    // Connectors wait for the mapping; the mapping waits for the provider's grants and the secret grant.
    const connectorResource = template.toJSON().Resources[logicalId(stack, connector.node.findChild('Resource') as any)];
    expect(connectorResource.DependsOn).toContain(mappingId);
    expect(mapping.DependsOn).toEqual(expect.arrayContaining([expect.stringMatching(/^OpenSearchMlProviderGrants/), expect.stringMatching(/^OpenSearchMlProviderRoleDefaultPolicy/)]));
  });

  test('the provider role as the domain\'s IAM master user: detected, mapped with SigV4, grant on that one mapping only', () => {
    const stack = testStack();
    const domain = fgacDomain(stack, { masterUserArn: MlConnector.providerRole(stack).roleArn });
    new MlConnector(stack, 'QA', { domain, blueprint: blueprint() });
    const [[, mapping]] = mappings(stack);
    expect(mapping.Properties.auth).toBe('sigv4');
    expect(mapping.Properties.masterUserSecretArn).toBeUndefined();
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([{
          Action: ['es:ESHttpGet', 'es:ESHttpPut', 'es:ESHttpPatch', 'es:ESHttpDelete'],
          Effect: 'Allow',
          Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [logicalId(stack, domain), 'Arn'] }, '/_plugins/_security/api/rolesmapping/ml_full_access']] },
        }]),
      },
    });
  });

  test.each([
    ['another IAM master user', { masterUserArn: 'arn:aws:iam::111122223333:role/admin' }],
    ['a master password given as a value, not a secret', { masterUserName: 'admin', masterUserPassword: SecretValue.unsafePlainText('not-a-secret-resource') }],
  ])('an L2 domain with %s: manual, with a warning saying what to pass', (_, options) => {
    const stack = testStack();
    new MlConnector(stack, 'QA', { domain: fgacDomain(stack, options as any), blueprint: blueprint() });
    expect(mappings(stack)).toHaveLength(0);
    const warnings = Annotations.fromStack(stack).findWarning('/TestStack/QA', Match.anyValue()).map((w) => String(w.entry.data));
    expect(warnings.join('\n')).toMatch(/master user is neither a generated secret nor the provider role/);
    expect(warnings.join('\n')).toMatch(/Map the IAM role arn:aws:iam::111122223333:role\/\S+-us-east-1 as a backend role of the ml_full_access role/);
  });

  test('manual: a stable provider role name, printed as the exact ARN to map', () => {
    const stack = testStack();
    new MlConnector(stack, 'QA', { domain: imported(stack), blueprint: blueprint(), fineGrainedAccess: FineGrainedAccess.manual() });
    const [[, role]] = resourcesOfType(stack, 'AWS::IAM::Role').filter(([id]) => id.startsWith('OpenSearchMlProviderRole'));
    expect(role.Properties.RoleName).toMatch(/^TestStackOpenSearchMlProviderRole[0-9A-F]{8}-us-east-1$/);
    Annotations.fromStack(stack).hasWarning('/TestStack/QA',
      `Map the IAM role arn:aws:iam::111122223333:role/${role.Properties.RoleName} as a backend role of the ml_full_access role on the domain (Dashboards > Security > Roles > ml_full_access > Mapped users) before the connectors are created: this stack will not map it. [ack: cdk-opensearch-ml:mapProviderRoleByHand]`);
    expect(mappings(stack)).toHaveLength(0);
  });

  test('an imported domain is taken to have no fine-grained access control unless told', () => {
    const stack = testStack();
    new MlConnector(stack, 'QA', { domain: imported(stack), blueprint: blueprint() });
    expect(mappings(stack)).toHaveLength(0);
    const roles = resourcesOfType(stack, 'AWS::IAM::Role');
    expect(roles.every(([, r]) => r.Properties.RoleName === undefined)).toBe(true); // no invented names
  });

  test('three connectors on one domain: one mapping resource; on two domains: two', () => {
    const stack = testStack();
    const secret = secretsmanager.Secret.fromSecretCompleteArn(stack, 'S', 'arn:aws:secretsmanager:us-east-1:111122223333:secret:master-AbCdEf');
    const a = imported(stack);
    const b = opensearch.Domain.fromDomainEndpoint(stack, 'B', 'https://search-b-abc123.us-east-1.es.amazonaws.com');
    for (const [id, domain] of [['One', a], ['Two', a], ['Three', a], ['Four', b]] as const) {
      new MlConnector(stack, id, { domain, blueprint: blueprint(id.toLowerCase()), fineGrainedAccess: FineGrainedAccess.masterUserSecret(secret) });
    }
    expect(mappings(stack)).toHaveLength(2);
  });

  test('connectors of one domain must agree on how it is mapped', () => {
    const stack = testStack();
    const domain = imported(stack);
    new MlConnector(stack, 'One', { domain, blueprint: blueprint(), fineGrainedAccess: FineGrainedAccess.manual() });
    expect(() => new MlConnector(stack, 'Two', { domain, blueprint: blueprint('f'), fineGrainedAccess: FineGrainedAccess.providerIsMasterUser() }))
      .toThrow(/TestStack\/Two: fineGrainedAccess is 'providerIsMasterUser' here but 'manual' for another connector of the same domain/);
  });

  test('the master password is nowhere in the template but in the domain\'s own dynamic reference', () => {
    const stack = testStack();
    new MlConnector(stack, 'QA', { domain: fgacDomain(stack, { masterUserName: 'admin' }, { useUnsignedBasicAuth: true }), blueprint: blueprint() });
    const [[, mapping]] = mappings(stack);
    expect(JSON.stringify(mapping)).not.toMatch(/password|resolve:secretsmanager/i);
  });
});

describe('network placement', () => {
  function vpcDomain(stack: Stack, vpc: ec2.Vpc, id = 'Domain') {
    return new opensearch.Domain(stack, id, {
      version: opensearch.EngineVersion.OPENSEARCH_2_19,
      vpc,
      vpcSubnets: [{ subnetType: ec2.SubnetType.PRIVATE_ISOLATED, onePerAz: true, availabilityZones: [vpc.availabilityZones[0]] }],
      enforceHttps: true,
    });
  }

  test('an L2 domain in a VPC: a worker in its subnets and security group, a relay outside, the domain open to itself on 443', () => {
    const stack = testStack();
    const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 0, subnetConfiguration: [{ name: 'isolated', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }] });
    const domain = vpcDomain(stack, vpc);
    new MlConnector(stack, 'One', { domain, blueprint: blueprint() });
    new MlConnector(stack, 'Two', { domain, blueprint: blueprint('f') });

    const functions = resourcesOfType(stack, 'AWS::Lambda::Function');
    expect(functions.map(([id]) => id.replace(/[0-9A-F]{8}$/, '')).sort()).toEqual([
      expect.stringMatching(/^OpenSearchMlProviderRelay[0-9A-F]{8}$/), expect.stringMatching(/^OpenSearchMlProviderWorker[0-9A-F]{8}$/),
    ]);
    const [[workerId, worker]] = functions.filter(([id]) => id.includes('Worker'));
    const [[relayId, relay]] = functions.filter(([id]) => id.includes('Relay'));
    const domainSg = (domain.connections.securityGroups[0].node.defaultChild as ec2.CfnSecurityGroup);
    expect(worker.Properties.VpcConfig).toEqual({
      SubnetIds: [{ Ref: stack.getLogicalId(vpc.isolatedSubnets[0].node.defaultChild as any) }],
      SecurityGroupIds: [{ 'Fn::GetAtt': [stack.getLogicalId(domainSg), 'GroupId'] }],
    });
    expect(worker.DependsOn).toEqual(expect.arrayContaining([expect.stringMatching(/^OpenSearchMlProviderVpcAccess/)]));
    expect(relay.Properties.VpcConfig).toBeUndefined();
    expect(relay.Properties.Environment.Variables.ML_PROVIDER_WORKER).toEqual({ Ref: workerId });
    const template = Template.fromStack(stack);
    for (const [, connector] of resourcesOfType(stack, 'Custom::OpenSearchMlConnector')) {
      expect(connector.Properties.ServiceToken).toEqual({ 'Fn::GetAtt': [relayId, 'Arn'] });
    }
    template.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
      IpProtocol: 'tcp',
      FromPort: 443,
      ToPort: 443,
      GroupId: { 'Fn::GetAtt': [stack.getLogicalId(domainSg), 'GroupId'] },
      SourceSecurityGroupId: { 'Fn::GetAtt': [stack.getLogicalId(domainSg), 'GroupId'] },
    });
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: Match.arrayWith([{ Action: 'lambda:InvokeFunction', Effect: 'Allow', Resource: { 'Fn::GetAtt': [workerId, 'Arn'] } }]) },
    });
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', { FunctionName: { Ref: relayId }, MaximumRetryAttempts: 0 });
  });

  test('one provider function set per placement: public, and each VPC domain', () => {
    const stack = testStack();
    const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 0, subnetConfiguration: [{ name: 'isolated', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }] });
    new MlConnector(stack, 'Public', { domain: imported(stack), blueprint: blueprint() });
    new MlConnector(stack, 'Private', { domain: vpcDomain(stack, vpc), blueprint: blueprint() });
    new MlConnector(stack, 'Private2', { domain: vpcDomain(stack, vpc, 'Domain2'), blueprint: blueprint() });
    const ids = resourcesOfType(stack, 'AWS::Lambda::Function').map(([id]) => id.replace(/[0-9A-F]{8}([0-9A-F]{8})?$/, ''));
    expect(ids.sort()).toEqual(['OpenSearchMlProviderHandler', 'OpenSearchMlProviderRelay', 'OpenSearchMlProviderRelay', 'OpenSearchMlProviderWorker', 'OpenSearchMlProviderWorker']);
    expect(resourcesOfType(stack, 'AWS::IAM::Role').filter(([id]) => id.startsWith('OpenSearchMlProvider'))).toHaveLength(1);
  });

  test('an imported domain in a VPC: vpc and subnets given; the provider\'s own security group, with a warning to let it in', () => {
    const stack = testStack();
    const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 0, subnetConfiguration: [{ name: 'isolated', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }] });
    new MlConnector(stack, 'QA', { domain: imported(stack), blueprint: blueprint(), vpc, vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED } });
    const [[, worker]] = resourcesOfType(stack, 'AWS::Lambda::Function').filter(([id]) => id.includes('Worker'));
    const [[sgId]] = resourcesOfType(stack, 'AWS::EC2::SecurityGroup');
    expect(sgId).toMatch(/^OpenSearchMlProviderSecurityGroup/);
    expect(worker.Properties.VpcConfig.SecurityGroupIds).toEqual([{ 'Fn::GetAtt': [sgId, 'GroupId'] }]);
    expect(worker.Properties.VpcConfig.SubnetIds).toHaveLength(2);
    Annotations.fromStack(stack).hasWarning('/TestStack/QA', Match.stringLikeRegexp('allow that security group into the domain on port 443'));
  });

  test('an L2 domain with an explicit vpc: the provider\'s security group is let into the domain on 443', () => {
    const stack = testStack();
    const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 0, subnetConfiguration: [{ name: 'isolated', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }] });
    const domain = vpcDomain(stack, vpc);
    new MlConnector(stack, 'QA', { domain, blueprint: blueprint(), vpc, vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED } });
    const [[sgId]] = resourcesOfType(stack, 'AWS::EC2::SecurityGroup').filter(([id]) => id.startsWith('OpenSearchMlProvider'));
    Template.fromStack(stack).hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
      FromPort: 443, ToPort: 443, SourceSecurityGroupId: { 'Fn::GetAtt': [sgId, 'GroupId'] },
    });
  });

  test('subnets or security groups without a vpc are an error', () => {
    const stack = testStack();
    const sg = ec2.SecurityGroup.fromSecurityGroupId(stack, 'Sg', 'sg-12345');
    expect(() => new MlConnector(stack, 'QA', { domain: imported(stack), blueprint: blueprint(), securityGroups: [sg] }))
      .toThrow(/securityGroups places the provider in a VPC and needs the vpc property too; received securityGroups '\["sg-12345"\]' without vpc/);
  });

  test('cdk-nag AwsSolutions: a VPC domain with fine-grained access control has no findings from our constructs', () => {
    const app = new App();
    const stack = new Stack(app, 'Nag', { env: { account: '111122223333', region: 'us-east-1' } });
    const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 0, subnetConfiguration: [{ name: 'isolated', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }] });
    const domain = new opensearch.Domain(stack, 'Domain', {
      version: opensearch.EngineVersion.OPENSEARCH_2_19,
      vpc,
      vpcSubnets: [{ subnetType: ec2.SubnetType.PRIVATE_ISOLATED, availabilityZones: [vpc.availabilityZones[0]] }],
      enforceHttps: true,
      nodeToNodeEncryption: true,
      encryptionAtRest: { enabled: true },
      fineGrainedAccessControl: { masterUserName: 'admin' },
      useUnsignedBasicAuth: true,
    });
    new MlConnector(stack, 'QA', { domain, blueprint: blueprint() });
    Aspects.of(stack).add(new AwsSolutionsChecks());
    app.synth();
    const ours = (path: string) => path.includes('/OpenSearchMlProvider') || path.includes('/QA');
    const findings = [
      ...Annotations.fromStack(stack).findError('*', Match.stringLikeRegexp('AwsSolutions-.*')),
      ...Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('AwsSolutions-.*')),
    ].filter((f) => ours(f.id));
    expect(findings.map((f) => `${f.id}: ${String(f.entry.data).slice(0, 80)}`)).toEqual([]);
  });
});

test('providerRole is the stack\'s one provider role', () => {
  const stack = testStack();
  const role = MlConnector.providerRole(stack);
  new MlConnector(stack, 'QA', { domain: imported(stack), blueprint: blueprint() });
  expect(role).toBeInstanceOf(iam.Role);
  expect(MlConnector.providerRole(stack)).toBe(role);
  expect(resourcesOfType(stack, 'AWS::IAM::Role').filter(([id]) => id.startsWith('OpenSearchMlProviderRole'))).toHaveLength(1);
});

describe('the domain\'s access policy', () => {
  const anyone = (actions = ['es:ESHttp*']) => new iam.PolicyStatement({ actions, principals: [new iam.AnyPrincipal()], resources: ['*'] });
  const synth = (stack: Stack) => Template.fromStack(stack).toJSON().Resources as Record<string, any>;
  const accessPolicyId = (resources: Record<string, any>) => Object.entries(resources).find(([, r]) => r.Type === 'Custom::OpenSearchAccessPolicy')?.[0];

  test('an internal master user and no access policy that lets unsigned requests in (the README\'s old example): refused at synth, with the fixes', () => {
    const stack = testStack();
    new MlConnector(stack, 'QA', { domain: fgacDomain(stack, { masterUserName: 'admin' }), blueprint: blueprint() });
    expect(() => synth(stack)).toThrow(new RegExp(
      "\\[TestStack/QA\\] fineGrainedAccess 'masterUserSecret' maps the provider with the master user's basic auth, whose requests are unsigned, but the access policy " +
      'of the domain TestStack/Domain lets no anonymous caller do es:ESHttpGet, es:ESHttpPut, es:ESHttpPatch, es:ESHttpDelete.*useUnsignedBasicAuth: true on the Domain.*' +
      'masterUserArn: MlConnector.providerRole\\(this\\).roleArn.*FineGrainedAccess.manual\\(\\)'));
  });

  test('the same with FineGrainedAccess.masterUserSecret() given, and with a policy for IAM principals only', () => {
    const explicit = testStack();
    const domain = fgacDomain(explicit, { masterUserName: 'admin' });
    new MlConnector(explicit, 'QA', { domain, blueprint: blueprint(), fineGrainedAccess: FineGrainedAccess.masterUserSecret(domain.node.findChild('MasterUser') as secretsmanager.ISecret) });
    expect(() => synth(explicit)).toThrow(/lets no anonymous caller do es:ESHttpGet/);
    const iamOnly = testStack();
    new MlConnector(iamOnly, 'QA', {
      domain: fgacDomain(iamOnly, { masterUserName: 'admin' }, {
        accessPolicies: [new iam.PolicyStatement({ actions: ['es:*'], principals: [new iam.AccountRootPrincipal()], resources: ['*'] })],
      }),
      blueprint: blueprint(),
    });
    expect(() => synth(iamOnly)).toThrow(/lets no anonymous caller do es:ESHttpGet, es:ESHttpPut, es:ESHttpPatch, es:ESHttpDelete/);
  });

  test('a policy that lets anyone GET only: the error names the actions it lacks', () => {
    const stack = testStack();
    new MlConnector(stack, 'QA', { domain: fgacDomain(stack, { masterUserName: 'admin' }, { accessPolicies: [anyone(['es:ESHttpGet'])] }), blueprint: blueprint() });
    expect(() => synth(stack)).toThrow(/lets no anonymous caller do es:ESHttpPut, es:ESHttpPatch, es:ESHttpDelete, so/);
  });

  test('useUnsignedBasicAuth: true synthesizes, and everything that calls the domain waits for its access policy resource', () => {
    const stack = testStack();
    const domain = fgacDomain(stack, { masterUserName: 'admin' }, { useUnsignedBasicAuth: true });
    const connector = new MlConnector(stack, 'Titan', { domain, blueprint: ConnectorBlueprint.bedrockTitanTextEmbeddingV2() });
    const group = new MlModelGroup(stack, 'Group', { domain });
    new MlModel(stack, 'Model', { connector, modelGroup: group });
    const resources = synth(stack);
    const policy = accessPolicyId(resources);
    expect(policy).toMatch(/^DomainAccessPolicy/);
    const ours = Object.entries(resources).filter(([, r]) => r.Type.startsWith('Custom::OpenSearchMl'));
    expect(ours.map(([, r]) => r.Type).sort()).toEqual(['Custom::OpenSearchMlConnector', 'Custom::OpenSearchMlModel', 'Custom::OpenSearchMlModelGroup', 'Custom::OpenSearchMlRoleMapping']);
    for (const [id, r] of ours) expect([id, r.DependsOn]).toEqual([id, expect.arrayContaining([policy])]);
  });

  test('an access policy added after the connector counts: the domain\'s final policy is checked, and waited for', () => {
    const stack = testStack();
    const domain = fgacDomain(stack, { masterUserName: 'admin' });
    new MlConnector(stack, 'QA', { domain, blueprint: blueprint() });
    domain.addAccessPolicies(anyone());
    const resources = synth(stack);
    const [[, connector]] = resourcesOfType(stack, 'Custom::OpenSearchMlConnector');
    expect(connector.DependsOn).toContain(accessPolicyId(resources));
  });

  test('a domain without fine-grained access control but with an access policy: its connectors wait for it too', () => {
    const stack = testStack();
    const domain = new opensearch.Domain(stack, 'Domain', {
      version: opensearch.EngineVersion.OPENSEARCH_2_19,
      accessPolicies: [new iam.PolicyStatement({ actions: ['es:ESHttp*'], principals: [new iam.AccountRootPrincipal()], resources: ['*'] })],
    });
    new MlConnector(stack, 'QA', { domain, blueprint: blueprint() });
    const resources = synth(stack);
    const [[, connector]] = resourcesOfType(stack, 'Custom::OpenSearchMlConnector');
    expect(connector.DependsOn).toContain(accessPolicyId(resources));
  });

  test('a domain without an access policy: no dependency is added', () => {
    const stack = testStack();
    new MlConnector(stack, 'QA', { domain: new opensearch.Domain(stack, 'Domain', { version: opensearch.EngineVersion.OPENSEARCH_2_19 }), blueprint: blueprint() });
    const [[, connector]] = resourcesOfType(stack, 'Custom::OpenSearchMlConnector');
    expect(connector.DependsOn.filter((id: string) => !id.startsWith('OpenSearchMlProvider'))).toEqual([]);
  });

  test('an imported domain: its access policy is not known, so nothing is refused', () => {
    const stack = testStack();
    new MlConnector(stack, 'QA', {
      domain: imported(stack),
      fineGrainedAccess: FineGrainedAccess.masterUserSecret(secretsmanager.Secret.fromSecretNameV2(stack, 'M', 'master')),
      blueprint: blueprint(),
    });
    expect(() => synth(stack)).not.toThrow();
  });

  test('FineGrainedAccess.providerIsMasterUser() on an L2 domain without fine-grained access control fails at synth', () => {
    const stack = testStack();
    expect(() => new MlConnector(stack, 'QA', {
      domain: new opensearch.Domain(stack, 'Domain', { version: opensearch.EngineVersion.OPENSEARCH_2_19 }),
      fineGrainedAccess: FineGrainedAccess.providerIsMasterUser(),
      blueprint: blueprint(),
    })).toThrow("TestStack/QA: fineGrainedAccess 'providerIsMasterUser' needs a domain with fine-grained access control whose IAM master user is the provider role");
  });
});
